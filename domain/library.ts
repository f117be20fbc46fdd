import type { ArticleResult, StatisticsSummary, TokenCount } from './pipeline';
import type { RunSettings } from './run-settings';
import type { TaxonomyCategory } from './taxonomy';

/**
 * Library builds and autonomous runs: their inputs, progress and results (shared by the workflows,
 * the activities that record them and the CLI), and the pure rules both apply.
 */

/** Limits on a whole build or autonomous run; absent means unlimited. */
export interface RunBudget {
  /** Wall-clock minutes since the run started (workflow time, so replay-safe). */
  maxMinutes?: number;
  /** LLM tokens (input + output) used by every child run together. */
  maxTokens?: number;
}

export const DEFAULT_MIN_SHARPE = 0.5;

/** The Sharpe ratio a strategy is judged on: out of sample when a holdout was used, else the backtest's. */
export function acceptanceSharpe(result: Pick<ArticleResult, 'statistics' | 'split' | 'outOfSample'>): number | null | undefined {
  return result.split ? result.outOfSample?.sharpeRatio : result.statistics?.sharpeRatio;
}

/**
 * A strategy is accepted when it compiled, was backtested, and its Sharpe ratio reaches the bar:
 * the out-of-sample Sharpe ratio when a holdout was used (a strategy whose holdout backtest could
 * not run is not accepted), else the backtest's.
 */
export function isAccepted(result: Pick<ArticleResult, 'compiled' | 'statistics' | 'error' | 'split' | 'outOfSample'>, minSharpe: number): boolean {
  const sharpe = acceptanceSharpe(result);
  return result.error === null && result.compiled && typeof sharpe === 'number' && Number.isFinite(sharpe) && sharpe >= minSharpe;
}

/** The ids a paper is known by (DOI and arXiv id, lower-cased), for "already processed" checks. */
export function paperIds(paper: { doi: string | null; arxivId: string | null }): string[] {
  return [paper.doi, paper.arxivId].filter((id): id is string => !!id).map((id) => id.toLowerCase());
}

/** One id naming a paper in exports and records: its DOI, else its arXiv id, else its title. */
export function paperKey(paper: { doi: string | null; arxivId: string | null; title: string }): string {
  return paper.doi?.toLowerCase() ?? (paper.arxivId ? `arxiv:${paper.arxivId.toLowerCase()}` : `title:${paper.title.toLowerCase()}`);
}

/** Why a budget stops a run, or null while it has room. */
export function budgetStop(budget: RunBudget, used: { minutes: number; tokens: number }): string | null {
  if (budget.maxMinutes !== undefined && used.minutes >= budget.maxMinutes) return `time budget of ${budget.maxMinutes} minute(s) used`;
  if (budget.maxTokens !== undefined && used.tokens >= budget.maxTokens) return `token budget of ${budget.maxTokens} used (${used.tokens})`;
  return null;
}

export function totalTokens(t: TokenCount): number {
  return t.input + t.output;
}

export function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

// ---------------------------------------------------------------------------------------------
// Library builds

export interface LibraryInput {
  /** The library's name; the build's workflow id is `library-<name>`. */
  name: string;
  /** The categories to fill, highest priority first, with their targets and queries. */
  categories: TaxonomyCategory[];
  minSharpe: number;
  /** Papers each child research pipeline processes (never more than the category still needs). */
  articlesPerRun: number;
  /** Child pipelines in flight at once (at most one per category). */
  concurrency: number;
  /** How many times a category may cycle through its queries looking for new papers. */
  maxRounds: number;
  budget: RunBudget;
  /** Generations of a short evolution run for each accepted strategy; 0 leaves them as they are. */
  polishGenerations: number;
  /** Process papers again that earlier runs already processed. */
  reprocess: boolean;
  source: 'crossref' | 'arxiv';
  maxAttempts: number;
  /** The in-sample period strategies are generated and backtested on. */
  start?: string;
  end?: string;
  /** A holdout after the in-sample period: each strategy is backtested on it once, and --min-sharpe judges that Sharpe ratio. */
  holdout?: { start: string; end: string };
  settings: RunSettings;
  /** Child runs per workflow execution before it continues as new, so history stays bounded. */
  childrenPerExecution: number;
}

