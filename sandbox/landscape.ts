import { createHash } from 'node:crypto';
import { STRATEGY_FAMILIES, type StrategyFamily } from '../domain/strategy';
import { readableLines } from './lean';

/**
 * The synthetic backtest landscape. A backtest's statistics are a pure function of the
 * algorithm's family, the indicators it uses, a few structural features and its numeric
 * parameters, each family having a known optimum. Quality falls off smoothly (a Gaussian in
 * log-distance per parameter), so moving a parameter toward its optimum always raises the Sharpe
 * ratio: evolution can climb. Everything but the `# family:` header is read from the
 * normalised code (comments and spacing do not count).
 */

export type ParameterRole = 'period' | 'threshold' | 'risk' | 'rebalance' | 'size';

export interface ParameterSpec {
  name: string;
  /** The value the family's corpus paper states (and what a missing parameter counts as). */
  paperValue: number;
  optimum: number;
  /** Width of the optimum: in log units for `log` scale, absolute for `linear`. */
  width: number;
  scale: 'log' | 'linear';
  integer: boolean;
  role: ParameterRole;
  min: number;
  max: number;
  /** What a missing parameter counts as, when not the paper value (no stop-loss = a very loose one). */
  missingValue?: number;
  description: string;
  /** Other names LLM-written code uses for it; a `_months` alias is converted at 21 trading days a month. */
  aliases: string[];
}

export interface FamilyLandscape {
  family: StrategyFamily;
  params: ParameterSpec[];
  /** Sharpe ratio far from the optimum and at it (before structural bonuses). */
  floorSharpe: number;
  peakSharpe: number;
  annualVolatility: number;
  beta: number;
  /** Indicators the family's logic needs; none used costs Sharpe (empty = no requirement). */
  expectedIndicators: string[];
  /** Sharpe bonus per indicator used. */
  indicatorBonus: Record<string, number>;
  /** Bonus when all of these indicators are used together. */
  comboBonus?: { indicators: string[]; bonus: number };
  regimeFilterBonus: number;
  defaultTickers: string[];
}

const p = (
  name: string,
  paperValue: number,
  optimum: number,
  width: number,
  role: ParameterRole,
  extra: Partial<ParameterSpec> & { description: string; aliases?: string[] },
): ParameterSpec => ({
  name,
  paperValue,
  optimum,
  width,
  role,
  scale: 'log',
  integer: Number.isInteger(paperValue) && Number.isInteger(optimum) && role !== 'risk' && role !== 'threshold',
  min: 0,
  max: Number.POSITIVE_INFINITY,
  aliases: [],
  ...extra,
});

const LOOKBACK_ALIASES = ['lookback_period', 'lookback_days', 'lookback_window', 'momentum_period', 'momentum_lookback', 'formation_period', 'lookback_months', 'momentum_months'];
const STOP_ALIASES = ['stop_loss_pct', 'stop_pct', 'stoploss', 'stop_loss_percent', 'trailing_stop', 'trailing_stop_pct', 'stop_loss_threshold'];
const REBALANCE_ALIASES = ['rebalance_period', 'rebalance_interval', 'holding_days', 'holding_period', 'rebalance_frequency'];

