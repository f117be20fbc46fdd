import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, resolveConfig, SECRET_KEYS, getPath, type ConfigFile, type QuantCoderConfig } from '../domain/config';
import { homeLayout, quantcoderHome, type HomeLayout } from '../domain/paths';

export interface Settings {
  config: QuantCoderConfig;
  layout: HomeLayout;
  /** Warnings to show the user (e.g. a `.env` readable by others). */
  warnings: string[];
  /** The secret values in force, so the logger can redact them. */
  secrets: string[];
}

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

/** Reads the config file; a missing file is an empty config, an unreadable one is a ConfigError naming it. */
export function readConfigFile(file: string): ConfigFile {
  if (!fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ConfigFile;
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON (${(err as Error).message}). Fix it or remove it to use the defaults.`, file);
  }
}

/** Writes the config file atomically and readable only by its owner (it may hold credentials). */
export function writeConfigFile(file: string, config: ConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Loads QuantCoder's settings: `$QUANTCODER_HOME/config.json`, then `$QUANTCODER_HOME/.env`,
 * then the process environment (which wins), validated by one schema.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, string | undefined> = {}): Settings {
  const layout = layoutFromEnv(env);
  const warnings: string[] = [];
  let dotenv: Record<string, string> = {};
  if (fs.existsSync(layout.dotenv)) {
    const mode = fs.statSync(layout.dotenv).mode & 0o777;
    if (mode & 0o077) {
      warnings.push(`${layout.dotenv} is readable by group or others (mode ${mode.toString(8)}); run: chmod 600 ${layout.dotenv}`);
    }
    dotenv = parseDotenv(fs.readFileSync(layout.dotenv, 'utf8'));
  }
  const merged = { ...dotenv, ...pickDefined(env), ...pickDefined(overrides) };
  const config = resolveConfig(readConfigFile(layout.config), merged, layout.config);
  const secrets = SECRET_KEYS.map((k) => getPath(config as unknown as Record<string, unknown>, k)).filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return { config, layout, warnings, secrets };
}

/** Where QuantCoder's files are, from `QUANTCODER_HOME` or the user's home; known even when the config file does not load. */
export function layoutFromEnv(env: NodeJS.ProcessEnv = process.env): HomeLayout {
  return homeLayout(quantcoderHome({ ...env, HOME: env.HOME ?? os.homedir() }));
}

/** Set values only: an empty variable (`ANTHROPIC_API_KEY=`) must not hide the one in `.env`. */
function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}
