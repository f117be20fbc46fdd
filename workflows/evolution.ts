import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
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
  pickMutation,
  selectElite,
  type Budget,
  type BudgetUsed,
  type EvaluatedVariant,
  type FitnessWeights,
  type MutationWeights,
} from '../domain/evolution';
import type { StatisticsSummary, TokenCount, CodeProblem } from '../domain/pipeline';
import type { MutationKind } from '../domain/prompts';
import type { RunSettings } from '../domain/run-settings';
import { RUN_BEST_FITNESS, RUN_GENERATION } from '../domain/search-attributes';
import { failureOf } from './article';
import { servicePolicies } from './policies';

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
  start?: string;
  end?: string;
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
}

export interface GenerationSummary {
  generation: number;
  bestFitness: number | null;
  meanFitness: number | null;
  evaluated: number;
  failed: number;
  duplicates: number;
  improved: boolean;
}

/** Everything a run carries from one generation (and one workflow execution) to the next. */
export interface EvolutionState {
  generation: number;
  islands: EvaluatedVariant[][];
  history: GenerationSummary[];
  used: BudgetUsed;
  weights: MutationWeights;
  stagnant: number;
  paused: boolean;
  stopRequested: boolean;
  budget: Budget;
  /** Every code hash evaluated in this run → its fitness and statistics (no second backtest). */
  evaluated: Record<string, { variantId: string; fitness: number | null; statistics: StatisticsSummary | null }>;
  injected: Array<{ code: string; note: string }>;
  nextVariant: number;
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
  /** A stop was asked for: the run ends after the current generation. */
  stopRequested: boolean;
  stopReason: string | null;
}

export interface EvolutionResult {
  id: string;
  status: 'completed' | 'stopped';
  reason: string;
  generation: number;
  best: EvaluatedVariant | null;
  history: GenerationSummary[];
  used: BudgetUsed;
}

export const evolutionStatusQuery = defineQuery<EvolutionStatus>('evolutionStatus');
export const eliteQuery = defineQuery<EvaluatedVariant[]>('elite');
export const historyQuery = defineQuery<GenerationSummary[]>('generationHistory');
export const pauseUpdate = defineUpdate<EvolutionStatus>('pause');
export const resumeUpdate = defineUpdate<EvolutionStatus>('resume');
export const stopUpdate = defineUpdate<EvolutionStatus>('stop');
export const setBudgetUpdate = defineUpdate<EvolutionStatus, [Budget]>('setBudget');
export const injectVariantSignal = defineSignal<[{ code: string; note?: string }]>('injectVariant');

function initialState(input: EvolutionInput): EvolutionState {
  return {
    generation: 0,
    islands: Array.from({ length: Math.max(1, input.config.islands) }, () => []),
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
  };
}

type Child = { variantId: string; generation: number; island: number; parents: EvaluatedVariant[]; mutation: MutationKind | 'crossover' | 'baseline' | 'injected'; code?: string };
type ChildOutcome = { child: Child; evaluated: EvaluatedVariant | null; duplicate: boolean; failed: boolean; error: string | null };

/**
 * An evolution run: generation 0 scores the baseline; each later generation proposes variants of
 * the elite (mutations as targeted edits, and crossovers), sends each through the evaluation
 * cascade (syntax → lint → compile → backtest, one repair on failure), keeps the fittest, and
 * continues as new with its state, so history stays bounded however long the run.
 */
