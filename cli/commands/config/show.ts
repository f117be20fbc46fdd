import fs from 'node:fs';
import { BaseCommand } from '../../base';
import { configKeys, ENV_KEYS, getPath, maskSecrets, type ConfigFile } from '../../../domain/config';
import { parseDotenv, readConfigFile } from '../../../worker/settings';

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

export function displayValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Show the configuration in force, secrets masked, and where each value comes from.';
  static override description =
    'Values come from, in order of precedence: command-line flags, environment variables, $QUANTCODER_HOME/.env, ' +
    '$QUANTCODER_HOME/config.json, then the defaults. API keys and tokens are masked: only whether they are set, ' +
    'their first and last characters and their length are shown.';
  static override examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show | grep llm.provider',
    '<%= config.bin %> config show --json | jq .sources',
  ];

  async run(): Promise<{ file: string; config: Record<string, unknown>; sources: Record<string, string> }> {
    const { layout, config } = this.settings;
    const masked = maskSecrets(config);
    const sources = configSources(layout.config, layout.dotenv, process.env, {
      TEMPORAL_ADDRESS: this.flags.address,
      TEMPORAL_NAMESPACE: this.flags.namespace,
      QUANTCODER_TASK_QUEUE: this.flags['task-queue'],
      QUANTCODER_PROFILE: this.flags.sandbox ? 'sandbox' : undefined,
    });
    if (!this.jsonEnabled()) {
      const rows = [...configKeys().keys()].map((key) => ({ key, value: displayValue(getPath(masked, key)), source: sources[key]! }));
      const kw = Math.max(...rows.map((r) => r.key.length));
      const vw = Math.min(48, Math.max(...rows.map((r) => r.value.length)));
      this.log(`# ${layout.config}`);
      for (const r of rows) this.log(`${r.key.padEnd(kw)}  ${r.value.padEnd(vw)}  ${r.source}`);
    }
    return { file: layout.config, config: masked, sources };
  }
}
