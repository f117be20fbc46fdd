/**
 * Mistakes LLMs make when they write a LEAN algorithm: chat formatting left in the code, missing
 * imports, console printing, wall-clock time in a backtest, dates as strings, indicators that are
 * never warmed up.
 */
import { ENUM_MEMBERS, enumMemberUpper, INDICATOR_HELPER_SNAKE, INDICATOR_HELPERS } from './lean-api';
import {
  bracketContents,
  codeMatches,
  escapeRegExp,
  functionAt,
  lineAt,
  logicalLineAt,
  matchingBracket,
  STRING,
  type Argument,
  type Edit,
  type PythonSource,
  type Scope,
} from './python-source';
import { editRule, type Spot } from './rule-kit';

const FENCE_RE = /^[ \t]*```[ \t]*([\w+-]*)[ \t]*$/;

/** The file's line ending, for the lines fixes insert. */
function eol(code: string): string {
  return code.includes('\r\n') ? '\r\n' : '\n';
}

export const markdownFence = editRule({
  id: 'markdown-fence',
  severity: 'error',
  message: 'markdown code fences (```) left in the code',
  repairsSyntax: true,
  find: (src) => {
    const lines = src.code.split('\n');
    const fences: Array<{ index: number; lang: string }> = [];
    lines.forEach((text, index) => {
      const m = FENCE_RE.exec(text.replace(/\r$/, ''));
      const at = src.lineStarts[index]! + text.indexOf('`');
      if (m && src.mask[at] !== STRING) fences.push({ index, lang: m[1]!.toLowerCase() });
    });
    if (fences.length === 0) return [];
    const blocks: Array<{ from: number; to: number; lang: string }> = [];
    if (fences.length === 1) {
      // a lone fence: keep the side of it that holds the code
      const { index, lang } = fences[0]!;
      const blankBefore = lines.slice(0, index).every((t) => t.trim() === '');
      const blankAfter = lines.slice(index + 1).every((t) => t.trim() === '');
      if (lang !== '' || blankBefore) blocks.push({ from: index + 1, to: lines.length, lang });
      else if (blankAfter) blocks.push({ from: 0, to: index, lang: '' });
      else blocks.push({ from: 0, to: lines.length, lang: '' });
    }
    for (let k = 0; fences.length > 1 && k < fences.length; k += 2) {
      const open = fences[k]!;
      const close = fences[k + 1];
      blocks.push({ from: open.index + 1, to: close ? close.index : lines.length, lang: open.lang });
    }
    const python = blocks.filter((b) => ['', 'python', 'py', 'python3'].includes(b.lang));
    const best = (python.length ? python : blocks).reduce((a, b) => (b.to - b.from > a.to - a.from ? b : a));
    const fenceLines = new Set(fences.map((f) => f.index));
    const kept = lines.slice(best.from, best.to).filter((_t, i) => !fenceLines.has(best.from + i));
    const text = kept.join('\n').replace(/\s+$/, '') + eol(src.code);
    const edit = { start: 0, end: src.code.length, text };
    return fences.map((f) => ({
      line: f.index + 1,
      message: 'markdown fence left in the code (only the Python inside the fence is kept)',
      edits: [edit],
    }));
  },
});

const IMPORT_LINE = 'from AlgorithmImports import *';

