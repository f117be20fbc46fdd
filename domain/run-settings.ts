import type { QuantCoderConfig } from './config';

/**
 * The part of the configuration workflows need (timeouts that shape retry policies). The CLI reads
 * it from config and passes it in the workflow input, since workflow code cannot read files.
 */
export interface RunSettings {
  llmTimeoutSeconds: number;
  quantconnectTimeoutSeconds: number;
  downloadTimeoutSeconds: number;
  searchTimeoutSeconds: number;
  /** Running activities heartbeat about once a second; a worker silent this long is presumed dead and its work retried elsewhere. */
  heartbeatTimeoutSeconds: number;
  /**
   * Whether generated code is checked against its specification before it may cost a compile
   * (default on). Off only to measure what the gate catches.
   */
  faithfulnessGate?: boolean;
}

/** Seconds of heartbeat silence after which a worker is presumed dead: a few missed once-a-second heartbeats. */
export const HEARTBEAT_TIMEOUT_SECONDS = 5;

export function runSettings(config: QuantCoderConfig): RunSettings {
  return {
    llmTimeoutSeconds: config.llm.timeoutSeconds,
    quantconnectTimeoutSeconds: config.quantconnect.timeoutSeconds,
    downloadTimeoutSeconds: config.download.timeoutSeconds,
    searchTimeoutSeconds: Math.max(config.crossref.timeoutSeconds, config.arxiv.timeoutSeconds),
    heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS,
  };
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  llmTimeoutSeconds: 120,
  quantconnectTimeoutSeconds: 60,
  downloadTimeoutSeconds: 60,
  searchTimeoutSeconds: 20,
  heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS,
};
