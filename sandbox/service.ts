import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxConfig, ServiceName } from './config';
import type { StateStore } from './state';
import type { StatsRecord } from './stats';

/** What every simulated service can reach while answering. */
export interface SandboxRuntime {
  readonly config: SandboxConfig;
  readonly store: StateStore;
  /** The live counters (replaced on reset: read it afresh each time). */
  readonly stats: StatsRecord;
  /** Aborted when the sandbox stops, so endless streams and waits end. */
  readonly stopping: AbortSignal;
}

/** One request being answered. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `http://host:port` as the client addressed us: every link handed out starts with it. */
  base: string;
  runtime: SandboxRuntime;
  body(): Promise<Buffer>;
}

export interface ServiceRoute {
  /** The route as stats and faults name it, e.g. `backtests/create`, `works/{doi}`. */
  key: string;
  handle(ex: Exchange): Promise<void> | void;
}

/** A complete error or broken answer in the service's own format. */
export interface CannedBody {
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface SimulatedService {
  name: ServiceName;
  /** The route for a request; `path` is what follows `/<service>/`, undecoded. Unknown paths get a not-found route. */
  route(method: string, path: string): ServiceRoute;
  /** An error answer in the service's shape (fault injection, unexpected failures). */
  errorBody(status: number, message: string): CannedBody;
  /** A truncated body with the right content type, for the `malformed` fault. */
  malformedBody(routeKey: string): CannedBody;
}

/** Sleeps, ending early when the sandbox stops. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function countRequest(stats: StatsRecord, service: ServiceName, key: string): void {
  const k = `${service}.${key}`;
  stats.requests[k] = (stats.requests[k] ?? 0) + 1;
}
