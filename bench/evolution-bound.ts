import { evolutionInput, runEvolution, type EvolutionRunRecord } from './baseline';
import { activityTimings, scheduledCount, taskCounts, type Execution } from './histories';
import { benchDeps, sandboxConfig } from './homes';
import { progress, type Lab } from './lab';
import { round, summarize, type Summary } from './stats';

const sandbox = { llmLatencyMs: 200, compileLatencyMs: 0, backtestLatencyMs: 1000, mistakeRate: 0 };

/**
 * Run i of each concurrency is started with SEEDS[i] (`evolve start --seed`): with the sandbox's
 * model answering alike, the runs of a pair make the same choices, programs and backtests, so the
 * speed-up compares equal work, and every commit's figures the same runs.
 */
const SEEDS = [1, 2, 3];

export const EVOLUTION_PARAMETERS = {
  runs: SEEDS.length,
  seeds: SEEDS,
  /** One small evolution first, not counted: the process's one-time start-up costs (parsers, interpreters) are not charged to a run. */
  warmupRuns: 1,
  generations: 3,
  variants: 8,
  concurrencies: [1, 4] as const,
  sandbox,
  /** Worker limits: enough LLM slots for a whole generation at once, backtest slots for the widest run. */
  worker: { llmConcurrency: 8, quantconnectConcurrency: 4, quantconnectPollSeconds: 0.05 },
  wallFormula: 'wall = from the start of generation 1\'s execution to the end of the last one (server clock); generation 0 (scoring the baseline, with each run\'s cold start) is reported apart',
  boundFormula:
    'bound = Σ over generations g = 1..generations of (llmLatency + compileLatency + ceil(b_g / c) × backtestLatency), ' +
    'where c = the evolution concurrency and b_g = backtests actually created in generation g (≤ variants: duplicates and failed variants need none). ' +
    'LLM proposals of a generation may all run at once (llm concurrency ≥ variants), so a generation needs one LLM latency; compileLatencyMs is 0 in the sandbox config ' +
    '(the sandbox still parses each compiled program with CPython, which shows in compileAlgorithm\'s measured time, not in the bound).',
  nominalBoundFormula: 'the issue\'s formula: generations × (llmLatency + ceil(variants / c) × backtestLatency), every variant backtested',
};

export interface GenerationCost {
  generation: number;
  backtests: number;
  llmCalls: number;
  repairs: number;
}

export interface EvolutionRunFigures {
  concurrency: number;
  /** The run's seed: the runs of both concurrencies with one seed do the same work. */
  seed?: number;
  wallSeconds: number;
  /** Generation 0: the baseline's evaluation, outside the wall above. */
  generation0Seconds: number;
  boundSeconds: number;
  nominalBoundSeconds: number;
  wallOverBound: number;
  generations: GenerationCost[];
  /** Mean milliseconds inside each activity type over generations ≥ 1 (where the wall time went). */
  meanActivityMs: Record<string, number>;
  /** Where each generation's time went beyond its bound (generations ≥ 1, in order). */
  breakdown: GenerationBreakdown[];
}

/**
 * One generation's wall split at its first backtest start and its last backtest end, each part
 * against what the bound allows for it (ms). `head` (execution start → first backtest started)
 * holds the proposals, the quality gate, the lookup and the first compile (bound: one LLM latency);
 * `backtests` (first backtest start → last backtest end) holds the waves (bound: ceil(b / c)
 * backtest latencies), of which `backtestOverrun` is the time inside runBacktest beyond the
 * latency (creation, polling) on the slowest chain and `slotIdle` the time a slot stood free while
 * backtests remained; `tail` (last backtest end → execution closed) holds the records and the
 * continue-as-new (bound: 0).
 */
export interface GenerationBreakdown {
  generation: number;
  wallMs: number;
  boundMs: number;
  headMs: number;
  backtestsMs: number;
  backtestsBoundMs: number;
  tailMs: number;
  /** Mean time inside runBacktest beyond the backtest latency. */
  backtestOverrunMs: number;
  /** Slot-milliseconds a backtest slot stood free between the first backtest start and the last backtest's start, over c. */
  slotIdleMs: number;
  /** Workflow tasks the execution ran. */
  workflowTasks: number;
}

