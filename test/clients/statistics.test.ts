import { parseBacktestStatistics, parseRuntimeStatistics, parseStatValue, parseTotalPerformance } from '../../domain/statistics';

describe('LEAN statistics strings', () => {
  it.each([
    ['27.145%', 27.145],
    ['2.200%', 2.2],
    ['0%', 0],
    ['55%', 55],
    ['4.27 %', 4.27],
    ['-3.528', -3.528],
    ['$3.44', 3.44],
    ['$104,272.21', 104272.21],
    ['$-1.30', -1.3],
    ['-$1.30', -1.3],
    ['$56000000.00', 56000000],
    ['(12.5)', -12.5],
    ['1.5E-05', 0.000015],
    ['  0.981 ', 0.981],
  ])('read %j as %d', (text, expected) => {
    expect(parseStatValue(text)).toBeCloseTo(expected, 10);
  });

  it.each([['79228162514264337593543950335'], ['-79228162514264337593543950335'], [''], ['NaN'], ['∞'], ['n/a'], ['1,2345'], ['12%%'], [null], [{}]])(
    'read %j as null instead of throwing',
    (text) => {
      expect(parseStatValue(text)).toBeNull();
    },
  );

  it('turns a finished backtest statistics object into numbers, keeping percent units', () => {
    const stats = parseBacktestStatistics({
      'Total Orders': '113',
      'Average Win': '1.02%',
      'Average Loss': '-0.67%',
      'Compounding Annual Return': '27.145%',
      Drawdown: '12.300%',
      Expectancy: '0.412',
      'Start Equity': '100000',
      'End Equity': '$104,272.21',
      'Net Profit': '4.272%',
      'Sharpe Ratio': '-3.528',
      'Sortino Ratio': '79228162514264337593543950335',
      'Probabilistic Sharpe Ratio': '12.345%',
      'Loss Rate': '45%',
      'Win Rate': '55%',
      'Profit-Loss Ratio': '1.52',
      Alpha: '0.01',
      Beta: '0.9',
      'Total Fees': '$3.44',
      'Estimated Strategy Capacity': '$56000000.00',
      'Lowest Capacity Asset': 'SPY R735QTJ8XC9X',
      'Portfolio Turnover': '4.27 %',
      'My Custom Stat': 'banana',
    });
    expect(stats).toMatchObject({
      totalOrders: 113,
      averageWin: 1.02,
      averageLoss: -0.67,
      compoundingAnnualReturn: 27.145,
      drawdown: 12.3,
      netProfit: 4.272,
      sharpeRatio: -3.528,
      sortinoRatio: null,
      probabilisticSharpeRatio: 12.345,
      winRate: 55,
      lossRate: 45,
      profitLossRatio: 1.52,
      totalFees: 3.44,
      estimatedStrategyCapacity: 56000000,
      endEquity: 104272.21,
      startEquity: 100000,
      portfolioTurnover: 4.27,
    });
    expect(stats.raw['Lowest Capacity Asset']).toBe('SPY R735QTJ8XC9X');
    expect(stats.raw['My Custom Stat']).toBe('banana');
  });

  it('accepts the older "Total Trades" name for the order count', () => {
    expect(parseBacktestStatistics({ 'Total Trades': '42' }).totalOrders).toBe(42);
  });

  it('gives all-null statistics for the empty list QuantConnect sends while running, and for junk', () => {
    for (const input of [[], null, undefined, 'Completed', 42]) {
      const stats = parseBacktestStatistics(input);
      expect(stats.sharpeRatio).toBeNull();
      expect(stats.totalOrders).toBeNull();
      expect(stats.raw).toEqual({});
    }
  });

  it('reads runtime statistics with sign quirks and algorithm-defined keys', () => {
    const { values, raw } = parseRuntimeStatistics({ Equity: '$104,272.21', Fees: '-$1.30', Unrealized: '$-1.30', Return: '4.27 %', Signal: 'long' });
    expect(values).toEqual({ Equity: 104272.21, Fees: -1.3, Unrealized: -1.3, Return: 4.27, Signal: null });
    expect(raw.Signal).toBe('long');
  });

  it('reads totalPerformance numbers given as strings or numbers, as fractions', () => {
    const tp = parseTotalPerformance({
      portfolioStatistics: { compoundingAnnualReturn: '0.6453', sharpeRatio: 1.2, sortinoRatio: '79228162514264337593543950335' },
      tradeStatistics: { totalNumberOfTrades: '10', winRate: 0.55, startDateTime: '2020-01-01T00:00:00Z' },
      closedTrades: [],
    });
    expect(tp).toEqual({
      portfolioStatistics: { compoundingAnnualReturn: 0.6453, sharpeRatio: 1.2, sortinoRatio: null },
      tradeStatistics: { totalNumberOfTrades: 10, winRate: 0.55, startDateTime: null },
    });
    expect(parseTotalPerformance(null)).toBeNull();
    expect(parseTotalPerformance([])).toBeNull();
  });
});