export const LIBRARY_DEFAULTS = {
  minSharpe: DEFAULT_MIN_SHARPE,
  articlesPerRun: 1,
  concurrency: 2,
  maxRounds: 2,
  polishGenerations: 0,
  maxAttempts: 6,
  childrenPerExecution: 12,
} as const;

/** An accepted strategy as the build keeps it (code stays on disk and in the learning database). */
export interface AcceptedStrategy {
  category: string;
  childRunId: string;
  articleKey: string;
  title: string;
  doi: string | null;
  arxivId: string | null;
  family: string | null;
  codeHash: string | null;
  algorithmPath: string | null;
  statistics: StatisticsSummary;
  polish: PolishOutcome | null;
}

export interface PolishOutcome {
  runId: string;
  /** Whether the evolution found a fitter variant than the accepted code. */
  improved: boolean;
  baselineFitness: number | null;
  bestFitness: number | null;
  statistics: StatisticsSummary | null;
}

export type CategoryState = 'pending' | 'running' | 'done' | 'exhausted' | 'stopped';

/** A category's progress, carried across continue-as-new. */
export interface CategoryProgress {
  id: string;
  name: string;
  target: number;
  queries: string[];
  accepted: AcceptedStrategy[];
  /** Backtested, but the Sharpe ratio fell short. */
  rejected: number;
  /** No working algorithm (repair exhausted, download or summary failed). */
  failed: number;
  /** Sharpe ratios of every backtested strategy of the category. */
  sharpes: number[];
  /** Child pipelines completed. */
  runs: number;
  /** The next (query, round) slot: slot k is query k mod queries, round k div queries. */
  nextSlot: number;
  /** Query indexes that found no new readable paper. */
  exhaustedQueries: number[];
  state: CategoryState;
  /** Why the latest child pipeline failed as a whole, if it did. */
  lastError: string | null;
}

export interface LibraryState {
  /** Workflow time (ms) the build started, for the time budget. */
  startedAtMs: number;
  /** Short tag of the build (its first run id), in every child id: a later build never reuses them. */
  buildTag: string;
  tokens: TokenCount;
  /** DOIs and arXiv ids this build tried already (processed or unreadable). */
  attempted: string[];
  categories: CategoryProgress[];
  childrenCompleted: number;
  executions: number;
  stopReason: string | null;
}

export interface CategoryStatus {
  id: string;
  name: string;
  target: number;
  accepted: number;
  rejected: number;
  failed: number;
  runs: number;
  bestSharpe: number | null;
  meanSharpe: number | null;
  state: CategoryState;
  inFlight: string | null;
  lastError: string | null;
}

export interface LibraryStatus {
  id: string;
  name: string;
  status: 'running' | 'completed';
  stopReason: string | null;
  elapsedMinutes: number;
  tokens: TokenCount;
  budget: RunBudget;
  minSharpe: number;
  childrenCompleted: number;
  executions: number;
  categories: CategoryStatus[];
}

export interface LibraryResult {
  id: string;
  name: string;
  reason: string;
  categories: CategoryStatus[];
  accepted: AcceptedStrategy[];
  tokens: TokenCount;
  childrenCompleted: number;
}

export function initialCategoryProgress(c: TaxonomyCategory): CategoryProgress {
  return { id: c.id, name: c.name, target: c.target, queries: [...c.queries], accepted: [], rejected: 0, failed: 0, sharpes: [], runs: 0, nextSlot: 0, exhaustedQueries: [], state: c.target > 0 ? 'pending' : 'done', lastError: null };
}

/** The next (query, round) a category should run, skipping exhausted queries; null when none is left. */
export function nextQuerySlot(c: Pick<CategoryProgress, 'queries' | 'nextSlot' | 'exhaustedQueries'>, maxRounds: number): { slot: number; queryIndex: number; round: number } | null {
  const n = c.queries.length;
  if (n === 0 || c.exhaustedQueries.length >= n) return null;
  for (let slot = c.nextSlot; slot < n * maxRounds; slot++) {
    const queryIndex = slot % n;
    if (!c.exhaustedQueries.includes(queryIndex)) return { slot, queryIndex, round: Math.floor(slot / n) };
  }
  return null;
}

