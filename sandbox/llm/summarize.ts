import type { StrategyFamily, StrategySpec } from '../../domain/strategy';
import { LANDSCAPES } from '../landscape';

/**
 * The scripted `summarize`: a strategy specification built from the paper's own sentences.
 * The family comes from keyword weights (title words count five times), the parameters from
 * phrasings such as "lookback window of 12 months" or "z-score exceeds 2.0".
 */

type Extractor = [RegExp, (m: RegExpExecArray) => number];

const WORD_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, ten: 10, twelve: 12, twenty: 20 };
const num = (s: string) => WORD_NUMBERS[s.toLowerCase()] ?? Number(s);
const N = '(\\d+(?:\\.\\d+)?)';

const STOP: Extractor[] = [
  [new RegExp(`stop-?loss (?:of|at) ${N}\\s*(?:%|percent)`, 'i'), (m) => num(m[1]!) / 100],
  [new RegExp(`${N}\\s*(?:%|percent) stop-?loss`, 'i'), (m) => num(m[1]!) / 100],
];
const REBALANCE: Extractor[] = [
  [/rebalanced? every (\d+) trading days/i, (m) => num(m[1]!)],
  [/every (\d+) trading days/i, (m) => num(m[1]!)],
  [/rebalanced? (?:once a |each |every )?month/i, () => 21],
  [/rebalanced? (?:once a |each |every )?week/i, () => 5],
];

const EXTRACTORS: Record<StrategyFamily, Record<string, Extractor[]>> = {
  momentum: {
    lookback: [
      [/look-?back (?:window |period )?of (\d+) months? \((\d+) trading days\)/i, (m) => num(m[2]!)],
      [/look-?back (?:window |period )?of (\d+) months?/i, (m) => num(m[1]!) * 21],
      [/look-?back (?:window |period )?of (\d+) (?:trading )?days/i, (m) => num(m[1]!)],
      [/(\d+)-day (?:trailing|lookback)/i, (m) => num(m[1]!)],
      [/(\d+)-month (?:trailing|lookback|momentum)/i, (m) => num(m[1]!) * 21],
    ],
    stop_loss: STOP,
    rebalance_days: REBALANCE,
  },
  mean_reversion: {
    bb_period: [
      [new RegExp(`(\\d+)-day period and ${N} standard deviations`, 'i'), (m) => num(m[1]!)],
      [/Bollinger Bands? (?:with|of|over) (?:a )?(\d+)-day/i, (m) => num(m[1]!)],
    ],
    bb_std: [
      [new RegExp(`(\\d+)-day period and ${N} standard deviations`, 'i'), (m) => num(m[2]!)],
      [new RegExp(`${N} standard deviations`, 'i'), (m) => num(m[1]!)],
    ],
    rsi_period: [
      [/RSI (?:period|lookback|window) of (\d+)/i, (m) => num(m[1]!)],
      [/(\d+)-day RSI/i, (m) => num(m[1]!)],
    ],
    rsi_oversold: [
      [/oversold (?:threshold|level) of (\d+)/i, (m) => num(m[1]!)],
      [/RSI (?:is )?below (\d+)/i, (m) => num(m[1]!)],
    ],
    stop_loss: STOP,
  },
  pairs: {
    lookback: [
      [/look-?back of (\d+) (?:trading )?days/i, (m) => num(m[1]!)],
      [/(\d+)-day (?:rolling )?window/i, (m) => num(m[1]!)],
    ],
    entry_z: [
      [new RegExp(`z-score (?:exceeds|rises above|is above) ${N}`, 'i'), (m) => num(m[1]!)],
      [/more than (\w+) standard deviations/i, (m) => num(m[1]!)],
    ],
    exit_z: [
      [new RegExp(`reverts? to within ${N}`, 'i'), (m) => num(m[1]!)],
      [new RegExp(`exit[^.]*?z-score[^.]*?(?:below|within|of) ${N}`, 'i'), (m) => num(m[1]!)],
    ],
    stop_z: [[new RegExp(`stop[^.]*?z-score of ${N}`, 'i'), (m) => num(m[1]!)]],
  },
  volatility: {
    vol_lookback: [
      [/volatility over a (\d+)-day window/i, (m) => num(m[1]!)],
      [/(\d+)-day (?:realized|realised) volatility/i, (m) => num(m[1]!)],
      [/volatility[^.]*?over the last (\d+) trading days/i, (m) => num(m[1]!)],
    ],
    target_vol: [[new RegExp(`target (?:annuali[sz]ed )?volatility of ${N}\\s*(?:%|percent)`, 'i'), (m) => num(m[1]!) / 100]],
    max_leverage: [[new RegExp(`maximum leverage of ${N}`, 'i'), (m) => num(m[1]!)]],
  },
  trend: {
    fast_period: [
      [/(\d+)-day fast moving average/i, (m) => num(m[1]!)],
      [/fast (?:moving average|MA) (?:of|with) (\d+)/i, (m) => num(m[1]!)],
    ],
    slow_period: [
      [/(\d+)-day slow moving average/i, (m) => num(m[1]!)],
      [/slow (?:moving average|MA) (?:of|with) (\d+)/i, (m) => num(m[1]!)],
    ],
    stop_loss: STOP,
  },
  factor: {
    lookback: [
      [/(\d+)-day lookback/i, (m) => num(m[1]!)],
      [/(\d+)-month momentum/i, (m) => num(m[1]!) * 21],
    ],
    top_n: [[/top (\d+) stocks/i, (m) => num(m[1]!)]],
    universe_size: [[/(\d+) most liquid/i, (m) => num(m[1]!)]],
    rebalance_days: REBALANCE,
  },
  other: { lookback: [[/look-?back of (\d+) (?:trading )?days/i, (m) => num(m[1]!)]], stop_loss: STOP },
};

