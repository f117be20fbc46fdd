/**
 * How much of a backtest's Sharpe ratio survives the number of programs tried to find it:
 * the Probabilistic Sharpe Ratio and the Deflated Sharpe Ratio of Bailey and López de Prado
 * ("The Sharpe Ratio Efficient Frontier", 2012; "The Deflated Sharpe Ratio", 2014), and a plain
 * verdict comparing in-sample with out-of-sample results.
 *
 * Units: every Sharpe ratio here is per observation period (daily returns give a daily Sharpe),
 * not annualised; `perPeriodSharpe` converts QuantConnect's annualised figures. Kurtosis is the
 * raw fourth standardised moment (3 for normal returns), not the excess.
 */
import { InvalidInputError } from './errors';

/** Euler–Mascheroni constant. */
export const EULER_MASCHERONI = 0.5772156649015329;

/** Below this many returns, skewness and kurtosis are too noisy to use: normal returns are assumed. */
export const MIN_OBSERVATIONS_FOR_MOMENTS = 60;

/** Trading days in a year, for annualised Sharpe ratios. */
export const TRADING_DAYS_PER_YEAR = 252;

/** Standard normal cumulative distribution (Marsaglia's series, accurate to about 1e-15). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -38) return 0;
  if (x > 38) return 1;
  const q = x * x;
  let sum = x;
  let term = x;
  for (let i = 1, previous = NaN; sum !== previous; ) {
    previous = sum;
    i += 2;
    term *= q / i;
    sum += term;
  }
  return 0.5 + sum * Math.exp(-0.5 * q - 0.9189385332046728);
}

/** Inverse of the standard normal distribution (Wichura's algorithm AS241, about 1e-16 relative). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new InvalidInputError(`a probability must lie in [0, 1], got ${p}`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    const num = (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
      13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608) * q;
    const den = ((((((5226.495278852545561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
      5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1;
    return num / den;
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    const num = ((((((0.0007745450142783414076 * r + 0.022723844989269184583) * r + 0.2417807251774506117) * r + 1.2704582524523683826) * r +
      3.6478483247632046050) * r + 5.769497221460691405) * r + 4.6303378461565452959) * r + 1.4234371107496835773;
    const den = ((((((1.05075007164441684324e-9 * r + 0.00054759380849953445) * r + 0.015198666563616457197) * r + 0.14810397642748007459) * r +
      0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.0531916266377588219) * r + 1;
    x = num / den;
  } else {
    r -= 5;
    const num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
      0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772;
    const den = ((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 0.0007868691311456132591) * r +
      0.014875361290850614852) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1;
    x = num / den;
  }
  return q < 0 ? -x : x;
}

/** A Sharpe ratio annualised over `periodsPerYear` periods, as one period's Sharpe ratio. */
export function perPeriodSharpe(annualised: number, periodsPerYear = TRADING_DAYS_PER_YEAR): number {
  return annualised / Math.sqrt(periodsPerYear);
}

/** Simple returns between consecutive points of an equity curve. */
export function returnsOf(equity: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 1; k < equity.length; k++) {
    const before = equity[k - 1]!;
    if (!(before > 0) || !Number.isFinite(equity[k]!)) throw new InvalidInputError(`equity must stay positive and finite (point ${k - 1} is ${before})`);
    out.push(equity[k]! / before - 1);
  }
  return out;
}

/** One point of an equity chart: Unix time in seconds and the portfolio value. */
export interface EquityPoint {
  time: number;
  value: number;
}

/**
 * Daily returns of an equity chart: the last value of each UTC day, in time order, then the
 * returns between consecutive days (a chart may hold several points a day, unsorted).
 */
export function dailyReturns(points: readonly EquityPoint[]): number[] {
  const closes = new Map<number, { time: number; value: number }>();
  for (const p of points) {
    if (!Number.isFinite(p.time) || !Number.isFinite(p.value)) throw new InvalidInputError(`equity chart point ${JSON.stringify(p)} is not a number`);
    const day = Math.floor(p.time / 86_400);
    const seen = closes.get(day);
    if (!seen || p.time >= seen.time) closes.set(day, p);
  }
  return returnsOf([...closes.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p.value));
}

/** One day of an equity curve as QuantCoder keeps it: the UTC day (`YYYY-MM-DD`) and the portfolio value at its close. */
export interface DailyEquity {
  t: string;
  v: number;
}

/**
 * The last value of each UTC day of an equity chart, in time order, rounded to cents: the compact
 * curve a run keeps (its returns are those of {@link dailyReturns}).
 */
