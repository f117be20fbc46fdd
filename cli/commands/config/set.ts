import { Args } from '@oclif/core';
import { ConfigFileCommand } from '../../config-file-command';
import { UserError } from '../../errors';
import { ENV_KEYS, LEGACY_CONFIG_KEYS, LEGACY_ENV_KEYS, mask, redactor } from '../../../domain/config';
import { configSources, setConfigValue, storeSecret } from '../../../config/edit';
import { isSecretKey, keyringFor } from '../../../config/secrets';

export default class ConfigSet extends ConfigFileCommand<typeof ConfigSet> {
  static override summary = 'Set a value: settings in $QUANTCODER_HOME/config.json, secrets in the OS keyring (or .env).';
  static override description =
    'The value is checked against the key\'s type (URLs, positive numbers, choices), and the whole resulting file is ' +
    'validated before it is written, so config.json never holds an invalid configuration. The file is written with ' +
    'mode 600.\n\n' +
    'Secrets (openai.apiKey, anthropic.apiKey, quantconnect.apiToken, database.url) never go to config.json: they are ' +
    'stored in the OS keyring (macOS Keychain, Windows Credential Manager, the Secret Service of GNOME Keyring or ' +
    'KWallet) when one is available, else in $QUANTCODER_HOME/.env with mode 600; the command says which. Give the ' +
    'value as `-` to read it from standard input, so it stays out of your shell history. Environment variables still ' +
    'override what is stored.';
  static override examples = [
    '<%= config.bin %> config set llm.provider anthropic',
    '<%= config.bin %> config set crossref.timeoutSeconds 30',
    '<%= config.bin %> config set quantconnect.userId 123456',
    'printf %s "$OPENAI_KEY" | <%= config.bin %> config set openai.apiKey -',
  ];
  static override args = {
    key: Args.string({ required: true, description: 'Dotted key, e.g. llm.provider.' }),
    value: Args.string({ required: true, description: 'The new value (`-` reads it from standard input).' }),
  };

  async run(): Promise<{ key: string; value: unknown; file?: string; store?: 'keyring' | 'dotenv'; where?: string }> {
    const { layout } = this;
    const typed = this.args.key;
    const key = LEGACY_CONFIG_KEYS[typed] ?? typed;
    if (isSecretKey(key)) {
      const raw = this.args.value === '-' ? await readSecretFromStdin() : this.args.value;
      const stored = storeSecret(layout, typed, raw, keyringFor(layout.home));
      const scrub = redactor([raw]);
      if (stored.note) this.note(stored.note);
      if (stored.keyringProblem) this.note(scrub(`Not stored in the OS keyring: ${stored.keyringProblem}.`));
      const shown = mask(raw);
      this.log(`Stored ${key} = ${shown} in ${stored.where}${stored.store === 'dotenv' ? ' (mode 600)' : ''}.`);
      if (stored.removedFrom.length) this.log(`Removed the older copy from ${stored.removedFrom.join(' and ')}.`);
      const overriding = [...Object.entries(ENV_KEYS), ...Object.entries(LEGACY_ENV_KEYS)].find(([name, k]) => k === key && process.env[name]);
      if (overriding) this.note(`Warning: ${overriding[0]} is set in the environment and overrides this value.`);
      return { key, value: shown, store: stored.store, where: stored.where };
    }
    const { value, note } = setConfigValue(layout.config, typed, this.args.value);
    if (note) this.note(note);
    this.log(`Set ${key} = ${typeof value === 'string' ? value : JSON.stringify(value)} in ${layout.config}`);
    const source = configSources(layout.config, layout.dotenv, process.env)[key];
    if (source && (source.startsWith('env ') || source.startsWith('.env '))) {
      const name = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
      this.note(`Warning: ${name} is set (${source.startsWith('env') ? 'environment' : layout.dotenv}) and overrides this value.`);
    }
    return { key, value, file: layout.config };
  }
}

/** A secret piped in: `printf %s "$KEY" | quantcoder config set openai.apiKey -`. */
async function readSecretFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) throw new UserError('`-` reads the value from standard input, but nothing is piped in (try: printf %s "$OPENAI_API_KEY" | quantcoder config set openai.apiKey -)');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!value) throw new UserError('Nothing was read from standard input: no value to store.');
  return value;
}
