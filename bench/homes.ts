import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { buildActivityDeps } from '../worker/deps';
import { loadSettings, type Settings } from '../config/settings';

/** Config every bench home starts from: the sandbox profile, quick polling, a quiet log. */
export function sandboxConfig(sandboxUrl: string, over: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  const base: Record<string, Record<string, unknown>> = {
    sandbox: { url: sandboxUrl },
    quantconnect: { pollSeconds: 0.05 },
    logging: { level: 'warn', format: 'json' },
  };
  const merged: Record<string, unknown> = { profile: 'sandbox' };
  for (const key of new Set([...Object.keys(base), ...Object.keys(over)])) merged[key] = { ...base[key], ...over[key] };
  return merged;
}

/** A throwaway QUANTCODER_HOME holding `config.json`; a worker process can be pointed at it. */
export function benchHome(config: Record<string, unknown>): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-bench-'));
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify(config));
  return home;
}

export interface BenchDeps extends ActivityDeps {
  home: string;
  settings: Settings;
  cleanup(): Promise<void>;
}

/**
 * Activity deps exactly as the worker builds them (buildActivityDeps over loadSettings) on a fresh
 * home: its own learning database, artifacts and downloads, so no run reuses another's work.
 */
export function benchDeps(config: Record<string, unknown>): BenchDeps {
  const home = benchHome(config);
  const settings = loadSettings({ QUANTCODER_HOME: home, HOME: home, PATH: process.env.PATH });
  const deps = buildActivityDeps(settings);
  return {
    ...deps,
    home,
    settings,
    async cleanup() {
      await deps.prisma.$disconnect();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
