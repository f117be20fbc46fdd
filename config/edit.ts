import fs from 'node:fs';
import { ConfigError, configKeys, ENV_KEYS, getPath, LEGACY_CONFIG_KEYS, LEGACY_ENV_KEYS, legacyNote, parseConfigValue, resolveConfig, setPath, unknownKeyMessage, type ConfigFile } from '../domain/config';
import type { HomeLayout } from '../domain/paths';
import { editDotenv } from './dotenv';
import { isSecretKey, KeyringUnavailableError, secretEnvName, type SecretKey, type SecretStore } from './secrets';
import { parseDotenv, readConfigFile, writeConfigFile } from './settings';

/**
 * Sets one key in the config file. The value is checked against the key's type and the whole
 * resulting file is validated before it is written, so the file never holds an invalid config.
 */
export function setConfigValue(configFile: string, typed: string, raw: string): { key: string; value: unknown; note: string | null } {
  const key = LEGACY_CONFIG_KEYS[typed] ?? typed;
  const value = parseConfigValue(key, raw);
  const next = setPath(readConfigFile(configFile), key, value);
  resolveConfig(next, {}, configFile);
  writeConfigFile(configFile, next);
  return { key, value, note: key === typed ? null : legacyNote(typed, key) };
}

/**
 * Removes one key from the config file, also one QuantCoder does not know (which is how a file
 * rejected as invalid gets repaired). `invalid` says why the file is still invalid, if it is.
 */
export function unsetConfigValue(configFile: string, key: string): { removed: boolean; invalid: string | null } {
  const file = readConfigFile(configFile);
  if (getPath(file, key) === undefined) {
    const known = [...configKeys().keys()].some((k) => k === key || k.startsWith(`${key}.`));
    if (!known) throw new ConfigError(unknownKeyMessage(key));
    return { removed: false, invalid: null };
  }
  const next = pruneEmpty(setPath(file, key, undefined), key);
  writeConfigFile(configFile, next);
  try {
    resolveConfig(next, {}, configFile);
    return { removed: true, invalid: null };
  } catch (err) {
    return { removed: true, invalid: (err as Error).message };
  }
}

/** Removes sections left empty by an unset, so the file stays as small as what the user set. */
function pruneEmpty(obj: ConfigFile, key: string): ConfigFile {
  const parts = key.split('.');
  let out = obj;
  for (let i = parts.length - 1; i >= 1; i--) {
    const parent = parts.slice(0, i).join('.');
    const section = getPath(out, parent);
    if (section && typeof section === 'object' && Object.keys(section).length === 0) out = setPath(out, parent, undefined);
  }
  return out;
}

export interface StoredSecret {
  key: SecretKey;
  /** Where the value went. */
  store: 'keyring' | 'dotenv';
  /** The store for a message: "the OS keyring (Secret Service)" or the `.env` path. */
  where: string;
  /** Why the keyring was not used, when it was not. */
  keyringProblem: string | null;
  /** Other places an older copy was removed from, so one value is in force and no stale copy lingers. */
  removedFrom: string[];
  note: string | null;
}

/**
 * Stores a secret in the OS keyring when there is a usable one, else in `.env` (mode 600); never
 * in config.json. Copies elsewhere (`.env`, config.json) are removed so the new value is the one in force.
 */
export function storeSecret(layout: HomeLayout, typed: string, raw: string, keyring: SecretStore | KeyringUnavailableError): StoredSecret {
  const key = LEGACY_CONFIG_KEYS[typed] ?? typed;
  if (!isSecretKey(key)) throw new ConfigError(`${key} is not a secret`);
  const value = parseConfigValue(key, raw) as string;
  const note = key === typed ? null : legacyNote(typed, key);
  const removedFrom: string[] = [];
  let keyringProblem: string;
  if (keyring instanceof KeyringUnavailableError) keyringProblem = keyring.message;
  else {
    try {
      keyring.write(key, value);
      if (removeFromDotenv(layout.dotenv, key)) removedFrom.push(layout.dotenv);
      if (removeFromFile(layout.config, key)) removedFrom.push(layout.config);
      return { key, store: 'keyring', where: keyring.description, keyringProblem: null, removedFrom, note };
    } catch (err) {
      if (!(err instanceof KeyringUnavailableError)) throw err;
      keyringProblem = `${keyring.description} refused it (${err.message})`;
    }
  }
  for (const name of secretEnvNames(key)) if (name !== secretEnvName(key)) editDotenv(layout.dotenv, name, undefined);
  editDotenv(layout.dotenv, secretEnvName(key), value);
  if (removeFromFile(layout.config, key)) removedFrom.push(layout.config);
  return { key, store: 'dotenv', where: layout.dotenv, keyringProblem, removedFrom, note };
}

/** Removes a secret from every place QuantCoder keeps one; returns where it was found. Keyring trouble is reported, not thrown. */
export function removeSecret(layout: HomeLayout, key: SecretKey, keyring: SecretStore | KeyringUnavailableError): { removedFrom: string[]; keyringProblem: string | null } {
  const removedFrom: string[] = [];
  let keyringProblem: string | null = null;
  if (!(keyring instanceof KeyringUnavailableError)) {
    try {
      if (keyring.remove(key)) removedFrom.push(keyring.description);
    } catch (err) {
      if (!(err instanceof KeyringUnavailableError)) throw err;
      keyringProblem = `${keyring.description} could not be changed: ${err.message}`;
    }
  }
  if (removeFromDotenv(layout.dotenv, key)) removedFrom.push(layout.dotenv);
  if (removeFromFile(layout.config, key)) removedFrom.push(layout.config);
  return { removedFrom, keyringProblem };
}

function secretEnvNames(key: SecretKey): string[] {
  return [...Object.entries(ENV_KEYS), ...Object.entries(LEGACY_ENV_KEYS)].filter(([, k]) => k === key).map(([n]) => n);
}

function removeFromDotenv(dotenvFile: string, key: SecretKey): boolean {
  let removed = false;
  for (const name of secretEnvNames(key)) removed = editDotenv(dotenvFile, name, undefined) || removed;
  return removed;
}

function removeFromFile(configFile: string, key: SecretKey): boolean {
  const file = readConfigFile(configFile);
  if (getPath(file, key) === undefined) return false;
  writeConfigFile(configFile, pruneEmpty(setPath(file, key, undefined), key));
  return true;
}

/** Where a config value comes from: a flag, the environment, the OS keyring, `.env`, the config file, or the default. */
export function configSources(
  configFile: string,
  dotenvFile: string,
  env: Record<string, string | undefined>,
  flags: Record<string, string | undefined> = {},
  inKeyring: readonly string[] = [],
): Record<string, string> {
  const file: ConfigFile = readConfigFile(configFile);
  const dotenv = fs.existsSync(dotenvFile) ? parseDotenv(fs.readFileSync(dotenvFile, 'utf8')) : {};
  const envFor = new Map(Object.entries(ENV_KEYS).map(([name, key]) => [key, name]));
  const sources: Record<string, string> = {};
  for (const key of configKeys().keys()) {
    const name = envFor.get(key);
    // oclif fills a flag from its environment variable, so a flag equal to the variable came from the environment.
    if (name && flags[name] !== undefined && flags[name] !== env[name]) sources[key] = 'flag';
    else if (name && env[name]) sources[key] = `env ${name}`;
    else if (inKeyring.includes(key)) sources[key] = 'keyring';
    else if (name && dotenv[name]) sources[key] = `.env ${name}`;
    else if (getPath(file, key) !== undefined) sources[key] = 'file';
    else sources[key] = 'default';
  }
  return sources;
}
