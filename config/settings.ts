import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, ENV_KEYS, LEGACY_ENV_KEYS, legacyEnvNotes, resolveConfig, SECRET_KEYS, getPath, type ConfigFile, type QuantCoderConfig } from '../domain/config';
import { homeLayout, quantcoderHome, type HomeLayout } from '../domain/paths';
import { parseDotenv } from './dotenv';
import { keyringFor, KeyringUnavailableError, secretEnvName, type SecretKey, type SecretSource, type SecretStore } from './secrets';

export { parseDotenv } from './dotenv';

export interface Settings {
  config: QuantCoderConfig;
  layout: HomeLayout;
  /** Warnings to show the user (e.g. a `.env` readable by others). */
  warnings: string[];
  /** The secret values in force, so the logger can redact them. */
  secrets: string[];
  /** Where each secret in force comes from (environment, OS keyring, `.env`, config file). */
  secretSources: Partial<Record<SecretKey, SecretSource>>;
  /** The OS keyring this home's secrets go to, or why there is none. */
  keyring: KeyringStatus;
}

export type KeyringStatus = { available: true; description: string } | { available: false; reason: string };

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
 * Loads QuantCoder's settings: `$QUANTCODER_HOME/config.json`, then `$QUANTCODER_HOME/.env`, then
 * the OS keyring (secrets only), then the process environment (which wins), validated by one schema.
 * `keyring` replaces the OS keyring (tests); by default it is the one `osKeyring` finds for this home.
 */
export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, string | undefined> = {},
  keyring?: SecretStore | KeyringUnavailableError,
): Settings {
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
  const fromEnv = { ...pickDefined(env), ...pickDefined(overrides) };
  const { values: stored, status } = readKeyring(keyring ?? keyringFor(layout.home, env), warnings);
  // a keyring value stands in for its environment variable, unless the environment sets the key under any name
  const fromKeyring: Record<string, string> = {};
  for (const [key, value] of Object.entries(stored) as Array<[SecretKey, string]>) {
    if (!envNames(key).some((n) => fromEnv[n] !== undefined)) fromKeyring[secretEnvName(key)] = value;
  }
  const merged = { ...dotenv, ...fromKeyring, ...fromEnv };
  warnings.push(...legacyEnvNotes(merged));
  const file = readConfigFile(layout.config);
  const config = resolveConfig(file, merged, layout.config);
  const secretSources: Partial<Record<SecretKey, SecretSource>> = {};
  for (const key of SECRET_KEYS) {
    const names = envNames(key);
    if (names.some((n) => fromEnv[n] !== undefined)) secretSources[key] = 'env';
    else if (fromKeyring[secretEnvName(key)] !== undefined) secretSources[key] = 'keyring';
    else if (names.some((n) => dotenv[n] !== undefined)) secretSources[key] = 'dotenv';
    else if (getPath(file, key) !== undefined) secretSources[key] = 'file';
  }
  const secrets = SECRET_KEYS.map((k) => getPath(config as unknown as Record<string, unknown>, k)).filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return { config, layout, warnings, secrets, secretSources, keyring: status };
}

/** Every variable name (QuantCoder's and 2.0's) that sets a key. */
function envNames(key: string): string[] {
  return [...Object.entries(ENV_KEYS), ...Object.entries(LEGACY_ENV_KEYS)].filter(([, k]) => k === key).map(([n]) => n);
}

/**
 * This home's secrets in the OS keyring. No keyring on this machine is normal (a server, a
 * container) and goes unsaid; a keyring that is there but cannot be read (locked, broken) is a warning.
 */
function readKeyring(keyring: SecretStore | KeyringUnavailableError, warnings: string[]): { values: Partial<Record<SecretKey, string>>; status: KeyringStatus } {
  if (keyring instanceof KeyringUnavailableError) return { values: {}, status: { available: false, reason: keyring.message } };
  try {
    return { values: keyring.readAll(), status: { available: true, description: keyring.description } };
  } catch (err) {
    if (!(err instanceof KeyringUnavailableError)) throw err;
    warnings.push(`${keyring.description} could not be read (${err.message}); secrets kept there are not in use (unlock it, or set them in the environment)`);
    return { values: {}, status: { available: false, reason: `${keyring.description} could not be read` } };
  }
}

/** Where QuantCoder's files are, from `QUANTCODER_HOME` or the user's home; known even when the config file does not load. */
export function layoutFromEnv(env: NodeJS.ProcessEnv = process.env): HomeLayout {
  return homeLayout(quantcoderHome({ ...env, HOME: env.HOME ?? os.homedir() }));
}

/** Set values only: an empty variable (`ANTHROPIC_API_KEY=`) must not hide the one in `.env`. */
function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}
