import { ConfigError } from '../domain/config';
import { QuantCoderError } from '../domain/errors';

export { TemporalUnavailableError } from '../domain/errors';

/** The server is up but no QuantCoder worker polls the task queue. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
  constructor(readonly taskQueue: string) {
    super(
      `No QuantCoder worker is polling task queue "${taskQueue}". ` +
        'Start one with `quantcoder worker` (or run everything with `quantcoder dev`).',
    );
  }
}

/** A user-facing error raised by a command itself (bad argument, unknown run). */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Errors QuantCoder expects and explains in one line, without a stack trace. */
export function isKnownError(err: unknown): err is Error {
  return (
    err instanceof NoWorkerError ||
    err instanceof UserError ||
    err instanceof ConfigError ||
    err instanceof QuantCoderError
  );
}
