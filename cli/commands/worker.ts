import { BaseCommand } from '../base';
import { createLogger, startWorkerProcess } from '../../worker';
import { judgeLiveness, livenessFile } from '../../worker/liveness';
import { Flags } from '@oclif/core';

export default class WorkerCommand extends BaseCommand<typeof WorkerCommand> {
  static override summary = 'Run a QuantCoder worker against a Temporal server.';
  static override description =
    'Polls the QuantCoder task queues and runs workflows and activities until SIGINT/SIGTERM, then shuts down gracefully: ' +
    'in-flight activities get a grace period to finish (longer than any activity that does not heartbeat) and are otherwise ' +
    'cancelled and retried by another worker. Start as many as you like; per-service concurrency and rate limits hold across all of them.\n\n' +
    '`--liveness` judges a running worker process on this host instead (is it polling, is its event loop alive): exit 0 alive, 1 not. ' +
    'It asks no server and checks no configuration; `quantcoder health` is the whole-system check.';
  static override examples = [
    '<%= config.bin %> worker',
    '<%= config.bin %> worker --address temporal.internal:7233 --namespace research',
    'QUANTCODER_PROFILE=sandbox <%= config.bin %> worker',
    '<%= config.bin %> worker --liveness',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    metrics: Flags.string({ summary: 'Serve Prometheus metrics at this host:port.', env: 'QUANTCODER_METRICS_ADDRESS' }),
    liveness: Flags.boolean({ summary: 'Check the liveness of the worker running on this host, then exit (0 alive, 1 not).', default: false }),
    'liveness-file': Flags.string({ summary: 'The file the worker reports its liveness to (default: one per host in QUANTCODER_HOME).', env: 'QUANTCODER_LIVENESS_FILE' }),
    'shutdown-grace': Flags.integer({
      summary: 'Seconds in-flight activities get after SIGTERM (default: the longest non-heartbeating activity plus 15).',
      env: 'QUANTCODER_SHUTDOWN_GRACE_SECONDS',
    }),
    'log-file': Flags.string({
      summary: 'Also log to this file as JSON lines (default: quantcoder.log in QUANTCODER_HOME); "none" logs to stdout only, as in containers.',
      env: 'QUANTCODER_LOG_FILE',
    }),
  };

  async run(): Promise<void> {
    const file = this.flags['liveness-file'] ?? livenessFile(this.settings.layout.home);
    if (this.flags.liveness) {
      const verdict = judgeLiveness(file);
      this.log(`${verdict.alive ? 'alive' : 'NOT ALIVE'}: ${verdict.message}`);
      if (!verdict.alive) process.exitCode = 1;
      return;
    }
    if (this.flags.metrics) this.settings.config.metrics.address = this.flags.metrics;
    const { logging } = this.settings.config;
    const logFile = this.flags['log-file'];
    const toStdoutOnly = logFile === 'none';
    const logger = createLogger({
      level: logging.level,
      format: logging.format,
      file: toStdoutOnly ? undefined : (logFile ?? this.settings.layout.log),
      secrets: this.settings.secrets,
      ...(toStdoutOnly ? { console: process.stdout } : {}),
    });
    const worker = await startWorkerProcess(this.settings, logger, { shutdownGraceSeconds: this.flags['shutdown-grace'], livenessFile: file });
    this.note(
      `Worker polling "${this.taskQueue}" on ${this.temporalAddress} (namespace ${this.settings.config.temporal.namespace}). Ctrl-C to stop.`,
    );
    await worker.done;
  }
}
