/**
 * Out-of-sample discipline for evolution: the run's backtest period splits into an in-sample part,
 * on which fitness and selection are computed, and a holdout that selection never sees. When the
 * run ends, its best programs are backtested on the holdout and the best is judged with the
 * Probabilistic and Deflated Sharpe Ratios (domain/overfitting.ts) and a plain verdict.
 */
import { parseIsoDate } from './backtest-period';
import { InvalidInputError } from './errors';
import type { StatisticsSummary } from './pipeline';
import { deflatedSharpe, perPeriodSharpe, returnMoments, returnsOf, sharpeVariance, verdict, type DailyEquity, type OverfittingVerdict } from './overfitting';

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

/** Where the shape of the best program's daily returns (skewness, kurtosis, observations) came from. */
export interface ReturnShape {
  /** `equity chart`: the daily returns of its in-sample equity curve; `assumed normal`: skewness 0 and kurtosis 3 were assumed. */
  source: 'equity chart' | 'assumed normal';
  /** Daily returns the PSR and DSR count. */
  observations: number;
  skewness: number;
  /** Raw kurtosis (3 for normal returns). */
  kurtosis: number;
  /** Why normal returns were assumed (null when the chart's returns were used). */
  note: string | null;
}

/** The best program's daily equity curves, in sample and out of sample (empty when a chart could not be read). */
export interface EquityCurves {
  inSample: DailyEquity[];
  outOfSample: DailyEquity[];
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
  /** The figures assume normal daily returns (skewness 0, kurtosis 3): see `returns.note` for why. */
  assumedNormal: boolean;
  /** The return shape PSR and DSR used (absent in runs that ended before equity charts were read). */
  returns?: ReturnShape;
  /** The best program's daily equity, in sample and on the holdout (absent in runs that ended before equity charts were read). */
  equity?: EquityCurves;
  /** Anchored walk-forward of the final elite (absent or null when not asked with --folds). */
  walkForward?: WalkForwardReport | null;
}

/**
 * The shape of the best program's daily returns: from its in-sample equity curve when there is
 * one with enough days, else normal returns over `tradingDays` observations, with the reason.
 */
export function returnShape(equity: readonly DailyEquity[] | null | undefined, tradingDayCount: number, unreadNote: string | null): ReturnShape {
  const normal = (note: string, observations = tradingDayCount): ReturnShape => ({ source: 'assumed normal', observations, skewness: 0, kurtosis: 3, note });
  if (!equity || equity.length < 3) return normal(unreadNote ?? 'the daily equity curve was not read');
  let moments;
  try {
    moments = returnMoments(returnsOf(equity.map((p) => p.v)));
  } catch (err) {
    return normal(`the equity curve gives no usable daily returns (${(err as Error).message})`);
  }
  if (moments.assumedNormal) return normal(`only ${moments.observations} daily returns: too few for skewness and kurtosis`, moments.observations);
  return { source: 'equity chart', observations: moments.observations, skewness: moments.skewness, kurtosis: moments.kurtosis, note: null };
}

/**
 * Judges the best program: PSR and DSR on its in-sample Sharpe ratio (annualised Sharpe ratios are
 * turned into daily ones), with the scored programs' Sharpe ratios as the trials, the skewness,
 * kurtosis and number of its daily returns (normal returns over the period's trading days when its
 * equity curve was not read), then the verdict with the out-of-sample Sharpe ratio when there is one.
 */
export function judgeBest(input: {
  best: { variantId: string; codeHash: string; statistics: StatisticsSummary };
  trialSharpes: readonly number[];
  observations: number;
  split: PeriodSplit | null;
  outOfSample: StatisticsSummary | null;
  outOfSampleNote: string | null;
  /** The best's daily equity curves; without them normal returns are assumed. */
  equity?: EquityCurves;
  /** Why the in-sample equity curve could not be read. */
  equityNote?: string | null;
}): OverfittingReport {
  const { best, split, outOfSample, outOfSampleNote } = input;
  const trials = Math.max(1, input.trialSharpes.length);
  const trialVariance = sharpeVariance(input.trialSharpes.map((s) => perPeriodSharpe(s)));
  let shape = returnShape(input.equity?.inSample, input.observations, input.equityNote ?? null);
  const isSharpe = best.statistics.sharpeRatio;
  let dsr: ReturnType<typeof deflatedSharpe> | null = null;
  if (isSharpe !== null && shape.observations >= 2) {
    const estimate = { sharpe: perPeriodSharpe(isSharpe), observations: shape.observations, skewness: shape.skewness, kurtosis: shape.kurtosis };
    try {
      dsr = deflatedSharpe(estimate, trials, trialVariance);
    } catch {
      // a return shape with no valid Sharpe ratio variance: fall back to normal returns
      shape = { source: 'assumed normal', observations: shape.observations, skewness: 0, kurtosis: 3, note: `skewness ${shape.skewness.toFixed(2)} and kurtosis ${shape.kurtosis.toFixed(2)} give no valid Sharpe ratio variance` };
      dsr = deflatedSharpe({ ...estimate, skewness: 0, kurtosis: 3 }, trials, trialVariance);
    }
  }
  const base = {
    variantId: best.variantId,
    codeHash: best.codeHash,
    split,
    inSample: best.statistics,
    outOfSample,
    outOfSampleNote,
    trials,
    trialVariance,
    observations: shape.observations,
    assumedNormal: shape.source === 'assumed normal',
    returns: shape,
    equity: input.equity ?? { inSample: [], outOfSample: [] },
  };
  if (!dsr) {
    const why = isSharpe === null ? 'the best program has no in-sample Sharpe ratio' : 'the in-sample period is unknown or too short to count daily returns';
    return { ...base, probabilisticSharpe: null, deflatedSharpe: null, verdict: null, reasons: [why] };
  }
  const oosSharpe = outOfSample?.sharpeRatio ?? undefined;
  const v = verdict({ inSampleSharpe: isSharpe!, outOfSampleSharpe: oosSharpe === null ? undefined : oosSharpe, deflatedSharpe: dsr.deflatedSharpe });
  return { ...base, probabilisticSharpe: dsr.probabilisticSharpe, deflatedSharpe: dsr.deflatedSharpe, verdict: v.verdict, reasons: v.reasons };
}

