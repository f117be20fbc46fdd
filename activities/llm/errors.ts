import {
  AuthenticationError,
  BadRequestError,
  MalformedResponseError,
  RateLimitedError,
  ServiceUnavailableError,
  type QuantCoderError,
} from '../../domain/errors';
import { parseRetryAfter } from '../../domain/http';

/** What the client knows about the call that failed; the key is only used to scrub messages. */
export interface LlmCallContext {
  provider: string;
  model: string;
  task: string;
  apiKey?: string;
}

/** The context of one call a client makes for `task`: what its typed errors name, and the timeout its SDK was given. */
export function llmCallContext(
  client: { provider: string; model: string },
  task: string,
  options: { apiKey?: string; timeoutMs: number },
): LlmCallContext & { timeoutMs: number } {
  return { provider: client.provider, model: client.model, task, apiKey: options.apiKey, timeoutMs: options.timeoutMs };
}

/** An SDK failure reduced to what decides its typed error. */
export type LlmFailure =
  | { kind: 'status'; status: number; headers: Headers | undefined; message: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'connection'; message: string }
  | { kind: 'malformed'; message: string };

/** Removes the API key (and anything shaped like a provider key) from text that may reach logs. */
export function redactSecrets(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\b(sk-(?:ant-|proj-)?)[A-Za-z0-9_*-]{6,}/g, '$1[redacted]');
}

/** Reads `retry-after-ms` (OpenAI, Anthropic) first, then the standard `retry-after`. */
export function retryAfterFromHeaders(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms.trim()));
  return parseRetryAfter(headers?.get('retry-after') ?? undefined, now);
}

/** Maps an LLM SDK failure to QuantCoder's typed error; the message names the provider, never the key. */
export function llmError(ctx: LlmCallContext, failure: LlmFailure, cause?: unknown): QuantCoderError {
  const who = `${ctx.provider} (model ${ctx.model}, task ${ctx.task})`;
  const service = ctx.provider;
  const clean = (m: string) => redactSecrets(m, ctx.apiKey).replace(/\s+/g, ' ').trim().slice(0, 300);
  switch (failure.kind) {
    case 'timeout':
      return new ServiceUnavailableError(`${who} timed out after ${Math.round(failure.timeoutMs / 1000)} s`, { service, cause });
    case 'connection':
      return new ServiceUnavailableError(`${who} could not be reached: ${clean(failure.message)}`, { service, cause });
    case 'malformed':
      return new MalformedResponseError(`${who} answered with a malformed response: ${clean(failure.message)}`, { service, cause });
    case 'status': {
      const { status } = failure;
      const detail = clean(failure.message.replace(/^\d{3}\s+/, ''));
      const what = `${who} answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
      if (status === 429) {
        const retryAfterMs = retryAfterFromHeaders(failure.headers, Date.now());
        const wait = retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)} s` : '';
        return new RateLimitedError(`${what} (rate limited${wait})`, { service, retryAfterMs, cause });
      }
      if (status === 401 || status === 403) {
        return new AuthenticationError(`${what} (check the ${ctx.provider} API key)`, { service, cause });
      }
      if (status === 408 || status === 409 || status >= 500) return new ServiceUnavailableError(what, { service, cause });
      return new BadRequestError(what, { service, cause });
    }
  }
}

/** The caller cancelled (a Temporal activity cancellation): rethrow its reason rather than a service error. */
export function cancellationReason(signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted) return undefined;
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}
