/**
 * Reading LEAN's backtest statistics, which QuantConnect sends as display strings
 * (`"27.145%"`, `"$104,272.21"`, `"-$1.30"`, `"4.27 %"`, `"-3.528"`).
 *
 * Units: values shown as percentages stay in percent (`"2.200%"` → 2.2, `"55%"` → 55);
 * money stays in account currency; ratios are plain numbers. `totalPerformance` is different:
 * its numbers are fractions (`"0.6453"` → 0.6453) and are returned as such.
 *
 * Nothing here throws: an unreadable value becomes null and the original string stays in `raw`.
 */

/** The values fitness and reports use, each null when absent or unreadable. */
export interface BacktestStatistics {
  /** Sharpe ratio (plain number). */
  sharpeRatio: number | null;
  /** Sortino ratio (plain number); null for LEAN's decimal max-value sentinel. */
  sortinoRatio: number | null;
  /** Maximum drawdown in percent (12.3 means 12.3 %). */
  drawdown: number | null;
  /** Compounding annual return in percent. */
  compoundingAnnualReturn: number | null;
  /** Net profit in percent of starting equity. */
  netProfit: number | null;
  /** Share of winning trades in percent (55 means 55 %). */
  winRate: number | null;
  /** Share of losing trades in percent. */
  lossRate: number | null;
  /** Orders placed ("Total Orders"; older LEAN called it "Total Trades"). */
  totalOrders: number | null;
  /** Fees paid, in account currency. */
  totalFees: number | null;
  /** Probabilistic Sharpe ratio in percent. */
  probabilisticSharpeRatio: number | null;
  /** Average winning trade in percent. */
  averageWin: number | null;
  /** Average losing trade in percent (negative). */
  averageLoss: number | null;
  /** Annualised standard deviation (plain number). */
  annualStandardDeviation: number | null;
  alpha: number | null;
  beta: number | null;
  informationRatio: number | null;
  trackingError: number | null;
  treynorRatio: number | null;
  profitLossRatio: number | null;
  expectancy: number | null;
  /** Portfolio turnover in percent. */
  portfolioTurnover: number | null;
  /** Starting and ending equity, in account currency. */
  startEquity: number | null;
  endEquity: number | null;
  /** Estimated strategy capacity, in account currency. */
  estimatedStrategyCapacity: number | null;
  /** Every statistic as LEAN sent it, known or not. */
  raw: Record<string, string>;
}

/** `totalPerformance` reduced to its numeric tables (fractions, not percents). */
export interface TotalPerformance {
  portfolioStatistics: Record<string, number | null>;
  tradeStatistics: Record<string, number | null>;
}

type NumericKey = Exclude<keyof BacktestStatistics, 'raw'>;

/** LEAN's statistic names (normalised: lower case, letters and digits only) for each field. */
const KEYS: Record<NumericKey, string[]> = {
  sharpeRatio: ['sharperatio'],
  sortinoRatio: ['sortinoratio'],
  drawdown: ['drawdown', 'maxdrawdown', 'maximumdrawdown'],
  compoundingAnnualReturn: ['compoundingannualreturn'],
  netProfit: ['netprofit'],
  winRate: ['winrate'],
  lossRate: ['lossrate'],
  totalOrders: ['totalorders', 'totaltrades'],
  totalFees: ['totalfees'],
  probabilisticSharpeRatio: ['probabilisticsharperatio'],
  averageWin: ['averagewin'],
  averageLoss: ['averageloss'],
  annualStandardDeviation: ['annualstandarddeviation'],
  alpha: ['alpha'],
  beta: ['beta'],
  informationRatio: ['informationratio'],
  trackingError: ['trackingerror'],
  treynorRatio: ['treynorratio'],
  profitLossRatio: ['profitlossratio'],
  expectancy: ['expectancy'],
  portfolioTurnover: ['portfolioturnover'],
  startEquity: ['startequity'],
  endEquity: ['endequity'],
  estimatedStrategyCapacity: ['estimatedstrategycapacity'],
};

/** C#'s decimal.MaxValue is 7.9e28; LEAN printed it for undefined ratios. Anything that large is a sentinel. */
const SENTINEL_MAGNITUDE = 7.9e28;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Reads one statistic: numbers pass through, strings lose `%`, `$`, thousands separators and
 * spaces (`"$-1.30"` and `"-$1.30"` are both -1.3). Returns null for anything unreadable,
 * non-finite, or LEAN's decimal max-value sentinel.
 */
export function parseStatValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) < SENTINEL_MAGNITUDE ? value : null;
  if (typeof value !== 'string') return null;
  let s = value.trim().replace(/[\s\u00a0]/g, '');
  if (s === '') return null;
  let sign = 1;
  // A sign may come before or after the currency symbol, and accounting negatives use parentheses.
  if (/^\(.*\)$/.test(s)) {
    sign = -1;
    s = s.slice(1, -1);
  }
  s = s.replace(/%$/, '');
  const match = /^([+-]?)[$€£¥]?([+-]?)([0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:e([+-]?[0-9]+))?$/i.exec(s);
  if (!match) return null;
  const [, outerSign, innerSign, digits, exponent] = match;
  if (outerSign === '-') sign = -sign;
  if (innerSign === '-') sign = -sign;
  if (!/^[0-9]{1,3}(,[0-9]{3})*(\.[0-9]*)?$/.test(digits!) && digits!.includes(',')) return null;
  const n = Number(digits!.replace(/,/g, '') + (exponent !== undefined ? `e${exponent}` : ''));
  if (!Number.isFinite(n) || Math.abs(n) >= SENTINEL_MAGNITUDE) return null;
  return sign * n;
}

function asStringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v === null || v === undefined) out[k] = '';
    else out[k] = JSON.stringify(v);
  }
  return out;
}

/**
 * Parses QuantConnect's `backtest.statistics`. Accepts the empty list QuantConnect sends while a
 * backtest runs (every value null), unknown keys (kept in `raw`) and any odd number format.
 */
export function parseBacktestStatistics(stats: unknown): BacktestStatistics {
  const raw = asStringMap(stats);
  const byKey = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) byKey.set(normaliseKey(k), v);
  const result = { raw } as BacktestStatistics;
  for (const [field, names] of Object.entries(KEYS) as Array<[NumericKey, string[]]>) {
    let value: number | null = null;
    for (const name of names) {
      if (byKey.has(name)) {
        value = parseStatValue(byKey.get(name));
        break;
      }
    }
    result[field] = value;
  }
  return result;
}

/** Parses `runtimeStatistics` (Equity, Fees, Net Profit, Return, …, plus algorithm-defined keys). */
export function parseRuntimeStatistics(stats: unknown): { values: Record<string, number | null>; raw: Record<string, string> } {
  const raw = asStringMap(stats);
  const values: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(raw)) values[k] = parseStatValue(v);
  return { values, raw };
}

function numericTable(value: unknown): Record<string, number | null> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number' || typeof v === 'string') out[k] = parseStatValue(v);
  }
  return out;
}

/**
 * Parses `totalPerformance`: its `portfolioStatistics` and `tradeStatistics` numbers may be JSON
 * numbers or strings rounded to four places; they are fractions (0.6453 = 64.53 %).
 * Returns null when there is no such object (a running backtest).
 */
export function parseTotalPerformance(value: unknown): TotalPerformance | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { portfolioStatistics, tradeStatistics } = value as { portfolioStatistics?: unknown; tradeStatistics?: unknown };
  return { portfolioStatistics: numericTable(portfolioStatistics), tradeStatistics: numericTable(tradeStatistics) };
}
