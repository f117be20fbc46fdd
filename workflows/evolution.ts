import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  adaptWeights,
  budgetExhausted,
  DEFAULT_FITNESS,
  fitness,
  initialWeights,
  metricsLine,
  type Budget,
  type BudgetUsed,
  type EvaluatedVariant,
  type FitnessWeights,
  type MutationWeights,
  type VariantRecord,
} from '../domain/evolution';
import { aggregateWalkForward, judgeBest, tradingDays, walkForwardWindows, type EquityCurves, type OverfittingReport, type Period, type WalkForwardFold, type WalkForwardReport } from '../domain/holdout';
import type { DailyEquity } from '../domain/overfitting';
import type { StatisticsSummary, TokenCount } from '../domain/pipeline';
import { bestOf, generationRandom, migrate, planGeneration, summarizeGeneration, survivors, type GenerationSummary, type SelectionStrategy } from '../domain/population';
import type { MutationKind } from '../domain/prompts';
import { qcProjectName, qcRunTag } from '../domain/quantconnect-names';
import type { RunSettings } from '../domain/run-settings';
import { RUN_BEST_FITNESS, RUN_GENERATION } from '../domain/search-attributes';
import { backtestSlots, evaluateProgram, localStepActivities, failureOf, problemOf, type Evaluation, type EvaluationContext, type ProjectPool, type ProjectRef } from './evaluate';
import { registerEvolutionHandlers } from './evolution-handlers';
import { servicePolicies } from './policies';

export type { GenerationSummary } from '../domain/population';
export {
  evolutionStatusQuery,
  eliteQuery,
  historyQuery,
  pauseUpdate,
  resumeUpdate,
  stopUpdate,
  setBudgetUpdate,
  injectVariantSignal,
} from './evolution-handlers';

export interface EvolutionConfig {
  generations: number;
  variants: number;
  elite: number;
  patience: number;
  concurrency: number;
  islands: number;
  migrationEvery: number;
  crossoverRate: number;
  editFormat: 'search-replace' | 'full';
  targetFitness?: number;
  budget: Budget;
  fitness: FitnessWeights;
  /** The in-sample period: every backtest of selection runs over it. */
  start?: string;
  end?: string;
  /** The out-of-sample holdout, after the in-sample period; absent when the holdout is off. */
  holdout?: Period;
  /** Anchored walk-forward of the final elite over this many folds of the whole period (absent: none). */
  folds?: number;
  /** Keep the run's QuantConnect projects when it ends (they are deleted by default). */
  keepProjects?: boolean;
  /**
   * LLM proposals in flight at once; they run ahead of compiles and backtests. Default: the whole
   * generation at once (the worker's LLM concurrency limits the calls themselves).
   */
  proposalConcurrency?: number;
  /** How parents are chosen; `baseline` is a no-selection control for experiments. */
  selection?: SelectionStrategy;
  /**
   * Seeds the run's choices (parents, crossovers, mutation kinds): two runs with the same seed,
   * baseline and answers make the same choices. Absent: each run draws its own.
   */
  seed?: number;
}

export const DEFAULT_EVOLUTION: EvolutionConfig = {
  generations: 10,
  variants: 5,
  elite: 3,
  patience: 3,
  concurrency: 3,
  islands: 1,
  migrationEvery: 3,
  crossoverRate: 0.2,
  editFormat: 'search-replace',
  budget: {},
  fitness: DEFAULT_FITNESS,
};

export interface EvolutionInput {
  name: string;
  baseline: string;
  family?: string;
  config: EvolutionConfig;
  settings: RunSettings;
  /** This run replaces an earlier, closed run of the same name: the earlier run's lineage is cleared first. */
  restart?: boolean;
}