export async function evolutionRun(input: EvolutionInput, carried?: EvolutionState): Promise<EvolutionResult> {
  const info = workflowInfo();
  const runId = info.workflowId;
  const cfg = input.config;
  const policies = servicePolicies(info.taskQueue, input.settings);
  const llm = proxyActivities<Activities>(policies.llm);
  const qc = proxyActivities<Activities>(policies.quantconnect);
  const backtester = proxyActivities<Activities>(policies.backtest);
  const local = proxyActivities<Activities>(policies.local);

  const state: EvolutionState = carried ?? initialState(input);
  const inFlight = new Map<string, string>();
  let stopReason: string | null = null;

  const best = (): EvaluatedVariant | null => selectElite(state.islands.flat(), 1)[0] ?? null;
  const status = (): EvolutionStatus => {
    const b = best();
    return {
      id: runId,
      status: stopReason ? (state.stopRequested ? 'stopped' : 'completed') : state.paused ? 'paused' : 'running',
      generation: state.generation,
      bestFitness: b?.fitness ?? null,
      backtestsUsed: state.used.backtests,
      tokensUsed: state.used.tokens.input + state.used.tokens.output,
      tokens: state.used.tokens,
      inFlight: [...inFlight].map(([variantId, stage]) => ({ variantId, stage })),
      best: b ? { variantId: b.variantId, codeHash: b.codeHash, statistics: b.statistics, fitness: b.fitness } : null,
      budget: state.budget,
      stopRequested: state.stopRequested,
      stopReason,
    };
  };
  setHandler(evolutionStatusQuery, status);
  setHandler(eliteQuery, () => state.islands.flat().sort((a, b) => b.fitness - a.fitness));
  setHandler(historyQuery, () => state.history);
  setHandler(pauseUpdate, () => ((state.paused = true), status()), {
    validator: () => {
      if (state.stopRequested) throw new Error('The run is stopping; it cannot be paused');
      if (state.paused) throw new Error('The run is already paused');
    },
  });
  setHandler(resumeUpdate, () => ((state.paused = false), status()), {
    validator: () => {
      if (!state.paused) throw new Error('The run is not paused');
    },
  });
  setHandler(stopUpdate, () => ((state.stopRequested = true), (state.paused = false), status()), {
    validator: () => {
      if (state.stopRequested) throw new Error('A stop was already requested');
    },
  });
  setHandler(setBudgetUpdate, (budget) => ((state.budget = { ...state.budget, ...budget }), status()), {
    validator: (budget) => {
      for (const [k, v] of Object.entries(budget)) {
        if (k !== 'maxBacktests' && k !== 'maxTokens') throw new Error(`Unknown budget "${k}" (valid: maxBacktests, maxTokens)`);
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) throw new Error(`${k} must be a positive whole number`);
      }
    },
  });
  setHandler(injectVariantSignal, ({ code, note }) => void state.injected.push({ code, note: note ?? 'injected by hand' }));

  const addTokens = (t: TokenCount) => {
    state.used.tokens = { input: state.used.tokens.input + t.input, output: state.used.tokens.output + t.output };
  };

  // Evaluations of the same code hash share one result; in flight ones are awaited, not repeated.
  const pending = new Map<string, Promise<{ fitness: number | null; statistics: StatisticsSummary | null; error: string | null }>>();

  const backtestOnce = (codeHash: string, code: string, variantId: string) => {
    let p = pending.get(codeHash);
    if (!p) {
      p = (async () => {
        const known = state.evaluated[codeHash];
        if (known) return { fitness: known.fitness, statistics: known.statistics, error: null };
        const earlier = await local.findBacktestedCode({ codeHash, start: cfg.start, end: cfg.end });
        if (earlier) return { fitness: fitness(earlier.statistics, cfg.fitness), statistics: earlier.statistics, error: null };
        inFlight.set(variantId, 'compile');
        const compiled = await qc.compileAlgorithm({ projectName: `${runId}-${variantId}`, code });
        if (!compiled.compiled) return { fitness: null, statistics: null, error: `compile: ${compiled.logs.join('\n') || 'build failed'}` };
        const exhausted = budgetExhausted(state.budget, state.used);
        if (exhausted) return { fitness: null, statistics: null, error: `skipped: ${exhausted}` };
        inFlight.set(variantId, 'backtest');
        state.used.backtests++;
        const bt = await backtester.runBacktest({ projectId: compiled.projectId, compileId: compiled.compileId, backtestName: `${runId}-${variantId}` });
        if (bt.kind === 'runtimeError') return { fitness: null, statistics: null, error: `runtime: ${bt.error}\n${bt.stacktrace ?? ''}`.trim() };
        await local.recordBacktest({ runId, codeHash, family: input.family ?? null, backtestId: bt.backtestId, projectId: compiled.projectId, start: cfg.start, end: cfg.end, statistics: bt.statistics, rawStatistics: bt.rawStatistics });
        return { fitness: fitness(bt.statistics, cfg.fitness), statistics: bt.statistics, error: null };
      })();
      pending.set(codeHash, p);
    }
    return p;
  };

  /** The cascade: syntax → lint with fixes → compile → backtest; one LLM repair on an early failure. */
  const evaluate = async (child: Child): Promise<ChildOutcome> => {
    const tokens: TokenCount = { input: 0, output: 0 };
    const record = async (o: ChildOutcome, codeHash: string, code: string) => {
      await local.recordVariant({
        runId,
        variantId: child.variantId,
        generation: child.generation,
        island: child.island,
        parents: child.parents.map((p) => p.variantId),
        mutation: child.mutation,
        codeHash,
        code,
        status: o.evaluated ? (o.duplicate ? 'duplicate' : 'evaluated') : o.error?.startsWith('skipped') ? 'skipped' : 'failed',
        fitness: o.evaluated?.fitness ?? null,
        statistics: o.evaluated?.statistics ?? null,
        error: o.error,
        tokens,
      });
      return o;
    };
    let code = child.code ?? '';
    let codeHash = '';
    try {
      if (!child.code) {
        inFlight.set(child.variantId, 'propose');
        const proposed = await llm.proposeVariant({
          runId,
          variantId: child.variantId,
          kind: child.mutation as MutationKind | 'crossover',
          parents: child.parents.map((p) => ({ code: p.code, metrics: metricsLine(p.statistics, p.fitness) })),
          editFormat: cfg.editFormat,
        });
        tokens.input += proposed.tokens.input;
        tokens.output += proposed.tokens.output;
        addTokens(proposed.tokens);
        code = proposed.code;
      }
      for (let repaired = false; ; repaired = true) {
        inFlight.set(child.variantId, 'check');
        const check = await local.checkAlgorithm({ code, start: cfg.start, end: cfg.end });
        code = check.code;
        codeHash = check.codeHash;
        let problem: CodeProblem | null = check.problem;
        let result: { fitness: number | null; statistics: StatisticsSummary | null; error: string | null } | null = null;
        const duplicate = !problem && (state.evaluated[codeHash] !== undefined || pending.has(codeHash));
        if (!problem) {
          result = await backtestOnce(codeHash, code, child.variantId);
          if (result.error?.startsWith('compile: ')) problem = { kind: 'compile', message: result.error.slice(9) };
          else if (result.error?.startsWith('runtime: ')) problem = { kind: 'runtime', message: result.error.slice(9) };
        }
        if (result && result.fitness !== null && result.statistics) {
          state.evaluated[codeHash] = { variantId: child.variantId, fitness: result.fitness, statistics: result.statistics };
          const evaluated: EvaluatedVariant = { variantId: child.variantId, generation: child.generation, island: child.island, parents: child.parents.map((p) => p.variantId), mutation: child.mutation, codeHash, code, fitness: result.fitness, statistics: result.statistics };
          return await record({ child, evaluated, duplicate, failed: false, error: null }, codeHash, code);
        }
        if (result?.error?.startsWith('skipped')) return await record({ child, evaluated: null, duplicate: false, failed: false, error: result.error }, codeHash, code);
        if (!problem || repaired) return await record({ child, evaluated: null, duplicate: false, failed: true, error: problem ? `${problem.kind}: ${problem.message}` : result?.error ?? 'failed' }, codeHash, code);
        pending.delete(codeHash); // the repaired code is a different program
        inFlight.set(child.variantId, 'repair');
        const fix = await llm.repairAlgorithm({ runId, articleKey: child.variantId, attempt: 1, code, problem, family: input.family });
        tokens.input += fix.tokens.input;
        tokens.output += fix.tokens.output;
        addTokens(fix.tokens);
        code = fix.code;
      }
    } catch (err) {
      return await record({ child, evaluated: null, duplicate: false, failed: true, error: failureOf(err).message }, codeHash, code);
    } finally {
      inFlight.delete(child.variantId);
    }
  };

  /** Runs evaluations with at most `concurrency` in flight, pausing between launches when asked. */
  const evaluateAll = async (children: Child[]): Promise<ChildOutcome[]> => {
    const outcomes: ChildOutcome[] = new Array(children.length);
    let running = 0;
    const all: Promise<void>[] = [];
    for (let i = 0; i < children.length; i++) {
      await condition(() => running < cfg.concurrency && !state.paused);
      running++;
      all.push(
        evaluate(children[i]!).then((o) => {
          outcomes[i] = o;
          running--;
        }),
      );
    }
    await Promise.all(all);
    return outcomes;
  };

  const newId = () => `v${String(state.nextVariant++).padStart(4, '0')}`;

  // Generation 0: the baseline itself is scored.
  if (state.generation === 0 && state.history.length === 0) {
    const [outcome] = await evaluateAll([{ variantId: newId(), generation: 0, island: 0, parents: [], mutation: 'baseline', code: input.baseline }]);
    if (!outcome!.evaluated) throw ApplicationFailure.nonRetryable(`The baseline could not be evaluated: ${outcome!.error}`, 'BaselineFailed');
    state.islands = state.islands.map(() => [outcome!.evaluated!]);
    state.history.push({ generation: 0, bestFitness: outcome!.evaluated.fitness, meanFitness: outcome!.evaluated.fitness, evaluated: 1, failed: 0, duplicates: 0, improved: true });
    return await nextGeneration();
  }

  await condition(() => !state.paused || state.stopRequested);
  const reason = stopCheck();
  if (reason) return finish(reason);

  const generation = state.generation + 1;
  const bestBefore = best()?.fitness ?? Number.NEGATIVE_INFINITY;
  const children: Child[] = [];
  state.islands.forEach((elite, island) => {
    for (let k = 0; k < cfg.variants; k++) {
      const parent = elite[Math.floor(Math.random() * elite.length)]!;
      if (elite.length >= 2 && Math.random() < cfg.crossoverRate) {
        const other = elite.filter((e) => e.variantId !== parent.variantId)[Math.floor(Math.random() * (elite.length - 1))]!;
        children.push({ variantId: newId(), generation, island, parents: [parent, other], mutation: 'crossover' });
      } else {
        children.push({ variantId: newId(), generation, island, parents: [parent], mutation: pickMutation(state.weights, Math.random()) });
      }
    }
  });
  for (const inj of state.injected.splice(0)) children.push({ variantId: newId(), generation, island: 0, parents: [], mutation: 'injected', code: inj.code });

  const outcomes = await evaluateAll(children);
  const evaluated = outcomes.filter((o) => o.evaluated).map((o) => o.evaluated!);
  state.islands = state.islands.map((elite, island) => selectElite([...elite, ...evaluated.filter((v) => v.island === island)], cfg.elite));
  if (state.islands.length > 1 && generation % cfg.migrationEvery === 0) {
    // islands exchange their best: each island receives the best of the one before it
    const bests = state.islands.map((e) => e[0]).filter((v): v is EvaluatedVariant => !!v);
    state.islands = state.islands.map((elite, i) => selectElite([...elite, ...(bests[(i + bests.length - 1) % bests.length] ? [bests[(i + bests.length - 1) % bests.length]!] : [])], cfg.elite));
  }
  state.weights = adaptWeights(
    state.weights,
    outcomes
      .filter((o) => o.child.mutation !== 'crossover' && o.child.mutation !== 'injected' && o.child.mutation !== 'baseline')
      .map((o) => ({ kind: o.child.mutation as MutationKind, improved: !!o.evaluated && o.evaluated.fitness > (o.child.parents[0]?.fitness ?? Infinity), failed: o.failed })),
  );
  const bestAfter = best()?.fitness ?? Number.NEGATIVE_INFINITY;
  const improved = bestAfter > bestBefore + 1e-9;
  state.stagnant = improved ? 0 : state.stagnant + 1;
  const fits = evaluated.map((v) => v.fitness);
  state.history.push({
    generation,
    bestFitness: Number.isFinite(bestAfter) ? bestAfter : null,
    meanFitness: fits.length ? fits.reduce((a, b) => a + b, 0) / fits.length : null,
    evaluated: evaluated.length,
    failed: outcomes.filter((o) => o.failed).length,
    duplicates: outcomes.filter((o) => o.duplicate).length,
    improved,
  });
  state.generation = generation;
  return await nextGeneration();

  function stopCheck(): string | null {
    if (state.stopRequested) return 'stopped on request';
    if (state.generation >= cfg.generations) return `${cfg.generations} generations done`;
    if (state.stagnant >= cfg.patience) return `no improvement for ${cfg.patience} generations`;
    const b = best();
    if (cfg.targetFitness !== undefined && b && b.fitness >= cfg.targetFitness) return `target fitness ${cfg.targetFitness} reached`;
    return budgetExhausted(state.budget, state.used);
  }

  async function nextGeneration(): Promise<EvolutionResult> {
    const b = best();
    upsertSearchAttributes([
      { key: RUN_GENERATION, value: state.generation },
      ...(b ? [{ key: RUN_BEST_FITNESS, value: b.fitness }] : []),
    ]);
    const reason = stopCheck();
    if (reason) return finish(reason);
    await condition(allHandlersFinished);
    return continueAsNew<typeof evolutionRun>(input, state);
  }

  function finish(reason: string): EvolutionResult {
    stopReason = reason;
    return { id: runId, status: state.stopRequested ? 'stopped' : 'completed', reason, generation: state.generation, best: best(), history: state.history, used: state.used };
  }
}