// ---------------------------------------------------------------- anchored walk-forward

/** Each walk-forward window must hold at least this many trading days (about a quarter of a year). */
export const MIN_FOLD_TRADING_DAYS = 60;
/** More folds than this cost many backtests for little more evidence. */
export const MAX_FOLDS = 12;

/** One fold of an anchored walk-forward: selection on `train` (which always starts at the period's start), test on the window right after it. */
export interface WalkForwardWindow {
  fold: number;
  train: Period;
  test: Period;
}

/**
 * Anchored walk-forward windows over [start, end]: the period is cut into `folds + 1` consecutive
 * windows of (nearly) equal length; fold k trains on windows 0..k−1 (the train window grows) and
 * tests on window k, which follows it. Refuses fewer than 2 folds, more than {@link MAX_FOLDS},
 * and windows shorter than {@link MIN_FOLD_TRADING_DAYS} trading days, with a typed error.
 */
export function walkForwardWindows(period: Period, folds: number): WalkForwardWindow[] {
  if (!Number.isInteger(folds) || folds < 2) throw new InvalidInputError(`--folds ${folds} must be a whole number of at least 2 (one fold is a plain holdout: use --holdout)`);
  if (folds > MAX_FOLDS) throw new InvalidInputError(`--folds ${folds} is more than ${MAX_FOLDS}: each fold costs backtests for little more evidence`);
  for (const value of [period.start, period.end]) if (!parseIsoDate(value)) throw new InvalidInputError(`${value} is not a date; use YYYY-MM-DD`);
  const [t0, t1] = [toTime(period.start), toTime(period.end)];
  if (t0 >= t1) throw new InvalidInputError(`the walk-forward period is inverted: it starts ${period.start} and ends ${period.end}`);
  const days = Math.round((t1 - t0) / DAY_MS) + 1;
  const parts = folds + 1;
  // window w covers days [cut(w), cut(w + 1)), the remainder spread over the windows
  const cut = (w: number) => t0 + Math.floor((w * days) / parts) * DAY_MS;
  const windows: Period[] = [];
  for (let w = 0; w < parts; w++) windows.push({ start: toDate(cut(w)), end: toDate(cut(w + 1) - DAY_MS) });
  const shortest = Math.min(...windows.map((w) => tradingDays(w)));
  if (shortest < MIN_FOLD_TRADING_DAYS) {
    throw new InvalidInputError(
      `--folds ${folds} cuts ${period.start} to ${period.end} into ${parts} windows of ${shortest} trading days or fewer; each needs at least ${MIN_FOLD_TRADING_DAYS}: use fewer folds or a longer period`,
    );
  }
  return Array.from({ length: folds }, (_, k) => ({ fold: k + 1, train: { start: windows[0]!.start, end: windows[k]!.end }, test: windows[k + 1]! }));
}

/** One fold's outcome: the elite program selected on the train window, and its statistics on the test window. */
export interface WalkForwardFold extends WalkForwardWindow {
  /** The program the train window selected (null when no elite program could be scored there). */
  selected: { variantId: string; codeHash: string } | null;
  trainFitness: number | null;
  trainStatistics: StatisticsSummary | null;
  /** Out-of-sample statistics on the test window (null when its backtest did not run; see `note`). */
  testStatistics: StatisticsSummary | null;
  note: string | null;
}

/** The folds' out-of-sample results taken together. */
export interface WalkForwardAggregate {
  folds: number;
  /** Folds whose test window was backtested. */
  tested: number;
  /** Mean out-of-sample Sharpe ratio over the tested folds. */
  meanSharpe: number | null;
  /** Tested folds with a positive out-of-sample Sharpe ratio. */
  positiveFolds: number;
  /** Mean out-of-sample compounding annual return, percent. */
  meanAnnualReturn: number | null;
  /** Deepest out-of-sample drawdown of any fold, percent. */
  worstDrawdown: number | null;
}

export interface WalkForwardReport {
  folds: WalkForwardFold[];
  aggregate: WalkForwardAggregate;
}

/** The aggregate of the folds' test statistics. */
export function aggregateWalkForward(folds: readonly WalkForwardFold[]): WalkForwardAggregate {
  const tested = folds.flatMap((f) => (f.testStatistics ? [f.testStatistics] : []));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const sharpes = tested.flatMap((s) => (s.sharpeRatio === null ? [] : [s.sharpeRatio]));
  const returns = tested.flatMap((s) => (s.compoundingAnnualReturn === null ? [] : [s.compoundingAnnualReturn]));
  const drawdowns = tested.flatMap((s) => (s.drawdown === null ? [] : [s.drawdown]));
  return {
    folds: folds.length,
    tested: tested.length,
    meanSharpe: mean(sharpes),
    positiveFolds: sharpes.filter((s) => s > 0).length,
    meanAnnualReturn: mean(returns),
    worstDrawdown: drawdowns.length ? Math.max(...drawdowns) : null,
  };
}
