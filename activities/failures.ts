import { ApplicationFailure } from '@temporalio/common';
import { QuantCoderError } from '../domain/errors';

/**
 * The one place typed errors become Temporal failures: the failure `type` is the error class,
 * permanent errors are non-retryable, and a service's Retry-After becomes the next retry delay.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (!(err instanceof QuantCoderError)) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryAfterMs !== undefined ? Math.max(err.retryAfterMs, 1) : undefined,
    details: err.service ? [{ service: err.service }] : undefined,
  });
}

/** Wraps every function of an activity object so typed errors cross the boundary as failures. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const run = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
    Object.defineProperty(run, 'name', { value: name });
    wrapped[name] = run;
  }
  return wrapped as T;
}
