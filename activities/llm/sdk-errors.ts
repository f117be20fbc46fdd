import { BadRequestError, type QuantCoderError } from '../../domain/errors';
import { llmError, redactSecrets, type LlmCallContext } from './errors';

type ErrorClass<T = Error> = abstract new (...args: never[]) => T;

/** The error classes both Stainless-generated SDKs (openai, @anthropic-ai/sdk) export. */
export interface SdkErrorClasses {
  base: ErrorClass;
  APIError: ErrorClass<Error & { status: number | undefined; headers: Headers | undefined }>;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIUserAbortError: ErrorClass;
}

/**
 * Turns whatever an SDK threw into a typed error. Errors that are not the SDK's (and not a JSON
 * syntax error from a malformed body) are returned unchanged: they are bugs, not service failures.
 */
export function fromSdkError(err: unknown, sdk: SdkErrorClasses, ctx: LlmCallContext & { timeoutMs: number; elapsedMs: number }): unknown {
  if (err instanceof sdk.APIConnectionTimeoutError) return llmError(ctx, { kind: 'timeout', timeoutMs: ctx.timeoutMs }, err);
  if (err instanceof sdk.APIUserAbortError) return llmError(ctx, { kind: 'connection', message: 'request was cancelled' }, err);
  if (err instanceof sdk.APIConnectionError) {
    // The SDKs spot their own timeout by the abort error's name, which a foreign realm's
    // DOMException can hide; a connection error at the deadline is that timeout.
    if (ctx.elapsedMs >= ctx.timeoutMs) return llmError(ctx, { kind: 'timeout', timeoutMs: ctx.timeoutMs }, err);
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `${err.message} (${(cause as { code?: string }).code ?? cause.message})` : err.message;
    return llmError(ctx, { kind: 'connection', message: detail }, err);
  }
  if (err instanceof sdk.APIError && typeof err.status === 'number') {
    return llmError(ctx, { kind: 'status', status: err.status, headers: err.headers, message: err.message }, err);
  }
  // By name: a JSON.parse inside fetch may throw another realm's SyntaxError.
  if (typeof err === 'object' && err !== null && (err as Error).name === 'SyntaxError') {
    return llmError(ctx, { kind: 'malformed', message: String((err as Error).message) }, err);
  }
  if (err instanceof sdk.base) {
    // Client-side refusals (bad options, a request the SDK will not send): repeating cannot help.
    return new BadRequestError(`${ctx.provider} (model ${ctx.model}, task ${ctx.task}) refused the request: ${redactSecrets(err.message, ctx.apiKey)}`, {
      service: ctx.provider,
      cause: err,
    }) satisfies QuantCoderError;
  }
  return err;
}
