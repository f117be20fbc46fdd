import type { FaithfulnessReport } from './faithfulness';
import type { Paper } from './papers';
import type { RunSettings } from './run-settings';
import type { StrategySpec } from './strategy';

/** The headline numbers of a backtest, as `run --json` reports them (percentages in percent). */
export interface StatisticsSummary {
  sharpeRatio: number | null;
  drawdown: number | null;
  compoundingAnnualReturn: number | null;
  netProfit: number | null;
  winRate: number | null;
  totalOrders: number | null;
}

export interface TokenCount {
  input: number;
  output: number;
}

export const ZERO_TOKENS: TokenCount = { input: 0, output: 0 };

export function addTokens(a: TokenCount, b: TokenCount): TokenCount {
  return { input: a.input + b.input, output: a.output + b.output };
}

export type ArticleStage =
  | 'queued'
  | 'download'
  | 'extract'
  | 'summarize'
  | 'generate'
  | 'validate'
  | 'compile'
  | 'backtest'
  | 'repair'
  | 'done'
  | 'failed';

/** Where a generated program failed, with the exact message sent back to the LLM for repair. */
export interface CodeProblem {
  kind: 'syntax' | 'lint' | 'structure' | 'faithfulness' | 'compile' | 'runtime';
  message: string;
}

export interface ArticleInput {
  runId: string;
  articleKey: string;
  paper: Paper;
  backtest: boolean;
  localOnly: boolean;
  maxAttempts: number;
  /** The in-sample period the algorithm is generated, repaired and scored on. */
  start?: string;
  end?: string;
  /** A holdout after the in-sample period: the finished algorithm is backtested on it once. */
  holdout?: { start: string; end: string };
  settings: RunSettings;
  /** Keep the article's QuantConnect project when it ends (deleted by default). */
  keepProjects?: boolean;
}

export interface ArticleResult {
  articleKey: string;
  title: string;
  doi: string | null;
  arxivId: string | null;
  family: string | null;
  algorithmPath: string | null;
  codeHash: string | null;
  compiled: boolean;
  repairAttempts: number;
  statistics: StatisticsSummary | null;
  /** With a holdout: the statistics on the in-sample period (the same as `statistics`). */
  inSample?: StatisticsSummary | null;
  /** With a holdout: the statistics of one backtest on the holdout (null when it could not run; `outOfSampleNote` says why). */
  outOfSample?: StatisticsSummary | null;
  outOfSampleNote?: string | null;
  /** With a holdout: the two periods. */
  split?: { inSample: { start: string; end: string }; outOfSample: { start: string; end: string } };
  /**
   * How the final algorithm traces its specification (null when the gate did not run: no code yet,
   * or the gate was off). Findings that survived every repair are reported here.
   */
  faithfulness: FaithfulnessReport | null;
  tokens: TokenCount;
  /** The stage the article reached (`done`, or where it failed). */
  stage: ArticleStage;
  error: string | null;
  errorType: string | null;
  /** What the user should know about the result (e.g. a PDF with little text). */
  warnings: string[];
}

/** An article's result before anything has happened to it. */
export function initialArticleResult(paper: Paper, articleKey: string): ArticleResult {
  return {
    articleKey,
    title: paper.title,
    doi: paper.doi,
    arxivId: paper.arxivId,
    family: null,
    algorithmPath: null,
    codeHash: null,
    compiled: false,
    repairAttempts: 0,
    statistics: null,
    faithfulness: null,
    tokens: ZERO_TOKENS,
    stage: 'queued',
    error: null,
    errorType: null,
    warnings: [],
  };
}

export interface PipelineInput {
  /** A topic to search for, a DOI, an arXiv id, a result number of the latest search, a PDF file or a link. */
  target: PipelineTarget;
  articles: number;
  source: 'crossref' | 'arxiv';
  backtest: boolean;
  localOnly: boolean;
  maxAttempts: number;
  start?: string;
  end?: string;
  /** A holdout after [start, end]: each finished algorithm is backtested on it once. */
  holdout?: { start: string; end: string };
  settings: RunSettings;
  /** Keep the articles' QuantConnect projects when they end (deleted by default). */
  keepProjects?: boolean;
  /** DOIs and arXiv ids of papers not to process (already processed): search candidates carrying one are passed over. */
  excludeIds?: string[];
}

