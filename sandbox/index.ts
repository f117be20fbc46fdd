import type { AddressInfo } from 'node:net';
import { DEFAULT_SANDBOX_CONFIG, sandboxConfigPatchSchema, type SandboxConfig } from './config';
import { createSandboxServer } from './server';
import { StateStore, type LlmRequestRecord } from './state';
import { publicStats, type SandboxStats } from './stats';

export { DEFAULT_SANDBOX_CONFIG, SERVICE_NAMES, type SandboxConfig, type ServiceName } from './config';
export type { FaultKind, FaultSpec } from './faults';
export { FAMILY_OPTIMA, LANDSCAPES, analyseAlgorithm, detectFamily, syntheticStatistics, type SyntheticStatistics } from './landscape';
export { CORPUS_PAPERS, CATALOGUE } from './corpus/catalogue';
export { paperPdf, paperText } from './corpus/render';
export type { SandboxStats } from './stats';

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the sandbox is for this machine only. */
  host?: string;
  /** A JSON file keeping QuantConnect projects, compiles, backtests and stats across restarts. */
  statePath?: string;
  config?: Partial<SandboxConfig>;
}

export interface SandboxHandle {
  /** `http://host:port`; each service lives under it (`/crossref`, `/openai/v1`, `/quantconnect/api/v2`, …). */
  url: string;
  port: number;
  stop(): Promise<void>;
  stats(): SandboxStats;
  configure(c: Partial<SandboxConfig>): void;
  resetStats(): void;
  /** The LLM requests received since start or the last reset, oldest first (the latest 5,000). */
  llmRequests(): LlmRequestRecord[];
}

/** Starts the sandbox on loopback and resolves once it listens. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = opts.host ?? '127.0.0.1';
  const config = { ...DEFAULT_SANDBOX_CONFIG, ...sandboxConfigPatchSchema.parse(opts.config ?? {}) };
  const store = new StateStore(opts.statePath);
  const sandbox = createSandboxServer({ config, store, fallbackHost: host });
  await new Promise<void>((resolve, reject) => {
    sandbox.server.once('error', reject);
    sandbox.server.listen(opts.port ?? 0, host, () => {
      sandbox.server.off('error', reject);
      resolve();
    });
  });
  const { port } = sandbox.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () => (stopped ??= sandbox.close().then(() => store.save())),
    stats: () => publicStats(store.data.stats),
    configure: (c) => void sandbox.configure(c),
    resetStats: () => store.resetStats(),
    llmRequests: () => structuredClone(store.llmRequests),
  };
}

/**
 * What `quantcoder sandbox` runs: the sandbox on the configured port (7480 unless given),
 * printing nothing itself. Resolves with the handle once it listens.
 */
export function runSandboxForeground(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  return startSandbox({ ...opts, port: opts.port ?? 7480 });
}