/** Everything a run carries from one generation (and one workflow execution) to the next. */
export interface EvolutionState {
  generation: number;
  islands: EvaluatedVariant[][];
  /** The scored baseline (the parent of every child under the `baseline` selection). */
  baseline: EvaluatedVariant | null;
  history: GenerationSummary[];
  used: BudgetUsed;
  weights: MutationWeights;
  stagnant: number;
  paused: boolean;
  stopRequested: boolean;
  budget: Budget;
  /** Every code hash evaluated in this run → its fitness and statistics (no second backtest). */
  evaluated: Record<string, { variantId: string; fitness: number | null; statistics: StatisticsSummary | null; backtest?: BacktestRef | null }>;
  injected: Array<{ code: string; note: string }>;
  nextVariant: number;
  /** The run's QuantConnect projects by pool slot (null until the slot's project exists). */
  projects: Array<number | null>;
  /** The best program judged in and out of sample, once the run has ended. */
  overfitting?: OverfittingReport | null;
}

export type EvolutionRunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

export interface EvolutionStatus {
  id: string;
  status: EvolutionRunStatus;
  generation: number;
  bestFitness: number | null;
  backtestsUsed: number;
  tokensUsed: number;
  tokens: TokenCount;
  inFlight: Array<{ variantId: string; stage: string }>;
  best: { variantId: string; codeHash: string; statistics: StatisticsSummary; fitness: number } | null;
  budget: Budget;
  /** A stop was asked for: nothing new starts; the steps in flight finish. */
  stopRequested: boolean;
  stopReason: string | null;
  /** The best program judged in and out of sample, once the run has ended (null before). */
  overfitting: OverfittingReport | null;
  /** The seed of the run's choices (`evolve start --seed`); absent for a run started without one. */
  seed?: number;
}

export interface EvolutionResult {
  id: string;
  status: 'completed' | 'stopped';
  reason: string;
  generation: number;
  best: EvaluatedVariant | null;
  history: GenerationSummary[];
  used: BudgetUsed;
  /** QuantConnect projects the run left in the account (asked with --keep-projects, or a deletion failed). */
  projectsKept: number[];
  /** The best program judged in and out of sample (null without a scored best). */
  overfitting?: OverfittingReport | null;
  /** The seed of the run's choices (absent for a run started without one). */
  seed?: number;
}

/** Where a backtest is, to read its charts. */
type BacktestRef = { projectId: number; backtestId: string };

type Child = { variantId: string; generation: number; island: number; parents: EvaluatedVariant[]; mutation: MutationKind | 'crossover' | 'baseline' | 'injected'; code?: string };
type ChildOutcome = { child: Child; evaluated: EvaluatedVariant | null; duplicate: boolean; failed: boolean; error: string | null };

function initialState(input: EvolutionInput): EvolutionState {
  return {
    generation: 0,
    islands: Array.from({ length: Math.max(1, input.config.islands) }, () => []),
    baseline: null,
    history: [],
    used: { backtests: 0, tokens: { input: 0, output: 0 } },
    weights: initialWeights(),
    stagnant: 0,
    paused: false,
    stopRequested: false,
    budget: input.config.budget,
    evaluated: {},
    injected: [],
    nextVariant: 1,
    projects: [],
  };
}

/**
 * An evolution run, one generation per workflow execution: propose children of the elite,
 * evaluate each on the one evaluation path (one LLM repair on a code error), select the
 * survivors, continue as new. Population decisions live in `domain/population`.
 */
