/**
 * Out-of-sample discipline for evolution: the run's backtest period splits into an in-sample part,
 * on which fitness and selection are computed, and a holdout that selection never sees. When the
 * run ends, its best programs are backtested on the holdout and the best is judged with the
 * Probabilistic and Deflated Sharpe Ratios (domain/overfitting.ts) and a plain verdict.
 */
import { parseIsoDate } from './backtest-period';
import { InvalidInputError } from './errors';
import type { StatisticsSummary } from './pipeline';
import { deflatedSharpe, perPeriodSharpe, sharpeVariance, verdict, type OverfittingVerdict } from './overfitting';

export const DEFAULT_HOLDOUT_FRACTION = 0.3;

export interface Period {
  start: string;
  end: string;
}

export interface PeriodSplit {
  inSample: Period;
  outOfSample: Period;
}

const DAY_MS = 86_400_000;
const toTime = (date: string) => {
  const d = parseIsoDate(date)!;
  return Date.UTC(d.y, d.m - 1, d.d);
};
const toDate = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * Splits [start, end] at `holdoutStart` (the first day of the holdout), or else so that the last
 * `fraction` of its days are held out. Returns null when the holdout is off (`fraction` 0 and no
 * `holdoutStart`). The in-sample part ends the day before the holdout starts; both parts hold at
 * least one day.
 */
export function splitPeriod(input: { start: string; end: string; fraction?: number; holdoutStart?: string }): PeriodSplit | null {
  const { start, end, holdoutStart } = input;
  const fraction = input.fraction ?? DEFAULT_HOLDOUT_FRACTION;
  for (const [flag, value] of [
    ['start', start],
    ['end', end],
    ['--holdout-start', holdoutStart],
  ] as const) {
    if (value !== undefined && !parseIsoDate(value)) throw new InvalidInputError(`${flag} ${value} is not a date; use YYYY-MM-DD`);
  }
  if (!(fraction >= 0 && fraction < 1)) throw new InvalidInputError(`--holdout ${fraction} must be at least 0 and below 1 (the share of the period held out)`);
  const [t0, t1] = [toTime(start), toTime(end)];
  if (t0 >= t1) throw new InvalidInputError(`the backtest period is inverted: it starts ${start} and ends ${end}`);
  let holdoutTime: number;
  if (holdoutStart !== undefined) {
    holdoutTime = toTime(holdoutStart);
    if (holdoutTime <= t0 || holdoutTime > t1) throw new InvalidInputError(`--holdout-start ${holdoutStart} must be after ${start} and no later than ${end}, the backtest period`);
  } else {
    if (fraction === 0) return null;
    const days = Math.round((t1 - t0) / DAY_MS) + 1;
    const held = Math.max(1, Math.round(days * fraction));
    if (held >= days) throw new InvalidInputError(`the period ${start} to ${end} is too short to hold out ${fraction * 100}% of it`);
    holdoutTime = t1 - (held - 1) * DAY_MS;
  }
  return { inSample: { start, end: toDate(holdoutTime - DAY_MS) }, outOfSample: { start: toDate(holdoutTime), end } };
}

/** Weekdays in [start, end]: the number of daily returns a backtest of that period gives (market holidays aside). */
export function tradingDays(period: Period): number {
  let n = 0;
  for (let t = toTime(period.start); t <= toTime(period.end); t += DAY_MS) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) n++;
  }
  return n;
}

/** What QuantCoder reports about how much of the best program's result survives selection and the holdout. */
export interface OverfittingReport {
  variantId: string;
  codeHash: string;
  /** The periods; null when the holdout was off. */
  split: PeriodSplit | null;
  inSample: StatisticsSummary;
  /** Statistics on the holdout; null when the holdout was off or its backtest could not run (see `outOfSampleNote`). */
  outOfSample: StatisticsSummary | null;
  outOfSampleNote: string | null;
  /** Programs scored in the run: the number of trials the deflated Sharpe ratio accounts for. */
  trials: number;
  /** Variance of the trials' per-day Sharpe ratios. */
  trialVariance: number;
  /** In-sample daily observations. */
  observations: number;
  probabilisticSharpe: number | null;
  deflatedSharpe: number | null;
  verdict: OverfittingVerdict | null;
  reasons: string[];
  /** The figures assume normal daily returns (skewness 0, kurtosis 3): the daily equity curve was not read. */
  assumedNormal: boolean;
}

/**
 * Judges the best program: PSR and DSR on its in-sample Sharpe ratio (annualised Sharpe ratios are
 * turned into daily ones), with the scored programs' Sharpe ratios as the trials, then the verdict
 * with the out-of-sample Sharpe ratio when there is one. Normal returns are assumed.
 */
export function judgeBest(input: {
  best: { variantId: string; codeHash: string; statistics: StatisticsSummary };
  trialSharpes: readonly number[];
  observations: number;
  split: PeriodSplit | null;
  outOfSample: StatisticsSummary | null;
  outOfSampleNote: string | null;
}): OverfittingReport {
  const { best, split, outOfSample, outOfSampleNote } = input;
  const trials = Math.max(1, input.trialSharpes.length);
  const trialVariance = sharpeVariance(input.trialSharpes.map((s) => perPeriodSharpe(s)));
  const base = { variantId: best.variantId, codeHash: best.codeHash, split, inSample: best.statistics, outOfSample, outOfSampleNote, trials, trialVariance, observations: input.observations, assumedNormal: true };
  const isSharpe = best.statistics.sharpeRatio;
  if (isSharpe === null || input.observations < 2) {
    const why = isSharpe === null ? 'the best program has no in-sample Sharpe ratio' : 'the in-sample period is unknown or too short to count daily returns';
    return { ...base, probabilisticSharpe: null, deflatedSharpe: null, verdict: null, reasons: [why] };
  }
  const dsr = deflatedSharpe({ sharpe: perPeriodSharpe(isSharpe), observations: input.observations, skewness: 0, kurtosis: 3 }, trials, trialVariance);
  const oosSharpe = outOfSample?.sharpeRatio ?? undefined;
  const v = verdict({ inSampleSharpe: isSharpe, outOfSampleSharpe: oosSharpe === null ? undefined : oosSharpe, deflatedSharpe: dsr.deflatedSharpe });
  return { ...base, probabilisticSharpe: dsr.probabilisticSharpe, deflatedSharpe: dsr.deflatedSharpe, verdict: v.verdict, reasons: v.reasons };
}
