import type { StatisticsSummary, TokenCount } from './pipeline';
import { MUTATION_KINDS, type MutationKind } from './prompts';

/** Weights of the default fitness, as the original used them, plus a penalty for too few trades. */
export interface FitnessWeights {
  sharpe: number;
  drawdown: number;
  annualReturn: number;
  winRate: number;
  /** Fewer orders than this are penalised: a backtest that barely trades proves little. */
  minOrders: number;
  tooFewOrdersPenalty: number;
}

export const DEFAULT_FITNESS: FitnessWeights = {
  sharpe: 0.4,
  drawdown: 0.3,
  annualReturn: 0.2,
  winRate: 0.1,
  minOrders: 10,
  tooFewOrdersPenalty: 0.5,
};

/**
 * Fitness = w·Sharpe + w·(1 − max drawdown) + w·annual return + w·win rate, with drawdown, return
 * and win rate as fractions, minus a penalty growing as orders fall below `minOrders`.
 */
export function fitness(s: StatisticsSummary, w: FitnessWeights = DEFAULT_FITNESS): number {
  const sharpe = s.sharpeRatio ?? 0;
  const dd = (s.drawdown ?? 100) / 100;
  const ret = (s.compoundingAnnualReturn ?? 0) / 100;
  const win = (s.winRate ?? 0) / 100;
  let f = w.sharpe * sharpe + w.drawdown * (1 - dd) + w.annualReturn * ret + w.winRate * win;
  const orders = s.totalOrders ?? 0;
  if (orders < w.minOrders) f -= w.tooFewOrdersPenalty * (1 - orders / w.minOrders);
  return Math.round(f * 1e6) / 1e6;
}

export interface EvaluatedVariant {
  variantId: string;
  generation: number;
  island: number;
  parents: string[];
  mutation: string;
  codeHash: string;
  code: string;
  fitness: number;
  statistics: StatisticsSummary;
}

/** The survivors: the best `size` distinct programs (by code hash), fittest first, older first on ties. */
export function selectElite(pool: EvaluatedVariant[], size: number): EvaluatedVariant[] {
  const byHash = new Map<string, EvaluatedVariant>();
  for (const v of pool) {
    const seen = byHash.get(v.codeHash);
    if (!seen || v.fitness > seen.fitness) byHash.set(v.codeHash, v);
  }
  return [...byHash.values()].sort((a, b) => b.fitness - a.fitness || a.generation - b.generation || a.variantId.localeCompare(b.variantId)).slice(0, size);
}

export type MutationWeights = Record<MutationKind, number>;

export function initialWeights(): MutationWeights {
  return Object.fromEntries(MUTATION_KINDS.map((k) => [k, 1])) as MutationWeights;
}

/** Weights adapt to what has worked: kinds that improved on their parent gain, the rest slowly lose. */
export function adaptWeights(weights: MutationWeights, outcomes: Array<{ kind: MutationKind; improved: boolean; failed: boolean }>): MutationWeights {
  const next = { ...weights };
  for (const o of outcomes) {
    const factor = o.improved ? 1.3 : o.failed ? 0.85 : 0.95;
    next[o.kind] = Math.min(5, Math.max(0.2, next[o.kind] * factor));
  }
  return next;
}

/** Picks a mutation kind with probability proportional to its weight; `r` is uniform in [0, 1). */
export function pickMutation(weights: MutationWeights, r: number): MutationKind {
  const total = MUTATION_KINDS.reduce((s, k) => s + weights[k], 0);
  let x = r * total;
  for (const k of MUTATION_KINDS) {
    x -= weights[k];
    if (x < 0) return k;
  }
  return MUTATION_KINDS[MUTATION_KINDS.length - 1]!;
}

export interface Budget {
  maxBacktests?: number;
  maxTokens?: number;
}

export interface BudgetUsed {
  backtests: number;
  tokens: TokenCount;
}

export function budgetExhausted(budget: Budget, used: BudgetUsed): string | null {
  if (budget.maxBacktests !== undefined && used.backtests >= budget.maxBacktests) return `backtest budget of ${budget.maxBacktests} used`;
  if (budget.maxTokens !== undefined && used.tokens.input + used.tokens.output >= budget.maxTokens) return `token budget of ${budget.maxTokens} used`;
  return null;
}

export function metricsLine(s: StatisticsSummary, f?: number): string {
  const n = (v: number | null, d = 2) => (v === null ? 'n/a' : v.toFixed(d));
  return `${f !== undefined ? `fitness ${f.toFixed(3)}, ` : ''}Sharpe ${n(s.sharpeRatio)}, drawdown ${n(s.drawdown, 1)}%, annual return ${n(s.compoundingAnnualReturn, 1)}%, win rate ${n(s.winRate, 0)}%, orders ${n(s.totalOrders, 0)}`;
}

/** A variant of an evolution run and its lineage, as the learning database records it. */
export interface VariantRecord {
  runId: string;
  variantId: string;
  generation: number;
  island: number;
  parents: string[];
  mutation: string;
  codeHash: string;
  code: string;
  status: 'evaluated' | 'failed' | 'duplicate' | 'skipped';
  fitness: number | null;
  statistics: StatisticsSummary | null;
  error: string | null;
  tokens: TokenCount;
}