export async function evolutionRun(input: EvolutionInput, carried?: EvolutionState): Promise<EvolutionResult> {
  const info = workflowInfo();
  const runId = info.workflowId;
  const cfg = input.config;
  const policies = servicePolicies(info.taskQueue, input.settings);
  const llm = proxyActivities<Activities>(policies.llm);
  const qc = proxyActivities<Activities>(policies.quantconnect);
  const local = proxyActivities<Activities>(policies.local);

  const state: EvolutionState = carried ?? { ...initialState(input), projects: [] };
  // runs started before the project pool and the kept baseline existed
  state.projects ??= [];
  if (carried && state.baseline === undefined) state.baseline = bestOf(state.islands);
  const inFlight = new Map<string, string>();
  const run = { stopReason: null as string | null, seed: cfg.seed };
  registerEvolutionHandlers(runId, state, inFlight, run);
  // executions started before pipelining proposed `concurrency` children ahead and held a project from compile to backtest end
  const pipelined = patched('pipelined-generation');
  // an evaluation alone in flight (the last of a generation) writes its records from the workflow
  // worker itself, with no server round trip; nothing runs beside it whose commands could reorder on replay
  const inWorker = localStepActivities(input.settings);
  const alone = (self: number) => inFlight.size <= self;

  const context: EvaluationContext = {
    runId,
    settings: input.settings,
    family: input.family ?? null,
    start: cfg.start,
    end: cfg.end,
    ...(cfg.holdout ? { sample: 'in-sample' as const } : {}),
    project: projectPool(state, qcRunTag(runId, info.firstExecutionRunId), cfg.concurrency),
    ...(pipelined ? { backtests: backtestSlots(cfg.concurrency), localRecords: () => alone(1) } : {}),
    reuseRecorded: true,
    known: (codeHash) => state.evaluated[codeHash]?.statistics ?? null,
    shared: new Map(),
    refusal: (next) => (state.stopRequested ? 'stopped on request' : next === 'backtest' ? budgetExhausted(state.budget, state.used) : null),
    onBacktest: () => void state.used.backtests++,
  };
  const addTokens = (t: TokenCount) => {
    state.used.tokens = { input: state.used.tokens.input + t.input, output: state.used.tokens.output + t.output };
  };
  const newId = () => `v${String(state.nextVariant++).padStart(4, '0')}`;
  /** Evaluations of the final elite on other periods (holdout, walk-forward windows), by code hash and period. */
  const periodEvaluations = new Map<string, Promise<Evaluation>>();
  let proposing = 0;

  try {
    if (!state.baseline) await scoreBaseline();
    else {
      await condition(() => !state.paused || state.stopRequested);
      if (!stopCheck()) await runGeneration();
    }
    return await nextGeneration();
  } catch (err) {
    // continuing as new keeps the projects for the next execution; any other end releases them
    if (!(err instanceof ContinueAsNew)) await CancellationScope.nonCancellable(releaseProjects);
    throw err;
  }

  async function scoreBaseline(): Promise<void> {
    if (input.restart) await local.forgetVariants({ runId });
    const [outcome] = await evaluateAll([{ variantId: newId(), generation: 0, island: 0, parents: [], mutation: 'baseline', code: input.baseline }]);
    const scored = outcome?.evaluated;
    if (!scored) {
      if (state.stopRequested) return;
      throw ApplicationFailure.nonRetryable(`The baseline could not be evaluated: ${outcome?.error ?? 'no result'}`, 'BaselineFailed');
    }
    state.baseline = scored;
    state.islands = state.islands.map(() => [scored]);
    state.history.push(summarizeGeneration({ generation: 0, evaluated: [scored], failed: 0, duplicates: 0, bestBefore: null, bestAfter: scored.fitness }));
  }

  async function runGeneration(): Promise<void> {
    const generation = state.generation + 1;
    const bestBefore = bestOf(state.islands)?.fitness ?? null;
    const plans = planGeneration({
      islands: state.islands,
      baseline: state.baseline!,
      variants: cfg.variants,
      crossoverRate: cfg.crossoverRate,
      weights: state.weights,
      selection: cfg.selection ?? 'elite',
      random: cfg.seed === undefined ? Math.random : generationRandom(cfg.seed, generation),
    });
    const children: Child[] = plans.map((p) => ({ variantId: newId(), generation, ...p }));
    for (const inj of state.injected.splice(0)) children.push({ variantId: newId(), generation, island: 0, parents: [], mutation: 'injected', code: inj.code });

    const outcomes = await evaluateAll(children);
    const evaluated = outcomes.flatMap((o) => (o.evaluated ? [o.evaluated] : []));
    state.islands = survivors(state.islands, evaluated, cfg.elite);
    if (generation % cfg.migrationEvery === 0) state.islands = migrate(state.islands, cfg.elite);
    state.weights = adaptWeights(
      state.weights,
      outcomes.flatMap((o) =>
        o.child.mutation === 'crossover' || o.child.mutation === 'injected' || o.child.mutation === 'baseline'
          ? []
          : [{ kind: o.child.mutation, improved: !!o.evaluated && o.evaluated.fitness > (o.child.parents[0]?.fitness ?? Infinity), failed: o.failed }],
      ),
    );
    const summary = summarizeGeneration({
      generation,
      evaluated,
      failed: outcomes.filter((o) => o.failed).length,
      duplicates: outcomes.filter((o) => o.duplicate).length,
      bestBefore,
      bestAfter: bestOf(state.islands)?.fitness ?? null,
    });
    state.stagnant = summary.improved ? 0 : state.stagnant + 1;
    state.history.push(summary);
    state.generation = generation;
  }

  /**
   * Evaluates a generation as a pipeline: every child is proposed at once (or `proposalConcurrency`
   * of them), at most `concurrency` compile (the project pool's size) and at most `concurrency`
   * backtest; a compiled child takes the first backtest slot that frees, while the next children
   * compile. Pausing holds new children; a stop ends them.
   */
  async function evaluateAll(children: Child[]): Promise<ChildOutcome[]> {
    const outcomes: ChildOutcome[] = [];
    const ahead = cfg.proposalConcurrency ?? (pipelined ? Math.max(1, children.length) : cfg.concurrency);
    let running = 0;
    const all: Promise<void>[] = [];
    for (const child of children) {
      await condition(() => state.stopRequested || (running < cfg.concurrency + ahead && proposing < ahead && !state.paused));
      if (state.stopRequested) break;
      running++;
      all.push(evaluateChild(child).then((o) => void (outcomes.push(o), running--)));
    }
    await Promise.all(all);
    return outcomes;
  }

  /** Proposes (unless the child's code is given), evaluates, repairs once on a code error, and records the variant. */
  async function evaluateChild(child: Child): Promise<ChildOutcome> {
    const tokens: TokenCount = { input: 0, output: 0 };
    const spend = (t: TokenCount) => {
      tokens.input += t.input;
      tokens.output += t.output;
      addTokens(t);
    };
    const stage = (s: string) => void inFlight.set(child.variantId, s);
    let code = child.code ?? '';
    let evaluation: Evaluation | null = null;
    let error: string | null = null;
    try {
      let author: { provider?: string; model?: string } = {};
      if (!child.code) {
        stage('propose');
        proposing++;
        const proposed = await llm
          .proposeVariant({
            runId,
            variantId: child.variantId,
            kind: child.mutation as MutationKind | 'crossover',
            parents: child.parents.map((p) => ({ code: p.code, metrics: metricsLine(p.statistics, p.fitness) })),
            editFormat: cfg.editFormat,
          })
          .finally(() => void proposing--);
        spend(proposed.tokens);
        code = proposed.code;
        author = { provider: proposed.provider, model: proposed.model };
      }
      let previous: { code: string; problem: NonNullable<ReturnType<typeof problemOf>> } | null = null;
      for (let attempt = 1; ; attempt++) {
        evaluation = await evaluateProgram({ code, key: child.variantId, attempt, previous, ...author }, { ...context, onStage: stage });
        code = evaluation.code;
        const problem = problemOf(evaluation);
        if (!problem || attempt >= 2 || state.stopRequested) break;
        stage('repair');
        const learned = await local.readLearnedContext({ family: input.family, problem });
        const fix = await llm.repairAlgorithm({ runId, articleKey: child.variantId, attempt, code, problem, family: input.family, learned });
        spend(fix.tokens);
        previous = { code, problem };
        code = fix.code;
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      error = failureOf(err).message;
    } finally {
      inFlight.delete(child.variantId);
    }

    const scored = evaluation?.kind === 'scored' ? evaluation : null;
    const duplicate = scored?.source === 'run' || scored?.source === 'concurrent';
    const evaluated: EvaluatedVariant | null = scored
      ? { variantId: child.variantId, generation: child.generation, island: child.island, parents: child.parents.map((p) => p.variantId), mutation: child.mutation, codeHash: scored.codeHash, code: scored.code, fitness: fitness(scored.statistics, cfg.fitness), statistics: scored.statistics }
      : null;
    if (evaluated) state.evaluated[evaluated.codeHash] ??= { variantId: child.variantId, fitness: evaluated.fitness, statistics: evaluated.statistics, backtest: backtestOf(scored) };
    const status: VariantRecord['status'] = evaluated ? (duplicate ? 'duplicate' : 'evaluated') : evaluation?.kind === 'skipped' ? 'skipped' : 'failed';
    await (pipelined && alone(0) ? inWorker : local).recordVariant({
      runId,
      variantId: child.variantId,
      generation: child.generation,
      island: child.island,
      parents: child.parents.map((p) => p.variantId),
      mutation: child.mutation,
      codeHash: evaluation?.codeHash ?? '',
      code,
      status,
      fitness: evaluated?.fitness ?? null,
      statistics: evaluated?.statistics ?? null,
      error: error ?? describe(evaluation),
      tokens,
    });
    return { child, evaluated, duplicate, failed: status === 'failed', error: error ?? describe(evaluation) };
  }

  function stopCheck(): string | null {
    if (state.stopRequested) return 'stopped on request';
    if (state.generation >= cfg.generations) return `${cfg.generations} generations done`;
    if (state.stagnant >= cfg.patience) return `no improvement for ${cfg.patience} generations`;
    const b = bestOf(state.islands);
    if (cfg.targetFitness !== undefined && b && b.fitness >= cfg.targetFitness) return `target fitness ${cfg.targetFitness} reached`;
    return budgetExhausted(state.budget, state.used);
  }

  async function nextGeneration(): Promise<EvolutionResult> {
    const b = bestOf(state.islands);
    upsertSearchAttributes([{ key: RUN_GENERATION, value: state.generation }, ...(b ? [{ key: RUN_BEST_FITNESS, value: b.fitness }] : [])]);
    const reason = stopCheck();
    if (!reason) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof evolutionRun>(input, state);
    }
    // runs that ended before this check existed replay without it
    if (b && patched('out-of-sample-check')) state.overfitting = await judgeOutOfSample(b);
    run.stopReason = reason;
    const projectsKept = await releaseProjects();
    return { id: runId, status: state.stopRequested ? 'stopped' : 'completed', reason, generation: state.generation, best: b, history: state.history, used: state.used, projectsKept, overfitting: state.overfitting ?? null, ...(cfg.seed === undefined ? {} : { seed: cfg.seed }) };
  }

  /**
   * Backtests the final elite on the holdout, then judges the best in and out of sample.
   * Only once, when the run ends: a holdout backtest per variant per generation would double the
   * run's backtest cost, and a holdout that selection watched would no longer be out of sample.
   * These backtests count against the budget (a run that used it up gets no holdout result, and
   * says so), and a program already backtested on the holdout (same code hash and period, in any
   * run) is not backtested again. The best's daily returns come from its equity charts, and with
   * `--folds` the elite goes through an anchored walk-forward.
   */
  async function judgeOutOfSample(best: EvaluatedVariant): Promise<OverfittingReport> {
    const holdout = cfg.holdout;
    const outOfSample = new Map<string, StatisticsSummary>();
    let note: string | null = holdout ? null : 'the holdout was off (--holdout 0)';
    let bestHoldoutBacktest: BacktestRef | null = null;
    const elite = finalElite();
    if (holdout) {
      for (const v of elite) {
        const e = await onPeriod(v, holdout, 'holdout');
        if (e.kind === 'scored') {
          outOfSample.set(v.codeHash, e.statistics);
          if (v.codeHash === best.codeHash) bestHoldoutBacktest = backtestOf(e);
        } else if (v.codeHash === best.codeHash) note = `the holdout backtest did not run: ${describe(e) ?? e.kind}`;
      }
    }
    // runs that ended before equity charts were read judge with normal returns
    let equity: EquityCurves | undefined;
    let equityNote: string | null = null;
    if (patched('equity-chart-returns')) {
      const inSample = await equityOf(state.evaluated[best.codeHash]?.backtest ?? null, { start: cfg.start, end: cfg.end });
      const held = holdout ? await equityOf(bestHoldoutBacktest, holdout) : { equity: [], note: null };
      equity = { inSample: inSample.equity, outOfSample: held.equity };
      equityNote = inSample.note;
    }
    const walkForward = cfg.folds && patched('walk-forward') ? await walkForwardOf(elite) : null;
    const trialSharpes = Object.values(state.evaluated).flatMap((t) => (t.statistics?.sharpeRatio !== null && t.statistics?.sharpeRatio !== undefined ? [t.statistics.sharpeRatio] : []));
    const observations = cfg.start && cfg.end ? tradingDays({ start: cfg.start, end: cfg.end }) : 0;
    const split = holdout && cfg.start && cfg.end ? { inSample: { start: cfg.start, end: cfg.end }, outOfSample: holdout } : null;
    const report = judgeBest({ best, trialSharpes, observations, split, outOfSample: outOfSample.get(best.codeHash) ?? null, outOfSampleNote: note, equity, equityNote });
    return walkForward ? { ...report, walkForward } : report;
  }

  /** The final elite: the fittest distinct programs of every island, at most `elite` of them. */
  function finalElite(): EvaluatedVariant[] {
    const seen = new Set<string>();
    return state.islands
      .flat()
      .sort((x, y) => y.fitness - x.fitness)
      .filter((v) => !seen.has(v.codeHash) && seen.add(v.codeHash))
      .slice(0, cfg.elite);
  }

  /**
   * A program's evaluation on another period than the in-sample one. Each program and period is
   * evaluated once in the run (and a backtest recorded by any run for the same code and period is
   * reused), so the holdout and the walk-forward windows never pay twice for the same backtest.
   */
  function onPeriod(v: EvaluatedVariant, period: Period, label: string): Promise<Evaluation> {
    const key = `${v.codeHash}@${period.start}..${period.end}`;
    let evaluation = periodEvaluations.get(key);
    if (!evaluation) {
      const stage = (s: string) => void inFlight.set(v.variantId, `${label} ${s}`);
      evaluation = evaluateProgram(
        { code: v.code, key: `${v.variantId}-${label}`, attempt: 1, previous: null },
        { ...context, start: period.start, end: period.end, sample: sampleOf(period), known: undefined, shared: new Map(), onStage: stage },
      ).finally(() => void inFlight.delete(v.variantId));
      periodEvaluations.set(key, evaluation);
    }
    return evaluation;
  }

  /**
   * Which side of the holdout split a period lies on, for the learning database: a walk-forward
   * window that straddles the split is neither.
   */
  function sampleOf(period: Period): 'in-sample' | 'out-of-sample' | undefined {
    const holdout = cfg.holdout;
    if (!holdout) return undefined;
    if (period.start >= holdout.start && period.end <= holdout.end) return 'out-of-sample';
    if (period.end < holdout.start) return 'in-sample';
    return undefined;
  }

  /** The daily equity curve of a backtest, or why it could not be read. */
  async function equityOf(backtest: BacktestRef | null, period: { start?: string; end?: string }): Promise<{ equity: DailyEquity[]; note: string | null }> {
    if (!backtest) return { equity: [], note: 'the backtest was recorded by an earlier run: its equity chart was not read' };
    try {
      return { equity: (await qc.readEquityCurve({ ...backtest, start: period.start, end: period.end })).equity, note: null };
    } catch (err) {
      if (isCancellation(err)) throw err;
      return { equity: [], note: `its equity chart could not be read: ${failureOf(err).message}` };
    }
  }

  /**
   * Anchored walk-forward of the final elite over the whole period (in sample and holdout): in
   * each fold the elite program with the best fitness on the growing train window is backtested
   * on the test window that follows it. Every backtest counts against the budget, and none is
   * repeated for the same program and period.
   */
  async function walkForwardOf(elite: EvaluatedVariant[]): Promise<WalkForwardReport | null> {
    const start = cfg.start;
    const end = cfg.holdout?.end ?? cfg.end;
    if (!start || !end) return { folds: [], aggregate: aggregateWalkForward([]) };
    let windows;
    try {
      windows = walkForwardWindows({ start, end }, cfg.folds!);
    } catch (err) {
      log.warn('The walk-forward windows do not fit the period', { error: (err as Error).message });
      return null;
    }
    const folds: WalkForwardFold[] = [];
    for (const w of windows) {
      let selected: { v: EvaluatedVariant; fitness: number; statistics: StatisticsSummary } | null = null;
      let note: string | null = null;
      for (const v of elite) {
        const e = w.train.start === cfg.start && w.train.end === cfg.end ? null : await onPeriod(v, w.train, `fold${w.fold}-train`);
        const statistics = e === null ? v.statistics : e.kind === 'scored' ? e.statistics : null;
        if (!statistics) {
          note = `a train backtest did not run: ${describe(e) ?? 'no result'}`;
          continue;
        }
        const f = fitness(statistics, cfg.fitness);
        if (!selected || f > selected.fitness) selected = { v, fitness: f, statistics };
      }
      let testStatistics: StatisticsSummary | null = null;
      if (selected) {
        const e = await onPeriod(selected.v, w.test, `fold${w.fold}-test`);
        if (e.kind === 'scored') testStatistics = e.statistics;
        else note = `the test backtest did not run: ${describe(e) ?? e.kind}`;
      }
      folds.push({
        ...w,
        selected: selected ? { variantId: selected.v.variantId, codeHash: selected.v.codeHash } : null,
        trainFitness: selected?.fitness ?? null,
        trainStatistics: selected?.statistics ?? null,
        testStatistics,
        note: testStatistics ? null : note,
      });
    }
    return { folds, aggregate: aggregateWalkForward(folds) };
  }

  /** Deletes the run's projects unless asked to keep them; returns the ids left in the account. */
  async function releaseProjects(): Promise<number[]> {
    const ids = state.projects.filter((id): id is number => id !== null);
    if (cfg.keepProjects || ids.length === 0) return ids;
    try {
      await qc.deleteQuantCoderProjects({ projectIds: ids });
      state.projects = [];
      return [];
    } catch (err) {
      log.warn('The run could not delete its QuantConnect projects; `quantcoder projects prune` removes them', { projectIds: ids, error: failureOf(err).message });
      return ids;
    }
  }
}

