import fs from 'node:fs';
import { ConfigError, configKeys, ENV_KEYS, getPath, parseConfigValue, resolveConfig, setPath, type ConfigFile } from '../domain/config';
import { parseDotenv, readConfigFile, writeConfigFile } from './settings';

/**
 * Sets one key in the config file. The value is checked against the key's type and the whole
 * resulting file is validated before it is written, so the file never holds an invalid config.
 */
export function setConfigValue(configFile: string, key: string, raw: string): { value: unknown } {
  const value = parseConfigValue(key, raw);
  const next = setPath(readConfigFile(configFile), key, value);
  resolveConfig(next, {}, configFile);
  writeConfigFile(configFile, next);
  return { value };
}

/**
 * Removes one key from the config file, also one QuantCoder does not know (which is how a file
 * rejected as invalid gets repaired). `invalid` says why the file is still invalid, if it is.
 */
export function unsetConfigValue(configFile: string, key: string): { removed: boolean; invalid: string | null } {
  const file = readConfigFile(configFile);
  if (getPath(file, key) === undefined) {
    const known = [...configKeys().keys()].some((k) => k === key || k.startsWith(`${key}.`));
    if (!known) throw new ConfigError(`Unknown config key "${key}". Valid keys: ${[...configKeys().keys()].join(', ')}`);
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

/** Where a config value comes from: a flag, the environment, `.env`, the config file, or the default. */
export function configSources(
  configFile: string,
  dotenvFile: string,
  env: Record<string, string | undefined>,
  flags: Record<string, string | undefined> = {},
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
    else if (name && dotenv[name]) sources[key] = `.env ${name}`;
    else if (getPath(file, key) !== undefined) sources[key] = 'file';
    else sources[key] = 'default';
  }
  return sources;
}
