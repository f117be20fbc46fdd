import { pickMutation, selectElite, type EvaluatedVariant, type MutationWeights } from './evolution';
import type { MutationKind } from './prompts';

/**
 * The population of an evolution run: islands of elites, how parents are chosen, how islands
 * exchange their best, and what a generation achieved. Pure and deterministic given its random
 * source, so the workflow stays replayable and every decision is testable on its own.
 */

/** A uniform random number in [0, 1) (the workflow's deterministic `Math.random`, or `seededRandom`). */
export type Random = () => number;

/** A seeded uniform source in [0, 1) (mulberry32): the same seed gives the same draws, anywhere. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The draws of one generation of a run started with `seed`: a source of its own per generation, so
 * a generation's choices depend only on the seed and the generation, not on what came before (a run
 * continued as new, or resumed after a crash, draws exactly what it would have).
 */
export function generationRandom(seed: number, generation: number): Random {
  // the generation mixed into the seed (a 32-bit integer hash), so neighbouring streams are unrelated
  let h = Math.imul((seed >>> 0) ^ Math.imul(generation + 1, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return seededRandom(h ^ (h >>> 16));
}

/**
 * How parents are chosen. `elite` is evolution proper: parents come from each island's fittest.
 * `baseline` is a no-selection control for experiments: every child is a mutation of the baseline,
 * so the run is a random search around it at the same backtest budget.
 */
export type SelectionStrategy = 'elite' | 'baseline';

/** One child to propose: its island, its parent(s) and how it is made. */
export interface ProposalPlan {
  island: number;
  parents: EvaluatedVariant[];
  mutation: MutationKind | 'crossover';
}

export interface GenerationPlanInput {
  islands: EvaluatedVariant[][];
  baseline: EvaluatedVariant;
  /** Children per island. */
  variants: number;
  crossoverRate: number;
  weights: MutationWeights;
  selection: SelectionStrategy;
  random: Random;
}

/** A uniformly chosen member of a non-empty pool. */
export function pickUniform<T>(pool: readonly T[], random: Random): T {
  if (pool.length === 0) throw new Error('Cannot pick from an empty pool');
  return pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))]!;
}

/** A crossover partner for `parent`: any other member of the elite, or null when there is none. */
export function crossoverPartner(elite: readonly EvaluatedVariant[], parent: EvaluatedVariant, random: Random): EvaluatedVariant | null {
  const others = elite.filter((e) => e.variantId !== parent.variantId);
  return others.length === 0 ? null : pickUniform(others, random);
}

/** The children of one generation: per island, `variants` mutations or crossovers of its parents. */
export function planGeneration(p: GenerationPlanInput): ProposalPlan[] {
  const plans: ProposalPlan[] = [];
  p.islands.forEach((elite, island) => {
    const pool = p.selection === 'baseline' || elite.length === 0 ? [p.baseline] : elite;
    for (let k = 0; k < p.variants; k++) {
      const parent = pickUniform(pool, p.random);
      const partner = pool.length >= 2 && p.random() < p.crossoverRate ? crossoverPartner(pool, parent, p.random) : null;
      if (partner) plans.push({ island, parents: [parent, partner], mutation: 'crossover' });
      else plans.push({ island, parents: [parent], mutation: pickMutation(p.weights, p.random()) });
    }
  });
  return plans;
}

/** Each island keeps the `eliteSize` fittest of its elite and its newly evaluated children. */
export function survivors(islands: EvaluatedVariant[][], evaluated: readonly EvaluatedVariant[], eliteSize: number): EvaluatedVariant[][] {
  return islands.map((elite, island) => selectElite([...elite, ...evaluated.filter((v) => v.island === island)], eliteSize));
}

/** The island whose best migrates into island `i`: the one before it, in a ring. */
export function migrationSource(i: number, islandCount: number): number {
  return (i + islandCount - 1) % islandCount;
}

/** Islands exchange their best: each receives the best of the island before it (ring migration). */
export function migrate(islands: EvaluatedVariant[][], eliteSize: number): EvaluatedVariant[][] {
  if (islands.length < 2) return islands;
  const bests = islands.map((elite) => elite[0] ?? null);
  return islands.map((elite, i) => {
    const incoming = bests[migrationSource(i, islands.length)];
    return selectElite(incoming ? [...elite, incoming] : elite, eliteSize);
  });
}

/** The fittest program of all islands, or null before anything was evaluated. */
export function bestOf(islands: EvaluatedVariant[][]): EvaluatedVariant | null {
  return selectElite(islands.flat(), 1)[0] ?? null;
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

/** What one generation achieved: its children's fitness, failures and duplicates, and whether the best improved. */
export function summarizeGeneration(args: {
  generation: number;
  evaluated: readonly EvaluatedVariant[];
  failed: number;
  duplicates: number;
  bestBefore: number | null;
  bestAfter: number | null;
}): GenerationSummary {
  const fits = args.evaluated.map((v) => v.fitness);
  return {
    generation: args.generation,
    bestFitness: args.bestAfter,
    meanFitness: fits.length ? fits.reduce((a, b) => a + b, 0) / fits.length : null,
    evaluated: args.evaluated.length,
    failed: args.failed,
    duplicates: args.duplicates,
    improved: args.bestAfter !== null && (args.bestBefore === null || args.bestAfter > args.bestBefore + 1e-9),
  };
}
