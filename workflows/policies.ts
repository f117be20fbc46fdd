import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from '../domain/failure-types';
import { DEFAULT_RUN_SETTINGS, HEARTBEAT_TIMEOUT_SECONDS, type RunSettings } from '../domain/run-settings';
import { taskQueues } from '../domain/task-queues';

/**
 * One retry policy per external service, declared once. Permanent failures (typed, non-retryable)
 * stop at once; a 429's Retry-After arrives as the failure's next retry delay and is honoured.
 *
 * Every policy has a heartbeat timeout of a few seconds: the worker heartbeats each running
 * activity about once a second (worker/workers.ts), so the activities of a worker that died are
 * retried after `heartbeatTimeout` + the first retry interval. A worker restarted on the same host
 * does not wait for that: it finds the attempts its killed predecessor journaled as running and
 * reports them failed (retryable, `WorkerProcessDied`, retried after 100 ms; worker/inflight.ts),
 * so they are retried as soon as it polls. The heartbeat timeout stays the net for a worker that
 * is not restarted, or restarted elsewhere; it is not shortened, since a short one would retry a
 * live worker's paid calls whenever a loaded machine stalls its event loop for longer.
 * Start-to-close timeouts only catch an activity that hangs on a live worker, so they are sized
 * to the longest real call.
 */
const nonRetryableErrorTypes = [...NON_RETRYABLE_TYPES];

export function servicePolicies(baseQueue: string, settings: RunSettings = DEFAULT_RUN_SETTINGS) {
  const q = taskQueues(baseQueue);
  const seconds = (s: number) => `${Math.ceil(s)} seconds`;
  // older inputs (replayed histories) have no heartbeat setting
  const heartbeatTimeout = seconds(settings.heartbeatTimeoutSeconds ?? HEARTBEAT_TIMEOUT_SECONDS);
  return {
    crossref: {
      taskQueue: q.crossref,
      heartbeatTimeout,
      startToCloseTimeout: seconds(settings.searchTimeoutSeconds + 10),
      scheduleToCloseTimeout: '10 minutes',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    arxiv: {
      taskQueue: q.arxiv,
      heartbeatTimeout,
      startToCloseTimeout: seconds(settings.searchTimeoutSeconds + 10),
      scheduleToCloseTimeout: '15 minutes',
      // arXiv asks for one request every three seconds; back off politely
      retry: { initialInterval: '3 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    download: {
      taskQueue: q.download,
      heartbeatTimeout,
      startToCloseTimeout: seconds(settings.downloadTimeoutSeconds * 2),
      scheduleToCloseTimeout: '20 minutes',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes },
    },
    llm: {
      taskQueue: q.llm,
      heartbeatTimeout,
      startToCloseTimeout: seconds(settings.llmTimeoutSeconds * 2 + 10),
      scheduleToCloseTimeout: '30 minutes',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    quantconnect: {
      taskQueue: q.quantconnect,
      startToCloseTimeout: seconds(settings.quantconnectTimeoutSeconds * 5),
      scheduleToCloseTimeout: '30 minutes',
      heartbeatTimeout,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    backtest: {
      taskQueue: q.backtest,
      // a backtest may run for a long time; the heartbeat notices a dead worker within seconds
      startToCloseTimeout: '2 hours',
      heartbeatTimeout,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes },
    },
    local: {
      taskQueue: q.workflows,
      // database writes take milliseconds, the quality gate and a long paper's text a few seconds (more under load)
      heartbeatTimeout,
      startToCloseTimeout: '1 minute',
      retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
    },
  } satisfies Record<string, ActivityOptions>;
}
