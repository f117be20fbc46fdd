import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from '../domain/errors';

/**
 * One retry policy per external service. Permanent failures (typed, non-retryable) stop at once;
 * 429s wait for the service's Retry-After (carried as the failure's next retry delay).
 */
export const crossrefPolicy: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...NON_RETRYABLE_TYPES],
  },
};

/** The learning database is local: short timeouts, quick retries (SQLITE_BUSY passes). */
export const learningPolicy: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['DatabaseError'] },
};