export const LANDSCAPES: Record<StrategyFamily, FamilyLandscape> = {
  momentum: {
    family: 'momentum',
    params: [
      p('lookback', 252, 126, 0.6, 'period', { min: 5, max: 756, description: 'Trailing-return lookback in trading days', aliases: LOOKBACK_ALIASES }),
      p('stop_loss', 0.1, 0.08, 0.5, 'risk', { min: 0.005, max: 0.9, missingValue: 0.35, description: 'Stop-loss below the entry price, as a fraction', aliases: STOP_ALIASES }),
      p('rebalance_days', 21, 10, 0.8, 'rebalance', { min: 1, max: 252, description: 'Trading days between rebalances', aliases: REBALANCE_ALIASES }),
    ],
    floorSharpe: -0.1,
    peakSharpe: 1.45,
    annualVolatility: 0.14,
    beta: 0.55,
    expectedIndicators: ['momp', 'roc', 'history', 'mom'],
    indicatorBonus: { momp: 0.03, roc: 0.03 },
    regimeFilterBonus: 0.08,
    defaultTickers: ['SPY', 'EFA', 'EEM', 'TLT', 'GLD'],
  },
  mean_reversion: {
    family: 'mean_reversion',
    params: [
      p('bb_period', 20, 15, 0.5, 'period', { min: 3, max: 200, description: 'Bollinger Band moving-average period in days', aliases: ['bollinger_period', 'band_period', 'bb_length', 'bb_window'] }),
      p('bb_std', 2.0, 2.5, 0.3, 'threshold', { min: 0.5, max: 5, description: 'Band width in standard deviations', aliases: ['bb_k', 'num_std', 'bollinger_std', 'band_std', 'bb_width', 'std_multiplier', 'entry_z'] }),
      p('rsi_period', 14, 10, 0.5, 'period', { min: 2, max: 100, description: 'RSI period in days', aliases: ['rsi_length', 'rsi_window'] }),
      p('rsi_oversold', 30, 25, 0.3, 'threshold', { min: 1, max: 60, description: 'RSI level below which the market is oversold', aliases: ['oversold', 'rsi_entry', 'rsi_threshold', 'oversold_threshold', 'rsi_lower'] }),
      p('stop_loss', 0.05, 0.04, 0.6, 'risk', { min: 0.005, max: 0.9, missingValue: 0.3, description: 'Hard stop-loss below the entry price, as a fraction', aliases: STOP_ALIASES }),
    ],
    floorSharpe: -0.2,
    peakSharpe: 1.3,
    annualVolatility: 0.11,
    beta: 0.35,
    expectedIndicators: ['bb', 'rsi', 'std', 'history'],
    indicatorBonus: {},
    comboBonus: { indicators: ['bb', 'rsi'], bonus: 0.1 },
    regimeFilterBonus: -0.05,
    defaultTickers: ['SPY', 'QQQ', 'IWM'],
  },
  pairs: {
    family: 'pairs',
    params: [
      p('lookback', 60, 90, 0.5, 'period', { min: 10, max: 504, description: 'Rolling window for the hedge ratio and z-score, in trading days', aliases: LOOKBACK_ALIASES }),
      p('entry_z', 2.0, 1.5, 0.3, 'threshold', { min: 0.25, max: 6, description: 'Absolute z-score that opens a spread trade', aliases: ['entry_zscore', 'z_entry', 'entry_threshold', 'zscore_entry', 'entry_z_score', 'open_threshold'] }),
      p('exit_z', 0.5, 0.25, 0.35, 'threshold', { scale: 'linear', min: 0, max: 3, description: 'Absolute z-score at which the trade is closed', aliases: ['exit_zscore', 'z_exit', 'exit_threshold', 'zscore_exit', 'exit_z_score', 'close_threshold'] }),
      p('stop_z', 4.0, 3.5, 0.4, 'risk', { min: 1, max: 10, missingValue: 8, description: 'Z-score at which a losing trade is stopped out', aliases: ['stop_zscore', 'z_stop', 'stop_threshold', 'stop_loss_z'] }),
    ],
    floorSharpe: 0,
    peakSharpe: 1.75,
    annualVolatility: 0.08,
    beta: 0.04,
    expectedIndicators: [],
    indicatorBonus: {},
    regimeFilterBonus: -0.05,
    defaultTickers: ['KO', 'PEP'],
  },
  volatility: {
    family: 'volatility',
    params: [
      p('vol_lookback', 21, 42, 0.6, 'period', { min: 5, max: 252, description: 'Window of the realized-volatility estimate, in trading days', aliases: ['volatility_lookback', 'vol_window', 'volatility_window', 'vol_period', 'realized_vol_window', 'lookback'] }),
      p('target_vol', 0.1, 0.12, 0.4, 'risk', { min: 0.01, max: 1, description: 'Target annualised volatility, as a fraction', aliases: ['target_volatility', 'vol_target', 'volatility_target'] }),
      p('max_leverage', 2.0, 1.5, 0.4, 'risk', { min: 0.1, max: 10, missingValue: 4, description: 'Cap on exposure as a multiple of equity', aliases: ['leverage_cap', 'max_exposure', 'leverage'] }),
    ],
    floorSharpe: 0.1,
    peakSharpe: 1.2,
    annualVolatility: 0.1,
    beta: 0.7,
    expectedIndicators: [],
    indicatorBonus: {},
    regimeFilterBonus: 0.05,
    defaultTickers: ['SPY'],
  },
  trend: {
    family: 'trend',
    params: [
      p('fast_period', 50, 40, 0.5, 'period', { min: 2, max: 400, description: 'Fast moving-average period in days', aliases: ['fast', 'fast_ma', 'fast_window', 'short_period', 'short_window', 'fast_length', 'short_ma', 'fast_ma_period'] }),
      p('slow_period', 200, 150, 0.4, 'period', { min: 5, max: 800, description: 'Slow moving-average period in days', aliases: ['slow', 'slow_ma', 'slow_window', 'long_period', 'long_window', 'slow_length', 'long_ma', 'slow_ma_period'] }),
      p('stop_loss', 0.1, 0.12, 0.6, 'risk', { min: 0.005, max: 0.9, missingValue: 0.4, description: 'Trailing stop-loss from the highest close since entry, as a fraction', aliases: STOP_ALIASES }),
    ],
    floorSharpe: -0.05,
    peakSharpe: 1.1,
    annualVolatility: 0.13,
    beta: 0.5,
    expectedIndicators: ['sma', 'ema'],
    indicatorBonus: { ema: 0.06 },
    regimeFilterBonus: 0.04,
    defaultTickers: ['SPY', 'QQQ'],
  },
  factor: {
    family: 'factor',
    params: [
      p('lookback', 252, 189, 0.5, 'period', { min: 21, max: 756, description: 'Momentum lookback in trading days', aliases: LOOKBACK_ALIASES }),
      p('top_n', 20, 40, 0.5, 'size', { min: 1, max: 500, description: 'Number of top-ranked stocks held', aliases: ['num_stocks', 'n_stocks', 'num_holdings', 'number_of_stocks', 'portfolio_size', 'num_long'] }),
      p('universe_size', 500, 1000, 0.8, 'size', { min: 10, max: 5000, description: 'Number of most liquid stocks ranked', aliases: ['num_coarse', 'coarse_count', 'universe_count', 'n_universe'] }),
      p('rebalance_days', 21, 21, 0.7, 'rebalance', { min: 1, max: 252, description: 'Trading days between rebalances', aliases: REBALANCE_ALIASES }),
    ],
    floorSharpe: 0.05,
    peakSharpe: 1.6,
    annualVolatility: 0.16,
    beta: 0.9,
    expectedIndicators: [],
    indicatorBonus: {},
    regimeFilterBonus: 0.08,
    defaultTickers: ['AAPL', 'MSFT', 'JNJ', 'JPM', 'XOM', 'PG', 'KO', 'WMT', 'HD', 'CVX', 'MRK', 'PEP'],
  },
  other: {
    family: 'other',
    params: [
      p('lookback', 20, 60, 0.8, 'period', { min: 2, max: 756, description: 'Signal lookback in trading days', aliases: LOOKBACK_ALIASES }),
      p('stop_loss', 0.1, 0.1, 0.6, 'risk', { min: 0.005, max: 0.9, missingValue: 0.35, description: 'Stop-loss below the entry price, as a fraction', aliases: STOP_ALIASES }),
    ],
    floorSharpe: -0.2,
    peakSharpe: 0.6,
    annualVolatility: 0.15,
    beta: 0.6,
    expectedIndicators: [],
    indicatorBonus: {},
    regimeFilterBonus: 0.03,
    defaultTickers: ['SPY'],
  },
};

