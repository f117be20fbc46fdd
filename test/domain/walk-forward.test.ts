import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../domain/errors';
import { aggregateWalkForward, MIN_FOLD_TRADING_DAYS, tradingDays, walkForwardWindows, type WalkForwardFold } from '../../domain/holdout';

describe('walkForwardWindows', () => {
  it('cuts the period into K + 1 consecutive windows: the train window grows from the start, each test window follows it', () => {
    // 2016-01-01..2019-12-31 is 1461 days; 4 windows of 365 or 366 days
    const folds = walkForwardWindows({ start: '2016-01-01', end: '2019-12-31' }, 3);
    expect(folds).toEqual([
      { fold: 1, train: { start: '2016-01-01', end: '2016-12-30' }, test: { start: '2016-12-31', end: '2017-12-30' } },
      { fold: 2, train: { start: '2016-01-01', end: '2017-12-30' }, test: { start: '2017-12-31', end: '2018-12-30' } },
      { fold: 3, train: { start: '2016-01-01', end: '2018-12-30' }, test: { start: '2018-12-31', end: '2019-12-31' } },
    ]);
  });

  it('leaves no day out and no day twice, whatever the length of the period', () => {
    for (const [start, end, k] of [
      ['2015-03-02', '2019-12-31', 4],
      ['2020-01-01', '2021-06-30', 2],
      ['2001-02-03', '2012-11-29', 12],
    ] as const) {
      const folds = walkForwardWindows({ start, end }, k);
      expect(folds).toHaveLength(k);
      expect(folds[0]!.train.start).toBe(start);
      expect(folds[k - 1]!.test.end).toBe(end);
      for (const [i, f] of folds.entries()) {
        expect(f.train.start).toBe(start);
        const dayAfter = new Date(Date.parse(`${f.train.end}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        expect(f.test.start).toBe(dayAfter);
        if (i > 0) expect(f.train.end).toBe(folds[i - 1]!.test.end);
        expect(tradingDays(f.test)).toBeGreaterThanOrEqual(MIN_FOLD_TRADING_DAYS);
      }
    }
  });

  it('refuses fewer than 2 folds, too many folds, and windows shorter than the minimum, with a typed error', () => {
    const period = { start: '2018-01-01', end: '2022-12-31' };
    for (const k of [1, 0, -3, 2.5, 13]) expect(() => walkForwardWindows(period, k)).toThrow(InvalidInputError);
    // 2020 has 262 weekdays: 4 windows of about 65 pass, 5 windows of about 52 do not
    expect(walkForwardWindows({ start: '2020-01-01', end: '2020-12-31' }, 3)).toHaveLength(3);
    expect(() => walkForwardWindows({ start: '2020-01-01', end: '2020-12-31' }, 4)).toThrow(/at least 60/);
    expect(() => walkForwardWindows({ start: '2020-12-31', end: '2020-01-01' }, 2)).toThrow(InvalidInputError);
  });
});

describe('aggregateWalkForward', () => {
  const fold = (sharpe: number | null, car = 5, dd = 10): WalkForwardFold => ({
    fold: 1,
    train: { start: '2016-01-01', end: '2016-12-31' },
    test: { start: '2017-01-01', end: '2017-12-31' },
    selected: { variantId: 'v1', codeHash: 'h' },
    trainFitness: 1,
    trainStatistics: null,
    testStatistics: sharpe === null ? null : { sharpeRatio: sharpe, drawdown: dd, compoundingAnnualReturn: car, netProfit: car, winRate: 50, totalOrders: 10 },
    note: null,
  });

  it('averages the tested folds and counts those with a positive Sharpe ratio', () => {
    expect(aggregateWalkForward([fold(1.2, 8, 5), fold(-0.4, -2, 20), fold(null)])).toEqual({
      folds: 3,
      tested: 2,
      meanSharpe: expect.closeTo(0.4, 12),
      positiveFolds: 1,
      meanAnnualReturn: 3,
      worstDrawdown: 20,
    });
    expect(aggregateWalkForward([])).toMatchObject({ folds: 0, tested: 0, meanSharpe: null, worstDrawdown: null });
  });
});