/** Splits one generation's execution as `GenerationBreakdown` describes, from its history. */
export function generationBreakdown(exec: Execution, generation: number, c: number): GenerationBreakdown {
  const timings = activityTimings(exec);
  const backtests = timings.filter((t) => t.name === 'runBacktest').sort((x, y) => x.startedMs - y.startedMs);
  const b = backtests.length;
  const wallMs = exec.closedMs - exec.startedMs;
  const boundMs = sandbox.llmLatencyMs + sandbox.compileLatencyMs + Math.ceil(b / c) * sandbox.backtestLatencyMs;
  const workflowTasks = taskCounts(exec).workflowTasks;
  if (b === 0) return { generation, wallMs, boundMs, headMs: wallMs, backtestsMs: 0, backtestsBoundMs: 0, tailMs: 0, backtestOverrunMs: 0, slotIdleMs: 0, workflowTasks };
  const first = backtests[0]!.startedMs;
  const lastEnd = Math.max(...backtests.map((t) => t.closedMs));
  const lastStart = backtests[b - 1]!.startedMs;
  // slot-ms busy between the first and the last backtest start; the rest of c × span stood free
  const span = lastStart - first;
  const busy = backtests.reduce((sum, t) => sum + Math.max(0, Math.min(t.closedMs, lastStart) - t.startedMs), 0);
  return {
    generation,
    wallMs,
    boundMs,
    headMs: first - exec.startedMs,
    backtestsMs: lastEnd - first,
    backtestsBoundMs: Math.ceil(b / c) * sandbox.backtestLatencyMs,
    tailMs: exec.closedMs - lastEnd,
    backtestOverrunMs: Math.round(backtests.reduce((sum, t) => sum + (t.closedMs - t.startedMs - sandbox.backtestLatencyMs), 0) / b),
    slotIdleMs: Math.round(Math.max(0, c * span - busy) / c),
    workflowTasks,
  };
}

export interface EvolutionFigures {
  wallOverBound: { c1: Summary; c4: Summary };
  /** The same against the issue's nominal bound (all variants backtested). */
  wallOverNominalBound: { c1: Summary; c4: Summary };
  wallSeconds: { c1: Summary; c4: Summary };
  speedupC4overC1: Summary;
  /** What the bounds alone would allow: bound(c1) / bound(c4), nominal. */
  idealSpeedup: number;
  /**
   * What the bounds of the same runs allow, run i at concurrency 1 against run i at 4: the runs'
   * generations make different numbers of backtests (a run's selection is random, and duplicates
   * and refused variants need none), and fewer backtests leave fewer waves for concurrency to share.
   */
  boundSpeedupC4overC1?: Summary;
  runs: EvolutionRunFigures[];
}

export function generationCosts(record: EvolutionRunRecord): GenerationCost[] {
  return record.chain.map((exec, generation) => ({
    generation,
    backtests: scheduledCount(exec, 'runBacktest'),
    llmCalls: scheduledCount(exec, 'proposeVariant') + scheduledCount(exec, 'repairAlgorithm'),
    repairs: scheduledCount(exec, 'repairAlgorithm'),
  }));
}

export function boundSeconds(generations: GenerationCost[], c: number): number {
  const { llmLatencyMs, compileLatencyMs, backtestLatencyMs } = sandbox;
  const ms = generations.filter((g) => g.generation > 0).reduce((sum, g) => sum + llmLatencyMs + compileLatencyMs + Math.ceil(g.backtests / c) * backtestLatencyMs, 0);
  return ms / 1000;
}

export function nominalBoundSeconds(c: number): number {
  const { generations, variants } = EVOLUTION_PARAMETERS;
  return (generations * (sandbox.llmLatencyMs + sandbox.compileLatencyMs + Math.ceil(variants / c) * sandbox.backtestLatencyMs)) / 1000;
}

