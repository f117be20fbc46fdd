import { Args } from '@oclif/core';
import { BaseCommand } from '../../base';
import { ConfigError, configKeys, getPath, maskSecrets, unknownKeyMessage } from '../../../domain/config';
import { configSources } from '../../../config/edit';
import { displayValue, keyringKeys } from './show';

/** Whether `key` names a leaf key or a section (`llm`, `quantconnect`) of the configuration. */
function isKnownKey(key: string): boolean {
  return [...configKeys().keys()].some((k) => k === key || k.startsWith(`${key}.`));
}

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static override summary = 'Print one configuration value (or a section), as in force.';
  static override description =
    'Prints the value QuantCoder uses, after environment overrides. A section (`llm`, `quantconnect`) prints as JSON. ' +
    'Secrets are masked; the source says where a value comes from (env, keyring, .env, file, default).';
  static override examples = [
    '<%= config.bin %> config get temporal.address',
    '<%= config.bin %> config get llm',
    '<%= config.bin %> config get llm.provider --json',
  ];
  static override args = { key: Args.string({ required: true, description: 'Dotted key, e.g. llm.provider.' }) };

  async run(): Promise<{ key: string; value: unknown; source: string }> {
    const { key } = this.args;
    if (!isKnownKey(key)) throw new ConfigError(unknownKeyMessage(key));
    const value = getPath(maskSecrets(this.settings.config), key);
    const sources = configSources(this.settings.layout.config, this.settings.layout.dotenv, process.env, {}, keyringKeys(this.settings));
    const source = sources[key] ?? 'section';
    if (!this.jsonEnabled()) {
      if (value === undefined) this.note(`${key} is not set.`);
      else this.log(typeof value === 'object' ? JSON.stringify(value, null, 2) : displayValue(value));
    }
    return { key, value: value ?? null, source };
  }
}
