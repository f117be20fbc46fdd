import os from 'node:os';
import { BaseCommand } from '../../base';
import { ConfigError } from '../../../domain/config';
import { homeLayout, quantcoderHome } from '../../../domain/paths';
import { redactUrl } from '../../../store/postgres';

export default class ConfigPath extends BaseCommand<typeof ConfigPath> {
  static override summary = 'Print where the config file lives (and, with --json, every QuantCoder path and the learning database in use).';
  static override description =
    'The config file is $QUANTCODER_HOME/config.json; QUANTCODER_HOME defaults to ~/.quantcoder. Works even when the ' +
    'file is invalid, so you can open it and fix it.';
  static override examples = ['<%= config.bin %> config path', '${EDITOR:-vi} "$(<%= config.bin %> config path)"', '<%= config.bin %> config path --json'];

  // The file may be invalid: its path is exactly what the user needs then.
  public override async init(): Promise<void> {
    try {
      await super.init();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
    }
  }

  async run(): Promise<{ config: string; dotenv: string; home: string; log: string; database: string }> {
    const layout = homeLayout(quantcoderHome({ ...process.env, HOME: process.env.HOME ?? os.homedir() }));
    this.log(layout.config);
    // the learning database in use: a PostgreSQL URL (password hidden) when one is configured, else the SQLite file
    const url = this.settings?.config.database.url;
    return { config: layout.config, dotenv: layout.dotenv, home: layout.home, log: layout.log, database: url ? redactUrl(url) : layout.database };
  }
}
