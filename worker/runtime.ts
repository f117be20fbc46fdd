import type { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { Logger } from 'pino';
import { QUANTCODER_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { TemporalUnavailableError } from '../domain/errors';
import { temporalLogger } from './logger';

let installed = false;

/**
 * Installs the Temporal runtime once per process: the SDK's logs go through QuantCoder's logger,
 * core logs are forwarded to it, and Prometheus metrics are served when an address is given.
 */
export function installRuntime(logger: Logger, metricsAddress?: string): void {
  if (installed) return;
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
  installed = true;
}

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
};

/** Registers QuantCoder's search attributes on a server that lacks them (a dev server has them already). */
export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = QUANTCODER_SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
  if (!missing.length) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]!])),
  });
  return missing.map((k) => k.name);
}

/** How long a worker waits for the server to answer before it says none does. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The worker's one connection to Temporal, checked to answer and to have QuantCoder's search
 * attributes (one connection serves the check, the workers and the hand-back of a dead
 * predecessor's activities: a second one would cost the start a handshake).
 */
export async function connectWorker(address: string, namespace: string): Promise<NativeConnection> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} seconds`)), CONNECT_TIMEOUT_MS);
  });
  const connecting = NativeConnection.connect({ address });
  let connection: NativeConnection;
  try {
    connection = await Promise.race([connecting, timeout]);
  } catch (err) {
    // a connection made after the timeout is closed, not leaked
    connecting.then((c) => c.close()).catch(() => undefined);
    throw new TemporalUnavailableError(address, (err as Error).message.split('\n')[0]);
  } finally {
    clearTimeout(timer);
  }
  try {
    await ensureSearchAttributes(connection, namespace);
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
  return connection;
}
