import fs from 'node:fs';
import path from 'node:path';
import { emptyStats, type StatsRecord } from './stats';

export interface QcFileRecord {
  name: string;
  content: string;
  created: string;
  modified: string;
}

export interface QcProjectRecord {
  projectId: number;
  name: string;
  language: string;
  created: string;
  modified: string;
  files: QcFileRecord[];
}

export type QcBuildState = 'InQueue' | 'BuildSuccess' | 'BuildError';

export interface QcCompileRecord {
  compileId: string;
  projectId: number;
  /** Epoch ms; the compile leaves the queue `compileLatencyMs` later. */
  createdMs: number;
  /** The project's files when the compile was requested: backtests run this snapshot. */
  files: Array<{ name: string; content: string }>;
  codeHash: string;
  /** Set once the syntax check ran; a compile stays `InQueue` until then. */
  result?: { state: 'BuildSuccess' | 'BuildError'; logs: string[] };
}

export interface QcBacktestRecord {
  backtestId: string;
  projectId: number;
  compileId: string;
  name: string;
  note: string | null;
  /** Epoch ms; progress is a function of the time since. */
  createdMs: number;
  parameters: Record<string, string>;
  /** How long this backtest takes (the config when it was created). */
  latencyMs: number;
  /** Reads of its charts so far: the first ones answer "loading". */
  chartReads?: number;
  /** When its charts were first asked for after it ended (ms since the epoch): generation starts then. */
  chartRequestedAt?: number;
}

/** Everything the sandbox keeps between requests; with a state file, also between restarts. */
export interface SandboxState {
  version: 1;
  nextProjectId: number;
  projects: Record<string, QcProjectRecord>;
  compiles: Record<string, QcCompileRecord>;
  backtests: Record<string, QcBacktestRecord>;
  stats: StatsRecord;
}

export function emptyState(): SandboxState {
  return { version: 1, nextProjectId: 21_000_001, projects: {}, compiles: {}, backtests: {}, stats: emptyStats() };
}

/** One LLM request as the sandbox received it: what an LLM provider's request log would show. */
export interface LlmRequestRecord {
  /** Epoch ms when the request arrived. */
  receivedAt: number;
  provider: string;
  model: string;
  system: string;
  messages: Array<{ role: string; content: string }>;
}

/** The request log keeps this many of the latest LLM requests (in memory only). */
const LLM_LOG_LIMIT = 5_000;

/** Holds the state in memory and, given a path, writes it after each change (temp file + rename). */
export class StateStore {
  readonly data: SandboxState;
  /** The latest LLM requests, oldest first; cleared with the counters. */
  readonly llmRequests: LlmRequestRecord[] = [];
  private writes = 0;
  private pending: NodeJS.Timeout | null = null;

  constructor(private readonly filePath?: string) {
    this.data = filePath ? load(filePath) : emptyState();
  }

  save(): void {
    if (!this.filePath) return;
    if (this.pending) {
      clearTimeout(this.pending);
      this.pending = null;
    }
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
    // a unique temp name per write: two writes in one tick must not share a half-written file
    const tmp = `${this.filePath}.${process.pid}.${++this.writes}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.filePath);
  }

  /** For counters only: coalesces the writes of a burst of requests into one, a moment later. */
  saveSoon(): void {
    if (!this.filePath || this.pending) return;
    this.pending = setTimeout(() => this.save(), 200);
    this.pending.unref();
  }

  resetStats(): void {
    this.data.stats = emptyStats();
    this.llmRequests.length = 0;
    this.save();
  }

  recordLlmRequest(record: LlmRequestRecord): void {
    this.llmRequests.push(record);
    if (this.llmRequests.length > LLM_LOG_LIMIT) this.llmRequests.splice(0, this.llmRequests.length - LLM_LOG_LIMIT);
  }

  resetQuantConnect(): void {
    const fresh = emptyState();
    this.data.projects = fresh.projects;
    this.data.compiles = fresh.compiles;
    this.data.backtests = fresh.backtests;
    this.save();
  }
}

function load(filePath: string): SandboxState {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<SandboxState>;
  if (parsed.version !== 1) throw new Error(`Sandbox state file ${filePath} has an unknown version ${String(parsed.version)}`);
  const base = emptyState();
  return {
    ...base,
    ...parsed,
    stats: {
      ...base.stats,
      ...parsed.stats,
      quantconnect: { ...base.stats.quantconnect, ...parsed.stats?.quantconnect },
      llm: { ...base.stats.llm, ...parsed.stats?.llm },
    },
  } as SandboxState;
}