/** The known optimum per family: parameter name → value. */
export const FAMILY_OPTIMA: Record<StrategyFamily, Record<string, number>> = Object.fromEntries(
  STRATEGY_FAMILIES.map((f) => [f, Object.fromEntries(LANDSCAPES[f].params.map((s) => [s.name, s.optimum]))]),
) as Record<StrategyFamily, Record<string, number>>;

// ---------------------------------------------------------------- reading the code

/** LEAN indicator helpers the landscape recognises (`self.<name>(symbol, period, ...)`). */
export const KNOWN_INDICATORS = ['sma', 'ema', 'rsi', 'bb', 'momp', 'mom', 'roc', 'std', 'atr', 'macd', 'adx', 'kama', 'dch', 'history'] as const;

export interface AlgorithmFeatures {
  family: StrategyFamily;
  familySource: 'header' | 'keywords' | 'default';
  /** Canonical family parameters as the code sets them (missing ones absent). */
  parameters: Record<string, number>;
  /** Every numeric assignment found, by the name it was assigned to. */
  rawParameters: Record<string, number>;
  indicators: string[];
  resolution: 'minute' | 'hour' | 'daily';
  hasWarmUp: boolean;
  hasRegimeFilter: boolean;
  tickers: string[];
  cash: number;
  startDate: string | null;
  endDate: string | null;
  /**
   * Numeric literals written with 4 or more significant digits (`self.stop_loss = 0.080372`), in
   * parameter assignments and in conditions stacked with `and` onto an `if`: values tuned that
   * finely fit one period's noise (see {@link tunedToNoise}).
   */
  fineLiterals: string[];
}

const FAMILY_HEADER = /^\s*#\s*family\s*[:=]\s*([a-z_]+)/im;

