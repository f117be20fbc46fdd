import * as errors from './errors';

type TypedErrorClass = new (message: string) => errors.QuantCoderError;

/** Every concrete typed error class of domain/errors.ts: adding a class there is all it takes to be known here. */
export function typedErrorClasses(): TypedErrorClass[] {
  return (Object.values(errors) as unknown[]).filter((v): v is TypedErrorClass => typeof v === 'function' && v.prototype instanceof errors.QuantCoderError);
}

/**
 * The failure types retry policies must not retry, derived from the classes' own `retryable`
 * (the same flag the activity boundary turns into `nonRetryable`), so the two never disagree.
 */
export const NON_RETRYABLE_TYPES: readonly string[] = typedErrorClasses()
  .filter((C) => !new C('').retryable)
  .map((C) => C.name)
  .sort();
