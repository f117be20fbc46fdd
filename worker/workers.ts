import os from 'node:os';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import { keepAlive } from '../activities/context';
import type { QuantCoderConfig } from '../domain/config';
import { taskQueues } from '../domain/task-queues';
import { workerIdentity } from '../domain/worker-identity';
import { workflowBundleForWorker } from './bundle';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: QuantCoderConfig;
  deps: ActivityDeps;
  logger?: Logger;
  /** A prebuilt workflow bundle; when absent, the build's bundle if it matches the code, else one bundled now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Workflows kept in the sticky cache; {@link WORKFLOW_CACHE_SIZE} when absent. */
  maxCachedWorkflows?: number;
  /** Activity interceptors run inside the keep-alive one (an operator's tracing, or a test's control). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /**
   * Where workflow code runs: `worker-thread` (the default, what `quantcoder worker` does) keeps
   * it off the thread that runs activities; `main-thread` runs the same bundle in the same kind of
   * V8 sandbox on the process's own thread, which saves the thread's start (0.3–0.45 s of CPU: the
   * SDK and its protocol definitions load again in every new thread). The SDK does this in its
   * debug mode, which also lifts its deadlock detection (an activation running over 5 s fails its
   * task) and installs its promise hook and stack-trace formatter for the whole process rather
   * than for a thread of its own: the tests' in-process workers use it; `quantcoder worker` never does.
   */
  workflowThread?: 'worker-thread' | 'main-thread';
}

/**
 * Workflows the worker keeps in memory between their workflow tasks (the sticky cache). The SDK's
 * default grows with the heap limit (over 2,000 on a 4 GB heap), so a worker with hundreds of runs
 * in flight kept every one of them. Past the cache a workflow's next task replays its history
 * first; QuantCoder's histories are small (a pipeline's article is under 100 events, an
 * evolution continues as new every generation), so a replay costs milliseconds. 250 keeps every
 * workflow of 125 pipelines at once (a parent and an article each); past that, the least recently
 * used go first, which are parents waiting for their article. Measured at 200 pipelines at once
 * (400 workflows), a cached workflow costs about 0.2 MB of the worker's RSS (its V8 objects and the
 * core's state machines and history): a cache of 100 lowered the peak from 414 to 385 MB, while the
 * worker's heaps and malloc's arenas, not the cache, had made most of the peak (see worker/memory.ts,
 * bench/memory-probe.ts). 250 stays: the peak is under its goal with it, and a smaller cache trades
 * those 30 MB for replaying an article's history on most of its workflow tasks at that scale.
 */
export const WORKFLOW_CACHE_SIZE = 250;

/** Where the workflow code lives for the bundler (source in tests, compiled JS when installed). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Every activity with a heartbeat timeout heartbeats about once a second while it runs, whatever
 * it does (a search, a PDF's text, a database write), so a dead worker's activities are retried
 * within seconds of the heartbeat timeout.
 */
const keepAliveInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: { execute: (input, next) => keepAlive(ctx, () => next(input)) },
});

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
    interceptors: { activity: [keepAliveInterceptor, ...(options.activityInterceptors ?? [])] },
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
  };
  // a dead worker's cached workflows move to another worker after this long, not the default 10 s
  const sticky = { stickyQueueScheduleToStartTimeout: '3 seconds' as const };
  const workflowBundle =
    options.workflowBundle ??
    (await workflowBundleForWorker({
      workflowsPath: WORKFLOWS_PATH,
      warn: (message) => (options.logger ? options.logger.warn(message) : process.emitWarning(message)),
    }));
  const { config } = options;
  const activityWorker = (taskQueue: string, limits: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxTaskQueueActivitiesPerSecond'>) =>
    Worker.create({ ...common, taskQueue, ...limits });
  return Promise.all([
    Worker.create({
      ...common,
      workflowBundle,
      ...sticky,
      ...(options.workflowThread === 'main-thread' ? { debugMode: true } : {}),
      maxCachedWorkflows: options.maxCachedWorkflows ?? WORKFLOW_CACHE_SIZE,
      taskQueue: queues.workflows,
    }),
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
