/**
 * Rules about LEAN data objects used as if they were Python lists or C# collections: rolling
 * windows, history frames, custom indicators, and securities added with the wrong asset class.
 */
import { CRYPTO_BASES, CRYPTO_QUOTES, CSHARP_COLLECTION_METHODS, FOREX_CURRENCIES } from './lean-api';
import { codeMatches, escapeRegExp, lineAt, type Edit, type PythonSource } from './python-source';
import { checkRule, editRule, type Spot } from './rule-kit';

/** Regex sources matching each RollingWindow the code creates (`self.window`, `self.windows[s]`). */
function rollingWindows(src: PythonSource): string[] {
  const found = new Set<string>();
  const add = (target: string, subscripted: boolean) => {
    const parts = target.split(/\s*\.\s*/).map(escapeRegExp);
    found.add(parts.join('\\s*\\.\\s*') + (subscripted ? '\\s*\\[[^\\]\\n]+\\]' : ''));
  };
  for (const m of codeMatches(src, /(?<![\w.])((?:self\s*\.\s*)?[A-Za-z_]\w*)(\s*\[[^\]\n]*\])?\s*=\s*RollingWindow\s*\[/g)) {
    add(m[1]!, !!m[2]);
  }
  // a dict of windows built by a comprehension: self.windows = {s: RollingWindow[float](20) for s in ...}
  for (const m of codeMatches(src, /(?<![\w.])((?:self\s*\.\s*)?[A-Za-z_]\w*)\s*=\s*\{[^:{}]*:\s*RollingWindow\s*\[/g)) {
    add(m[1]!, true);
  }
  return [...found];
}

export const rollingWindowMisuse = editRule({
  id: 'rolling-window-misuse',
  severity: 'error',
  message: 'a RollingWindow is not a Python list',
  find: (src) => {
    const spots: Spot[] = [];
    const at = (m: RegExpExecArray, message: string, edit: Edit) => spots.push({ line: lineAt(src, m.index), message, edits: [edit] });
    for (const w of rollingWindows(src)) {
      const W = `(?<![\\w.])(${w})(?![\\w])`;
      for (const m of codeMatches(src, new RegExp(`(?<![\\w.])len\\s*\\(\\s*${W}\\s*\\)`, 'g'))) {
        const name = m[1]!.trim();
        at(m, `len(${name}) fails on a RollingWindow; use ${name}.count`, { start: m.index, end: m.index + m[0].length, text: `${name}.count` });
      }
      const wrapped: Array<[number, number]> = [];
      for (const m of codeMatches(src, new RegExp(`(?<![\\w.])list\\s*\\(\\s*${W}\\s*\\.\\s*(?:Values|values)(?:\\s*\\(\\s*\\))?\\s*\\)`, 'g'))) {
        const name = m[1]!.trim();
        wrapped.push([m.index, m.index + m[0].length]);
        at(m, `a RollingWindow has no .values; iterate it directly: list(${name})`, { start: m.index, end: m.index + m[0].length, text: `list(${name})` });
      }
      for (const m of codeMatches(src, new RegExp(`${W}\\s*\\.\\s*(?:Values|values)(?![\\w])(?:\\s*\\(\\s*\\))?`, 'g'))) {
        if (wrapped.some(([a, b]) => m.index >= a && m.index < b)) continue;
        const name = m[1]!.trim();
        at(m, `a RollingWindow has no .values; iterate it directly: list(${name})`, { start: m.index, end: m.index + m[0].length, text: `list(${name})` });
      }
      for (const m of codeMatches(src, new RegExp(`${W}\\s*\\.\\s*(?:Count|count)\\s*\\(\\s*\\)`, 'g'))) {
        const name = m[1]!.trim();
        at(m, `${name}.count is a property, not a method`, { start: m.index, end: m.index + m[0].length, text: `${name}.count` });
      }
      for (const m of codeMatches(src, new RegExp(`${W}\\s*\\[\\s*-\\s*(\\d+)\\s*\\]`, 'g'))) {
        const name = m[1]!.trim();
        const k = Number(m[2]);
        at(m, `${name}[-${k}]: a RollingWindow has no negative indexes ([0] is the newest); use ${name}[${name}.count - ${k}]`, {
          start: m.index,
          end: m.index + m[0].length,
          text: `${name}[${name}.count - ${k}]`,
        });
      }
      for (const m of codeMatches(src, new RegExp(`${W}\\s*\\.\\s*append\\s*\\(`, 'g'))) {
        const name = m[1]!.trim();
        at(m, `a RollingWindow has no append(); use ${name}.add(...)`, { start: m.index, end: m.index + m[0].length, text: `${name}.add(` });
      }
    }
    return spots;
  },
});

export const historyInOnData = checkRule({
  id: 'history-in-on-data',
  severity: 'warning',
  message: 'history() requested on every data event',
  find: (src) => {
    const spots: Spot[] = [];
    const handlers = src.scopes.filter(
      (s) => s.kind === 'def' && /^(on_data|OnData)$/.test(s.name) && !!s.parent && src.algorithmClasses.includes(s.parent),
    );
    for (const fn of handlers) {
      for (const m of codeMatches(src, /(?<![\w.])self\s*\.\s*(history|History)\s*\(/g)) {
        if (m.index < fn.start || m.index >= fn.end) continue;
        spots.push({
          line: lineAt(src, m.index),
          message: `self.${m[1]}() inside ${fn.name} runs a history request on every slice (slow, and it can time out); keep indicators or a RollingWindow updated instead, or request history in a scheduled event`,
        });
      }
    }
    return spots;
  },
});

const CSHARP_RE = new RegExp(`\\.\\s*(${CSHARP_COLLECTION_METHODS.join('|')})\\s*\\(`, 'g');

export const csharpCollectionMethods = checkRule({
  id: 'csharp-collection-methods',
  severity: 'warning',
  message: 'C#/LINQ collection methods do not exist on Python objects',
  find: (src) => {
    const defined = new Set(src.scopes.filter((s) => s.kind === 'def').map((s) => s.name));
    return codeMatches(src, CSHARP_RE)
      .filter((m) => !defined.has(m[1]!))
      .map((m) => ({
        line: lineAt(src, m.index),
        message: `.${m[1]}() is C#/LINQ; history() returns a pandas DataFrame and LEAN collections are Python iterables (use pandas methods, loops or comprehensions)`,
      }));
  },
});

export const indicatorBaseFloat = editRule({
  id: 'indicator-base-float',
  severity: 'error',
  message: 'custom indicators derive from IndicatorBase[IndicatorDataPoint], not IndicatorBase[float]',
  find: (src) =>
    codeMatches(src, /(?<![\w.])IndicatorBase\s*\[\s*float\s*\]/g).map((m) => ({
      line: lineAt(src, m.index),
      message: 'IndicatorBase[float] is not a LEAN type; use IndicatorBase[IndicatorDataPoint]',
      edits: [{ start: m.index, end: m.index + m[0].length, text: 'IndicatorBase[IndicatorDataPoint]' }],
    })),
});

const ADD_EQUITY_RE = /(?<![\w])(add_equity|AddEquity)(\s*\(\s*)(['"])([A-Za-z0-9./-]+)\3/g;

function addedAsEquity(src: PythonSource, classify: (ticker: string) => string | undefined, snake: string, pascal: string, what: string): Spot[] {
  const spots: Spot[] = [];
  for (const m of codeMatches(src, ADD_EQUITY_RE)) {
    const [, method, gap, quote, raw] = m;
    const ticker = classify(raw!.toUpperCase().replace(/[-/.]/g, ''));
    if (!ticker) continue;
    const replacement = method === 'add_equity' ? snake : pascal;
    spots.push({
      line: lineAt(src, m.index),
      message: `${method}("${raw}") adds a stock named ${raw}; ${what} ${ticker} needs ${replacement}("${ticker}")`,
      edits: [{ start: m.index, end: m.index + m[0].length, text: `${replacement}${gap}${quote}${ticker}${quote}` }],
    });
  }
  return spots;
}

function forexPair(t: string): string | undefined {
  return t.length === 6 && FOREX_CURRENCIES.has(t.slice(0, 3)) && FOREX_CURRENCIES.has(t.slice(3)) ? t : undefined;
}

function cryptoPair(t: string): string | undefined {
  const quote = CRYPTO_QUOTES.find((q) => t.endsWith(q) && CRYPTO_BASES.has(t.slice(0, t.length - q.length)));
  return quote ? t : undefined;
}

export const forexAsEquity = editRule({
  id: 'forex-as-equity',
  severity: 'error',
  message: 'a currency pair added with add_equity',
  find: (src) => addedAsEquity(src, forexPair, 'add_forex', 'AddForex', 'the currency pair'),
});

export const cryptoAsEquity = editRule({
  id: 'crypto-as-equity',
  severity: 'error',
  message: 'a crypto pair added with add_equity',
  find: (src) => addedAsEquity(src, cryptoPair, 'add_crypto', 'AddCrypto', 'the crypto pair'),
});
