/**
 * A small, valid LEAN momentum algorithm for the CLI tests: a user's own file, named after its
 * class (runs are named after it).
 */
export function momentumAlgorithm(className = 'MomentumBaseline'): string {
  return `from AlgorithmImports import *


class ${className}(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2018, 1, 1)
        self.set_end_date(2022, 12, 31)
        self.set_cash(100000)
        self.spy = self.add_equity('SPY', Resolution.DAILY).symbol
        self.lookback = 60
        self.mom = self.momp(self.spy, self.lookback, Resolution.DAILY)
        self.set_warm_up(self.lookback)

    def on_data(self, data):
        if self.is_warming_up or not self.mom.is_ready:
            return
        if self.mom.current.value > 0:
            self.set_holdings(self.spy, 1.0)
        else:
            self.liquidate(self.spy)
`;
}
