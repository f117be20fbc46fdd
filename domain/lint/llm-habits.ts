/**
 * Mistakes LLMs make when they write a LEAN algorithm: chat formatting left in the code, missing
 * imports, console printing, wall-clock time in a backtest, dates as strings, indicators that are
 * never warmed up.
 */
import { ENUM_MEMBERS, enumMemberUpper, INDICATOR_HELPER_SNAKE, INDICATOR_HELPERS } from './lean-api';
import {
  argumentsOf,
  bodyOf,
  calleeName,
  compact,
  functionOf,
  inString,
  isSelfAttribute,
  lineEnd,
  lineStart,
  memberOf,
  methodsOf,
  replace,
  statementOf,
  text,
  type Edit,
  type PythonSource,
  type Scope,
} from './python-tree';
import { editRule, type Spot } from './rule-kit';
import { descendants, fieldOf, isWithin, itemsOf, type SyntaxNode } from './syntax-tree';

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
    let offset = 0;
    lines.forEach((line, index) => {
      const m = FENCE_RE.exec(line.replace(/\r$/, ''));
      if (m && !inString(src, offset + line.indexOf('`'))) fences.push({ index, lang: m[1]!.toLowerCase() });
      offset += line.length + 1;
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

/** `from <module> import ...` statements whose module matches. */
function importsFrom(src: PythonSource, module: RegExp): SyntaxNode[] {
  return src.nodes.filter((n) => n.type === 'import_from_statement' && module.test(text(src, fieldOf(n, 'module_name'))));
}

export const missingAlgorithmImports = editRule({
  id: 'missing-algorithm-imports',
  severity: 'error',
  message: `the code does not start with ${IMPORT_LINE}`,
  find: (src) => {
    if (importsFrom(src, /^AlgorithmImports$/).length) return [];
    // after a module docstring and `from __future__` imports (they must come first), else at the top
    // (below a shebang or encoding line)
    const statements = itemsOf(src.root);
    let k = 0;
    const first = statements[0];
    if (first?.type === 'expression_statement' && itemsOf(first).length === 1 && ['string', 'concatenated_string'].includes(itemsOf(first)[0]!.type)) k = 1;
    while (k < statements.length && statements[k]!.type === 'future_import_statement') k++;
    let edit: Edit;
    if (k > 0) {
      const after = lineEnd(src.code, statements[k - 1]!.end);
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
    const legacy =
      importsFrom(src, /^QuantConnect(\.|$)/).length > 0 ||
      src.nodes.some((n) => n.type === 'import_statement' && itemsOf(n).some((m) => text(src, m) === 'clr'));
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
function algorithmReceiver(src: PythonSource, node: SyntaxNode): string | undefined {
  const { fn, cls } = functionOf(src, node);
  if (!fn) return undefined;
  if (cls && src.algorithmClasses.includes(cls) && fn.params[0] === 'self') return 'self';
  if (fn.params.includes('algorithm')) return 'algorithm';
  return undefined;
}

/** A value print() would show as it is: a string literal, or a concatenation starting with one. */
function isStringValue(node: SyntaxNode): boolean {
  let n = node;
  while (n.type === 'binary_operator') n = fieldOf(n, 'left')!;
  return n.type === 'string' || n.type === 'concatenated_string';
}

export const printToDebug = editRule({
  id: 'print-to-debug',
  severity: 'warning',
  message: 'print() output is lost in LEAN; use self.debug() or self.log()',
  find: (src) => {
    const spots: Spot[] = [];
    for (const call of src.calls) {
      const fn = fieldOf(call, 'function');
      if (fn?.type !== 'identifier' || text(src, fn) !== 'print') continue;
      const args = argumentsOf(call);
      const receiver = algorithmReceiver(src, call);
      const simple = args !== undefined && args.every((a) => !['keyword_argument', 'list_splat', 'dictionary_splat'].includes(a.type));
      if (!receiver || !simple) {
        spots.push({ line: call.line, message: 'print() output is lost in LEAN; use self.debug() (not fixed automatically here)' });
        continue;
      }
      // debug() takes one string: print's arguments are joined the way print joins them
      let message: string;
      if (args.length === 0) message = '""';
      else if (args.length === 1) message = isStringValue(args[0]!) ? text(src, args[0]) : `str(${text(src, args[0])})`;
      else message = `" ".join(map(str, (${args.map((a) => text(src, a)).join(', ')})))`;
      spots.push({
        line: call.line,
        message: `print() output is lost in LEAN; use ${receiver}.debug()`,
        edits: [replace(call, `${receiver}.debug(${message})`)],
      });
    }
    return spots;
  },
});

/** `datetime.now()`, `datetime.datetime.utcnow()`, `date.today()`: the class and the method, or undefined. */
function clockCall(src: PythonSource, call: SyntaxNode): { cls: string; fn: string } | undefined {
  const callee = fieldOf(call, 'function');
  if (callee?.type !== 'attribute' || argumentsOf(call)?.length !== 0) return undefined;
  const { object, name } = memberOf(callee);
  const fn = text(src, name);
  let cls: string | undefined;
  if (object?.type === 'identifier') cls = text(src, object);
  else if (object?.type === 'attribute') {
    const inner = memberOf(object);
    if (inner.object?.type === 'identifier' && text(src, inner.object) === 'datetime') cls = text(src, inner.name);
  }
  if (cls === 'datetime' && ['now', 'today', 'utcnow'].includes(fn)) return { cls, fn };
  if (cls === 'date' && fn === 'today') return { cls, fn };
  return undefined;
}

export const wallClockTime = editRule({
  id: 'wall-clock-time',
  severity: 'error',
  message: 'datetime.now() is the machine clock, not the backtest clock',
  find: (src) => {
    const spots: Spot[] = [];
    for (const call of src.calls) {
      const clock = clockCall(src, call);
      if (!clock) continue;
      const receiver = algorithmReceiver(src, call);
      const r = receiver ?? 'self';
      const replacement = clock.cls === 'date' ? `${r}.time.date()` : clock.fn === 'utcnow' ? `${r}.utc_time` : `${r}.time`;
      spots.push({
        line: call.line,
        message: `${compact(src, call)} reads the machine clock, which in a backtest is not the simulated time; use ${replacement}`,
        edits: receiver ? [replace(call, replacement)] : [],
      });
    }
    return spots;
  },
});

const DATE_SETTERS = /^(set_start_date|set_end_date|SetStartDate|SetEndDate)$/;
const DATE_MAKERS = /^(set_start_date|set_end_date|SetStartDate|SetEndDate|datetime|date)$/;

export const dateArguments = editRule({
  id: 'date-arguments',
  severity: 'error',
  message: 'dates are given as year, month, day integers',
  repairsSyntax: true,
  find: (src) => {
    const spots: Spot[] = [];
    for (const call of src.calls) {
      const name = text(src, calleeName(src, call));
      const args = argumentsOf(call);
      if (!args || !DATE_MAKERS.test(name)) continue;
      const iso = args.length === 1 && args[0]!.type === 'string' ? /^(['"])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\1$/.exec(text(src, args[0])) : null;
      if (iso && DATE_SETTERS.test(name)) {
        const [, , y, mo, d] = iso;
        const ymd = `${Number(y)}, ${Number(mo)}, ${Number(d)}`;
        spots.push({
          line: call.line,
          message: `${name} takes (year, month, day) or a datetime, not a string; use ${name}(${ymd})`,
          edits: [replace(fieldOf(call, 'arguments')!, `(${ymd})`)],
        });
        continue;
      }
      const parts = args.slice(0, 3);
      if (parts.length < 3 || !parts.every((a) => a.type === 'integer' && /^\d+$/.test(text(src, a)))) continue;
      if (!parts.some((a) => /^0\d/.test(text(src, a)))) continue;
      const ymd = parts.map((a) => Number(text(src, a)));
      spots.push({
        line: call.line,
        message: `integers with leading zeros (such as 01) are a syntax error in Python 3; use ${name}(${ymd.join(', ')})`,
        edits: parts.map((a, k) => replace(a, String(ymd[k]))),
      });
    }
    return spots;
  },
});

const WARM_UP_CALLS = /^(set_warm_up|set_warmup|SetWarmUp|SetWarmup|warm_up_indicator|WarmUpIndicator)$/;
const INDICATOR_METHODS = new Set<string>([...INDICATOR_HELPERS, ...INDICATOR_HELPER_SNAKE]);

interface WarmUpPlan {
  period: string;
  resolution: string;
  /** Whether the period refers to attributes, so the call must come after they are set. */
  symbolic: boolean;
}

/** The `Resolution.X` member named under a node, if any. */
function resolutionIn(src: PythonSource, node: SyntaxNode): string | undefined {
  for (const n of descendants(node)) {
    if (n.type !== 'attribute') continue;
    const { object, name } = memberOf(n);
    if (object?.type === 'identifier' && text(src, object) === 'Resolution' && name) return text(src, name);
  }
  return undefined;
}

/** How many bars the indicators need, from their period arguments (literals or attributes set in initialize). */
function warmUpPlan(src: PythonSource, init: Scope, calls: SyntaxNode[]): WarmUpPlan | undefined {
  let best = 0;
  let bestResolution: string | undefined;
  const symbols = new Set<string>();
  for (const call of calls) {
    const args = argumentsOf(call) ?? [];
    const values: number[] = [];
    for (const arg of args.slice(1)) {
      const value = arg.type === 'keyword_argument' ? fieldOf(arg, 'value') : arg;
      if (value?.type === 'integer' && /^\d+$/.test(text(src, value))) values.push(Number(text(src, value)));
      else if (value?.type === 'identifier' || isSelfAttribute(src, value)) {
        const resolved = resolveInteger(src, init, value!);
        if (resolved !== undefined) values.push(resolved);
        else if (value!.type === 'attribute' && assignedIn(src, init, value!)) symbols.add(compact(src, value));
      }
    }
    // MACD is ready after slow + signal bars
    const method = text(src, calleeName(src, call)).toLowerCase();
    const period = method === 'macd' && values.length >= 3 ? values[1]! + values[2]! : Math.max(0, ...values);
    const res = args.map((a) => resolutionIn(src, a)).find(Boolean);
    if (period > best || (period === best && !bestResolution)) {
      best = period;
      bestResolution = res ?? bestResolution;
    }
  }
  if (best === 0 && symbols.size === 0) return undefined;
  const resolution = bestResolution ?? resolutionIn(src, init.node) ?? 'DAILY';
  const upper = ENUM_MEMBERS.Resolution!.includes(resolution) ? enumMemberUpper(resolution) : resolution;
  const terms = [...symbols, ...(best > 0 ? [String(best)] : [])];
  return { period: terms.length === 1 ? terms[0]! : `max(${terms.join(', ')})`, resolution: upper, symbolic: symbols.size > 0 };
}

/** Assignments to the target (written like `target`, spacing aside) inside the scope. */
function assignmentsTo(src: PythonSource, target: SyntaxNode, within?: SyntaxNode): SyntaxNode[] {
  const wanted = compact(src, target);
  return src.assignments.filter((a) => compact(src, fieldOf(a, 'left')) === wanted && (!within || isWithin(a, within)));
}

function assignedIn(src: PythonSource, scope: Scope, target: SyntaxNode): boolean {
  return assignmentsTo(src, target, scope.node).length > 0;
}

/** The integer a name is set to (`self.lookback = 20` in initialize, or a module constant `LOOKBACK = 20`). */
function resolveInteger(src: PythonSource, init: Scope, target: SyntaxNode): number | undefined {
  const found = assignmentsTo(src, target, target.type === 'attribute' ? init.node : undefined).find((a) => {
    const value = fieldOf(a, 'right');
    const topLevel = statementOf(a).parent?.type === 'module';
    return value?.type === 'integer' && /^\d+$/.test(text(src, value)) && (target.type === 'attribute' || topLevel);
  });
  return found ? Number(text(src, fieldOf(found, 'right'))) : undefined;
}

export const missingWarmUp = editRule({
  id: 'missing-warm-up',
  severity: 'warning',
  message: 'indicators are created but the algorithm never warms up',
  find: (src) => {
    const cls = src.algorithmClasses[0];
    if (!cls || src.calls.some((c) => WARM_UP_CALLS.test(text(src, calleeName(src, c))))) return [];
    const calls = src.calls.filter((c) => {
      const fn = fieldOf(c, 'function');
      return isSelfAttribute(src, fn) && INDICATOR_METHODS.has(text(src, memberOf(fn!).name)) && isWithin(c, cls.node);
    });
    if (calls.length === 0) return [];
    const init = methodsOf(src, cls).find((s) => /^(initialize|Initialize)$/.test(s.name));
    const line = calls[0]!.line;
    const plan = init && warmUpPlan(src, init, calls);
    if (!init || !plan) return [];
    const statement = `self.set_warm_up(${plan.period}, Resolution.${plan.resolution})`;
    const anchor = plan.symbolic ? lastStatement(init) : (setupStatement(src, init) ?? lastStatement(init));
    if (!anchor) return [{ line, message: `indicators are never warmed up; add ${statement}` }];
    const start = lineStart(src.code, anchor.start);
    const indent = /^[ \t]*/.exec(src.code.slice(start, anchor.start))![0];
    const end = lineEnd(src.code, anchor.end);
    return [
      {
        line,
        message: `indicators are created but the algorithm never warms up, so its first trades use unready values; add ${statement}`,
        edits: [{ start: end, end, text: `${eol(src.code)}${indent}${statement}` }],
      },
    ];
  },
});

/** The statement of initialize's last set_cash call, else of its last set_start_date call (direct statements of its body only). */
function setupStatement(src: PythonSource, init: Scope): SyntaxNode | undefined {
  const body = bodyOf(init);
  const found = src.calls.filter((c) => /^(set_cash|SetCash|set_start_date|SetStartDate)$/.test(text(src, calleeName(src, c))) && body.includes(statementOf(c)));
  const cash = found.filter((c) => /cash/i.test(text(src, calleeName(src, c))));
  const pick = (cash.length ? cash : found).at(-1);
  return pick && statementOf(pick);
}

const COMPOUND = /^(if|for|while|try|with|match|function_definition|class_definition|decorated_definition)/;

function lastStatement(scope: Scope): SyntaxNode | undefined {
  const last = bodyOf(scope).at(-1);
  // never insert after a nested block's last line (it would land inside the block)
  return last && !COMPOUND.test(last.type) ? last : undefined;
}
