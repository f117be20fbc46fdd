import os from 'node:os';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { ConfigError } from '../../domain/config';
import { homeLayout, quantcoderHome } from '../../domain/paths';
import { packageVersion } from '../../config/package-root';
import { CHECK_NAMES, runHealthChecks, secretsInEnv, type HealthReport } from '../health';

export default class Health extends BaseCommand<typeof Health> {
  static override summary = 'Check that QuantCoder can work: config, keys, directories, dependencies, Temporal, workers, database.';
  static override description =
    'Runs every check and prints pass/warn/fail with a message saying what to do. `temporal` connects to the server and ' +
    'checks the namespace; `workers` asks Temporal which workers poll each QuantCoder task queue; `database` checks the ' +
    'learning database exists, has every migration and passes SQLite\'s integrity check. `--deep` also makes the cheapest ' +
    'authenticated call of each configured service (QuantConnect `authenticate`, the LLM provider\'s model list).\n\n' +
    'Exit code: 0 when healthy or degraded (warnings only); 1 when unhealthy (a failure). Secrets are never printed. ' +
    'This is the operator\'s whole-system check; a container health check judges one worker with `quantcoder worker --liveness`.';
  static override examples = [
    '<%= config.bin %> health',
    '<%= config.bin %> health --json | jq .status',
    '<%= config.bin %> health --deep',
    '<%= config.bin %> health --address temporal.internal:7233 --json',
  ];
  static override flags = {
    deep: Flags.boolean({ summary: 'Also authenticate against each configured service (one cheap call each).', default: false }),
  };

  private configError?: Error;

  // An invalid configuration is a failed check to report, not a reason to stop.
  public override async init(): Promise<void> {
    try {
      await super.init();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.configError = err;
    }
  }

  async run(): Promise<HealthReport> {
    const settings = this.configError ? undefined : this.settings;
    const layout = settings?.layout ?? homeLayout(quantcoderHome({ ...process.env, HOME: process.env.HOME ?? os.homedir() }));
    const report = await runHealthChecks({
      version: packageVersion(),
      layout,
      settings,
      configError: this.configError,
      deep: this.flags.deep,
      secrets: secretsInEnv(process.env),
    });
    if (!this.jsonEnabled()) {
      this.log(`QuantCoder ${report.version}: ${report.status}`);
      const names = [...CHECK_NAMES, ...Object.keys(report.checks).filter((k) => !(CHECK_NAMES as readonly string[]).includes(k))];
      const width = Math.max(...names.map((n) => n.length));
      for (const name of names) {
        const check = report.checks[name as keyof HealthReport['checks']];
        if (check) this.log(`  ${check.status.toUpperCase().padEnd(4)}  ${name.padEnd(width)}  ${check.message}`);
      }
    }
    // Warnings (a missing key, a busy queue) are for the operator to read; only a failure exits 1.
    if (report.status === 'unhealthy') process.exitCode = 1;
    return report;
  }
}
