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
import { InflightJournal, journalInterceptor, handBackOrphanedAttempts } from './inflight';

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
  // `node`: ms from the process's start to bin/run.js; `cli`: then to here (oclif, the modules, the settings);
  // `loaded` and `total` count from the process's start, the other phases are their own durations
  const loaded = performance.now();
  const bin = performance.getEntriesByName('quantcoder:bin')[0]?.startTime;
  const phases: Record<string, number> = {
    ...(bin === undefined ? {} : { node: Math.round(bin), cli: Math.round(loaded - bin) }),
    loaded: Math.round(loaded),
  };
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] = Math.round(performance.now() - start);
    }
  };
  const { temporal, metrics } = settings.config;
  const grace = shutdownGraceSeconds(settings.config, options.shutdownGraceSeconds);
  keepHeapsLean();
  const workflowBundle = prebuiltWorkflowBundle();
  installRuntime(logger, metrics.address);
  // the connection is made off this thread while the learning store is opened on it
  const connecting = timed('connect', () => connectWorker(temporal.address, temporal.namespace));
  // migrated here, by whichever worker gets the lock first, before any activity can write
  const opening = timed('store', () => openLearningStore({ url: settings.config.database.url, file: settings.layout.database }));
  const [connected, opened] = await Promise.allSettled([connecting, opening]);
  if (connected.status === 'rejected' || opened.status === 'rejected') {
    if (connected.status === 'fulfilled') await connected.value.close().catch(() => undefined);
    if (opened.status === 'fulfilled') await opened.value.$disconnect().catch(() => undefined);
    throw connected.status === 'rejected' ? connected.reason : (opened as PromiseRejectedResult).reason;
  }
  const connection = connected.value;
  const prisma = opened.value;
  const home = settings.layout.home;
  // the activities a killed predecessor on this host left running are retried now, not after their heartbeat timeout
  const handingBack = handBackOrphanedAttempts({ home, connection, namespace: temporal.namespace, logger });
  const journal = InflightJournal.forProcess(home);
  const deps = buildActivityDeps(settings, createActivityMetrics(), prisma);
  const workers = await timed('workers', () =>
    createWorkerSet({
      connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      config: settings.config,
      deps,
      logger,
      shutdownGraceTime: `${grace} seconds`,
      activityInterceptors: [journalInterceptor(journal)],
      ...(workflowBundle ? { workflowBundle } : {}),
    }),
  );
  const liveness = startLivenessReporter(workers, options.livenessFile ?? livenessFile(home));
  phases.total = Math.round(performance.now());
  logger.info(
    {
      address: temporal.address,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      shutdownGraceSeconds: grace,
      prebuiltBundle: !!workflowBundle,
      startMs: phases,
    },
    'worker started',
  );
  const done = runWorkerSet(workers).finally(async () => {
    liveness.stop();
    // every activity ended: nothing of this process is left for a successor to hand back
    journal.close();
    await handingBack;
    await deps.prisma.$disconnect();
    await connection.close();
    logger.info('worker stopped');
  });
  // the workers are running now: the liveness file says so at once, not at the reporter's next tick
  setImmediate(() => liveness.refresh());
  return { workers, done, shutdown: () => workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()) };
}
