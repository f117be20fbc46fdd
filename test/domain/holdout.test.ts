import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../domain/errors';
import { judgeBest, splitPeriod, tradingDays } from '../../domain/holdout';

const stats = (sharpeRatio: number | null) => ({ sharpeRatio, drawdown: 10, compoundingAnnualReturn: 5, netProfit: 5, winRate: 50, totalOrders: 10 });

describe('splitPeriod', () => {
  it('holds out the last share of the days, the in-sample part ending the day before', () => {
    // 2020-01-01..2020-01-10 is 10 days: 30% is the last 3
    expect(splitPeriod({ start: '2020-01-01', end: '2020-01-10', fraction: 0.3 })).toEqual({
      inSample: { start: '2020-01-01', end: '2020-01-07' },
      outOfSample: { start: '2020-01-08', end: '2020-01-10' },
    });
    // across a leap day: 2020-01-01..2020-12-31 is 366 days, 30% → 110 days held out
    const year = splitPeriod({ start: '2020-01-01', end: '2020-12-31' })!;
    expect(year.outOfSample.start).toBe('2020-09-13');
    expect(year.inSample.end).toBe('2020-09-12');
  });

  it('splits at --holdout-start, and is off with 0', () => {
    expect(splitPeriod({ start: '2019-01-01', end: '2023-12-31', holdoutStart: '2022-01-01' })).toEqual({
      inSample: { start: '2019-01-01', end: '2021-12-31' },
      outOfSample: { start: '2022-01-01', end: '2023-12-31' },
    });
    expect(splitPeriod({ start: '2019-01-01', end: '2023-12-31', fraction: 0 })).toBeNull();
  });

  it('refuses bad input with a typed error', () => {
    for (const bad of [
      { start: '2019-01-01', end: '2023-12-31', fraction: 1 },
      { start: '2019-01-01', end: '2023-12-31', fraction: -0.1 },
      { start: '2019-01-01', end: '2023-12-31', holdoutStart: '2019-01-01' },
      { start: '2019-01-01', end: '2023-12-31', holdoutStart: '2024-01-01' },
      { start: '2019-01-01', end: '2023-12-31', holdoutStart: '2022-02-30' },
      { start: '2023-12-31', end: '2019-01-01' },
      { start: '2020-01-01', end: '2020-01-02', fraction: 0.9 },
    ]) {
      expect(() => splitPeriod(bad)).toThrow(InvalidInputError);
    }
  });
});

describe('judgeBest', () => {
  it('counts weekdays as daily observations', () => {
    expect(tradingDays({ start: '2024-01-01', end: '2024-01-14' })).toBe(10);
  });

  const best = { variantId: 'v0003', codeHash: 'h', statistics: stats(2) };
  const split = { inSample: { start: '2019-01-01', end: '2021-12-31' }, outOfSample: { start: '2022-01-01', end: '2023-12-31' } };

  it('a best that keeps its Sharpe ratio out of sample among few trials holds up; one that loses it is likely overfit', () => {
    const obs = tradingDays(split.inSample);
    const held = judgeBest({ best, trialSharpes: [0.5, 1, 2], observations: obs, split, outOfSample: stats(1.6), outOfSampleNote: null });
    expect(held).toMatchObject({ trials: 3, verdict: 'holds up', assumedNormal: true, outOfSample: stats(1.6) });
    expect(held.deflatedSharpe!).toBeLessThan(held.probabilisticSharpe!);
    const lost = judgeBest({ best, trialSharpes: [0.5, 1, 2], observations: obs, split, outOfSample: stats(-0.2), outOfSampleNote: null });
    expect(lost.verdict).toBe('likely overfit');
  });

  it('the deflated Sharpe ratio falls as the run scores more programs', () => {
    const obs = 250;
    const few = judgeBest({ best, trialSharpes: [0, 1, 2], observations: obs, split: null, outOfSample: null, outOfSampleNote: 'off' });
    const many = judgeBest({ best, trialSharpes: Array.from({ length: 300 }, (_, i) => [0, 1, 2][i % 3]!), observations: obs, split: null, outOfSample: null, outOfSampleNote: 'off' });
    expect(many.deflatedSharpe!).toBeLessThan(few.deflatedSharpe!);
    expect(many.probabilisticSharpe).toBeCloseTo(few.probabilisticSharpe!, 12);
  });

  it('gives no figures, and says why, when the period is unknown', () => {
    const r = judgeBest({ best, trialSharpes: [1, 2], observations: 0, split: null, outOfSample: null, outOfSampleNote: 'off' });
    expect(r).toMatchObject({ deflatedSharpe: null, probabilisticSharpe: null, verdict: null });
    expect(r.reasons[0]).toMatch(/period is unknown/);
  });
});
