import type { PrismaClient } from '@prisma/client';
import type { Paper } from '../domain/papers';
import type { LlmTask } from '../domain/prompts';
import type { TokenCount } from '../domain/pipeline';
import type { ArtifactStore } from './artifacts';
import type { ArxivClient } from './arxiv';
import { checkAlgorithm } from './code-gate';
import { cancellationSignal } from './context';
import type { CrossrefClient } from './crossref';
import type { PdfDownloader } from './download';
import { withFailureMapping } from './failures';
import { writeAlgorithm } from './files';
import { recordAttempt, recordBacktest, type AttemptRecord } from '../store/records';
import { recordSearch } from '../store/searches';
import type { LlmClient } from './llm';
import { createLlmTaskActivities } from './llm-tasks';
import { createQuantConnectActivities } from './quantconnect/activities';
import type { QuantConnectClient } from './quantconnect/client';
import { createResearchActivities } from './research';
import { createEvolutionActivities } from './evolution';
import { createLibraryActivities } from './library';
import type { StatisticsSummary } from '../domain/pipeline';

/** QuantCoder's own counters, exported as metrics by the worker. */
export interface ActivityMetrics {
  llmTokens(task: LlmTask, tokens: TokenCount): void;
  backtestCreated(): void;
  repairRequested(): void;
}

/** Everything activities need from the outside world, built once by the worker (or a test). */
export interface ActivityDeps {
  prisma: PrismaClient;
  crossref: CrossrefClient;
  arxiv: ArxivClient;
  downloader: PdfDownloader;
  artifacts: ArtifactStore;
  downloadsDir: string;
  generatedDir: string;
  /** The LLM client for a task; built lazily so a missing key only fails the calls that need it. */
  llmFor(task: LlmTask): LlmClient;
  /** The QuantConnect client; built lazily for the same reason. */
  quantconnect(): QuantConnectClient;
  quantconnectPollMs: number;
  quantconnectCompileTimeoutMs: number;
  metrics?: ActivityMetrics;
}

export function createActivities(deps: ActivityDeps) {
  const llmTasks = createLlmTaskActivities({
    prisma: deps.prisma,
    artifacts: deps.artifacts,
    llmFor: deps.llmFor,
    onCall: (task, tokens) => deps.metrics?.llmTokens(task, tokens),
  });
  return withFailureMapping({
    /** Searches CrossRef's `/works` for papers matching the query. */
    async searchCrossref(input: { query: string; rows: number }): Promise<Paper[]> {
      return deps.crossref.searchWorks(input.query, input.rows, cancellationSignal());
    },

    /** Stores a search's papers in the learning database and numbers them from 1. */
    async storeSearchResults(input: { workflowId: string; query: string; source: string; papers: Paper[] }) {
      return recordSearch(deps.prisma, input);
    },

    ...createResearchActivities(deps),
    ...llmTasks,
    ...createEvolutionActivities({ prisma: deps.prisma, artifacts: deps.artifacts, llmFor: deps.llmFor, onCall: (task, tokens) => deps.metrics?.llmTokens(task, tokens) }),
    ...createLibraryActivities({ prisma: deps.prisma, generatedDir: deps.generatedDir }),
    async repairAlgorithm(input: Parameters<typeof llmTasks.repairAlgorithm>[0]) {
      deps.metrics?.repairRequested();
      return llmTasks.repairAlgorithm(input);
    },
    ...createQuantConnectActivities({
      quantconnect: deps.quantconnect,
      pollMs: deps.quantconnectPollMs,
      compileTimeoutMs: deps.quantconnectCompileTimeoutMs,
      onBacktestCreated: () => deps.metrics?.backtestCreated(),
    }),

    /** The quality gate: backtest period, syntax, LEAN lint with safe fixes. */
    checkAlgorithm,

    /** Records one attempt of the repair loop (algorithm, error, fix outcome) in the learning database. */
    async recordAttempt(input: AttemptRecord): Promise<void> {
      await recordAttempt(deps.prisma, input);
    },

    /** Records a backtest's statistics for the code hash (and so for its strategy family). */
    async recordBacktest(input: Parameters<typeof recordBacktest>[1]): Promise<void> {
      await recordBacktest(deps.prisma, input);
    },

    /** Writes the algorithm to `generated/<run>/<article>/main.py`. */
    async writeAlgorithmFile(input: { runId: string; articleKey: string; code: string; paper: Paper; statistics: StatisticsSummary | null }): Promise<{ path: string }> {
      return { path: writeAlgorithm(deps.generatedDir, input) };
    },
  });
}

export type Activities = ReturnType<typeof createActivities>;
