import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  dailyReturns,
  deflatedSharpe,
  expectedMaxSharpe,
  normalCdf,
  normalQuantile,
  perPeriodSharpe,
  probabilisticSharpe,
  returnMoments,
  returnsOf,
  sharpeVariance,
  verdict,
  VERDICT_THRESHOLDS,
} from '../../domain/overfitting';
import { InvalidInputError } from '../../domain/errors';

const REFERENCE = path.join(__dirname, '..', 'fixtures', 'overfitting', 'dsr_reference.py');

/** A deterministic equity curve: a drift, a weekly cycle and, every `shockEvery` days, a loss (skewed, fat-tailed returns). */
function equityCurve(days: number, drift: number, shockEvery: number, shock: number): number[] {
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.02;
  const equity = [100_000];
  for (let d = 1; d <= days; d++) {
    const r = drift + noise() + 0.002 * Math.sin(d / 5) + (d % shockEvery === 0 ? shock : 0);
    equity.push(equity[d - 1]! * (1 + r));
  }
  return equity;
}

interface Case {
  equity: number[];
  trials: number;
  trial_sharpes: number[];
  min_observations: number;
}

interface Reference {
  observations: number;
  sharpe: number;
  skewness: number;
  kurtosis: number;
  assumed_normal: boolean;
  trial_variance: number;
  expected_max_sharpe: number;
  probabilistic_sharpe: number;
  deflated_sharpe: number;
}

/** The reference values, computed by the committed Python script from the papers' formulas (standard library only). */
function reference(cases: Case[]): Reference[] {
  return JSON.parse(execFileSync('python3', [REFERENCE], { input: JSON.stringify(cases), encoding: 'utf8' })) as Reference[];
}

/** Annualised Sharpe ratios of evaluated programs, as QuantConnect reports them, spread like an evolution run's. */
const TRIAL_SHARPES = [0.4, 1.1, -0.3, 0.8, 1.6, 0.2, 0.9, 1.3, -0.1, 0.7, 1.0, 0.5].map((s) => perPeriodSharpe(s));

const CASES: Case[] = [
  { equity: equityCurve(504, 0.002, 37, -0.045), trials: 12, trial_sharpes: TRIAL_SHARPES, min_observations: 60 },
  { equity: equityCurve(252, 0.0028, 11, -0.02), trials: 300, trial_sharpes: TRIAL_SHARPES, min_observations: 60 },
  { equity: equityCurve(40, 0.0005, 9, -0.01), trials: 25, trial_sharpes: TRIAL_SHARPES.slice(0, 5), min_observations: 60 },
  { equity: equityCurve(126, 0.0004, 50, 0.03), trials: 1, trial_sharpes: [], min_observations: 60 },
];

