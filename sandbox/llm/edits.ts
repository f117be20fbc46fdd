import type { StrategyFamily } from '../../domain/strategy';
import { DEFAULT_END_DATE, DEFAULT_START_DATE, LANDSCAPES, analyseAlgorithm, canonicalParameters, extractParameters, periodNoisePhase, type ParameterRole, type ParameterSpec } from '../landscape';
import { pythonNumber } from './templates';
import { pick } from './prompt';

/**
 * The scripted `mutate` and `crossover`. Edits are computed on lines of the given code, then
 * rendered either as SEARCH/REPLACE blocks (whose SEARCH text is copied from the code, extended
 * until unique) or as the whole edited file. By default a parameter step goes in a random
 * direction, like a model that cannot know where the optimum is: only selection makes evolution
 * climb. `biased-toward-optimum` lets a step go toward the landscape's optimum 60 % of the time.
 * `tune-to-period` is a model that tunes hard on the backtest period written in the code it is
 * given: its non-integer values carry fine digits fitted to that period's noise, and its entry
 * edits stack one more finely tuned condition (the landscape's overfitting trap). In `random` mode
 * a fifth of such edits carry precise-looking digits at random; `biased-toward-optimum` never does.
 */

export const MUTATION_MODES = ['random', 'biased-toward-optimum', 'tune-to-period'] as const;
export type MutationMode = (typeof MUTATION_MODES)[number];

export const MUTATION_KINDS = ['indicator_change', 'entry_exit', 'risk_management', 'universe', 'timeframe', 'add_filter', 'parameter_tune'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** Replace lines [start, end) with `replacement`; start === end inserts before `start`. */
export interface LineEdit {
  start: number;
  end: number;
  replacement: string[];
  why: string;
}

export function applyEdits(lines: string[], edits: LineEdit[]): string[] {
  const out = [...lines];
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out.splice(e.start, e.end - e.start, ...e.replacement);
  return out;
}

/** Occurrences of the block as a substring of the code: appliers that match text (not lines) must find it once. */
function occurrences(lines: string[], block: string[]): number {
  const text = lines.join('\n');
  const needle = block.join('\n');
  if (needle === '') return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) n++;
  return n;
}

/** SEARCH/REPLACE blocks for the edits; each SEARCH is exact lines of the code and unique in it. */
export function renderSearchReplace(lines: string[], edits: LineEdit[]): string {
  const blocks: string[] = [];
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    let start = e.start;
    let end = e.end;
    let before: string[] = [];
    let after: string[] = [];
    // an insertion needs an anchor line to search for
    if (start === end) {
      if (start > 0) before = [lines[--start]!];
      else after = [lines[end++]!];
    }
    while (occurrences(lines, lines.slice(start, end)) !== 1 && (start > 0 || end < lines.length)) {
      if (start > 0) before = [lines[--start]!, ...before];
      else after = [...after, lines[end++]!];
    }
    const search = lines.slice(start, end);
    const replace = [...before, ...e.replacement, ...after];
    blocks.push(['<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE'].join('\n'));
  }
  return blocks.join('\n\n');
}

interface ParamLine {
  spec: ParameterSpec;
  index: number;
  indent: string;
  name: string;
  value: number;
  comment: string;
}

