import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../domain/config';

/** Reads `KEY=VALUE` lines (quotes optional, `#` comments, `export ` prefix allowed). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}

/**
 * Sets (or, with `undefined`, removes) one variable in a `.env` file, keeping its other lines and
 * comments, and leaves the file readable by its owner only. Returns whether a line was replaced or removed.
 */
export function editDotenv(file: string, name: string, value: string | undefined): boolean {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\r?\n/) : [];
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((line) => !(name in parseDotenv(line)));
  const replaced = kept.length !== lines.length;
  if (value === undefined && !replaced) return false;
  if (value !== undefined) kept.push(`${name}=${quoteDotenvValue(name, value)}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, kept.length ? `${kept.join('\n')}\n` : '', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return replaced;
}

/** Quotes a value so that parseDotenv reads back exactly it. */
function quoteDotenvValue(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new ConfigError(`${name} cannot hold a line break.`);
  if (!/[\s#"']/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new ConfigError(`${name} holds both kinds of quote; .env cannot store it. Set it in the environment instead.`);
}
