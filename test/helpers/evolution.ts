import { DEFAULT_EVOLUTION, type EvolutionInput } from '../../workflows';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';

/** A small, valid momentum algorithm far from the sandbox landscape's optimum: room to climb. */
export const BASELINE = `from AlgorithmImports import *

class MomentumBaseline(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2018, 1, 1)
        self.set_end_date(2023, 12, 31)
        self.set_cash(100000)
        self.lookback = 20
        self.stop_loss = 0.3
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.mom = self.momp(self.spy, self.lookback, Resolution.DAILY)
        self.set_warm_up(self.lookback, Resolution.DAILY)

    def on_data(self, data: Slice):
        if self.is_warming_up or not self.mom.is_ready:
            return
        if self.mom.current.value > 0:
            self.set_holdings(self.spy, 1.0)
        else:
            self.liquidate(self.spy)
`;

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

