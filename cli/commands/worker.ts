import { BaseCommand } from '../base';
import { createLogger, startWorkerProcess } from '../../worker';
import { Flags } from '@oclif/core';

export default class WorkerCommand extends BaseCommand<typeof WorkerCommand> {
  static override summary = 'Run a QuantCoder worker against a Temporal server.';
  static override description =
    'Polls the QuantCoder task queues and runs workflows and activities until SIGINT/SIGTERM, then shuts down gracefully: ' +
    'in-flight activities get a grace period to finish and are otherwise cancelled and retried by another worker. ' +
    'Start as many as you like; per-service concurrency and rate limits hold across all of them.';
  static override examples = [
    '<%= config.bin %> worker',
    '<%= config.bin %> worker --address temporal.internal:7233 --namespace research',
    'QUANTCODER_PROFILE=sandbox <%= config.bin %> worker',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    metrics: Flags.string({ summary: 'Serve Prometheus metrics at this host:port.', env: 'QUANTCODER_METRICS_ADDRESS' }),
  };

  async run(): Promise<void> {
    if (this.flags.metrics) this.settings.config.metrics.address = this.flags.metrics;
    const { logging } = this.settings.config;
    const logger = createLogger({ level: logging.level, format: logging.format, file: this.settings.layout.log, secrets: this.settings.secrets });
    const worker = await startWorkerProcess(this.settings, logger);
    this.note(
      `Worker polling "${this.taskQueue}" on ${this.temporalAddress} (namespace ${this.settings.config.temporal.namespace}). Ctrl-C to stop.`,
    );
    await worker.done;
  }
}