export function categoryStatus(c: CategoryProgress, inFlight: string | null = null): CategoryStatus {
  const accepted = c.accepted.map((a) => a.statistics.sharpeRatio).filter((s): s is number => typeof s === 'number');
  return {
    id: c.id,
    name: c.name,
    target: c.target,
    accepted: c.accepted.length,
    rejected: c.rejected,
    failed: c.failed,
    runs: c.runs,
    bestSharpe: c.sharpes.length ? Math.max(...c.sharpes) : null,
    meanSharpe: mean(accepted),
    state: c.state,
    inFlight,
    lastError: c.lastError,
  };
}

// ---------------------------------------------------------------------------------------------
// Autonomous runs

export interface AutonomousInput {
  /** What to research: each iteration searches it for the next paper. */
  query: string;
  maxIterations: number;
  minSharpe: number;
  budget: RunBudget;
  /** When no unprocessed paper is left, go round the papers again (with what was learned since). */
  revisit: boolean;
  source: 'crossref' | 'arxiv';
  maxAttempts: number;
  start?: string;
  end?: string;
  settings: RunSettings;
  /** Iterations per workflow execution before it continues as new. */
  iterationsPerExecution: number;
}

export const AUTONOMOUS_DEFAULTS = {
  maxIterations: 10,
  minSharpe: DEFAULT_MIN_SHARPE,
  maxAttempts: 6,
  iterationsPerExecution: 5,
} as const;

export interface IterationSummary {
  iteration: number;
  childRunId: string;
  title: string | null;
  doi: string | null;
  arxivId: string | null;
  family: string | null;
  compiled: boolean;
  /** LLM repairs the strategy needed before it compiled (or before giving up). */
  repairAttempts: number;
  sharpeRatio: number | null;
  accepted: boolean;
  error: string | null;
  tokens: TokenCount;
}

/** How an iteration ended, as the tables print it: accepted, compiled but rejected, or failed before compiling. */
export function iterationOutcome(i: { accepted: boolean; compiled: boolean }): 'accepted' | 'rejected' | 'failed' {
  return i.accepted ? 'accepted' : i.compiled ? 'rejected' : 'failed';
}

export interface AutonomousState {
  startedAtMs: number;
  iteration: number;
  /** Revisiting pass: 0 takes only papers no run processed; later passes go round this run's papers again. */
  pass: number;
  /** Papers this run processed in the current pass. */
  processedThisPass: string[];
  iterations: IterationSummary[];
  tokens: TokenCount;
  executions: number;
  stopReason: string | null;
}

export interface AutonomousStatus {
  id: string;
  query: string;
  status: 'running' | 'completed';
  iteration: number;
  maxIterations: number;
  current: string | null;
  accepted: number;
  tokens: TokenCount;
  elapsedMinutes: number;
  stopReason: string | null;
  iterations: IterationSummary[];
}

export interface AutonomousResult {
  id: string;
  query: string;
  reason: string;
  iterations: IterationSummary[];
  accepted: number;
  tokens: TokenCount;
}

/** Mean repairs per strategy in the first and the second half of a run's iterations (an odd middle one counts in neither). */
export function repairTrend(iterations: Array<{ iteration: number; repairAttempts: number; title: string | null }>): { firstHalf: number | null; secondHalf: number | null } {
  const done = [...iterations].filter((i) => i.title !== null).sort((a, b) => a.iteration - b.iteration);
  const half = Math.floor(done.length / 2);
  return {
    firstHalf: mean(done.slice(0, half).map((i) => i.repairAttempts)),
    secondHalf: mean(done.slice(done.length - half).map((i) => i.repairAttempts)),
  };
}

// ---------------------------------------------------------------------------------------------
// Schedules

export const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'allow-all', 'cancel-other', 'terminate-other'] as const;
export type OverlapPolicyName = (typeof OVERLAP_POLICIES)[number];

/** What a schedule starts, by the CLI's name for it. */
export const SCHEDULE_KINDS = { pipeline: 'researchPipeline', auto: 'autonomous', library: 'libraryBuild' } as const;
export type ScheduleKind = keyof typeof SCHEDULE_KINDS;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Reads an interval such as `7d`, `12h`, `30m`, `1w` or `7 days`; null when it is not one. */
export function parseInterval(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)\s*$/i.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const key = unit.startsWith('mi') || unit === 'm' ? 'm' : unit[0]!;
  const ms = Number(m[1]) * UNIT_MS[key]!;
  return ms >= 1000 ? Math.round(ms) : null;
}