export const missingAlgorithmImports = editRule({
  id: 'missing-algorithm-imports',
  severity: 'error',
  message: `the code does not start with ${IMPORT_LINE}`,
  find: (src) => {
    if (codeMatches(src, /^[ \t]*from[ \t]+AlgorithmImports[ \t]+import\b/gm).length) return [];
    // after a module docstring and `from __future__` imports (they must come first), else at the top
    // (below a shebang or encoding line)
    const statements = src.logicalLines.filter((l) => !l.blank);
    const text = (i: number) => src.code.slice(statements[i]!.start, statements[i]!.end).trim();
    let k = 0;
    if (statements.length && /^[rRuU]?("|')/.test(text(0)) && src.mask[statements[0]!.start + statements[0]!.indent] === STRING) k = 1;
    while (k < statements.length && /^from\s+__future__\s+import\b/.test(text(k))) k++;
    let edit: Edit;
    if (k > 0) {
      const after = statements[k - 1]!.end;
      edit = { start: after, end: after, text: eol(src.code) + IMPORT_LINE };
    } else {
      let top = 0;
      for (const line of src.code.split('\n').slice(0, 2)) {
        if (!/^#!|^#.*coding[:=]/.test(line)) break;
        top += line.length + 1;
      }
      top = Math.min(top, src.code.length);
      edit = { start: top, end: top, text: (top > 0 && !src.code.slice(0, top).endsWith('\n') ? eol(src.code) : '') + IMPORT_LINE + eol(src.code) };
    }
    const legacy = codeMatches(src, /^[ \t]*(from[ \t]+QuantConnect|import[ \t]+clr)\b/gm).length > 0;
    return [
      {
        line: 1,
        message: legacy
          ? `legacy QuantConnect imports; LEAN algorithms start with ${IMPORT_LINE}`
          : `${IMPORT_LINE} is missing: QCAlgorithm, Resolution and the indicators are undefined without it`,
        edits: [edit],
      },
    ];
  },
});

/** The object a statement can log or read time through: `self` in algorithm methods, `algorithm` in framework models. */
function algorithmReceiver(src: PythonSource, offset: number): string | undefined {
  const { fn, cls } = functionAt(src, offset);
  if (!fn) return undefined;
  if (cls && src.algorithmClasses.includes(cls) && fn.params[0] === 'self') return 'self';
  if (fn.params.includes('algorithm')) return 'algorithm';
  return undefined;
}

function isStringArgument(src: PythonSource, arg: Argument): boolean {
  const lead = arg.text.length - arg.text.trimStart().length;
  return src.mask[arg.start + lead] === STRING;
}

export const printToDebug = editRule({
  id: 'print-to-debug',
  severity: 'warning',
  message: 'print() output is lost in LEAN; use self.debug() or self.log()',
  find: (src) => {
    const spots: Spot[] = [];
    for (const m of codeMatches(src, /(?<![\w.])print\s*\(/g)) {
      const open = m.index + m[0].length - 1;
      const args = bracketContents(src.code, src.mask, open);
      const close = matchingBracket(src.code, src.mask, open);
      const receiver = algorithmReceiver(src, m.index);
      const simple = close > 0 && args.every((a) => !/^\s*(\*|[A-Za-z_]\w*\s*=(?!=))/.test(a.text));
      const line = lineAt(src, m.index);
      if (!receiver || !simple) {
        spots.push({ line, message: 'print() output is lost in LEAN; use self.debug() (not fixed automatically here)' });
        continue;
      }
      // debug() takes one string: print's arguments are joined the way print joins them
      let text: string;
      if (args.length === 0) text = '""';
      else if (args.length === 1) text = isStringArgument(src, args[0]!) ? args[0]!.text.trim() : `str(${args[0]!.text.trim()})`;
      else text = `" ".join(map(str, (${args.map((a) => a.text.trim()).join(', ')})))`;
      spots.push({
        line,
        message: `print() output is lost in LEAN; use ${receiver}.debug()`,
        edits: [{ start: m.index, end: close + 1, text: `${receiver}.debug(${text})` }],
      });
    }
    return spots;
  },
});

export const wallClockTime = editRule({
  id: 'wall-clock-time',
  severity: 'error',
  message: 'datetime.now() is the machine clock, not the backtest clock',
  find: (src) => {
    const spots: Spot[] = [];
    for (const m of codeMatches(src, /(?<![\w.])(?:datetime\s*\.\s*)?(datetime|date)\s*\.\s*(now|today|utcnow)\s*\(\s*\)/g)) {
      const [, cls, fn] = m;
      if (cls === 'date' && fn !== 'today') continue;
      const receiver = algorithmReceiver(src, m.index);
      const r = receiver ?? 'self';
      const replacement = cls === 'date' ? `${r}.time.date()` : fn === 'utcnow' ? `${r}.utc_time` : `${r}.time`;
      spots.push({
        line: lineAt(src, m.index),
        message: `${m[0].replace(/\s+/g, '')} reads the machine clock, which in a backtest is not the simulated time; use ${replacement}`,
        edits: receiver ? [{ start: m.index, end: m.index + m[0].length, text: replacement }] : [],
      });
    }
    return spots;
  },
});

const DATE_SETTERS = 'set_start_date|set_end_date|SetStartDate|SetEndDate';

export const dateArguments = editRule({
  id: 'date-arguments',
  severity: 'error',
  message: 'dates are given as year, month, day integers',
  repairsSyntax: true,
  find: (src) => {
    const spots: Spot[] = [];
    const asString = new RegExp(`(?<![\\w])(${DATE_SETTERS})\\s*\\(\\s*(['"])(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})\\2\\s*\\)`, 'g');
    for (const m of codeMatches(src, asString)) {
      const [, name, , y, mo, d] = m;
      const text = `${name}(${Number(y)}, ${Number(mo)}, ${Number(d)})`;
      spots.push({
        line: lineAt(src, m.index),
        message: `${name} takes (year, month, day) or a datetime, not a string; use ${text}`,
        edits: [{ start: m.index, end: m.index + m[0].length, text }],
      });
    }
    const leadingZero = new RegExp(`(?<![\\w])(${DATE_SETTERS}|datetime|date)\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*(?=[,)])`, 'g');
    for (const m of codeMatches(src, leadingZero)) {
      const [, name, y, mo, d] = m;
      if (![mo, d].some((x) => /^0\d/.test(x!)) && !/^0\d/.test(y!)) continue;
      const text = `${name}(${Number(y)}, ${Number(mo)}, ${Number(d)}`;
      spots.push({
        line: lineAt(src, m.index),
        message: `integers with leading zeros (such as 01) are a syntax error in Python 3; use ${text})`,
        edits: [{ start: m.index, end: m.index + m[0].length, text }],
      });
    }
    return spots;
  },
});

const WARM_UP_RE = /(?<![\w])(set_warm_up|set_warmup|SetWarmUp|SetWarmup|warm_up_indicator|WarmUpIndicator)\s*\(/g;
const INDICATOR_CALL_RE = new RegExp(`(?<![\\w.])self\\s*\\.\\s*(${[...INDICATOR_HELPERS, ...INDICATOR_HELPER_SNAKE].join('|')})\\s*\\(`, 'g');

interface WarmUpPlan {
  period: string;
  resolution: string;
  /** Whether the period refers to attributes, so the call must come after they are set. */
  symbolic: boolean;
}

/** How many bars the indicators need, from their period arguments (literals or attributes set in initialize). */
function warmUpPlan(src: PythonSource, init: Scope, calls: RegExpExecArray[]): WarmUpPlan | undefined {
  let best = 0;
  let bestResolution: string | undefined;
  const symbols = new Set<string>();
  for (const call of calls) {
    const args = bracketContents(src.code, src.mask, call.index + call[0].length - 1);
    const values: number[] = [];
    for (const arg of args.slice(1)) {
      const text = arg.text.replace(/^\s*\w+\s*=(?!=)/, '').trim();
      if (/^\d+$/.test(text)) values.push(Number(text));
      else if (/^(self\s*\.\s*)?[A-Za-z_]\w*$/.test(text) && !/^(True|False|None)$/.test(text)) {
        const resolved = resolveInteger(src, init, text);
        if (resolved !== undefined) values.push(resolved);
        else if (/^self\s*\./.test(text) && assignedIn(src, init, text)) symbols.add(text.replace(/\s+/g, ''));
      }
    }
    // MACD is ready after slow + signal bars
    const period = call[1]!.toLowerCase() === 'macd' && values.length >= 3 ? values[1]! + values[2]! : Math.max(0, ...values);
    const res = args.map((a) => /Resolution\s*\.\s*(\w+)/.exec(a.text)?.[1]).find(Boolean);
    if (period > best || (period === best && !bestResolution)) {
      best = period;
      bestResolution = res ?? bestResolution;
    }
  }
  if (best === 0 && symbols.size === 0) return undefined;
  const initText = src.code.slice(init.start, init.end);
  const resolution = bestResolution ?? /Resolution\s*\.\s*(\w+)/.exec(initText)?.[1] ?? 'DAILY';
  const upper = ENUM_MEMBERS.Resolution!.includes(resolution) ? enumMemberUpper(resolution) : resolution;
  const terms = [...symbols, ...(best > 0 ? [String(best)] : [])];
  return { period: terms.length === 1 ? terms[0]! : `max(${terms.join(', ')})`, resolution: upper, symbolic: symbols.size > 0 };
}

function assignedIn(src: PythonSource, scope: Scope, target: string): boolean {
  const re = new RegExp(`(?<![\\w.])${target.split(/\s*\.\s*/).map(escapeRegExp).join('\\s*\\.\\s*')}\\s*=(?!=)`, 'g');
  return codeMatches(src, re).some((m) => m.index >= scope.start && m.index < scope.end);
}

/** The integer a name is set to (`self.lookback = 20`, or a module constant `LOOKBACK = 20`). */
function resolveInteger(src: PythonSource, init: Scope, name: string): number | undefined {
  const target = name.split(/\s*\.\s*/).map(escapeRegExp).join('\\s*\\.\\s*');
  const re = new RegExp(`(?<![\\w.])${target}\\s*=\\s*(\\d+)[ \\t]*(?=#|\\r?$)`, 'gm');
  const m = codeMatches(src, re).find((x) => (name.startsWith('self') ? x.index >= init.start && x.index < init.end : logicalLineAt(src, x.index)?.indent === 0));
  return m ? Number(m[1]) : undefined;
}

export const missingWarmUp = editRule({
  id: 'missing-warm-up',
  severity: 'warning',
  message: 'indicators are created but the algorithm never warms up',
  find: (src) => {
    const cls = src.algorithmClasses[0];
    if (!cls || codeMatches(src, WARM_UP_RE).length) return [];
    const calls = codeMatches(src, INDICATOR_CALL_RE).filter((m) => m.index >= cls.start && m.index < cls.end);
    if (calls.length === 0) return [];
    const init = src.scopes.find((s) => s.kind === 'def' && s.parent === cls && /^(initialize|Initialize)$/.test(s.name));
    const line = lineAt(src, calls[0]!.index);
    const plan = init && warmUpPlan(src, init, calls);
    if (!init || !plan) return [];
    const statement = `self.set_warm_up(${plan.period}, Resolution.${plan.resolution})`;
    const anchor = plan.symbolic ? lastStatement(src, init) : (callLine(src, init, /(?<![\w])(set_cash|SetCash|set_start_date|SetStartDate)\s*\(/g) ?? lastStatement(src, init));
    if (!anchor) return [{ line, message: `indicators are never warmed up; add ${statement}` }];
    const indent = /^[ \t]*/.exec(src.code.slice(anchor.start, anchor.end))![0];
    return [
      {
        line,
        message: `indicators are created but the algorithm never warms up, so its first trades use unready values; add ${statement}`,
        edits: [{ start: anchor.end, end: anchor.end, text: `${eol(src.code)}${indent}${statement}` }],
      },
    ];
  },
});

/** The logical line of the last call matching `re` inside the scope (set_cash preferred over set_start_date). */
function callLine(src: PythonSource, scope: Scope, re: RegExp) {
  const found = codeMatches(src, re).filter((m) => m.index >= scope.start && m.index < scope.end);
  const cash = found.filter((m) => /cash/i.test(m[1]!));
  const pick = (cash.length ? cash : found).at(-1);
  return pick ? logicalLineAt(src, pick.index) : undefined;
}

function lastStatement(src: PythonSource, scope: Scope) {
  const body = src.logicalLines.filter((l) => !l.blank && l.start > scope.start && l.start < scope.end && l.indent > scope.indent);
  const last = body.at(-1);
  // never insert after a nested block's last line (it would land inside the block)
  return last && last.indent === body[0]!.indent ? last : undefined;
}
