import { DEFAULT_EVOLUTION, type EvolutionInput } from '../../workflows';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { BASELINE } from '../../bench/baseline';

export { BASELINE };

/** A small evolution run of the baseline, fast enough for tests. */
export function evolutionInput(name: string, over: Partial<EvolutionInput['config']> = {}): EvolutionInput {
  return {
    name,
    baseline: BASELINE,
    family: 'momentum',
    settings: DEFAULT_RUN_SETTINGS,
    config: { ...DEFAULT_EVOLUTION, generations: 3, variants: 3, elite: 2, patience: 5, concurrency: 3, ...over },
  };
}

