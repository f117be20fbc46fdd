import type { Command } from '@oclif/core';
import { ConfigError } from '../domain/config';
import type { HomeLayout } from '../domain/paths';
import { layoutFromEnv } from '../config/settings';
import { BaseCommand } from './base';

/**
 * A command that edits the config file itself. The file may be invalid right now — these commands
 * are how it gets fixed — so a config that does not load is remembered instead of stopping them.
 */
export abstract class ConfigFileCommand<T extends typeof Command> extends BaseCommand<T> {
  protected loadError?: ConfigError;

  public override async init(): Promise<void> {
    try {
      await super.init();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.loadError = err;
    }
  }

  /** Where QuantCoder's files are, known even when the config file does not load. */
  protected get layout(): HomeLayout {
    return this.loadError ? layoutFromEnv(process.env) : this.settings.layout;
  }
}
