import { describe, expect, it } from '@jest/globals';
import { judgeBest, returnShape } from '../../domain/holdout';
import { dailyCloses, deflatedSharpe, perPeriodSharpe, type DailyEquity } from '../../domain/overfitting';

const stats = (sharpeRatio: number) => ({ sharpeRatio, drawdown: 10, compoundingAnnualReturn: 5, netProfit: 5, winRate: 50, totalOrders: 10 });

/** An equity curve from returns, one weekday apart (dates do not matter to the moments). */
function curve(returns: number[]): DailyEquity[] {
  let v = 100_000;
  const out: DailyEquity[] = [{ t: '2020-01-01', v }];
  returns.forEach((r, i) => {
    v *= 1 + r;
    out.push({ t: new Date(Date.UTC(2020, 0, 2 + i)).toISOString().slice(0, 10), v });
  });
  return out;
}

/** Skewed returns: mostly small gains, a few large losses. */
const skewed = Array.from({ length: 250 }, (_, i) => (i % 25 === 0 ? -0.03 : 0.002 + ((i * 7) % 5) * 0.0002));

describe('the shape of the best program\'s returns', () => {
  it('comes from its equity curve when there is one with enough days, computed as sample moments', () => {
    const shape = returnShape(curve(skewed), 999, null);
    expect(shape.source).toBe('equity chart');
    expect(shape.observations).toBe(250);
    expect(shape.note).toBeNull();
    // the moments, worked out here directly
    const r = curve(skewed).slice(1).map((p, i, all) => p.v / (i === 0 ? 100_000 : all[i - 1]!.v) - 1);
    const m = r.reduce((a, b) => a + b, 0) / r.length;
    const m2 = r.reduce((a, x) => a + (x - m) ** 2, 0) / r.length;
    const m3 = r.reduce((a, x) => a + (x - m) ** 3, 0) / r.length;
    const m4 = r.reduce((a, x) => a + (x - m) ** 4, 0) / r.length;
    expect(shape.skewness).toBeCloseTo(m3 / m2 ** 1.5, 6);
    expect(shape.kurtosis).toBeCloseTo(m4 / m2 ** 2, 6);
    expect(shape.skewness).toBeLessThan(-2);
  });

  it('is normal over the period\'s trading days, with the reason, when the curve is missing or too short', () => {
    expect(returnShape([], 500, 'its equity chart could not be read: gone')).toEqual({ source: 'assumed normal', observations: 500, skewness: 0, kurtosis: 3, note: 'its equity chart could not be read: gone' });
    expect(returnShape(curve(skewed.slice(0, 30)), 500, null)).toMatchObject({ source: 'assumed normal', observations: 30, note: expect.stringContaining('only 30 daily returns') });
  });

  it('feeds PSR and DSR: negative skew and fat tails lower the deflated Sharpe ratio, and the report says normal returns were not assumed', () => {
    const input = { best: { variantId: 'v1', codeHash: 'h', statistics: stats(1.5) }, trialSharpes: [0.2, 0.5, 1.5, 0.9, 1.1], observations: 250, split: null, outOfSample: null, outOfSampleNote: null };
    const normal = judgeBest(input);
    const fromChart = judgeBest({ ...input, equity: { inSample: curve(skewed), outOfSample: [] } });
    expect(normal.assumedNormal).toBe(true);
    expect(normal.returns?.source).toBe('assumed normal');
    expect(fromChart.assumedNormal).toBe(false);
    expect(fromChart.returns?.source).toBe('equity chart');
    expect(fromChart.equity?.inSample).toHaveLength(251);
    const shape = fromChart.returns!;
    const expected = deflatedSharpe({ sharpe: perPeriodSharpe(1.5), observations: 250, skewness: shape.skewness, kurtosis: shape.kurtosis }, 5, fromChart.trialVariance);
    expect(fromChart.deflatedSharpe).toBeCloseTo(expected.deflatedSharpe, 12);
    expect(fromChart.deflatedSharpe!).toBeLessThan(normal.deflatedSharpe!);
  });
});

describe('dailyCloses', () => {
  it('keeps the last point of each UTC day, in day order, rounded to cents', () => {
    const day = (d: number, h: number) => Date.UTC(2021, 2, d, h) / 1000;
    expect(dailyCloses([
      { time: day(2, 16), value: 101.239 },
      { time: day(1, 0), value: 100 },
      { time: day(2, 9), value: 99 },
      { time: day(1, 20), value: 100.5 },
    ])).toEqual([
      { t: '2021-03-01', v: 100.5 },
      { t: '2021-03-02', v: 101.24 },
    ]);
  });
});
