import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings';

/** The Web UI address QuantCoder assumes when nothing says otherwise (the dev server's default). */
const DEFAULT_UI_URL = 'http://localhost:8233';
const RECORD = 'dev-server.json';

interface DevServerRecord {
  address: string;
  uiUrl: string;
}

/** `localhost:7233` and `127.0.0.1:7233` are the same server. */
function sameServer(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/^localhost:/i, '127.0.0.1:').replace(/^\[::1\]:/, '127.0.0.1:');
  return norm(a) === norm(b);
}

/** `quantcoder dev` records where its Web UI listens, for the clients of that server using the same home. */
export function recordDevServer(home: string, record: DevServerRecord): void {
  fs.mkdirSync(home, { recursive: true });
  const file = path.join(home, RECORD);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  fs.renameSync(tmp, file);
}

/** Removes the record when the server that wrote it stops. */
export function forgetDevServer(home: string, address: string): void {
  const file = path.join(home, RECORD);
  const record = readRecord(home);
  if (record && sameServer(record.address, address)) fs.rmSync(file, { force: true });
}

function readRecord(home: string): DevServerRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(home, RECORD), 'utf8')) as Partial<DevServerRecord>;
    return typeof r.address === 'string' && typeof r.uiUrl === 'string' ? { address: r.address, uiUrl: r.uiUrl } : null;
  } catch {
    return null;
  }
}

/**
 * Where the Web UI of the configured Temporal server is: `temporal.uiUrl` when set (TEMPORAL_UI_URL
 * or the config file), else what `quantcoder dev` recorded for this server, else the default.
 */
export function webUiBase(settings: Settings): string {
  const configured = settings.config.temporal.uiUrl.replace(/\/+$/, '');
  if (configured !== DEFAULT_UI_URL) return configured;
  const record = readRecord(settings.layout.home);
  if (record && sameServer(record.address, settings.config.temporal.address)) return record.uiUrl.replace(/\/+$/, '');
  return configured;
}