export function dailyCloses(points: readonly EquityPoint[]): DailyEquity[] {
  const closes = new Map<number, EquityPoint>();
  for (const p of points) {
    if (!Number.isFinite(p.time) || !Number.isFinite(p.value)) throw new InvalidInputError(`equity chart point ${JSON.stringify(p)} is not a number`);
    const day = Math.floor(p.time / 86_400);
    const seen = closes.get(day);
    if (!seen || p.time >= seen.time) closes.set(day, p);
  }
  return [...closes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([day, p]) => ({ t: new Date(day * 86_400_000).toISOString().slice(0, 10), v: Math.round(p.value * 100) / 100 }));
}

/** What the statistics need from a return series. */
export interface ReturnMoments {
  observations: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  stdev: number;
  /** mean / stdev, per period. */
  sharpe: number;
  /** Sample skewness m3 / m2^1.5 (0 when normal returns are assumed). */
  skewness: number;
  /** Sample kurtosis m4 / m2², not excess (3 when normal returns are assumed). */
  kurtosis: number;
  /** Too few observations for skewness and kurtosis: the normal values were used instead. */
  assumedNormal: boolean;
}

/** Mean, Sharpe ratio, skewness and kurtosis of a return series (daily returns of an equity curve, for example). */
export function returnMoments(returns: readonly number[], minObservations = MIN_OBSERVATIONS_FOR_MOMENTS): ReturnMoments {
  const n = returns.length;
  if (n < 2) throw new InvalidInputError(`at least 2 returns are needed for a Sharpe ratio, got ${n}`);
  if (returns.some((r) => !Number.isFinite(r))) throw new InvalidInputError('returns must be finite numbers');
  const mean = returns.reduce((s, r) => s + r, 0) / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const r of returns) {
    const d = r - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const stdev = Math.sqrt((m2 * n) / (n - 1));
  if (stdev === 0) throw new InvalidInputError('returns do not vary: the Sharpe ratio is undefined');
  const assumedNormal = n < minObservations;
  return {
    observations: n,
    mean,
    stdev,
    sharpe: mean / stdev,
    skewness: assumedNormal ? 0 : m3 / m2 ** 1.5,
    kurtosis: assumedNormal ? 3 : m4 / (m2 * m2),
    assumedNormal,
  };
}

