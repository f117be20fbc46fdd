import { defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { selectElite, type Budget, type EvaluatedVariant } from '../domain/evolution';
import { bestOf, type GenerationSummary } from '../domain/population';
import type { EvolutionState, EvolutionStatus } from './evolution';

/** How an evolution run is watched and steered: queries, updates and the injection signal. */
export const evolutionStatusQuery = defineQuery<EvolutionStatus>('evolutionStatus');
export const eliteQuery = defineQuery<EvaluatedVariant[]>('elite');
export const historyQuery = defineQuery<GenerationSummary[]>('generationHistory');
export const pauseUpdate = defineUpdate<EvolutionStatus>('pause');
export const resumeUpdate = defineUpdate<EvolutionStatus>('resume');
/** After a stop is accepted nothing new starts (no proposal, repair, compile or backtest); the steps in flight finish. */
export const stopUpdate = defineUpdate<EvolutionStatus>('stop');
export const setBudgetUpdate = defineUpdate<EvolutionStatus, [Budget]>('setBudget');
export const injectVariantSignal = defineSignal<[{ code: string; note?: string }]>('injectVariant');

/** Installs the handlers over the run's state; `inFlight` maps each variant being evaluated to its stage. */
export function registerEvolutionHandlers(runId: string, state: EvolutionState, inFlight: Map<string, string>, run: { stopReason: string | null; seed?: number }): void {
  const status = (): EvolutionStatus => {
    const b = bestOf(state.islands);
    return {
      id: runId,
      status: run.stopReason ? (state.stopRequested ? 'stopped' : 'completed') : state.paused ? 'paused' : 'running',
      generation: state.generation,
      bestFitness: b?.fitness ?? null,
      backtestsUsed: state.used.backtests,
      tokensUsed: state.used.tokens.input + state.used.tokens.output,
      tokens: state.used.tokens,
      inFlight: [...inFlight].map(([variantId, stage]) => ({ variantId, stage })),
      best: b ? { variantId: b.variantId, codeHash: b.codeHash, statistics: b.statistics, fitness: b.fitness } : null,
      budget: state.budget,
      stopRequested: state.stopRequested,
      overfitting: state.overfitting ?? null,
      stopReason: run.stopReason,
      ...(run.seed === undefined ? {} : { seed: run.seed }),
    };
  };
  setHandler(evolutionStatusQuery, status);
  setHandler(eliteQuery, () => selectElite(state.islands.flat(), Number.MAX_SAFE_INTEGER));
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
}
