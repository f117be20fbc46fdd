import type { Dispatcher } from 'undici';
import {
  AuthenticationError,
  BadRequestError,
  MalformedResponseError,
  RateLimitedError,
  ServiceUnavailableError,
  type QuantCoderError,
} from '../domain/errors';
import { parseRetryAfter } from '../domain/http';

/**
 * undici's `request`, loaded on the first request rather than when the worker starts (undici is one
 * of the largest modules a worker would otherwise load before it polls).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const request = ((url, options) => (require('undici') as typeof import('undici')).request(url, options)) as typeof import('undici').request;

export interface HttpCall {
  service: string;
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Maps an HTTP status that is not a success to QuantCoder's typed error for it. */
export function errorForStatus(service: string, status: number, headers: HttpAnswer['headers'], detail: string): QuantCoderError {
  const what = `${service} answered HTTP ${status}${detail ? `: ${detail.slice(0, 200)}` : ''}`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
    return new RateLimitedError(`${what} (rate limited${retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)} s` : ''})`, {
      service,
      retryAfterMs,
    });
  }
  if (status === 401 || status === 403) return new AuthenticationError(`${what} (check the ${service} credentials)`, { service });
  if (status >= 500 || status === 408) return new ServiceUnavailableError(what, { service });
  return new BadRequestError(what, { service });
}

/** Maps a network-level failure (reset, refused, timeout) to a retryable typed error. */
export function errorForNetwork(service: string, err: unknown): QuantCoderError {
  const code = (err as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) {
    const what = code.includes('TIMEOUT') ? 'timed out' : `connection failed (${code})`;
    return new ServiceUnavailableError(`${service} ${what}`, { service, cause: err });
  }
  if ((err as Error).name === 'AbortError') return new ServiceUnavailableError(`${service} request was cancelled`, { service, cause: err });
  return new ServiceUnavailableError(`${service} request failed: ${(err as Error).message}`, { service, cause: err });
}

/** One HTTP exchange with timeouts and typed errors; the body is read whole as text. */
export async function httpText(call: HttpCall): Promise<HttpAnswer> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(call.url, {
      method: call.method ?? 'GET',
      headers: call.headers,
      body: call.body,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      signal: call.signal,
      dispatcher: call.dispatcher,
    });
  } catch (err) {
    throw errorForNetwork(call.service, err);
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw errorForNetwork(call.service, err);
  }
  if (res.statusCode >= 400) throw errorForStatus(call.service, res.statusCode, res.headers, text);
  return { status: res.statusCode, headers: res.headers, text };
}

/** Like {@link httpText}, then parses JSON; a body that is not JSON is a MalformedResponseError. */
export async function httpJson(call: HttpCall): Promise<{ status: number; json: unknown }> {
  const answer = await httpText(call);
  try {
    return { status: answer.status, json: JSON.parse(answer.text) };
  } catch {
    throw new MalformedResponseError(`${call.service} answered with malformed JSON: ${answer.text.slice(0, 80)}`, { service: call.service });
  }
}