export interface SharpeEstimate {
  /** Observed Sharpe ratio, per period. */
  sharpe: number;
  /** Number of returns it was measured on. */
  observations: number;
  skewness: number;
  /** Raw kurtosis (3 for normal returns). */
  kurtosis: number;
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds `benchmark`,
 * given the observed one, the sample length and the shape of the returns:
 * Φ((SR − SR*) √(T − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²)).
 */
export function probabilisticSharpe(estimate: SharpeEstimate, benchmark = 0): number {
  const { sharpe, observations, skewness, kurtosis } = estimate;
  if (!(observations >= 2)) throw new InvalidInputError(`the PSR needs at least 2 observations, got ${observations}`);
  const variance = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(variance > 0)) throw new InvalidInputError(`skewness ${skewness} and kurtosis ${kurtosis} give no valid Sharpe ratio variance`);
  return normalCdf(((sharpe - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(variance));
}

/**
 * The Sharpe ratio the best of `trials` strategies is expected to show by luck alone, when their
 * Sharpe ratios vary with `variance` around `mean` (0: none has skill):
 * mean + √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))). One trial selects nothing: `mean`.
 */
export function expectedMaxSharpe(trials: number, variance: number, mean = 0): number {
  if (!Number.isInteger(trials) || trials < 1) throw new InvalidInputError(`the number of trials must be a positive integer, got ${trials}`);
  if (!(variance >= 0)) throw new InvalidInputError(`the variance of the trials' Sharpe ratios must be >= 0, got ${variance}`);
  if (trials === 1) return mean;
  const g = EULER_MASCHERONI;
  return mean + Math.sqrt(variance) * ((1 - g) * normalQuantile(1 - 1 / trials) + g * normalQuantile(1 - 1 / (trials * Math.E)));
}

/** Sample variance (n − 1) of the trials' Sharpe ratios; 0 for fewer than two. */
export function sharpeVariance(sharpes: readonly number[]): number {
  const n = sharpes.length;
  if (n < 2) return 0;
  const mean = sharpes.reduce((s, x) => s + x, 0) / n;
  return sharpes.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
}

export interface DeflatedSharpe {
  /** Probability that the true Sharpe ratio is above what the best of the trials shows by luck. */
  deflatedSharpe: number;
  /** Probability that the true Sharpe ratio is above 0. */
  probabilisticSharpe: number;
  /** The benchmark the DSR uses: the expected maximum Sharpe ratio of the trials, per period. */
  expectedMaxSharpe: number;
  trials: number;
}

/**
 * Deflated Sharpe Ratio: the PSR of the selected strategy against the Sharpe ratio the best of
 * `trials` would show by luck. `trialVariance` is the variance of the trials' per-period Sharpe ratios.
 */
export function deflatedSharpe(estimate: SharpeEstimate, trials: number, trialVariance: number): DeflatedSharpe {
  const benchmark = expectedMaxSharpe(trials, trialVariance);
  return {
    deflatedSharpe: probabilisticSharpe(estimate, benchmark),
    probabilisticSharpe: probabilisticSharpe(estimate, 0),
    expectedMaxSharpe: benchmark,
    trials,
  };
}

export type OverfittingVerdict = 'holds up' | 'degrades' | 'likely overfit';

/**
 * The thresholds of {@link verdict}, documented once for `--help` and the README:
 * - "holds up": DSR ≥ 0.95, and out of sample the Sharpe ratio is positive and keeps at least half
 *   of the in-sample Sharpe ratio;
 * - "likely overfit": DSR < 0.5, or out of sample the Sharpe ratio is ≤ 0 or keeps less than a
 *   quarter of the in-sample one;
 * - "degrades": anything in between.
 * Without an out-of-sample period only the DSR decides.
 */
export const VERDICT_THRESHOLDS = {
  holdsUpDeflatedSharpe: 0.95,
  overfitDeflatedSharpe: 0.5,
  holdsUpRetention: 0.5,
  overfitRetention: 0.25,
} as const;

/** The verdict's thresholds in words, for command help. */
export const VERDICT_HELP =
  `"holds up": deflated Sharpe ratio >= ${VERDICT_THRESHOLDS.holdsUpDeflatedSharpe} and an out-of-sample Sharpe ratio that is positive and at least ` +
  `${VERDICT_THRESHOLDS.holdsUpRetention * 100}% of the in-sample one; "likely overfit": deflated Sharpe ratio < ${VERDICT_THRESHOLDS.overfitDeflatedSharpe}, ` +
  `or an out-of-sample Sharpe ratio <= 0 or below ${VERDICT_THRESHOLDS.overfitRetention * 100}% of the in-sample one; "degrades": in between. ` +
  'Without a holdout only the deflated Sharpe ratio decides.';

export interface VerdictInput {
  /** Sharpe ratio on the period selection saw (any consistent unit). */
  inSampleSharpe: number;
  /** Sharpe ratio on the holdout selection never saw, in the same unit; undefined without a holdout. */
  outOfSampleSharpe?: number;
  deflatedSharpe: number;
}

export interface VerdictResult {
  verdict: OverfittingVerdict;
  /** Out-of-sample Sharpe ratio as a fraction of the in-sample one (when both exist and in-sample is positive). */
  retention?: number;
  /** Why, in one sentence per reason. */
  reasons: string[];
}

/** A plain verdict from the in-sample and out-of-sample Sharpe ratios and the DSR (thresholds in {@link VERDICT_THRESHOLDS}). */
export function verdict(input: VerdictInput): VerdictResult {
  const t = VERDICT_THRESHOLDS;
  const { inSampleSharpe, outOfSampleSharpe, deflatedSharpe: dsr } = input;
  const reasons: string[] = [];
  let overfit = false;
  let holds = true;
  if (dsr < t.overfitDeflatedSharpe) {
    overfit = true;
    reasons.push(`the deflated Sharpe ratio ${dsr.toFixed(2)} is below ${t.overfitDeflatedSharpe}: the in-sample result is within what luck gives the best of the trials`);
  } else if (dsr < t.holdsUpDeflatedSharpe) {
    holds = false;
    reasons.push(`the deflated Sharpe ratio ${dsr.toFixed(2)} is below ${t.holdsUpDeflatedSharpe}`);
  }
  let retention: number | undefined;
  if (outOfSampleSharpe !== undefined) {
    if (inSampleSharpe > 0) retention = outOfSampleSharpe / inSampleSharpe;
    if (outOfSampleSharpe <= 0) {
      overfit = true;
      reasons.push(`the out-of-sample Sharpe ratio ${outOfSampleSharpe.toFixed(2)} is not positive`);
    } else if (retention !== undefined && retention < t.overfitRetention) {
      overfit = true;
      reasons.push(`out of sample the Sharpe ratio keeps ${(retention * 100).toFixed(0)}% of its in-sample value (below ${t.overfitRetention * 100}%)`);
    } else if (retention !== undefined && retention < t.holdsUpRetention) {
      holds = false;
      reasons.push(`out of sample the Sharpe ratio keeps ${(retention * 100).toFixed(0)}% of its in-sample value (below ${t.holdsUpRetention * 100}%)`);
    }
  }
  const result: OverfittingVerdict = overfit ? 'likely overfit' : holds ? 'holds up' : 'degrades';
  if (result === 'holds up') reasons.push(outOfSampleSharpe === undefined ? 'the deflated Sharpe ratio is high (no out-of-sample period was used)' : 'the deflated Sharpe ratio is high and the out-of-sample Sharpe ratio keeps most of its in-sample value');
  return { verdict: result, ...(retention !== undefined ? { retention } : {}), reasons };
}