/** What a long-running build passes on to each research pipeline it starts: the search source, attempts, backtest window and settings. */
export type TopicRunOptions = Pick<PipelineInput, 'source' | 'maxAttempts' | 'start' | 'end' | 'holdout' | 'settings'>;

/**
 * The input of a research pipeline on one topic query, as autonomous runs and library builds start it:
 * backtested on QuantConnect, and passing over the papers in `excludeIds` (each listed once).
 */
export function topicPipelineInput(query: string, articles: number, run: TopicRunOptions, excludeIds: Iterable<string>): PipelineInput {
  return {
    target: { kind: 'topic', query },
    articles,
    source: run.source,
    backtest: true,
    localOnly: false,
    maxAttempts: run.maxAttempts,
    start: run.start,
    end: run.end,
    ...(run.holdout ? { holdout: run.holdout } : {}),
    settings: run.settings,
    excludeIds: [...new Set(excludeIds)],
  };
}

export type PipelineTarget =
  | { kind: 'topic'; query: string }
  /**
   * `pdfArtifact`: the user's own copy of the paper (closed access), read instead of downloading,
   * by its key in the artifact store. `pdfPath` is how runs started before that named the file.
   */
  | { kind: 'doi'; doi: string; pdfArtifact?: string; pdfPath?: string }
  /** A PDF the user has, as typed (parseTarget), or as the CLI hands it to a workflow: copied into the artifact store. */
  | { kind: 'file'; path: string }
  | { kind: 'file'; artifact: string; name: string }
  /** A link to a PDF, or to a landing page that links its PDF. */
  | { kind: 'url'; url: string }
  | { kind: 'arxiv'; arxivId: string }
  | { kind: 'result'; n: number };

export interface PipelineResult {
  runId: string;
  target: PipelineTarget;
  articles: ArticleResult[];
  /** Candidates passed over (no open-access PDF, not a PDF), with why. */
  skipped: Array<{ title: string; doi: string | null; arxivId: string | null; reason: string }>;
  tokens: TokenCount;
  /** Whether the papers came from simulated services (the worker that found them runs the sandbox profile). */
  simulated?: boolean;
}

export interface PipelineStatus {
  stage: 'resolving' | 'processing' | 'done';
  /**
   * Each article launched, and where it ended; `stage` stays `queued` while it runs (its own
   * `articleStatus` query, on `workflowId`, says where it is). Runs started before the article kept
   * its stage to itself were told each stage, and have no `workflowId`.
   */
  articles: Array<{ articleKey: string; title: string; stage: ArticleStage; error: string | null; workflowId?: string }>;
}

/** The result of summarising a paper. */
export interface SummaryOutcome {
  spec: StrategySpec;
  tokens: TokenCount;
  provider: string;
  model: string;
}

/** An LLM-written program (generate, repair, mutate, crossover). */
export interface CodeOutcome {
  code: string;
  tokens: TokenCount;
  provider: string;
  model: string;
  promptSha256: string;
}

/** The quality gate's verdict on a program: fixed code, and the first problem that remains. */
export interface CheckOutcome {
  code: string;
  codeHash: string;
  problem: CodeProblem | null;
  fixesApplied: string[];
  warnings: string[];
  /** The faithfulness gate's verdict, when a specification was given and the code parses and lints clean. */
  faithfulness?: FaithfulnessReport | null;
  /**
   * Asked for with `recordedFor`: a backtest of this exact program (code hash) over that period
   * recorded earlier, in any run, or null. Absent when not asked for, or when the gate found a problem.
   */
  recorded?: RecordedBacktest | null;
}

/** A backtest the learning database holds for a program and period: its statistics, and the run that paid for it. */
export interface RecordedBacktest {
  statistics: StatisticsSummary;
  runId: string;
}

export interface CompileOutcome {
  /** Set when a simulated QuantConnect compiled it (a worker in the sandbox profile). */
  simulated?: boolean;
  compiled: boolean;
  projectId: number;
  compileId: string;
  logs: string[];
}

/** `simulated` is set when a simulated QuantConnect ran the backtest: its statistics are synthetic. */
export type BacktestResult =
  | { kind: 'completed'; backtestId: string; statistics: StatisticsSummary; rawStatistics: Record<string, string>; simulated?: boolean }
  | { kind: 'runtimeError'; backtestId: string; error: string; stacktrace: string | null; simulated?: boolean };