/** The backtest an evaluation ran itself (null when its statistics came from elsewhere). */
function backtestOf(e: Evaluation | null): BacktestRef | null {
  return e?.kind === 'scored' && e.source === 'backtest' && e.backtestId && e.compile ? { projectId: e.compile.projectId, backtestId: e.backtestId } : null;
}

/** What went wrong with an evaluation, for the variant's record (null when it was scored). */
function describe(e: Evaluation | null): string | null {
  if (!e) return null;
  switch (e.kind) {
    case 'scored':
      return null;
    case 'compileError':
    case 'runtimeError':
      return `${e.problem.kind}: ${e.problem.message}`;
    case 'skipped':
      return `skipped: ${e.detail}`;
    case 'failed':
      return e.message;
  }
}

/**
 * The run's QuantConnect projects: at most `size` (its concurrency), created on first use, reused
 * by later evaluations with a file update. Ids live in the run's state, so a compile never lists the
 * account, and continue-as-new keeps them.
 */
function projectPool(state: EvolutionState, runTag: string, size: number): ProjectPool {
  const free = state.projects.map((_, slot) => slot);
  const slots = new Map<ProjectRef, number>();
  return {
    async acquire() {
      let slot: number | undefined;
      // several waiters may wake on the same release: each takes a slot only if one is still there
      while (slot === undefined) {
        await condition(() => free.length > 0 || state.projects.length < size);
        slot = free.shift();
        if (slot === undefined && state.projects.length < size) slot = state.projects.push(null) - 1;
      }
      const id = state.projects[slot];
      const ref: ProjectRef = id !== null && id !== undefined ? { projectId: id } : { projectName: qcProjectName(runTag, `p${slot + 1}`) };
      slots.set(ref, slot);
      return ref;
    },
    release(ref, projectId) {
      const slot = slots.get(ref);
      if (slot === undefined) return;
      slots.delete(ref);
      if (projectId !== null) state.projects[slot] = projectId;
      free.push(slot);
    },
  };
}