describe('overfitting statistics', () => {
  it('match an independent computation of the PSR, expected maximum Sharpe ratio and DSR from the papers', () => {
    const expected = reference(CASES);
    CASES.forEach((c, k) => {
      const want = expected[k]!;
      const moments = returnMoments(returnsOf(c.equity), c.min_observations);
      expect(moments.observations).toBe(want.observations);
      expect(moments.assumedNormal).toBe(want.assumed_normal);
      expect(moments.sharpe).toBeCloseTo(want.sharpe, 12);
      expect(moments.skewness).toBeCloseTo(want.skewness, 10);
      expect(moments.kurtosis).toBeCloseTo(want.kurtosis, 10);
      const variance = sharpeVariance(c.trial_sharpes);
      expect(variance).toBeCloseTo(want.trial_variance, 14);
      const dsr = deflatedSharpe(moments, c.trials, variance);
      expect(dsr.expectedMaxSharpe).toBeCloseTo(want.expected_max_sharpe, 12);
      expect(dsr.probabilisticSharpe).toBeCloseTo(want.probabilistic_sharpe, 10);
      expect(dsr.deflatedSharpe).toBeCloseTo(want.deflated_sharpe, 10);
    });
    // the cases exercise real shapes: skewed, fat-tailed returns, and a short series that assumes normality
    expect(expected[0]!.skewness).toBeLessThan(-0.5);
    expect(expected[0]!.kurtosis).toBeGreaterThan(4);
    expect(expected[2]!.assumed_normal).toBe(true);
    // and DSRs away from 0 and 1, where a wrong formula would still round to the right answer
    expect(expected.map((e) => e.deflated_sharpe).every((p) => p > 0.05 && p < 0.995)).toBe(true);
  });

  it('deflates more as more programs are tried, all else equal', () => {
    const moments = returnMoments(returnsOf(CASES[0]!.equity));
    const variance = sharpeVariance(TRIAL_SHARPES);
    const dsrs = [1, 2, 10, 50, 200, 1000, 10_000].map((n) => deflatedSharpe(moments, n, variance).deflatedSharpe);
    for (let k = 1; k < dsrs.length; k++) expect(dsrs[k]!).toBeLessThan(dsrs[k - 1]!);
    // one trial selects nothing: the DSR is the PSR against zero
    expect(dsrs[0]).toBe(probabilisticSharpe(moments, 0));
  });

  it('penalises negative skewness and fat tails in the PSR', () => {
    const base = { sharpe: 0.08, observations: 252, skewness: 0, kurtosis: 3 };
    const normal = probabilisticSharpe(base);
    expect(probabilisticSharpe({ ...base, skewness: -1 })).toBeLessThan(normal);
    expect(probabilisticSharpe({ ...base, kurtosis: 9 })).toBeLessThan(normal);
    expect(probabilisticSharpe({ ...base, observations: 1000 })).toBeGreaterThan(normal);
  });

  it('computes the normal distribution and its inverse to double precision', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 14);
    for (const p of [1e-10, 0.001, 0.02425, 0.3, 0.5, 0.9, 0.975, 1 - 1e-9]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
  });

  it('says when too few returns forced the normal assumption', () => {
    const short = returnMoments(returnsOf(equityCurve(20, 0.001, 7, -0.03)));
    expect(short).toMatchObject({ observations: 20, skewness: 0, kurtosis: 3, assumedNormal: true });
    expect(returnMoments(returnsOf(equityCurve(20, 0.001, 7, -0.03)), 10).assumedNormal).toBe(false);
  });

  it('reads daily returns from an equity chart with several unsorted points a day', () => {
    const day = 86_400;
    const chart = [
      { time: 2 * day + 100, value: 104 },
      { time: day + 50, value: 99 },
      { time: day + 3600, value: 100 },
      { time: 3 * day + 10, value: 101 },
      { time: 2 * day + 7200, value: 110 },
    ];
    const returns = dailyReturns(chart);
    expect(returns).toHaveLength(2);
    expect(returns[0]).toBeCloseTo(0.1, 12);
    expect(returns[1]).toBeCloseTo(101 / 110 - 1, 12);
    expect(() => dailyReturns([{ time: 0, value: Number.NaN }])).toThrow(InvalidInputError);
  });

  it('rejects inputs that have no Sharpe ratio with a typed error', () => {
    expect(() => returnMoments([0.01])).toThrow(InvalidInputError);
    expect(() => returnMoments([0.01, 0.01, 0.01])).toThrow(InvalidInputError);
    expect(() => returnsOf([100, 0, 50])).toThrow(InvalidInputError);
    expect(() => expectedMaxSharpe(0, 1)).toThrow(InvalidInputError);
    expect(() => expectedMaxSharpe(10, -1)).toThrow(InvalidInputError);
  });
});

describe('the overfitting verdict', () => {
  const t = VERDICT_THRESHOLDS;

  it('holds up when the DSR is high and the out-of-sample Sharpe keeps most of its value', () => {
    const result = verdict({ inSampleSharpe: 1.5, outOfSampleSharpe: 1.2, deflatedSharpe: 0.97 });
    expect(result.verdict).toBe('holds up');
    expect(result.retention).toBeCloseTo(0.8, 12);
  });

  it('degrades between the thresholds', () => {
    expect(verdict({ inSampleSharpe: 1.5, outOfSampleSharpe: 0.6, deflatedSharpe: 0.97 }).verdict).toBe('degrades');
    expect(verdict({ inSampleSharpe: 1.5, outOfSampleSharpe: 1.4, deflatedSharpe: 0.8 }).verdict).toBe('degrades');
  });

  it('calls a strategy likely overfit when its holdout Sharpe collapses or its DSR is low', () => {
    expect(verdict({ inSampleSharpe: 2.4, outOfSampleSharpe: -0.2, deflatedSharpe: 0.99 }).verdict).toBe('likely overfit');
    expect(verdict({ inSampleSharpe: 2.4, outOfSampleSharpe: 0.4, deflatedSharpe: 0.99 }).verdict).toBe('likely overfit');
    const low = verdict({ inSampleSharpe: 2.4, outOfSampleSharpe: 2.3, deflatedSharpe: t.overfitDeflatedSharpe - 0.01 });
    expect(low.verdict).toBe('likely overfit');
    expect(low.reasons.join(' ')).toContain('deflated Sharpe ratio');
  });

  it('decides on the DSR alone without a holdout, and says so', () => {
    const result = verdict({ inSampleSharpe: 1.5, deflatedSharpe: t.holdsUpDeflatedSharpe });
    expect(result.verdict).toBe('holds up');
    expect(result.retention).toBeUndefined();
    expect(result.reasons.join(' ')).toContain('no out-of-sample period');
  });
});
