import os from 'node:os';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import type { QuantCoderConfig } from '../domain/config';
import { taskQueues } from '../domain/task-queues';
import { workerIdentity } from '../domain/worker-identity';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: QuantCoderConfig;
  deps: ActivityDeps;
  logger?: Logger;
  /** A prebuilt workflow bundle; bundled from source when absent. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/** Where the workflow code lives for the bundler (source in tests, compiled JS when installed). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The workers of one QuantCoder worker process: one polls the workflow queue and runs the local
 * activities (learning database, artifacts); one per rate-limited service enforces its limits.
 */
export async function createWorkerSet(options: WorkerSetOptions): Promise<Worker[]> {
  const queues = taskQueues(options.taskQueue);
  const activities = createActivities(options.deps);
  const common = {
    // the identity names the profile, so `health` and the CLI can tell simulated workers apart
    identity: workerIdentity(`${process.pid}@${os.hostname()}`, options.config.profile),
    connection: options.connection,
    namespace: options.namespace,
    activities,
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
  };
  // a dead worker's cached workflows move to another worker after this long, not the default 10 s
  const sticky = { stickyQueueScheduleToStartTimeout: '3 seconds' as const };
  const workflowSource = options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  const { config } = options;
  const activityWorker = (taskQueue: string, limits: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxTaskQueueActivitiesPerSecond'>) =>
    Worker.create({ ...common, taskQueue, ...limits });
  return Promise.all([
    Worker.create({ ...common, ...workflowSource, ...sticky, taskQueue: queues.workflows }),
    activityWorker(queues.crossref, {
      maxConcurrentActivityTaskExecutions: config.crossref.concurrency,
      maxTaskQueueActivitiesPerSecond: config.crossref.ratePerSecond,
    }),
    activityWorker(queues.arxiv, { maxConcurrentActivityTaskExecutions: 1, maxTaskQueueActivitiesPerSecond: config.arxiv.ratePerSecond }),
    activityWorker(queues.download, { maxConcurrentActivityTaskExecutions: config.download.concurrency }),
    activityWorker(queues.llm, { maxConcurrentActivityTaskExecutions: config.llm.concurrency }),
    activityWorker(queues.quantconnect, { maxConcurrentActivityTaskExecutions: Math.max(2, config.quantconnect.concurrency) }),
    activityWorker(queues.backtest, { maxConcurrentActivityTaskExecutions: config.quantconnect.concurrency }),
  ]);
}

/** Runs every worker until all have shut down (SIGINT/SIGTERM start a graceful shutdown). */
export async function runWorkerSet(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.run()));
}
