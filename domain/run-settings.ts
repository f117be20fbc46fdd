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

/**
 * The workflow task timeout of every workflow QuantCoder starts (Temporal's default is 10 s). A
 * workflow task a worker had started when it died is retried only after this timeout, so it bounds
 * how long a run waits after a crash that lands in one. At 200 pipelines at once on 2 cores the
 * longest workflow task took 1.8 s (p99 0.9 s; `npm run bench`, scale.workflowTaskMs), so 5 s
 * leaves a loaded worker room; a task that overruns it is retried, it does not fail the run.
 */
export const WORKFLOW_TASK_TIMEOUT = '5 seconds';

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
