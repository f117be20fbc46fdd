import { STRATEGY_FAMILIES, type StrategyFamily } from '../../domain/strategy';
import { FAMILY_OPTIMA, LANDSCAPES, analyseAlgorithm, detectFamily, syntheticStatistics } from '../../sandbox/landscape';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';

function algorithm(family: StrategyFamily, parameters: Record<string, number> = {}): string {
  return renderAlgorithm({ family, title: `Test ${family}`, parameters: planParameters(family, parameters), extraParameters: [], tickers: [], resolution: 'daily' });
}

function sharpe(code: string, params?: Record<string, string>): number {
  return Number(syntheticStatistics(code, params).statistics['Sharpe Ratio']);
}

describe('the synthetic backtest landscape', () => {
  it('publishes its optimum per family', () => {
    expect(FAMILY_OPTIMA.momentum).toEqual({ lookback: 126, stop_loss: 0.08, rebalance_days: 10 });
    for (const family of STRATEGY_FAMILIES) expect(Object.keys(FAMILY_OPTIMA[family]).length).toBeGreaterThan(0);
  });

  it('gives the same statistics to code differing only in comments and spacing', () => {
    const code = algorithm('momentum');
    const reformatted = code
      .replace('self.lookback = 252', 'self.lookback=252   # twelve months')
      .replace('def on_data(self, data: Slice):', '# the daily handler\n    def on_data(self,data:Slice):\n')
      .replace(/\n/g, '\n\n');
    expect(reformatted).not.toBe(code);
    expect(syntheticStatistics(reformatted).statistics).toEqual(syntheticStatistics(code).statistics);
    expect(syntheticStatistics(reformatted).totalPerformance).toEqual(syntheticStatistics(code).totalPerformance);
  });

  it.each(STRATEGY_FAMILIES.map((f) => [f]))('%s: moving the parameters toward the optimum raises the Sharpe ratio', (family) => {
    const specs = LANDSCAPES[family].params;
    const paper = Object.fromEntries(specs.map((s) => [s.name, s.paperValue]));
    const far = Object.fromEntries(specs.map((s) => [s.name, s.scale === 'log' ? s.optimum * 2.5 : s.optimum + 2 * s.width]));
    // plain values (three significant digits): finely tuned ones are the landscape's overfitting trap
    const plain = (x: number) => Number(x.toPrecision(3));
    const halfway = Object.fromEntries(specs.map((s) => [s.name, plain(s.scale === 'log' ? Math.sqrt(far[s.name]! * s.optimum) : (far[s.name]! + s.optimum) / 2)]));
    const best = Object.fromEntries(specs.map((s) => [s.name, s.optimum]));
    const [sFar, sHalf, sBest, sPaper] = [far, halfway, best, paper].map((p) => sharpe(algorithm(family, p)));
    expect(sFar).toBeLessThan(sHalf!);
    expect(sHalf).toBeLessThan(sBest!);
    expect(sPaper).toBeLessThanOrEqual(sBest!);
    // one parameter at a time, too
    for (const spec of specs) {
      const moved = { ...far, [spec.name]: spec.optimum };
      expect(sharpe(algorithm(family, moved))).toBeGreaterThan(sFar!);
    }
  });

  it('rewards the momentum optimum of lookback 126 and stop 0.08 over the paper values', () => {
    const paper = sharpe(algorithm('momentum', { lookback: 252, stop_loss: 0.1 }));
    const better = sharpe(algorithm('momentum', { lookback: 150, stop_loss: 0.09 }));
    const best = sharpe(algorithm('momentum', { lookback: 126, stop_loss: 0.08, rebalance_days: 10 }));
    expect(paper).toBeLessThan(better);
    expect(better).toBeLessThan(best);
    expect(best).toBeGreaterThan(1.4);
  });

  it('reports every statistic as a string in LEAN formats', () => {
    const { statistics, runtimeStatistics, totalPerformance } = syntheticStatistics(algorithm('trend'));
    for (const key of ['Total Orders', 'Average Win', 'Average Loss', 'Compounding Annual Return', 'Drawdown', 'Expectancy', 'Net Profit', 'Sharpe Ratio', 'Sortino Ratio', 'Probabilistic Sharpe Ratio', 'Loss Rate', 'Win Rate', 'Profit-Loss Ratio', 'Alpha', 'Beta', 'Annual Standard Deviation', 'Annual Variance', 'Information Ratio', 'Tracking Error', 'Treynor Ratio', 'Total Fees', 'Estimated Strategy Capacity', 'Lowest Capacity Asset', 'Portfolio Turnover']) {
      expect(typeof statistics[key]).toBe('string');
    }
    expect(statistics['Compounding Annual Return']).toMatch(/^-?\d+\.\d{3}%$/);
    expect(statistics.Drawdown).toMatch(/^\d+\.\d{3}%$/);
    expect(statistics['Sharpe Ratio']).toMatch(/^-?\d+\.\d{3}$/);
    expect(statistics['Win Rate']).toMatch(/^\d+%$/);
    expect(statistics['Total Fees']).toMatch(/^\$\d+\.\d{2}$/);
    expect(statistics['Estimated Strategy Capacity']).toMatch(/^\$\d+\.00$/);
    expect(Number(statistics['Win Rate']!.slice(0, -1)) + Number(statistics['Loss Rate']!.slice(0, -1))).toBe(100);
    expect(runtimeStatistics.Equity).toMatch(/^\$\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(runtimeStatistics.Fees).toMatch(/^-\$\d+\.\d{2}$/);
    expect(runtimeStatistics.Return).toMatch(/^-?\d+\.\d{2} %$/);
    const portfolio = (totalPerformance as { portfolioStatistics: Record<string, string> }).portfolioStatistics;
    expect(portfolio.sharpeRatio).toBe(String(Number(statistics['Sharpe Ratio'])));
    expect(typeof portfolio.compoundingAnnualReturn).toBe('string');
  });

  it('detects the family from the header, else from the indicators and names used', () => {
    expect(detectFamily('# family: pairs\nclass A(QCAlgorithm): pass').family).toBe('pairs');
    const withoutHeader = algorithm('mean_reversion').replace(/# family: \w+\n/, '');
    expect(detectFamily(withoutHeader)).toEqual({ family: 'mean_reversion', source: 'keywords' });
    expect(detectFamily(algorithm('trend').replace(/# family: \w+\n/, '')).family).toBe('trend');
    expect(detectFamily(algorithm('pairs').replace(/# family: \w+\n/, '')).family).toBe('pairs');
    expect(detectFamily('x = 1').family).toBe('other');
  });

  it('reads parameters from assignments, indicator periods and backtest parameters', () => {
    const code = [
      '# family: trend',
      'stop_loss = 12 * 0.01',
      'class A(QCAlgorithm):',
      '    def initialize(self):',
      '        self.fast = self.ema("SPY", 30, Resolution.DAILY)',
      '        self.slow = self.ema("SPY", 120, Resolution.DAILY)',
      '        self.set_warm_up(120)',
    ].join('\n');
    const features = analyseAlgorithm(code);
    expect(features.parameters).toEqual({ fast_period: 30, slow_period: 120, stop_loss: 0.12 });
    expect(features.indicators).toEqual(['ema']);
    const tunable = '# family: momentum\nclass A(QCAlgorithm):\n    def initialize(self):\n        self.lookback = int(self.get_parameter("lookback", 252))\n';
    expect(analyseAlgorithm(tunable).parameters.lookback).toBe(252);
    expect(analyseAlgorithm(tunable, { lookback: '126' }).parameters.lookback).toBe(126);
    expect(sharpe(tunable, { lookback: '126' })).toBeGreaterThan(sharpe(tunable));
  });

  const withPeriod = (code: string, start: [number, number, number], end: [number, number, number]) =>
    code.replace(/self\.set_start_date\([^)]*\)/, `self.set_start_date(${start.join(', ')})`).replace(/self\.set_end_date\([^)]*\)/, `self.set_end_date(${end.join(', ')})`);
  const netProfit = (code: string) => Number(syntheticStatistics(code).statistics['Net Profit']!.replace('%', '')) / 100;

  it('gives different statistics over different periods, and echoes the period tested', () => {
    const code = algorithm('factor');
    const periods = [withPeriod(code, [2010, 1, 1], [2012, 12, 31]), withPeriod(code, [2015, 1, 1], [2017, 12, 31]), withPeriod(code, [2019, 1, 1], [2021, 12, 31])];
    const sharpes = periods.map((c) => syntheticStatistics(c).statistics['Sharpe Ratio']);
    expect(new Set(sharpes).size).toBe(3);
    const moved = withPeriod(code, [2005, 6, 1], [2008, 6, 30]);
    expect(analyseAlgorithm(moved).startDate).toBe('2005-06-01 00:00:00');
    expect((syntheticStatistics(moved).totalPerformance as { tradeStatistics: { startDateTime: string; endDateTime: string } }).tradeStatistics).toMatchObject({
      startDateTime: '2005-06-01T00:00:00Z',
      endDateTime: '2008-06-30T00:00:00Z',
    });
    // a longer period trades more
    expect(Number(syntheticStatistics(withPeriod(code, [2010, 1, 1], [2019, 12, 31])).statistics['Total Orders'])).toBeGreaterThan(Number(syntheticStatistics(periods[0]!).statistics['Total Orders']));
  });

  it('keeps sub-periods consistent with the whole: the net profits of two halves compound to the whole one', () => {
    const code = algorithm('momentum');
    const whole = netProfit(withPeriod(code, [2016, 1, 1], [2021, 12, 31]));
    const first = netProfit(withPeriod(code, [2016, 1, 1], [2018, 12, 31]));
    const second = netProfit(withPeriod(code, [2019, 1, 1], [2021, 12, 31]));
    expect((1 + first) * (1 + second) - 1).toBeCloseTo(whole, 4);
    expect(first).not.toBeCloseTo(second, 3);
  });

  it('ranks programs the same way within any one period: the market is common to all of them', () => {
    const paper = algorithm('momentum', { lookback: 252, stop_loss: 0.1 });
    const best = algorithm('momentum', { lookback: 126, stop_loss: 0.08, rebalance_days: 10 });
    for (const [start, end] of [
      [[2008, 1, 1], [2009, 12, 31]],
      [[2012, 1, 1], [2012, 12, 31]],
      [[2020, 1, 1], [2022, 12, 31]],
    ] as Array<[[number, number, number], [number, number, number]]>) {
      expect(sharpe(withPeriod(best, start, end))).toBeGreaterThan(sharpe(withPeriod(paper, start, end)));
    }
  });
});
