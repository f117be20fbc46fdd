import { Args } from '@oclif/core';
import { ConfigFileCommand } from '../../config-file-command';
import { unsetConfigValue } from '../../../config/edit';

export default class ConfigUnset extends ConfigFileCommand<typeof ConfigUnset> {
  static override summary = 'Remove a value from $QUANTCODER_HOME/config.json (the default applies again).';
  static override description =
    'Also removes keys QuantCoder does not know (a typo, a key from another version), which is how a config file ' +
    'rejected as invalid gets repaired. Unsetting a key that is not in the file does nothing and succeeds.';
  static override examples = ['<%= config.bin %> config unset llm.model', '<%= config.bin %> config unset crossref.timeoutSeconds --json'];
  static override args = { key: Args.string({ required: true, description: 'Dotted key, e.g. llm.model.' }) };

  async run(): Promise<{ key: string; removed: boolean; file: string }> {
    const { layout } = this;
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
