import { Connection } from '@temporalio/client';
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
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
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

export async function connectWorker(address: string, namespace: string): Promise<NativeConnection> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
  } catch (err) {
    throw new TemporalUnavailableError(address, (err as Error).message.split('\n')[0]);
  }
  try {
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  return NativeConnection.connect({ address });
}
