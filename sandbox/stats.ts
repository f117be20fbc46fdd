import { emptyUnfaithfulStats, type UnfaithfulStats } from './llm/unfaithful';

/** Token and call counts of one slice of LLM traffic. */
export interface LlmUsage {
  /** Completions the model made, each one billed, whether or not its answer reached the client (listing stored ones is free). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

/** What `GET /__sandbox/stats` answers: counters since start or the last reset. */
export interface SandboxStats {
  startedAt: string;
  /** Requests per `<service>.<route>`, e.g. `quantconnect.backtests/create`, faulted ones included. */
  requests: Record<string, number>;
  faults: { applied: number; byKind: Record<string, number> };
  quantconnect: {
    projectsCreated: number;
    filesWritten: number;
    compilesCreated: number;
    buildErrors: number;
    backtestsCreated: number;
    /** Most backtests ever running at once (queued or running, not finished) on the account. */
    runningBacktestsHighWater: number;
    /** `backtests/create` calls refused because every backtesting node was busy. */
    backtestsRefusedNoNode: number;
    /** Distinct programs backtested, as CPython parses them (sha256 of `ast.dump`: comments and spacing ignored). */
    uniqueCodeHashesBacktested: number;
    /** Backtests per period the program set, `YYYY-MM-DD..YYYY-MM-DD` (as QuantConnect reports backtestStart/backtestEnd). */
    backtestPeriods: Record<string, number>;
    authFailures: number;
  };
  llm: LlmUsage & {
    mistakes: number;
    /** Calls whose exact request (provider, model, system, messages) was answered before: each one paid again. */
    repeatedRequests: number;
    byTask: Record<string, LlmUsage>;
    byProvider: Record<string, LlmUsage>;
  };
  /** Departures from the specification the model planted, and how far they got. */
  unfaithful: UnfaithfulStats;
}

/** The persisted form: like {@link SandboxStats}, but with the code hashes themselves. */
export interface StatsRecord extends Omit<SandboxStats, 'quantconnect' | 'llm'> {
  quantconnect: Omit<SandboxStats['quantconnect'], 'uniqueCodeHashesBacktested'> & { codeHashesBacktested: string[] };
  llm: SandboxStats['llm'] & { requestHashes: string[] };
}

export function emptyStats(now: Date = new Date()): StatsRecord {
  return {
    startedAt: now.toISOString(),
    unfaithful: emptyUnfaithfulStats(),
    requests: {},
    faults: { applied: 0, byKind: {} },
    quantconnect: { projectsCreated: 0, filesWritten: 0, compilesCreated: 0, buildErrors: 0, backtestsCreated: 0, runningBacktestsHighWater: 0, backtestsRefusedNoNode: 0, codeHashesBacktested: [], backtestPeriods: {}, authFailures: 0 },
    llm: { calls: 0, inputTokens: 0, outputTokens: 0, mistakes: 0, repeatedRequests: 0, requestHashes: [], byTask: {}, byProvider: {} },
  };
}

export function publicStats(record: StatsRecord): SandboxStats {
  const { codeHashesBacktested, ...qc } = record.quantconnect;
  const { requestHashes: _answered, ...llm } = record.llm;
  return structuredClone({ ...record, quantconnect: { ...qc, uniqueCodeHashesBacktested: codeHashesBacktested.length }, llm });
}

export function addUsage(into: Record<string, LlmUsage>, key: string, inputTokens: number, outputTokens: number): void {
  const u = (into[key] ??= { calls: 0, inputTokens: 0, outputTokens: 0 });
  u.calls++;
  u.inputTokens += inputTokens;
  u.outputTokens += outputTokens;
}
