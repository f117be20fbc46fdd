import fs from 'node:fs';
import path from 'node:path';
import type { Paper } from '../domain/papers';
import type { LlmTask } from '../domain/prompts';
import type { TokenCount } from '../domain/pipeline';
import { checkAlgorithm } from './code-gate';
import { cancellationSignal } from './context';
import { withFailureMapping } from './failures';
import { writeAlgorithm } from './files';
import { findBacktestedCode, recordAttempt, recordBacktest, type AttemptRecord } from '../store/records';
import { learnedContext } from '../store/knowledge';
import { errorSignature } from '../domain/learning';
import type { LearnedContext } from '../domain/prompts';
import type { CheckOutcome, CodeProblem } from '../domain/pipeline';
import { recordSearch } from '../store/searches';
import type { LlmClient } from './llm';
import { createLlmTaskActivities } from './llm-tasks';
import { createQuantConnectActivities } from './quantconnect/activities';
import type { QuantConnectClient } from './quantconnect/client';
import { createResearchActivities, type ResearchDeps } from './research';
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
export interface ActivityDeps extends ResearchDeps {
  generatedDir: string;
  /** The LLM client for a task; built lazily so a missing key only fails the calls that need it. */
  llmFor(task: LlmTask): LlmClient;
  /** The QuantConnect client; built lazily for the same reason. */
  quantconnect(): QuantConnectClient;
  quantconnectPollMs: number;
  quantconnectCompileTimeoutMs: number;
  metrics?: ActivityMetrics;
  /** The clients talk to the sandbox simulators: results they produce are marked `simulated`. */
  simulated?: boolean;
}

/** Marks what a simulated service produced, so the run's result (and every client showing it) can say so. */
function marker(simulated: boolean | undefined) {
  return <T extends object>(value: T): T => (simulated ? { ...value, simulated: true } : value);
}

export function createActivities(deps: ActivityDeps) {
  const research = createResearchActivities(deps);
  const llmTasks = createLlmTaskActivities({
    prisma: deps.prisma,
    artifacts: deps.artifacts,
    llmFor: deps.llmFor,
    onCall: (task, tokens) => deps.metrics?.llmTokens(task, tokens),
    extractAgain: async (paper, pdfPath) => {
      const pdf = pdfPath && path.isAbsolute(pdfPath) && fs.existsSync(pdfPath) ? pdfPath : (await research.downloadPaper({ paper })).path;
      return (await research.extractPaperText({ pdfPath: pdf, paper })).textSha256;
    },
  });
  const mark = marker(deps.simulated);
  const quantconnect = createQuantConnectActivities({
    quantconnect: deps.quantconnect,
    pollMs: deps.quantconnectPollMs,
    compileTimeoutMs: deps.quantconnectCompileTimeoutMs,
    onBacktestCreated: () => deps.metrics?.backtestCreated(),
  });
  return withFailureMapping({
    /** Searches CrossRef's `/works` for papers matching the query. */
    async searchCrossref(input: { query: string; rows: number }): Promise<Paper[]> {
      return (await deps.crossref.searchWorks(input.query, input.rows, cancellationSignal())).map(mark);
    },

    /** Stores a search's papers in the learning database and numbers them from 1. */
    async storeSearchResults(input: { workflowId: string; query: string; source: string; papers: Paper[] }) {
      return recordSearch(deps.prisma, input);
    },

    ...research,
    async searchArxiv(input: Parameters<typeof research.searchArxiv>[0]): Promise<Paper[]> {
      return (await research.searchArxiv(input)).map(mark);
    },
    async lookupDoi(input: Parameters<typeof research.lookupDoi>[0]): Promise<Paper> {
      return mark(await research.lookupDoi(input));
    },
    async lookupArxiv(input: Parameters<typeof research.lookupArxiv>[0]): Promise<Paper> {
      return mark(await research.lookupArxiv(input));
    },
    ...llmTasks,
    ...createEvolutionActivities({ prisma: deps.prisma, artifacts: deps.artifacts, llmFor: deps.llmFor, onCall: (task, tokens) => deps.metrics?.llmTokens(task, tokens) }),
    ...createLibraryActivities({ prisma: deps.prisma, generatedDir: deps.generatedDir }),
    async repairAlgorithm(input: Parameters<typeof llmTasks.repairAlgorithm>[0]) {
      deps.metrics?.repairRequested();
      return llmTasks.repairAlgorithm(input);
    },
    ...quantconnect,
    async compileAlgorithm(input: Parameters<typeof quantconnect.compileAlgorithm>[0]) {
      return mark(await quantconnect.compileAlgorithm(input));
    },
    async runBacktest(input: Parameters<typeof quantconnect.runBacktest>[0]) {
      return mark(await quantconnect.runBacktest(input));
    },

    /**
     * The quality gate: backtest period, syntax, LEAN lint with safe fixes, faithfulness. With
     * `recordedFor`, a program that passes is also looked up in the learning database (a backtest of
     * it over that period, from any run), in the same activity: the lookup needs the gate's code hash,
     * and as a step of its own it cost every evaluation a server round trip before its compile.
     */
    async checkAlgorithm(input: Parameters<typeof checkAlgorithm>[0] & { recordedFor?: { start?: string; end?: string } }): Promise<CheckOutcome> {
      const { recordedFor, ...gate } = input;
      const check = await checkAlgorithm(gate);
      if (!recordedFor || check.problem) return check;
      return { ...check, recorded: await findBacktestedCode(deps.prisma, { codeHash: check.codeHash, ...recordedFor }) };
    },

    /**
     * What the learning database knows for a prompt: for generating (by family) or for repairing a
     * problem (by its error signature). Read once by the workflow and kept in its history, so a
     * retried LLM activity builds the same prompt and reuses its recorded answer.
     */
    async readLearnedContext(input: { family?: string; problem?: CodeProblem }): Promise<LearnedContext> {
      const signature = input.problem ? errorSignature(input.problem.kind, input.problem.message) : undefined;
      return learnedContext(deps.prisma, { family: input.family, signature });
    },

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