const ASSIGNMENT = /^(\s*)self\.(\w+)\s*=\s*([-+]?[\d_]*\.?\d+(?:[eE][-+]?\d+)?)\s*(#.*)?$/;

/** The lines assigning the family's parameters (`self.lookback = 252`), the last assignment of each. */
export function parameterLines(lines: string[], family: StrategyFamily): ParamLine[] {
  const found = new Map<string, ParamLine>();
  for (const [index, line] of lines.entries()) {
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    const spec = LANDSCAPES[family].params.find((s) => s.name === m[2] || s.aliases.includes(m[2]!));
    if (spec) found.set(spec.name, { spec, index, indent: m[1]!, name: m[2]!, value: Number(m[3]!.replace(/_/g, '')), comment: m[4] ? `  ${m[4]}` : '' });
  }
  return [...found.values()];
}

function clamp(spec: ParameterSpec, v: number): number {
  return Math.min(Math.max(v, spec.min), spec.max === Number.POSITIVE_INFINITY ? v : spec.max);
}

function roundFor(spec: ParameterSpec, v: number): number {
  if (spec.integer) return Math.max(1, Math.round(v));
  return v >= 1 ? Math.round(v * 100) / 100 : Math.round(v * 1000) / 1000;
}

/** One step for a parameter: a random move of 20–60 %; in `biased-toward-optimum` mode, toward the optimum 60 % of the time. */
export function stepValue(spec: ParameterSpec, current: number, rng: () => number, mode: MutationMode = 'random'): number {
  let next: number;
  if (mode === 'biased-toward-optimum' && rng() < 0.6 && current !== spec.optimum) {
    const share = pick(rng, [0.35, 0.5, 0.7]);
    next = spec.scale === 'log' && current > 0 ? current * (spec.optimum / current) ** share : current + (spec.optimum - current) * share;
  } else {
    const factor = pick(rng, [0.6, 0.75, 0.8, 1.25, 1.35, 1.6]);
    next = spec.scale === 'log' ? current * factor : current + (factor - 1) * Math.max(spec.width, Math.abs(current));
  }
  let rounded = roundFor(spec, clamp(spec, next));
  if (rounded === current) {
    const up = mode === 'biased-toward-optimum' ? spec.optimum > current : rng() < 0.5;
    rounded = roundFor(spec, clamp(spec, spec.integer ? current + (up ? 1 : -1) : current * (up ? 1.1 : 0.9)));
  }
  return rounded;
}

function tuneEdit(p: ParamLine, value: number | string, why: string): LineEdit {
  const text = typeof value === 'string' ? value : pythonNumber(value, p.spec.integer && Number.isInteger(value));
  return { start: p.index, end: p.index + 1, replacement: [`${p.indent}self.${p.name} = ${text}${p.comment}`], why };
}

/**
 * `value` written with five significant digits whose last three are `fraction` (0–1): the first
 * two digits keep the value where it was, the rest is the kind of precision only tuning produces.
 */
export function fineValue(value: number, fraction: number): string {
  const sign = value < 0 ? '-' : '';
  let exp = Math.floor(Math.log10(Math.abs(value) || 1));
  let lead = Math.round(Math.abs(value) / 10 ** (exp - 1));
  if (lead >= 100) [lead, exp] = [10, exp + 1];
  // a last digit 0 would read as no digit at all: one thousandth off keeps the value as fine
  let fine = Math.round(fraction * 1000) % 1000;
  if (fine % 10 === 0) fine += 1;
  const digits = `${lead}${String(fine).padStart(3, '0')}`;
  const shift = exp - 4;
  const text = shift >= 0 ? `${digits}${'0'.repeat(shift)}` : digits.length + shift > 0 ? `${digits.slice(0, digits.length + shift)}.${digits.slice(digits.length + shift)}` : `0.${'0'.repeat(-(digits.length + shift))}${digits}`;
  return `${sign}${text}`;
}

/** How the model writes tuned values: plainly, or with fine digits (fitted to the code's period, or at random). */
interface Precision {
  /** The fine digits for the next tuned value, or null to write it plainly. */
  next(rng: () => number): number | null;
}

function precisionFor(code: string, mode: MutationMode, fineDigitRate: number): Precision {
  if (mode === 'biased-toward-optimum') return { next: () => null };
  if (mode === 'random') return { next: (rng) => (rng() < fineDigitRate ? rng() : null) };
  const { startDate, endDate } = analyseAlgorithm(code);
  const phase = periodNoisePhase(startDate ?? DEFAULT_START_DATE, endDate ?? DEFAULT_END_DATE);
  return { next: () => phase };
}

function tuneByRole(lines: string[], family: StrategyFamily, roles: ParameterRole[] | null, rng: () => number, mode: MutationMode, count = 1, precision: Precision = { next: () => null }): LineEdit[] {
  const params = parameterLines(lines, family).filter((p) => roles === null || roles.includes(p.spec.role));
  const edits: LineEdit[] = [];
  const pool = [...params];
  for (let k = 0; k < count && pool.length > 0; k++) {
    const p = pool.splice(Math.floor(rng() * pool.length), 1)[0]!;
    const value = stepValue(p.spec, p.value, rng, mode === 'tune-to-period' ? 'random' : mode);
    const fine = p.spec.integer ? null : precision.next(rng);
    const written = fine === null ? value : fineValue(value, fine);
    edits.push(tuneEdit(p, written, `${p.name} ${p.value} -> ${written}`));
  }
  return edits;
}

/**
 * One more condition stacked with `and` onto the first entry `if` of `on_data` that compares a
 * value (`if self.mom.current.value > 0:`): the same value bounded by a finely tuned threshold.
 * At most three conditions are stacked on a line.
 */
function stackConditionEdit(lines: string[], rng: () => number, fraction: number): LineEdit[] {
  const onData = lines.findIndex((l) => /^\s*def\s+on_data\s*\(/.test(l));
  if (onData < 0) return [];
  for (let i = onData + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*def\s/.test(line)) break;
    const m = /^(\s*)if (.+?) ([<>]=?) ([^:]+):\s*(#.*)?$/.exec(line);
    if (!m || /is_warming_up|regime/.test(line) || (line.match(/ and /g)?.length ?? 0) >= 2) continue;
    const subject = m[2]!.split(' and ')[0]!.replace(/^not /, '');
    const bound = fineValue(1 + rng() * 8, fraction);
    const op = m[3]!.startsWith('>') ? '<' : '>';
    return [{ start: i, end: i + 1, replacement: [`${m[1]}if ${m[2]} ${m[3]} ${m[4]!.trim()} and ${subject} ${op} ${bound}:`], why: `entry only while ${subject} ${op} ${bound}` }];
  }
  return [];
}

/** Index after which new attributes go in `initialize`: after its last parameter-like assignment. */
function initializeInsertPoint(lines: string[]): { index: number; indent: string } | null {
  const def = lines.findIndex((l) => /^\s*def\s+initialize\s*\(/.test(l));
  if (def < 0) return null;
  const defIndent = /^\s*/.exec(lines[def]!)![0].length;
  let last = def;
  let indent = ' '.repeat(defIndent + 4);
  for (let i = def + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() && /^\s*/.exec(l)![0].length <= defIndent) break;
    if (ASSIGNMENT.test(l) || /self\.set_cash\(/.test(l)) {
      last = i;
      indent = /^\s*/.exec(l)![0];
    }
  }
  return { index: last + 1, indent };
}

function indicatorSwap(lines: string[], rng: () => number): LineEdit[] {
  const swaps: Array<[RegExp, string, string]> = [
    [/self\.sma\(/g, 'self.ema(', 'simple to exponential moving averages'],
    [/self\.ema\(/g, 'self.sma(', 'exponential to simple moving averages'],
    [/self\.momp\(/g, 'self.roc(', 'momentum percent to rate of change'],
    [/self\.roc\(/g, 'self.momp(', 'rate of change to momentum percent'],
    [/MovingAverageType\.SIMPLE/g, 'MovingAverageType.EXPONENTIAL', 'exponential bands'],
  ];
  const usable = swaps.filter(([re]) => lines.some((l) => new RegExp(re.source).test(l) && !/regime/.test(l)));
  if (usable.length === 0) return [];
  // prefer the direction a quant would try first (sma→ema), but not always
  const [re, to, why] = usable.length > 1 && rng() < 0.3 ? usable[1]! : usable[0]!;
  return lines.flatMap((l, i) =>
    new RegExp(re.source).test(l) && !/regime/.test(l) ? [{ start: i, end: i + 1, replacement: [l.replace(new RegExp(re.source, 'g'), to)], why }] : [],
  );
}

const TICKER_POOLS: Partial<Record<StrategyFamily, string[]>> = {
  momentum: ['SPY', 'EFA', 'EEM', 'TLT', 'GLD', 'IEF', 'VNQ', 'DBC'],
  trend: ['SPY', 'QQQ', 'IWM', 'EFA', 'TLT'],
  mean_reversion: ['SPY', 'QQQ', 'IWM', 'DIA'],
  other: ['SPY', 'QQQ', 'IWM'],
};
const PAIRS = [['KO', 'PEP'], ['XOM', 'CVX'], ['V', 'MA'], ['HD', 'LOW']];

function universeEdit(lines: string[], family: StrategyFamily, rng: () => number): LineEdit[] {
  if (family === 'pairs') {
    const a = lines.findIndex((l) => /self\.first\s*=\s*self\.add_equity\("(\w+)"/.test(l));
    const b = lines.findIndex((l) => /self\.second\s*=\s*self\.add_equity\("(\w+)"/.test(l));
    if (a < 0 || b < 0) return [];
    const current = /"(\w+)"/.exec(lines[a]!)![1];
    const next = pick(rng, PAIRS.filter((p) => p[0] !== current));
    return [
      { start: a, end: a + 1, replacement: [lines[a]!.replace(/"\w+"/, `"${next[0]}"`)], why: `trade ${next.join('/')}` },
      { start: b, end: b + 1, replacement: [lines[b]!.replace(/"\w+"/, `"${next[1]}"`)], why: `trade ${next.join('/')}` },
    ];
  }
  const i = lines.findIndex((l) => /^\s*self\.tickers\s*=\s*\[.*\]\s*$/.test(l));
  if (i < 0) return [];
  const tickers = [...lines[i]!.matchAll(/"([A-Z.]+)"/g)].map((m) => m[1]!);
  const spare = (TICKER_POOLS[family] ?? TICKER_POOLS.other!).filter((t) => !tickers.includes(t));
  const next = spare.length > 0 && (tickers.length < 3 || rng() < 0.65) ? [...tickers, pick(rng, spare)] : tickers.slice(0, -1);
  if (next.length === 0) return [];
  const indent = /^\s*/.exec(lines[i]!)![0];
  return [{ start: i, end: i + 1, replacement: [`${indent}self.tickers = [${next.map((t) => `"${t}"`).join(', ')}]`], why: `universe ${next.join(', ')}` }];
}

function timeframeEdit(lines: string[], family: StrategyFamily, rng: () => number, mode: MutationMode, precision: Precision): LineEdit[] {
  const tuned = tuneByRole(lines, family, ['rebalance'], rng, mode, 1, precision);
  if (tuned.length > 0) return tuned;
  const coarse = lines.some((l) => /Resolution\.(HOUR|MINUTE)/.test(l));
  const [from, to] = coarse ? [/Resolution\.(HOUR|MINUTE)/g, 'Resolution.DAILY'] : [/Resolution\.DAILY/g, 'Resolution.HOUR'];
  return lines.flatMap((l, i) =>
    /add_equity\(|self\.(sma|ema|rsi|bb|momp|roc|std)\(/.test(l) && new RegExp(from.source).test(l)
      ? [{ start: i, end: i + 1, replacement: [l.replace(new RegExp(from.source, 'g'), to)], why: `bars: ${to}` }]
      : [],
  );
}

function regimeFilterEdit(lines: string[]): LineEdit[] {
  if (lines.some((l) => /regime/.test(l))) return [];
  const at = initializeInsertPoint(lines);
  if (!at) return [];
  const guard = lines.findIndex((l, i) => /^\s*if self\.is_warming_up\b.*:\s*$/.test(l) && /^\s*return\s*$/.test(lines[i + 1] ?? ''));
  if (guard < 0) return [];
  const indent = /^\s*/.exec(lines[guard]!)![0];
  return [
    {
      start: at.index,
      end: at.index,
      replacement: [
        `${at.indent}self.regime_symbol = self.add_equity("SPY", Resolution.DAILY).symbol`,
        `${at.indent}self.regime_filter = self.sma(self.regime_symbol, 200, Resolution.DAILY)`,
      ],
      why: 'market regime filter: SPY above its 200-day average',
    },
    {
      start: guard + 2,
      end: guard + 2,
      replacement: [
        `${indent}if self.regime_filter.is_ready and self.securities[self.regime_symbol].price < self.regime_filter.current.value:`,
        `${indent}    self.liquidate()`,
        `${indent}    return`,
      ],
      why: 'stay in cash while the market is below its 200-day average',
    },
  ];
}

function insertStopEdit(lines: string[], family: StrategyFamily, rng: () => number, mode: MutationMode): LineEdit[] {
  const spec = LANDSCAPES[family].params.find((s) => s.name === 'stop_loss');
  const at = initializeInsertPoint(lines);
  if (!spec || !at || parameterLines(lines, family).some((p) => p.spec.name === 'stop_loss')) return [];
  // a stop-loss a model would write: a common one, or (biased) one near the landscape's optimum
  const value = roundFor(spec, mode === 'biased-toward-optimum' ? spec.optimum * pick(rng, [0.75, 1, 1.25, 1.5]) : pick(rng, [0.02, 0.05, 0.08, 0.1, 0.15, 0.2]));
  return [{ start: at.index, end: at.index, replacement: [`${at.indent}self.stop_loss = ${pythonNumber(value, false)}`], why: `stop-loss at ${value}` }];
}

/** The edits for one mutation of `code`; falls back through other kinds when the asked one does not apply. */
export function mutationEdits(
  code: string,
  kind: MutationKind,
  rng: () => number,
  mode: MutationMode = 'random',
  /** In `random` mode, the share of tuned values and entry edits written with precise-looking digits. */
  fineDigitRate = 0.2,
): { edits: LineEdit[]; lines: string[]; applied: MutationKind } {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const { family } = analyseAlgorithm(code);
  const precision = precisionFor(code, mode, fineDigitRate);
  const attempts: Record<MutationKind, () => LineEdit[]> = {
    parameter_tune: () => tuneByRole(lines, family, null, rng, mode, rng() < 0.3 ? 2 : 1, precision),
    indicator_change: () => indicatorSwap(lines, rng),
    entry_exit: () => {
      const fine = mode === 'biased-toward-optimum' ? null : precision.next(rng);
      const stacked = fine === null ? [] : stackConditionEdit(lines, rng, fine);
      return stacked.length > 0 ? stacked : tuneByRole(lines, family, ['threshold'], rng, mode, 1, precision);
    },
    risk_management: () => {
      const insert = insertStopEdit(lines, family, rng, mode === 'tune-to-period' ? 'random' : mode);
      const tune = tuneByRole(lines, family, ['risk'], rng, mode, 1, precision);
      return tune.length === 0 || (insert.length > 0 && rng() < 0.5) ? insert : tune;
    },
    universe: () => (family === 'factor' ? tuneByRole(lines, family, ['size'], rng, mode, 1, precision) : universeEdit(lines, family, rng)),
    timeframe: () => timeframeEdit(lines, family, rng, mode, precision),
    add_filter: () => regimeFilterEdit(lines),
  };
  const order: MutationKind[] = [kind, 'parameter_tune', 'risk_management', 'indicator_change', 'timeframe'];
  for (const k of order) {
    const edits = attempts[k]();
    if (edits.length > 0) return { edits, lines, applied: k };
  }
  return { edits: [], lines, applied: kind };
}

/** Parent A's code with each shared parameter taken from A, from B, or halfway between. */
export function crossoverCode(parentA: string, parentB: string, rng: () => number): { code: string; choices: string[] } {
  const lines = parentA.replace(/\r\n?/g, '\n').split('\n');
  const { family } = analyseAlgorithm(parentA);
  const fromB = canonicalParameters(family, extractParameters(parentB), parentB);
  const edits: LineEdit[] = [];
  const choices: string[] = [];
  for (const p of parameterLines(lines, family)) {
    const b = fromB[p.spec.name];
    if (b === undefined || b === p.value) continue;
    const draw = rng();
    if (draw < 0.4) continue;
    const value = draw < 0.8 ? b : roundFor(p.spec, p.spec.scale === 'log' && p.value > 0 && b > 0 ? Math.sqrt(p.value * b) : (p.value + b) / 2);
    edits.push(tuneEdit(p, value, ''));
    choices.push(`${p.spec.name}=${value} (${draw < 0.8 ? 'B' : 'between A and B'})`);
  }
  return { code: applyEdits(lines, edits).join('\n'), choices };
}
