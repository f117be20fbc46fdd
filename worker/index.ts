import type { Logger } from 'pino';
import type { Worker } from '@temporalio/worker';
import { buildActivityDeps } from './deps';
import { installRuntime, connectWorker } from './runtime';
import { createActivityMetrics } from './metrics';
import type { Settings } from '../config/settings';
import { createWorkerSet, runWorkerSet } from './workers';

export { loadSettings } from '../config/settings';
export { createLogger } from './logger';

export interface WorkerProcess {
  workers: Worker[];
  /** Resolves when every worker has shut down (after SIGINT/SIGTERM or `shutdown()`). */
  done: Promise<void>;
  shutdown(): void;
}

/**
 * Starts a QuantCoder worker process against the configured Temporal server. SIGINT/SIGTERM
 * start a graceful shutdown: in-flight activities get the grace time to finish, then are cancelled.
 */
export async function startWorkerProcess(settings: Settings, logger: Logger): Promise<WorkerProcess> {
  const { temporal, metrics } = settings.config;
  installRuntime(logger, metrics.address);
  const connection = await connectWorker(temporal.address, temporal.namespace);
  const deps = buildActivityDeps(settings, createActivityMetrics());
  const workers = await createWorkerSet({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    config: settings.config,
    deps,
    logger,
  });
  logger.info({ address: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue }, 'worker started');
  const done = runWorkerSet(workers).finally(async () => {
    await deps.prisma.$disconnect();
    await connection.close();
    logger.info('worker stopped');
  });
  return { workers, done, shutdown: () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()) };
}
