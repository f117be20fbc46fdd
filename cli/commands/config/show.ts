import { BaseCommand } from '../../base';
import { configKeys, getPath, maskSecrets } from '../../../domain/config';
import { configSources } from '../../../config/edit';
import type { KeyringStatus, Settings } from '../../../config/settings';

/** The secret keys whose value in force comes from the OS keyring. */
export function keyringKeys(settings: Settings): string[] {
  return Object.entries(settings.secretSources).filter(([, s]) => s === 'keyring').map(([k]) => k);
}

/** Where `config set` puts secrets, in a line. */
export function keyringLine(keyring: KeyringStatus, dotenv: string): string {
  return keyring.available
    ? `\`config set\` stores them in ${keyring.description}`
    : `no OS keyring (${keyring.reason}); \`config set\` stores them in ${dotenv} (mode 600)`;
}

export function displayValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Show the configuration in force, secrets masked, and where each value comes from.';
  static override description =
    'Values come from, in order of precedence: command-line flags, environment variables, the OS keyring (secrets ' +
    'only), $QUANTCODER_HOME/.env, $QUANTCODER_HOME/config.json, then the defaults. API keys and tokens are masked: ' +
    'only whether they are set, their first and last characters and their length are shown. The last line says ' +
    'whether an OS keyring is available for secrets set with `config set`.';
  static override examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show | grep llm.provider',
    '<%= config.bin %> config show --json | jq .sources',
  ];

  async run(): Promise<{ file: string; config: Record<string, unknown>; sources: Record<string, string>; keyring: KeyringStatus }> {
    const { layout, config, keyring } = this.settings;
    const masked = maskSecrets(config);
    const sources = configSources(layout.config, layout.dotenv, process.env, {
      TEMPORAL_ADDRESS: this.flags.address,
      TEMPORAL_NAMESPACE: this.flags.namespace,
      QUANTCODER_TASK_QUEUE: this.flags['task-queue'],
      QUANTCODER_PROFILE: this.flags.sandbox ? 'sandbox' : undefined,
    }, keyringKeys(this.settings));
    if (!this.jsonEnabled()) {
      const rows = [...configKeys().keys()].map((key) => ({ key, value: displayValue(getPath(masked, key)), source: sources[key]! }));
      const kw = Math.max(...rows.map((r) => r.key.length));
      const vw = Math.min(48, Math.max(...rows.map((r) => r.value.length)));
      this.log(`# ${layout.config}`);
      for (const r of rows) this.log(`${r.key.padEnd(kw)}  ${r.value.padEnd(vw)}  ${r.source}`);
      this.log(`# secrets: ${keyringLine(keyring, layout.dotenv)}`);
    }
    return { file: layout.config, config: masked, sources, keyring };
  }
}