const FAMILY_WORDS: Record<Exclude<StrategyFamily, 'other'>, Array<[RegExp, number]>> = {
  momentum: [[/momentum/g, 1], [/trailing return/g, 2], [/look-?back/g, 1], [/winners/g, 1]],
  mean_reversion: [[/mean[- ]revers/g, 3], [/bollinger/g, 2], [/oversold/g, 2], [/\brsi\b|relative strength/g, 1], [/reversal/g, 1]],
  pairs: [[/pairs?[- ]trad/g, 3], [/cointegrat/g, 3], [/spread/g, 1], [/hedge ratio/g, 2], [/statistical arbitrage/g, 2]],
  volatility: [[/volatility[- ]target|target(?:ed)? (?:annuali[sz]ed )?volatility|volatility-managed/g, 3], [/reali[sz]ed volatility/g, 2], [/leverage/g, 1]],
  trend: [[/moving[- ]average/g, 2], [/crossover|crosses (?:above|below)|golden cross/g, 2], [/trend[- ]following/g, 2]],
  factor: [[/factor/g, 2], [/\bvalue\b/g, 1], [/quality/g, 1], [/cross-section/g, 1], [/\brank/g, 1], [/top \d+ stocks/g, 2]],
};

export function detectPaperFamily(title: string, text: string): StrategyFamily {
  const score = (t: string, weight: number, family: keyof typeof FAMILY_WORDS) =>
    FAMILY_WORDS[family].reduce((s, [re, w]) => s + (t.toLowerCase().match(re)?.length ?? 0) * w * weight, 0);
  let best: StrategyFamily = 'other';
  let bestScore = 2;
  for (const family of Object.keys(FAMILY_WORDS) as Array<keyof typeof FAMILY_WORDS>) {
    const s = score(title, 5, family) + score(text, 1, family);
    if (s > bestScore) [best, bestScore] = [family, s];
  }
  return best;
}

const HEADINGS = ['Abstract', 'Introduction', 'Data', 'Methodology', 'Method', 'Model', 'Strategy', 'Trading Rules', 'Risk Management', 'Results', 'Conclusions?', 'References'];
const HEADING_LINE = new RegExp(`(?:^|\\n)[ \\t]*(?:\\d+\\.?[ \\t]+)?(${HEADINGS.join('|')})[ \\t]*(?=\\n)`, 'g');
// when the extractor lost the line breaks, only numbered headings are recognisable
const HEADING_INLINE = new RegExp(`(?:^|\\s)(?:\\d+\\.[ \\t]+)(${HEADINGS.join('|')})\\b|\\b(Abstract)\\b`, 'g');

/** Splits extracted paper text at its section headings (`3. Methodology`, `Abstract`, …). */
function sections(text: string): Record<string, string> {
  let marks = [...text.matchAll(HEADING_LINE)];
  if (marks.length < 2) marks = [...text.matchAll(HEADING_INLINE)];
  const out: Record<string, string> = {};
  marks.forEach((m, i) => {
    const name = (m[1] ?? m[2]!).toLowerCase().replace(/^conclusions$/, 'conclusion');
    const start = m.index! + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : text.length;
    out[name] ??= text.slice(start, end);
  });
  return out;
}

function flatten(text: string): string {
  return text.replace(/-\n(?=[a-z])/g, '').replace(/\s+/g, ' ').trim();
}

