import { Args } from '@oclif/core';
import { ConfigFileCommand } from '../../config-file-command';
import { ENV_KEYS, mask, SECRET_KEYS } from '../../../domain/config';
import { configSources, setConfigValue } from '../../../config/edit';

export default class ConfigSet extends ConfigFileCommand<typeof ConfigSet> {
  static override summary = 'Set a value in $QUANTCODER_HOME/config.json.';
  static override description =
    'The value is checked against the key\'s type (URLs, positive numbers, choices), and the whole resulting file is ' +
    'validated before it is written, so config.json never holds an invalid configuration. The file is written with ' +
    'mode 600. Keys set in the environment still override the file; prefer the environment or $QUANTCODER_HOME/.env ' +
    'for API keys, which otherwise end up in your shell history.';
  static override examples = [
    '<%= config.bin %> config set llm.provider anthropic',
    '<%= config.bin %> config set crossref.timeoutSeconds 30',
    '<%= config.bin %> config set quantconnect.userId 123456',
  ];
  static override args = {
    key: Args.string({ required: true, description: 'Dotted key, e.g. llm.provider.' }),
    value: Args.string({ required: true, description: 'The new value.' }),
  };

  async run(): Promise<{ key: string; value: unknown; file: string }> {
    const { layout } = this;
    const { key } = this.args;
    const { value } = setConfigValue(layout.config, key, this.args.value);
    const shown = (SECRET_KEYS as readonly string[]).includes(key) ? mask(String(value)) : value;
    this.log(`Set ${key} = ${typeof shown === 'string' ? shown : JSON.stringify(shown)} in ${layout.config}`);
    const source = configSources(layout.config, layout.dotenv, process.env)[key];
    if (source && (source.startsWith('env ') || source.startsWith('.env '))) {
      const name = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
      this.note(`Warning: ${name} is set (${source.startsWith('env') ? 'environment' : layout.dotenv}) and overrides this value.`);
    }
    return { key, value: shown, file: layout.config };
  }
}
