import type { Logger } from 'pino';
import type { Worker } from '@temporalio/worker';
import { buildActivityDeps } from './deps';
import { installRuntime, connectWorker } from './runtime';
import { createActivityMetrics } from './metrics';
import type { Settings } from '../config/settings';
import { createWorkerSet, runWorkerSet } from './workers';
import { keepHeapsLean } from './memory';
import { livenessFile, startLivenessReporter } from './liveness';
import { shutdownGraceSeconds } from './shutdown';
import { prebuiltWorkflowBundle } from './bundle-workflows';
import { openLearningStore } from '../store/open';

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
export interface WorkerProcessOptions {
  /** Seconds in-flight activities get after SIGTERM; must outlast every activity that does not heartbeat. */
  shutdownGraceSeconds?: number;
  /** Where this process reports its liveness (`quantcoder worker --liveness` reads it). */
  livenessFile?: string;
}

export async function startWorkerProcess(settings: Settings, logger: Logger, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const { temporal, metrics } = settings.config;
  const grace = shutdownGraceSeconds(settings.config, options.shutdownGraceSeconds);
  keepHeapsLean();
  const workflowBundle = prebuiltWorkflowBundle();
  installRuntime(logger, metrics.address);
  const connection = await connectWorker(temporal.address, temporal.namespace);
  // migrated here, by whichever worker gets the lock first, before any activity can write
  const prisma = await openLearningStore({ url: settings.config.database.url, file: settings.layout.database });
  const deps = buildActivityDeps(settings, createActivityMetrics(), prisma);
  const workers = await createWorkerSet({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    config: settings.config,
    deps,
    logger,
    shutdownGraceTime: `${grace} seconds`,
    ...(workflowBundle ? { workflowBundle } : {}),
  });
  const liveness = startLivenessReporter(workers, options.livenessFile ?? livenessFile(settings.layout.home));
  logger.info(
    { address: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue, shutdownGraceSeconds: grace, prebuiltBundle: !!workflowBundle },
    'worker started',
  );
  const done = runWorkerSet(workers).finally(async () => {
    liveness.stop();
    await deps.prisma.$disconnect();
    await connection.close();
    logger.info('worker stopped');
  });
  // the workers are running now: the liveness file says so at once, not at the reporter's next tick
  setImmediate(() => liveness.refresh());
  return { workers, done, shutdown: () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()) };
}
