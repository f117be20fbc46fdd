import { Args } from '@oclif/core';
import { ConfigFileCommand } from '../../config-file-command';
import { LEGACY_CONFIG_KEYS } from '../../../domain/config';
import { removeSecret, unsetConfigValue } from '../../../config/edit';
import { isSecretKey, keyringFor } from '../../../config/secrets';

export default class ConfigUnset extends ConfigFileCommand<typeof ConfigUnset> {
  static override summary = 'Remove a value (the default applies again); a secret is removed from the OS keyring, .env and config.json.';
  static override description =
    'Also removes keys QuantCoder does not know (a typo, a key from another version), which is how a config file ' +
    'rejected as invalid gets repaired. Unsetting a key that is not set does nothing and succeeds. A secret ' +
    '(openai.apiKey, anthropic.apiKey, quantconnect.apiToken, database.url) is removed from every place QuantCoder ' +
    'keeps one; the environment is yours to change.';
  static override examples = ['<%= config.bin %> config unset llm.model', '<%= config.bin %> config unset crossref.timeoutSeconds --json', '<%= config.bin %> config unset openai.apiKey'];
  static override args = { key: Args.string({ required: true, description: 'Dotted key, e.g. llm.model.' }) };

  async run(): Promise<{ key: string; removed: boolean; file?: string; from?: string[] }> {
    const { layout } = this;
    const secret = LEGACY_CONFIG_KEYS[this.args.key] ?? this.args.key;
    if (isSecretKey(secret)) {
      const key = secret;
      const { removedFrom, keyringProblem } = removeSecret(layout, key, keyringFor(layout.home));
      if (keyringProblem) this.note(`Warning: ${keyringProblem}; a copy kept there, if any, is still in place.`);
      if (removedFrom.length) this.log(`Removed ${key} from ${removedFrom.join(', ')}.`);
      else this.log(`${key} is not stored anywhere QuantCoder keeps secrets; nothing to do.`);
      return { key, removed: removedFrom.length > 0, from: removedFrom };
    }
    const { key } = this.args;
    const { removed, invalid } = unsetConfigValue(layout.config, key);
    if (!removed) {
      this.log(`${key} is not set in ${layout.config}; nothing to do.`);
      return { key, removed: false, file: layout.config };
    }
    this.log(`Removed ${key} from ${layout.config}.`);
    if (invalid) this.note(`Warning: the file is still invalid: ${invalid}`);
    return { key, removed: true, file: layout.config };
  }
}