/** Sentences, without heading lines and list-item dashes, at most 300 characters each. */
function sentences(text: string): string[] {
  const withoutHeadings = text.replace(HEADING_LINE, '\n');
  return flatten(withoutHeadings)
    .split(/(?<=[.!?])\s+(?=[-A-Z(])/)
    .map((s) => s.replace(/^[-*\u2022]\s*/, '').trim())
    .filter((s) => s.length > 20)
    .map((s) => (s.length > 300 ? `${s.slice(0, 297).replace(/\s+\S*$/, '')}...` : s));
}

function titleOf(text: string, user: string): string {
  const given = /^[ \t]*Title:[ \t]*(.+)$/im.exec(user)?.[1]?.trim();
  if (given) return given.slice(0, 200);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const title: string[] = [];
  for (const line of lines.slice(0, 4)) {
    const isByline = line.includes(',') && line.split(',').every((part) => /^\s*[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){1,3}\s*$/.test(part));
    if (isByline || /\b(University|Institute|School|DOI|arXiv|Journal|Abstract)\b|@/.test(line)) break;
    title.push(line);
  }
  return (title.join(' ') || lines[0] || 'Untitled strategy').slice(0, 200);
}

const KNOWN_TICKERS = new Set([
  'SPY', 'QQQ', 'IWM', 'DIA', 'EFA', 'EEM', 'TLT', 'IEF', 'GLD', 'SLV', 'USO', 'DBC', 'VNQ', 'LQD', 'HYG', 'AGG', 'VTI', 'VEA', 'VWO',
  // one- and two-letter tickers that are also words or abbreviations (V, MA, PG) are left out
  'KO', 'PEP', 'XOM', 'CVX', 'AAPL', 'MSFT', 'AMZN', 'GOOG', 'META', 'JPM', 'BAC', 'JNJ', 'WMT', 'HD',
]);

function matchingSentences(list: string[], re: RegExp, max: number): string[] {
  return list.filter((s) => re.test(s)).slice(0, max);
}

const ENTRY_LABEL = /^(Entry|Signal|Selection|Sizing)\b/i;
const EXIT_LABEL = /^(Exit|Time exit|Stop)\b/i;

/** Trading-rule sentences of one side: a labelled rule (`Exit: ...`) goes by its label, others by their verbs. */
function ruleSentences(list: string[], side: 'entry' | 'exit'): string[] {
  const [own, other, verbs] = side === 'entry' ? [ENTRY_LABEL, EXIT_LABEL, /\b(enter|buy|long|open|hold)/i] : [EXIT_LABEL, ENTRY_LABEL, /\b(exit|sell|close|flat|drops? out)/i];
  return list.filter((s) => own.test(s) || (!other.test(s) && verbs.test(s))).slice(0, 3);
}

/** The strategy specification the scripted model writes for a paper. */
export function summarizePaper(paperText: string, user: string): StrategySpec {
  const title = titleOf(paperText, user);
  const secs = sections(paperText);
  const all = sentences(paperText);
  const family = detectPaperFamily(title, flatten(paperText));
  const method = sentences(secs.methodology ?? secs.method ?? secs.model ?? secs.strategy ?? '');
  const rules = sentences(secs['trading rules'] ?? secs.strategy ?? '');
  const risk = sentences(secs['risk management'] ?? '');
  const abstract = sentences(secs.abstract ?? '');
  const flat = flatten(paperText);

  const parameters = LANDSCAPES[family].params.map((spec) => {
    for (const [re, value] of EXTRACTORS[family][spec.name] ?? []) {
      const m = re.exec(flat);
      if (!m) continue;
      const sentence = all.find((s) => s.includes(m[0])) ?? m[0];
      return { name: spec.name, value: value(m), description: `${spec.description}. From the paper: "${sentence.slice(0, 180)}"` };
    }
    return { name: spec.name, value: spec.paperValue, description: `${spec.description} (not stated in the paper; a common default)` };
  });

  const pool = [...method, ...rules];
  const formulas = method.filter((s) => s.includes('='));
  const tickers = [...new Set(flat.match(/\b[A-Z]{1,5}\b/g) ?? [])].filter((t) => KNOWN_TICKERS.has(t));
  const rebalance =
    /rebalanced? every (\d+) trading days/i.exec(flat)?.[0] ??
    /(?:rebalanced?|updated) (?:once a |each )?(month|week|day)\w*/i.exec(flat)?.[0] ??
    'daily, on each new bar';
  const orDefault = (list: string[], fallback: string) => (list.length > 0 ? list : [fallback]);

  return {
    title,
    family,
    overview: (abstract.slice(0, 2).join(' ') || all.slice(0, 2).join(' ') || title).slice(0, 1200),
    mathematicalModel: (formulas.length > 0 ? formulas : method.slice(0, 2)).join(' ').slice(0, 1500) || 'The signal follows the rules stated in the paper.',
    signals: orDefault(matchingSentences(pool, /signal|indicator|z-score|moving average|momentum|volatility|RSI|Bollinger|rank/i, 3), `${family.replace('_', ' ')} signal as described in the paper`),
    entryRules: orDefault(ruleSentences(rules.length ? rules : pool, 'entry'), 'Enter when the signal is positive.'),
    exitRules: orDefault(ruleSentences(rules.length ? rules : pool, 'exit'), 'Exit when the signal reverses.'),
    riskManagement: orDefault(risk.slice(0, 3), 'Limit each position to its equal share of equity; no leverage.'),
    universe: {
      // a ranked stock universe has no fixed list: its benchmark stands for it
      assets: tickers.length > 0 ? tickers : family === 'factor' ? ['SPY'] : LANDSCAPES[family].defaultTickers,
      description: (all.find((s) => /universe|consists of|daily (?:adjusted )?(?:closing )?prices of/i.test(s)) ?? 'Liquid US-listed securities.').slice(0, 400),
    },
    execution: {
      resolution: /\bintraday|minute bars|minute-level/i.test(flat) && !/daily/i.test(flat) ? 'minute' : /\bhourly\b/i.test(flat) && !/daily/i.test(flat) ? 'hour' : 'daily',
      rebalance,
    },
    parameters,
  };
}