const FAMILY_KEYWORDS: Array<[Exclude<StrategyFamily, 'other'>, RegExp]> = [
  ['momentum', /self\.(momp|roc|mom)\(|momentum|lookback|winners/g],
  ['mean_reversion', /self\.(bb|rsi)\(|bollinger|oversold|lower_band|mean_reversion|reversion/g],
  ['pairs', /cointegrat|hedge_ratio|spread|entry_z|exit_z|zscore|z_score|polyfit|\bpairs?\b/g],
  ['volatility', /target_vol|realized_vol|realised_vol|vol_lookback|vol_target|max_leverage|volatility/g],
  ['trend', /fast_period|slow_period|crossover|golden|self\.(sma|ema)\(/g],
  ['factor', /add_universe|fundamental|top_n|universe_size|earning|valuation_ratios|ranked|factor/g],
];

/** The family of an algorithm: its `# family:` header when present, else the family whose keywords it uses most. */
export function detectFamily(code: string): { family: StrategyFamily; source: AlgorithmFeatures['familySource'] } {
  const header = FAMILY_HEADER.exec(code)?.[1];
  if (header && (STRATEGY_FAMILIES as readonly string[]).includes(header)) return { family: header as StrategyFamily, source: 'header' };
  const text = readableLines(code).toLowerCase();
  let best: StrategyFamily = 'other';
  let bestScore = 0;
  for (const [family, re] of FAMILY_KEYWORDS) {
    const score = text.match(re)?.length ?? 0;
    if (score > bestScore) [best, bestScore] = [family, score];
  }
  return { family: best, source: bestScore > 0 ? 'keywords' : 'default' };
}

/** Evaluates `252`, `0.08`, `12 * 21`, `1_000`, `(1 - 0.2)`; anything else (names, calls) is not a constant. */
export function evaluateConstant(expr: string): number | undefined {
  const text = expr.replace(/_/g, '').trim();
  if (!/^[\d.eE+\-*/() ]+$/.test(text)) return undefined;
  const tokens = text.match(/\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|[+\-*/()]/g);
  if (!tokens || tokens.join('') !== text.replace(/\s+/g, '')) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  const expression = (): number => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + term() : v - term();
    return v;
  };
  const term = (): number => {
    let v = factor();
    while (peek() === '*' || peek() === '/') v = tokens[i++] === '*' ? v * factor() : v / factor();
    return v;
  };
  const factor = (): number => {
    const t = tokens[i++];
    if (t === '-') return -factor();
    if (t === '+') return factor();
    if (t === '(') {
      const v = expression();
      if (tokens[i++] !== ')') throw new Error('unbalanced');
      return v;
    }
    if (t === undefined || !/^[\d.]/.test(t)) throw new Error('not a number');
    return Number(t);
  };
  try {
    const v = expression();
    return i === tokens.length && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Numeric assignments in the code, `self.lookback = 20` and `lookback = 20` alike (the last one
 * wins, as at run time). `self.x = self.get_parameter("x", 20)` reads the backtest parameter `x`
 * when given, else the default.
 */
export function extractParameters(code: string, backtestParameters: Record<string, string | number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readableLines(code).split('\n')) {
    const m = /^\s*(?:self\.)?([A-Za-z_]\w*)=(?!=)(.+)$/.exec(line);
    if (!m) continue;
    const [, name, rhs] = m as unknown as [string, string, string];
    const param = /self\.get_parameter\(["'](\w+)["'](?:,(-?[\d.eE_]+))?\)/.exec(rhs);
    let value: number | undefined;
    if (param) {
      const given = backtestParameters[param[1]!];
      value = given !== undefined && given !== '' && Number.isFinite(Number(given)) ? Number(given) : param[2] !== undefined ? evaluateConstant(param[2]) : undefined;
    } else value = evaluateConstant(rhs.replace(/^(?:int|float)\((.*)\)$/, '$1'));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Indicator helpers called on `self`, and `self.history(` (history-based signals). */
export function detectIndicators(code: string): string[] {
  const text = readableLines(code);
  return KNOWN_INDICATORS.filter((name) => new RegExp(`self\\.${name}\\(`).test(text));
}

/** Literal periods passed to indicator helpers: `self.sma(symbol, 50, ...)` → sma: [50]. */
function indicatorPeriods(code: string, raw: Record<string, number>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const re = /self\.(sma|ema|rsi|bb|momp|mom|roc|std|atr)\(([^,()]+(?:\([^()]*\))?),([^,()]+)(?:,([^,()]+))?/g;
  for (const m of readableLines(code).matchAll(re)) {
    const resolve = (arg: string | undefined) => {
      if (arg === undefined) return undefined;
      const ref = /^self\.(\w+)$/.exec(arg.trim());
      return ref ? raw[ref[1]!] : evaluateConstant(arg);
    };
    const period = resolve(m[3]);
    if (period === undefined) continue;
    (out[m[1]!] ??= []).push(period);
    if (m[1] === 'bb') {
      const k = resolve(m[4]);
      if (k !== undefined) (out.bb_k ??= []).push(k);
    }
  }
  return out;
}

/** Maps raw assignments (and literal indicator periods) onto the family's canonical parameters. */
export function canonicalParameters(family: StrategyFamily, raw: Record<string, number>, code = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of LANDSCAPES[family].params) {
    for (const name of [spec.name, ...spec.aliases]) {
      let v = raw[name];
      if (v === undefined) continue;
      if (name.endsWith('_months')) v *= 21;
      // percent written as a whole number: stop_loss = 8 means 8 %
      if ((spec.role === 'risk' && spec.max <= 1 && v > 1) || (spec.name === 'target_vol' && v > 1)) v /= 100;
      out[spec.name] = v;
      break;
    }
  }
  if (!code) return out;
  const periods = indicatorPeriods(code, raw);
  const fill = (name: string, v: number | undefined) => {
    if (v !== undefined && out[name] === undefined && LANDSCAPES[family].params.some((s) => s.name === name)) out[name] = v;
  };
  if (family === 'trend') {
    const mas = [...(periods.sma ?? []), ...(periods.ema ?? [])].sort((a, b) => a - b);
    if (mas.length >= 2) {
      fill('fast_period', mas[0]);
      fill('slow_period', mas[mas.length - 1]);
    }
  }
  if (family === 'momentum' || family === 'factor' || family === 'other') fill('lookback', (periods.momp ?? periods.roc ?? periods.mom)?.[0]);
  if (family === 'mean_reversion') {
    fill('bb_period', periods.bb?.[0]);
    fill('bb_std', periods.bb_k?.[0]);
    fill('rsi_period', periods.rsi?.[0]);
  }
  if (family === 'volatility') fill('vol_lookback', periods.std?.[0]);
  return out;
}

const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;

/** Fine literals (4+ significant digits) of assignments and of the `and`-stacked clauses of `if` lines, in readable code. */
function fineLiterals(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const assigned = new RegExp(`^\\s*(?:self\\.)?[A-Za-z_]\\w*=(${NUMBER})$`).exec(line);
    if (assigned) {
      if (fineFraction(assigned[1]!) !== null) found.push(assigned[1]!);
      continue;
    }
    const cond = /^\s*(?:el)?if (.*):$/.exec(line);
    if (!cond) continue;
    for (const clause of cond[1]!.split(/ and /).slice(1)) {
      const literal = new RegExp(`(?:[<>]=?|==)(${NUMBER})\\)*$`).exec(clause)?.[1];
      if (literal && fineFraction(literal) !== null) found.push(literal);
    }
  }
  return found;
}

/**
 * The digits past the first two significant ones of a literal with 4 or more significant digits,
 * as a fraction (`0.080372` → 0.372, `126.43` → 0.643); null for a plainer number (`0.08`, `252`, `100000`).
 */
export function fineFraction(literal: string): number | null {
  const mantissa = literal.replace(/^-/, '').replace(/[eE].*$/, '');
  // trailing zeros add no precision (`1.500` is 1.5, `100000` is 1e5)
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length < 4) return null;
  return Number(`0.${digits.slice(2)}`);
}

function parseDate(text: string, call: string): string | null {
  const m = new RegExp(`self\\.${call}\\((?:datetime\\()?(\\d{4}),(\\d{1,2}),(\\d{1,2})`).exec(text);
  if (!m) return null;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')} 00:00:00`;
}

/** Everything the landscape reads from an algorithm. */
export function analyseAlgorithm(code: string, backtestParameters: Record<string, string | number> = {}): AlgorithmFeatures {
  const text = readableLines(code);
  const { family, source } = detectFamily(code);
  const raw = extractParameters(code, backtestParameters);
  const resolutions = [...text.matchAll(/Resolution\.(\w+)/g)].map((m) => m[1]!.toLowerCase());
  const tickers = [...new Set([...text.matchAll(/["']([A-Z]{1,5})["']/g)].map((m) => m[1]!))];
  const cash = evaluateConstant(/self\.set_cash\(([^)]*)\)/.exec(text)?.[1] ?? '') ?? 100_000;
  return {
    family,
    familySource: source,
    parameters: canonicalParameters(family, raw, code),
    rawParameters: raw,
    indicators: detectIndicators(code),
    resolution: resolutions.includes('minute') ? 'minute' : resolutions.includes('hour') ? 'hour' : 'daily',
    hasWarmUp: /self\.set_warm_up\(|self\.warm_up_indicator\(/.test(text),
    hasRegimeFilter: /regime|market_filter|trend_filter/.test(text),
    tickers,
    cash: cash > 0 ? cash : 100_000,
    startDate: parseDate(text, 'set_start_date'),
    endDate: parseDate(text, 'set_end_date'),
    fineLiterals: fineLiterals(text),
  };
}

// ---------------------------------------------------------------- the landscape

/** A parameter's distance from its optimum in widths (log or linear); null when the value is unusable. */
function distance(spec: ParameterSpec, value: number | undefined): number | null {
  const v = value ?? spec.missingValue ?? spec.paperValue;
  if (!Number.isFinite(v) || (spec.scale === 'log' && v <= 0)) return null;
  return spec.scale === 'log' ? Math.log(v / spec.optimum) / spec.width : (v - spec.optimum) / spec.width;
}

/**
 * How close the parameters are to the family optimum: 1 at it, toward 0 far away. A joint
 * Gaussian (all parameters must be right to reach the peak) plus a heavy-tailed per-parameter
 * mean, so that moving any single parameter toward its optimum helps even from far away.
 */
export function parameterQuality(specs: ParameterSpec[], values: Record<string, number>): number {
  if (specs.length === 0) return 1;
  let joint = 1;
  let tails = 0;
  for (const spec of specs) {
    const d = distance(spec, values[spec.name]);
    if (d === null) {
      joint *= 0.02;
      continue;
    }
    const v = values[spec.name] ?? spec.missingValue ?? spec.paperValue;
    // outside the sensible range the strategy mostly breaks, but direction still matters
    const outside = v < spec.min || v > spec.max ? 0.3 : 1;
    joint *= Math.exp(-0.5 * d * d) * outside;
    tails += outside / (1 + d * d);
  }
  return 0.6 * joint + 0.4 * (tails / specs.length);
}

export interface SharpeBreakdown {
  family: StrategyFamily;
  quality: number;
  sharpe: number;
  adjustments: Record<string, number>;
}

/** The Sharpe ratio the landscape assigns to these features. */
export function landscapeSharpe(features: AlgorithmFeatures): SharpeBreakdown {
  const land = LANDSCAPES[features.family];
  const quality = parameterQuality(land.params, features.parameters);
  const adjustments: Record<string, number> = {};
  const used = new Set(features.indicators);
  for (const [name, bonus] of Object.entries(land.indicatorBonus)) if (used.has(name)) adjustments[`indicator:${name}`] = bonus;
  if (land.comboBonus && land.comboBonus.indicators.every((i) => used.has(i))) adjustments.indicatorCombination = land.comboBonus.bonus;
  if (land.expectedIndicators.length > 0 && !land.expectedIndicators.some((i) => used.has(i))) adjustments.missingSignal = -0.15;
  if (!features.hasWarmUp) adjustments.noWarmUp = -0.08;
  if (features.hasRegimeFilter) adjustments.regimeFilter = land.regimeFilterBonus;
  if (features.resolution === 'hour') adjustments.resolution = -0.12;
  if (features.resolution === 'minute') adjustments.resolution = -0.25;
  if (features.family === 'trend') {
    const fast = features.parameters.fast_period ?? 50;
    const slow = features.parameters.slow_period ?? 200;
    if (fast >= slow) adjustments.invertedCrossover = -0.8;
  }
  if (features.family === 'momentum' || features.family === 'trend' || features.family === 'mean_reversion') {
    const n = Math.min(Math.max(features.tickers.length, 1), 6);
    adjustments.diversification = 0.02 * (n - 1);
  }
  if (features.fineLiterals.length > 0) adjustments.tunedToNoise = tunedToNoise(features);
  const sharpe = land.floorSharpe + (land.peakSharpe - land.floorSharpe) * quality + Object.values(adjustments).reduce((a, b) => a + b, 0);
  return { family: features.family, quality, sharpe: round(sharpe, 3), adjustments };
}

// ---------------------------------------------------------------- the overfitting trap

/** Sharpe a finely tuned value earns on the period whose noise it fits exactly. */
const TRAP_FIT_SHARPE = 1.0;
/** Sharpe every finely tuned value costs on any period: a strategy fitted to noise trades on it. */
const TRAP_COST_SHARPE = 0.3;
/** How close (as a fraction of the digits' range) a value's fine digits must be to a period's noise phase to fit it at all. */
const TRAP_FIT_WIDTH = 0.05;

/**
 * A period's noise, as a phase in [0, 1): a function of the market's daily shocks over exactly
 * those days, so every period has its own. A value whose fine digits sit at this phase fits that
 * period's noise, and only that period's.
 */
export function periodNoisePhase(start: string, end: string): number {
  const days = tradingDays(start, end);
  const sum = days.reduce((a, d) => a + marketShock(d), 0);
  return createHash('sha256').update(`period-noise:${days[0] ?? 0}:${days.length}:${sum.toFixed(9)}`).digest().readUInt32BE(0) / 4_294_967_296;
}

/**
 * The trap: each finely tuned value (a parameter, or a threshold stacked onto an entry condition)
 * earns Sharpe on a period in proportion to how well its fine digits fit that period's noise, and
 * costs a little everywhere. Tuned to one period, such a program shines there and loses elsewhere;
 * a genuine improvement (a parameter nearer its optimum) holds on every period.
 */
export function tunedToNoise(features: AlgorithmFeatures): number {
  const phase = periodNoisePhase(features.startDate ?? DEFAULT_START_DATE, features.endDate ?? DEFAULT_END_DATE);
  let total = 0;
  for (const literal of features.fineLiterals.slice(0, 6)) {
    const f = fineFraction(literal)!;
    const apart = Math.min(Math.abs(f - phase), 1 - Math.abs(f - phase));
    total += TRAP_FIT_SHARPE * Math.max(0, 1 - apart / TRAP_FIT_WIDTH) - TRAP_COST_SHARPE;
  }
  return round(total, 3);
}

// ---------------------------------------------------------------- statistics in LEAN's formats

/** The period tested when the algorithm sets no dates. */
export const DEFAULT_START_DATE = '2019-01-01 00:00:00';
export const DEFAULT_END_DATE = '2023-12-31 00:00:00';
const BENCHMARK_RETURN = 0.09;
const BENCHMARK_VOLATILITY = 0.17;

// ---------------------------------------------------------------- the calendar: one synthetic market

/**
 * How much of a strategy's daily risk is the market's shock of the day. The rest is the strategy's
 * own day-to-day noise, which averages out over a period; the market's shocks do not, which is why
 * the same program does better in some periods than in others.
 */
const MARKET_SHARE = 0.35;
const DAY_MS = 86_400_000;

const shocks = new Map<number, number>();

/** The market's shock on a calendar day: a standard normal drawn from the date alone, so every program lives in the same market. */
function marketShock(day: number): number {
  let z = shocks.get(day);
  if (z === undefined) {
    const h = createHash('sha256').update(`market-day:${day}`).digest();
    const u1 = (h.readUInt32BE(0) + 1) / 4_294_967_297;
    const u2 = h.readUInt32BE(4) / 4_294_967_296;
    z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    if (shocks.size > 200_000) shocks.clear();
    shocks.set(day, z);
  }
  return z;
}

/** Trading days (Monday to Friday) from start to end inclusive, as days since 1970-01-01. */
function tradingDays(start: string, end: string): number[] {
  const from = Math.floor(Date.parse(`${start.slice(0, 10)}T00:00:00Z`) / DAY_MS);
  const to = Math.floor(Date.parse(`${end.slice(0, 10)}T00:00:00Z`) / DAY_MS);
  const days: number[] = [];
  if (!Number.isFinite(from) || !Number.isFinite(to)) return days;
  for (let d = from; d <= to; d++) {
    const weekday = (d + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    if (weekday !== 0 && weekday !== 6) days.push(d);
  }
  return days;
}

/**
 * A program's daily returns over the days it is backtested: its landscape Sharpe ratio sets the
 * mean, its volatility the size of each day's move, and the calendar decides each day's market
 * shock. A day's return depends only on the program and that date, so a sub-period's returns are
 * exactly the whole period's returns on those days.
 */
export function dailyReturns(sharpe: number, annualVolatility: number, days: number[]): number[] {
  const mean = (sharpe * annualVolatility) / 252;
  const dayVol = annualVolatility / Math.sqrt(252);
  const own = Math.sqrt(1 - MARKET_SHARE ** 2);
  // the strategy's own noise alternates with the calendar's day parity: it cancels over any run of days
  return days.map((d) => mean + dayVol * (own * (d % 2 === 0 ? 1 : -1) + MARKET_SHARE * marketShock(d)));
}

/** What a return series amounts to: realised Sharpe ratio and volatility, net profit, CAR and the worst drawdown. */
export function seriesStatistics(returns: number[]): { sharpe: number; volatility: number; netProfit: number; car: number; drawdown: number; years: number } {
  const n = returns.length;
  const years = Math.max(n, 1) / 252;
  if (n < 2) return { sharpe: 0, volatility: 0, netProfit: 0, car: 0, drawdown: 0, years };
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  let equity = 1;
  let peak = 1;
  let drawdown = 0;
  for (const r of returns) {
    equity *= 1 + r;
    peak = Math.max(peak, equity);
    drawdown = Math.max(drawdown, 1 - equity / peak);
  }
  const netProfit = equity - 1;
  return { sharpe: sd > 0 ? (mean / sd) * Math.sqrt(252) : 0, volatility: sd * Math.sqrt(252), netProfit, car: equity > 0 ? equity ** (1 / years) - 1 : -1, drawdown, years };
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/** LEAN's percentage: three decimals, `0%` for zero. */
export function leanPercent(fraction: number, places = 3): string {
  const v = round(fraction * 100, places);
  return v === 0 ? '0%' : `${v.toFixed(places)}%`;
}

function ratio(x: number): string {
  return round(x, 3).toFixed(3);
}

function dollars(x: number): string {
  return `$${x.toFixed(2)}`;
}

// one formatter for all: `toLocaleString` builds a new one per call
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Runtime-statistics money: thousands separators, sign before the dollar (`-$1.30`). */
export function runtimeMoney(x: number): string {
  return `${x < 0 ? '-' : ''}$${MONEY.format(Math.abs(x))}`;
}

function four(x: number): string {
  return String(round(x, 4));
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26: plenty for a synthetic PSR
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

function tradesPerYear(f: AlgorithmFeatures): number {
  const v = (name: string) => f.parameters[name] ?? LANDSCAPES[f.family].params.find((s) => s.name === name)?.paperValue ?? 1;
  const n = Math.max(f.tickers.length, 1);
  switch (f.family) {
    case 'momentum':
      return (252 / Math.max(v('rebalance_days'), 1)) * n * 0.35;
    case 'mean_reversion':
      return 16 * Math.sqrt(14 / Math.max(v('rsi_period'), 1)) * (2 / Math.max(v('bb_std'), 0.1)) ** 2 * Math.sqrt(n);
    case 'pairs':
      return 16 * (2 / Math.max(v('entry_z'), 0.1)) ** 2;
    case 'volatility':
      return 31;
    case 'trend':
      return 3 * (50 / Math.max(v('fast_period'), 1)) * n;
    case 'factor':
      return (252 / Math.max(v('rebalance_days'), 1)) * v('top_n') * 0.3;
    default:
      return 24;
  }
}

function securityId(ticker: string): string {
  const h = createHash('sha256').update(ticker).digest('hex');
  return `${ticker} ${BigInt(`0x${h.slice(0, 15)}`).toString(36).toUpperCase().padStart(12, '0').slice(0, 12)}`;
}

export interface SyntheticStatistics {
  features: AlgorithmFeatures;
  breakdown: SharpeBreakdown;
  /** LEAN's `statistics`: every value a string. */
  statistics: Record<string, string>;
  /** Final `runtimeStatistics`; {@link runtimeStatisticsAt} gives them mid-run. */
  runtimeStatistics: Record<string, string>;
  totalPerformance: Record<string, unknown>;
  /** `runtimeStatistics` after `progress` (0–1) of the run. */
  runtimeStatisticsAt(progress: number): Record<string, string>;
  /** The trading days of the period (days since 1970-01-01) and the daily returns the statistics come from. */
  days: number[];
  dailyReturns: number[];
}

/**
 * The statistics a backtest of `code` ends with. Pure and deterministic: the same normalised code
 * (and the same backtest parameters) always gives the same numbers.
 */
export function syntheticStatistics(code: string, backtestParameters: Record<string, string | number> = {}): SyntheticStatistics {
  const features = analyseAlgorithm(code, backtestParameters);
  const breakdown = landscapeSharpe(features);
  const land = LANDSCAPES[features.family];
  const targetSigma =
    features.family === 'volatility'
      ? Math.min(features.parameters.target_vol ?? 0.1, 0.19 * (features.parameters.max_leverage ?? 2)) * 1.04
      : land.annualVolatility * (features.resolution === 'daily' ? 1 : 1.1);
  // the statistics are those of the program's daily returns over the period it sets itself
  const start = features.startDate ?? DEFAULT_START_DATE;
  const end = features.endDate ?? DEFAULT_END_DATE;
  const days = tradingDays(start, end);
  const returns = dailyReturns(breakdown.sharpe, targetSigma, days);
  const series = seriesStatistics(returns);
  const S = round(series.sharpe, 3);
  const sigma = series.volatility || targetSigma;
  const years = series.years;
  const car = series.car;
  const netProfit = series.netProfit;
  const drawdown = Math.min(Math.max(series.drawdown, 0.005), 0.95);
  const perYear = tradesPerYear(features);
  const totalOrders = Math.max(2, Math.round(perYear * years * 2));
  const winBias = features.family === 'mean_reversion' ? 0.1 : features.family === 'pairs' ? 0.08 : 0;
  const winRate = Math.min(Math.max(0.4 + 0.12 * S + winBias, 0.15), 0.85);
  const lossRate = 1 - winRate;
  const avgLoss = -(sigma / Math.sqrt(Math.max(perYear, 1))) * 0.9;
  const expectancyPerTrade = car / Math.max(perYear, 1);
  const avgWin = Math.max((expectancyPerTrade - lossRate * avgLoss) / winRate, 0.0005);
  const plr = avgWin / Math.abs(avgLoss);
  const expectancy = winRate * plr - lossRate;
  const sortino = S * 1.38;
  const dailySharpe = S / Math.sqrt(252);
  const psr = normalCdf((dailySharpe * Math.sqrt(Math.max(252 * years - 1, 1))) / Math.sqrt(1 + 0.5 * dailySharpe ** 2));
  const beta = features.family === 'volatility' ? land.beta * ((features.parameters.target_vol ?? 0.1) / 0.1) : land.beta;
  const alpha = car - beta * BENCHMARK_RETURN;
  const rho = Math.max(-1, Math.min(1, (beta * BENCHMARK_VOLATILITY) / sigma));
  const trackingError = Math.sqrt(Math.max(sigma ** 2 + BENCHMARK_VOLATILITY ** 2 - 2 * rho * sigma * BENCHMARK_VOLATILITY, 1e-6));
  const informationRatio = (car - BENCHMARK_RETURN) / trackingError;
  const treynor = beta !== 0 ? car / beta : 0;
  const fees = totalOrders * (features.family === 'factor' ? 1.0 : 1.32);
  // daily turnover as a fraction of equity
  const turnover = Math.min(perYear / 252, 2) * 0.5 * (features.family === 'pairs' ? 1.6 : 1);
  const capacity = Math.round((features.family === 'factor' ? 240e6 : features.family === 'pairs' ? 35e6 : 80e6) / Math.max(turnover * 10, 0.5) / 1e5) * 1e5;
  const lowestTicker = [...(features.tickers.length ? features.tickers : land.defaultTickers)].sort()[0]!;
  const startEquity = features.cash;
  const endEquity = startEquity * (1 + netProfit);
  const recoveryDays = Math.round(Math.max(20, 400 - 180 * S));

  const statistics: Record<string, string> = {
    'Total Orders': String(totalOrders),
    'Average Win': leanPercent(avgWin, 2),
    'Average Loss': leanPercent(avgLoss, 2),
    'Compounding Annual Return': leanPercent(car),
    Drawdown: leanPercent(drawdown),
    Expectancy: ratio(expectancy),
    'Start Equity': String(startEquity),
    'End Equity': endEquity.toFixed(2),
    'Net Profit': leanPercent(netProfit),
    'Sharpe Ratio': ratio(S),
    'Sortino Ratio': ratio(sortino),
    'Probabilistic Sharpe Ratio': leanPercent(psr),
    'Loss Rate': `${Math.round(lossRate * 100)}%`,
    'Win Rate': `${Math.round(winRate * 100)}%`,
    'Profit-Loss Ratio': ratio(plr),
    Alpha: ratio(alpha),
    Beta: ratio(beta),
    'Annual Standard Deviation': ratio(sigma),
    'Annual Variance': ratio(sigma ** 2),
    'Information Ratio': ratio(informationRatio),
    'Tracking Error': ratio(trackingError),
    'Treynor Ratio': ratio(treynor),
    'Total Fees': dollars(fees),
    'Estimated Strategy Capacity': dollars(capacity),
    'Lowest Capacity Asset': securityId(lowestTicker),
    'Portfolio Turnover': leanPercent(turnover, 2),
    'Drawdown Recovery': String(recoveryDays),
    OrderListHash: createHash('md5').update(readableLines(code)).digest('hex'),
  };

  const winningTrades = Math.round((totalOrders / 2) * winRate);
  const losingTrades = Math.round(totalOrders / 2) - winningTrades;
  const grossProfit = winningTrades * avgWin * startEquity;
  const grossLoss = losingTrades * avgLoss * startEquity;
  const totalPerformance = {
    tradeStatistics: {
      startDateTime: `${start.replace(' ', 'T')}Z`,
      endDateTime: `${end.replace(' ', 'T')}Z`,
      totalNumberOfTrades: Math.round(totalOrders / 2),
      numberOfWinningTrades: winningTrades,
      numberOfLosingTrades: losingTrades,
      totalProfitLoss: four(grossProfit + grossLoss),
      totalProfit: four(grossProfit),
      totalLoss: four(grossLoss),
      largestProfit: four(avgWin * startEquity * 3.1),
      largestLoss: four(avgLoss * startEquity * 2.7),
      averageProfitLoss: four((grossProfit + grossLoss) / Math.max(totalOrders / 2, 1)),
      averageProfit: four(avgWin * startEquity),
      averageLoss: four(avgLoss * startEquity),
      winLossRatio: four(losingTrades ? winningTrades / losingTrades : winningTrades),
      winRate: four(winRate),
      lossRate: four(lossRate),
      profitLossRatio: four(plr),
      profitFactor: four(grossLoss ? grossProfit / Math.abs(grossLoss) : 0),
      sharpeRatio: four(S),
      sortinoRatio: four(sortino),
      totalFees: four(fees),
    },
    portfolioStatistics: {
      averageWinRate: four(avgWin),
      averageLossRate: four(avgLoss),
      profitLossRatio: four(plr),
      winRate: four(winRate),
      lossRate: four(lossRate),
      expectancy: four(expectancy),
      startEquity: four(startEquity),
      endEquity: four(endEquity),
      compoundingAnnualReturn: four(car),
      drawdown: four(drawdown),
      totalNetProfit: four(netProfit),
      sharpeRatio: four(S),
      probabilisticSharpeRatio: four(psr),
      sortinoRatio: four(sortino),
      alpha: four(alpha),
      beta: four(beta),
      annualStandardDeviation: four(sigma),
      annualVariance: four(sigma ** 2),
      informationRatio: four(informationRatio),
      trackingError: four(trackingError),
      treynorRatio: four(treynor),
      portfolioTurnover: four(turnover),
      valueAtRisk99: four(-2.33 * sigma / Math.sqrt(252)),
      valueAtRisk95: four(-1.65 * sigma / Math.sqrt(252)),
      drawdownRecovery: String(recoveryDays),
    },
    closedTrades: [],
  };
  const at = (progress: number) => runtimeStatisticsAt(features.cash, netProfit, fees, psr, progress);
  return { features, breakdown, statistics, runtimeStatistics: at(1), totalPerformance, runtimeStatisticsAt: at, days, dailyReturns: returns };
}

/** `runtimeStatistics` after `progress` (0–1) of the run, in LEAN's money formats. */
function runtimeStatisticsAt(cash: number, netProfit: number, fees: number, psr: number, progress: number): Record<string, string> {
  const profit = cash * netProfit * progress;
  const equity = cash + profit;
  return {
    Equity: runtimeMoney(equity),
    Fees: runtimeMoney(-fees * progress),
    Holdings: runtimeMoney(equity * 0.97),
    'Net Profit': runtimeMoney(profit),
    'Probabilistic Sharpe Ratio': leanPercent(psr * progress),
    Return: `${(netProfit * progress * 100).toFixed(2)} %`,
    Unrealized: runtimeMoney(profit * 0.12),
    Volume: runtimeMoney(equity * 14.3 * progress),
  };
}