async function oneRun(lab: Lab, c: number, seed?: number, generations: number = EVOLUTION_PARAMETERS.generations, variants: number = EVOLUTION_PARAMETERS.variants): Promise<EvolutionRunFigures> {
  const { worker } = EVOLUTION_PARAMETERS;
  const deps = benchDeps(
    sandboxConfig(lab.sandbox.url, { llm: { concurrency: worker.llmConcurrency }, quantconnect: { concurrency: worker.quantconnectConcurrency, pollSeconds: worker.quantconnectPollSeconds } }),
  );
  try {
    const record = await lab.withWorkers(deps, (taskQueue) => runEvolution(lab.client, taskQueue, evolutionInput('bound', { generations, variants, concurrency: c, ...(seed === undefined ? {} : { seed }) }), `bench-evo-c${c}`));
    if (record.result.generation !== generations) throw new Error(`The evolution stopped at generation ${record.result.generation}: ${record.result.reason}`);
    const costs = generationCosts(record);
    const bound = boundSeconds(costs, c);
    const [first, ...later] = record.chain;
    const wallSeconds = (later[later.length - 1]!.closedMs - later[0]!.startedMs) / 1000;
    const inside: Record<string, number[]> = {};
    for (const t of later.flatMap(activityTimings)) (inside[t.name] ??= []).push(t.closedMs - t.startedMs);
    const meanActivityMs = Object.fromEntries(Object.entries(inside).map(([name, ms]) => [name, Math.round(ms.reduce((a, b) => a + b, 0) / ms.length)]));
    return {
      concurrency: c,
      ...(seed === undefined ? {} : { seed }),
      wallSeconds: round(wallSeconds),
      generation0Seconds: round((first!.closedMs - first!.startedMs) / 1000),
      boundSeconds: round(bound),
      nominalBoundSeconds: nominalBoundSeconds(c),
      wallOverBound: round(wallSeconds / bound),
      generations: costs,
      meanActivityMs,
      breakdown: later.map((exec, i) => generationBreakdown(exec, i + 1, c)),
    };
  } finally {
    await deps.cleanup();
  }
}

export async function measureEvolutionBound(lab: Lab): Promise<EvolutionFigures> {
  lab.resetSandbox(sandbox);
  for (let i = 0; i < EVOLUTION_PARAMETERS.warmupRuns; i++) {
    const warm = await oneRun(lab, 4, undefined, 1, 4);
    progress(`evolution warm-up: ${warm.wallSeconds.toFixed(1)} s`);
  }
  const runs: EvolutionRunFigures[] = [];
  const byC: Record<number, EvolutionRunFigures[]> = { 1: [], 4: [] };
  for (let i = 0; i < EVOLUTION_PARAMETERS.runs; i++) {
    for (const c of EVOLUTION_PARAMETERS.concurrencies) {
      const r = await oneRun(lab, c, EVOLUTION_PARAMETERS.seeds[i]);
      runs.push(r);
      byC[c]!.push(r);
      progress(
        `evolution run ${i + 1}/${EVOLUTION_PARAMETERS.runs} (seed ${r.seed}), concurrency ${c}: ${r.wallSeconds.toFixed(1)} s against a bound of ${r.boundSeconds.toFixed(1)} s ` +
          `(${r.wallOverBound.toFixed(2)}×; backtests per generation ${r.generations.slice(1).map((g) => g.backtests).join('/')}, repairs ${r.generations.reduce((s, g) => s + g.repairs, 0)}; ` +
          `mean ms in ${Object.entries(r.meanActivityMs).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
          `per generation wall/bound ms, head/backtests/tail ms: ${r.breakdown.map((g) => `${g.wallMs}/${g.boundMs} ${g.headMs}/${g.backtestsMs}/${g.tailMs}`).join(', ')})`,
      );
    }
  }
  const of = (c: number, f: (r: EvolutionRunFigures) => number) => byC[c]!.map(f);
  return {
    wallOverBound: { c1: summarize(of(1, (r) => r.wallOverBound)), c4: summarize(of(4, (r) => r.wallOverBound)) },
    wallOverNominalBound: { c1: summarize(of(1, (r) => r.wallSeconds / r.nominalBoundSeconds)), c4: summarize(of(4, (r) => r.wallSeconds / r.nominalBoundSeconds)) },
    wallSeconds: { c1: summarize(of(1, (r) => r.wallSeconds)), c4: summarize(of(4, (r) => r.wallSeconds)) },
    speedupC4overC1: summarize(byC[1]!.map((r, i) => r.wallSeconds / byC[4]![i]!.wallSeconds)),
    idealSpeedup: round(nominalBoundSeconds(1) / nominalBoundSeconds(4)),
    boundSpeedupC4overC1: summarize(byC[1]!.map((r, i) => r.boundSeconds / byC[4]![i]!.boundSeconds)),
    runs,
  };
}
