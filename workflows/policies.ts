import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from '../domain/failure-types';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../domain/run-settings';
import { taskQueues } from '../domain/task-queues';

/**
 * One retry policy per external service, declared once. Permanent failures (typed, non-retryable)
 * stop at once; a 429's Retry-After arrives as the failure's next retry delay and is honoured.
 */
const nonRetryableErrorTypes = [...NON_RETRYABLE_TYPES];

export function servicePolicies(baseQueue: string, settings: RunSettings = DEFAULT_RUN_SETTINGS) {
  const q = taskQueues(baseQueue);
  const seconds = (s: number) => `${Math.ceil(s)} seconds`;
  // older inputs (replayed histories) have no heartbeat setting
  const heartbeatTimeout = seconds(settings.heartbeatTimeoutSeconds ?? 20);
  return {
    crossref: {
      taskQueue: q.crossref,
      startToCloseTimeout: seconds(settings.searchTimeoutSeconds + 10),
      scheduleToCloseTimeout: '10 minutes',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    arxiv: {
      taskQueue: q.arxiv,
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
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes },
    },
    llm: {
      taskQueue: q.llm,
      heartbeatTimeout,
      startToCloseTimeout: seconds(settings.llmTimeoutSeconds * 2 + 10),
      scheduleToCloseTimeout: '30 minutes',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    quantconnect: {
      taskQueue: q.quantconnect,
      startToCloseTimeout: seconds(settings.quantconnectTimeoutSeconds * 5),
      scheduleToCloseTimeout: '30 minutes',
      heartbeatTimeout,
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
    },
    backtest: {
      taskQueue: q.backtest,
      // a backtest may run for a long time; the heartbeat notices a dead worker within seconds
      startToCloseTimeout: '2 hours',
      heartbeatTimeout,
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes },
    },
    local: {
      taskQueue: q.workflows,
      // local work (database writes, the quality gate) takes seconds; a dead worker must not stall a run for minutes
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
    },
  } satisfies Record<string, ActivityOptions>;
}
