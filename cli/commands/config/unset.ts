import { Args } from '@oclif/core';
import { ConfigFileCommand } from '../../config-file-command';
import { ConfigError, configKeys, getPath, resolveConfig, setPath, type ConfigFile } from '../../../domain/config';
import { readConfigFile, writeConfigFile } from '../../../worker/settings';

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
    const file = readConfigFile(layout.config);
    const known = [...configKeys().keys()].some((k) => k === key || k.startsWith(`${key}.`));
    if (getPath(file, key) === undefined) {
      if (!known) throw new ConfigError(`Unknown config key "${key}". Valid keys: ${[...configKeys().keys()].join(', ')}`);
      this.log(`${key} is not set in ${layout.config}; nothing to do.`);
      return { key, removed: false, file: layout.config };
    }
    const next = pruneEmpty(setPath(file, key, undefined), key);
    writeConfigFile(layout.config, next);
    this.log(`Removed ${key} from ${layout.config}.`);
    try {
      resolveConfig(next, {}, layout.config);
    } catch (err) {
      this.note(`Warning: the file is still invalid: ${(err as Error).message}`);
    }
    return { key, removed: true, file: layout.config };
  }
}
