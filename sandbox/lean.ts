import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createHash } from 'node:crypto';

/**
 * What the sandbox knows about LEAN: the Python syntax check behind `compile/*` (CPython's own
 * parser, via python3), the runtime failures a backtest of obviously broken code ends with, and
 * the PascalCase names of the pre-2024 API that the scripted model's mistakes and repairs use.
 */

export const LEAN_VERSION = '2.5.0.0.17106';

/** Old PascalCase LEAN members and their modern snake_case names. */
export const PASCAL_TO_SNAKE: Record<string, string> = {
  Initialize: 'initialize',
  OnData: 'on_data',
  OnSecuritiesChanged: 'on_securities_changed',
  OnOrderEvent: 'on_order_event',
  SetStartDate: 'set_start_date',
  SetEndDate: 'set_end_date',
  SetCash: 'set_cash',
  SetWarmUp: 'set_warm_up',
  SetBenchmark: 'set_benchmark',
  SetBrokerageModel: 'set_brokerage_model',
  AddEquity: 'add_equity',
  AddForex: 'add_forex',
  AddCrypto: 'add_crypto',
  AddUniverse: 'add_universe',
  UniverseSettings: 'universe_settings',
  SetHoldings: 'set_holdings',
  Liquidate: 'liquidate',
  MarketOrder: 'market_order',
  History: 'history',
  Debug: 'debug',
  Log: 'log',
  Schedule: 'schedule',
  On: 'on',
  DateRules: 'date_rules',
  TimeRules: 'time_rules',
  WeekStart: 'week_start',
  MonthStart: 'month_start',
  EveryDay: 'every_day',
  AfterMarketOpen: 'after_market_open',
  IsWarmingUp: 'is_warming_up',
  IsReady: 'is_ready',
  Current: 'current',
  Value: 'value',
  Symbol: 'symbol',
  Portfolio: 'portfolio',
  Securities: 'securities',
  Invested: 'invested',
  Price: 'price',
  Quantity: 'quantity',
  HoldingsValue: 'holdings_value',
  TotalPortfolioValue: 'total_portfolio_value',
  ContainsKey: 'contains_key',
  LowerBand: 'lower_band',
  MiddleBand: 'middle_band',
  UpperBand: 'upper_band',
  HasFundamentalData: 'has_fundamental_data',
  DollarVolume: 'dollar_volume',
  ValuationRatios: 'valuation_ratios',
  EarningYield: 'earning_yield',
  OperationRatios: 'operation_ratios',
  ROE: 'roe',
  SMA: 'sma',
  EMA: 'ema',
  RSI: 'rsi',
  BB: 'bb',
  MOMP: 'momp',
  MOM: 'mom',
  ROC: 'roc',
  STD: 'std',
  ATR: 'atr',
  MACD: 'macd',
};

/** `SetWarmUp` → `set_warm_up`, `SMA` → `sma`, `HTTPServer` → `http_server`. */
export function camelToSnake(name: string): string {
  return (
    PASCAL_TO_SNAKE[name] ??
    name
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
  );
}

// ---------------------------------------------------------------- syntax

export type SyntaxVerdict = { ok: true } | { ok: false; line: number; column: number; message: string; type: string };

/**
 * The sandbox's own CPython helper: one long-lived `python3` that reads one JSON request per line
 * and answers one JSON line with both what `compile/*` needs (`ast.parse`'s verdict) and which
 * program the code is (the sha256 of `ast.dump` of its syntax tree; of the text when it does not
 * parse). One process for the whole sandbox, as QuantConnect's compiler is one service: a process
 * per program made the simulator's own start-up cost look like the caller's compile time.
 */
const HELPER_SCRIPT = [
  'import ast, hashlib, json, sys, warnings',
  'warnings.simplefilter("ignore")',
  'for raw in sys.stdin.buffer:',
  '    req = json.loads(raw)',
  '    src = req["code"]',
  '    out = {"id": req["id"]}',
  '    try:',
  '        tree = ast.parse(src, "main.py")',
  '        out["syntax"] = {"ok": True}',
  '        out["fingerprint"] = "ast:" + hashlib.sha256(ast.dump(tree).encode()).hexdigest()',
  '    except SyntaxError as e:',
  '        out["syntax"] = {"ok": False, "line": e.lineno or 1, "column": e.offset or 1, "message": e.msg, "type": type(e).__name__}',
  '        out["fingerprint"] = "text:" + hashlib.sha256(src.encode("utf-8", "surrogatepass")).hexdigest()',
  '    except Exception as e:',
  '        out["error"] = repr(e)',
  '    sys.stdout.write(json.dumps(out) + "\\n")',
  '    sys.stdout.flush()',
].join('\n');

type HelperProcess = ChildProcessByStdio<Writable, Readable, null>;

interface Analysis {
  syntax: SyntaxVerdict;
  fingerprint: string;
}

/** The one helper process, started on first use and again after it dies. */
class PythonHelper {
  private child?: HelperProcess;
  private readonly pending = new Map<number, { resolve(a: Analysis): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private buffered = '';
  private nextId = 1;

  async analyse(code: string): Promise<Analysis> {
    const child = this.child ?? (await this.start());
    const id = this.nextId++;
    return new Promise<Analysis>((resolve, reject) => {
      const timer = setTimeout(() => this.stop(new Error('python3 did not answer within 20 s')), 20_000);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin.write(JSON.stringify({ id, code }) + '\n');
    });
  }

  private async start(): Promise<HelperProcess> {
    const python = await pythonExecutable();
    if (this.child) return this.child; // another caller started it while the interpreter was resolved
    const child = spawn(python, ['-c', HELPER_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.buffered = '';
    child.unref();
    (child.stdout as unknown as { unref?(): void }).unref?.();
    (child.stdin as unknown as { unref?(): void }).unref?.();
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.receive(d));
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.stop(err, child));
    child.on('exit', () => this.stop(new Error('python3 exited'), child));
    return child;
  }

  private receive(data: string): void {
    this.buffered += data;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let answer: { id: number; syntax?: SyntaxVerdict; fingerprint?: string; error?: string };
      try {
        answer = JSON.parse(line) as typeof answer;
      } catch {
        // not the helper's answer: the process cannot be trusted to stay in step with its requests
        return this.stop(new Error(`python3 printed something other than an answer: ${line.slice(0, 200)}`));
      }
      const waiting = this.pending.get(answer.id);
      if (!waiting) continue;
      this.pending.delete(answer.id);
      clearTimeout(waiting.timer);
      if (answer.syntax && answer.fingerprint) waiting.resolve({ syntax: answer.syntax, fingerprint: answer.fingerprint });
      else waiting.reject(new Error(answer.error ?? 'python3 gave no verdict'));
    }
  }

  /** Fails what is waiting and drops the process (the next request starts a new one). */
  private stop(err: Error, which: HelperProcess | undefined = this.child): void {
    if (which !== this.child) return;
    this.child = undefined;
    which?.kill();
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(err);
    }
    this.pending.clear();
  }
}

const helper = new PythonHelper();
const analyses = new Map<string, Promise<Analysis>>();

/** CPython's reading of the code, cached by content; a JS fallback when python3 is missing or fails on it. */
function analyse(code: string): Promise<Analysis> {
  const key = createHash('sha256').update(code).digest('hex');
  let analysis = analyses.get(key);
  if (!analysis) {
    analysis = helper.analyse(code).catch(() => ({ syntax: fallbackSyntaxCheck(code), fingerprint: `text:${key}` }));
    analyses.set(key, analysis);
    if (analyses.size > 2000) analyses.delete(analyses.keys().next().value!);
  }
  return analysis;
}

/** CPython's verdict on the code; a small bracket/colon check when python3 is missing. */
export async function checkPythonSyntax(code: string): Promise<SyntaxVerdict> {
  return (await analyse(code)).syntax;
}

let interpreter: Promise<string> | undefined;

/** The real interpreter behind `python3`: version-manager shims (pyenv) cost ~0.3 s a start. */
function pythonExecutable(): Promise<string> {
  const wanted = process.env.QUANTCODER_SANDBOX_PYTHON ?? 'python3';
  interpreter ??= new Promise<string>((resolve) => {
    const child = spawn(wanted, ['-c', 'import sys; print(sys.executable)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    // a timer of our own, not spawn's `timeout`: that one is cleared only when the process exits, so
    // an interpreter that cannot be started left it holding the process open for its 20 s
    const timer = setTimeout(() => child.kill(), 20_000);
    const done = (python: string) => {
      clearTimeout(timer);
      resolve(python);
    };
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => done(wanted));
    child.on('close', () => done(out.trim() || wanted));
  });
  return interpreter;
}

/**
 * Which program this is, as CPython sees it: the sha256 of `ast.dump` of its syntax tree, so
 * comments, blank lines and spacing do not make a new program. Code that does not parse (and
 * every program when python3 is missing) is identified by its exact text.
 */
export async function programFingerprint(code: string): Promise<string> {
  return (await analyse(code)).fingerprint;
}

/**
 * The code as the landscape reads it: comments and blank lines dropped, spaces kept only between
 * two word characters (`a = b(1, 2)` reads `a=b(1,2)`), indentation kept. Strings stay verbatim.
 */
export function readableLines(code: string): string {
  // one analysis of a program reads it up to five times, and its compile, its backtest and the
  // scripted model's edits each analyse it again
  let text = readable.get(code);
  if (text === undefined) {
    text = readLines(code);
    if (readable.size >= READABLE_KEPT) readable.delete(readable.keys().next().value!);
    readable.set(code, text);
  }
  return text;
}

/** The last programs {@link readableLines} read, oldest first. */
const readable = new Map<string, string>();
const READABLE_KEPT = 64;

function readLines(code: string): string {
  const out: string[] = [];
  for (const raw of code.replace(/\r\n?/g, '\n').split('\n')) {
    let text = '';
    let quote: string | null = null;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (quote) {
        text += c;
        if (c === '\\' && i + 1 < raw.length) text += raw[++i];
        else if (c === quote) quote = null;
      } else if (c === '#') break;
      else {
        if (c === '"' || c === "'") quote = c;
        text += c;
      }
    }
    if (text.trim() === '') continue;
    const indent = /^[ \t]*/.exec(text)![0].replace(/\t/g, '    ');
    const body = text.trim().replace(/("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|[ \t]+/g, (m, str: string | undefined, at: number, all: string) =>
      str ?? (/\w/.test(all[at - 1] ?? '') && /\w/.test(all[at + m.length] ?? '') ? ' ' : ''),
    );
    out.push(indent + body);
  }
  return out.join('\n');
}

/** Catches what the scripted model's mistakes introduce: unclosed brackets and missing colons. */
export function fallbackSyntaxCheck(code: string): SyntaxVerdict {
  const lines = code.split('\n');
  const stack: Array<{ ch: string; line: number; column: number }> = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '');
    if (stack.length === 0 && /^\s*(def|class|if|elif|else|for|while|with|try|except|finally)\b/.test(line) && !/:\s*$/.test(line) && !/[([{,\\]\s*$/.test(line)) {
      return { ok: false, line: i + 1, column: line.trimEnd().length + 1, message: "expected ':'", type: 'SyntaxError' };
    }
    let quote: string | null = null;
    for (let c = 0; c < line.length; c++) {
      const ch = line[c]!;
      if (quote) {
        if (ch === '\\') c++;
        else if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if ('([{'.includes(ch)) stack.push({ ch, line: i + 1, column: c + 1 });
      else if (')]}'.includes(ch)) {
        const open = stack.pop();
        if (!open || '([{'.indexOf(open.ch) !== ')]}'.indexOf(ch)) return { ok: false, line: i + 1, column: c + 1, message: `unmatched '${ch}'`, type: 'SyntaxError' };
      }
    }
  }
  const open = stack[0];
  return open ? { ok: false, line: open.line, column: open.column, message: `'${open.ch}' was never closed`, type: 'SyntaxError' } : { ok: true };
}

/** LEAN's build log for a compile: one request line, then one line per syntax error. */
export function buildLogs(projectId: number, compileId: string, results: Array<{ file: string; verdict: SyntaxVerdict }>): string[] {
  const logs = [`Build Request Successful for Project ID: ${projectId}, with CompileID: ${compileId}, Lean Version: ${LEAN_VERSION}`];
  for (const { file, verdict } of results) {
    if (!verdict.ok) logs.push(`Build Error: File: ${file} Line: ${verdict.line} Column: ${verdict.column} - ${verdict.type}: ${verdict.message}`);
  }
  return logs;
}

// ---------------------------------------------------------------- runtime

export interface RuntimeFailure {
  hasInitializeError: boolean;
  /** Share of the run (0–1) after which the backtest stops. */
  atProgress: number;
  error: string;
  stacktrace: string;
}

interface Method {
  name: string;
  indent: number;
  bodyIndent: number | null;
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/** The method a line belongs to, by indentation. */
function enclosingMethod(lines: string[], index: number): Method | null {
  const own = indentOf(lines[index]!);
  for (let i = index - 1; i >= 0; i--) {
    const m = /^([ \t]*)def\s+(\w+)\s*\(/.exec(lines[i]!);
    if (m && indentOf(lines[i]!) < own) {
      const next = lines.slice(i + 1).find((l) => l.trim() && !l.trim().startsWith('#'));
      return { name: m[2]!, indent: indentOf(lines[i]!), bodyIndent: next ? indentOf(next) : null };
    }
  }
  return null;
}

function failure(method: string, line: number, source: string, message: string, progress: number): RuntimeFailure {
  const inInit = method === 'initialize' || method === 'Initialize' || method === '__init__';
  const where = `  at ${method}\n    ${source.trim()}\n in main.py: line ${line}\n`;
  const stacktrace =
    `${where}   at Python.Runtime.PythonException.ThrowLastAsClrException()\n` +
    `   at QuantConnect.AlgorithmFactory.Python.Wrappers.AlgorithmPythonWrapper.${inInit ? 'Initialize()' : 'OnData(Slice slice)'}`;
  const error = inInit
    ? `During the algorithm initialization, the following exception has occurred: ${message}\n${where} ${message}`
    : `${message}\n${where}`;
  return { hasInitializeError: inInit, atProgress: inInit ? 0 : progress, error, stacktrace };
}

/**
 * How a backtest of this main.py fails at run time, if it obviously does: no QCAlgorithm class,
 * no snake_case `initialize`, a PascalCase (pre-2024) or `undefined_` member of `self`, or a
 * `raise` at the top level of `initialize`. Null when it runs to completion.
 */
export function simulateRuntime(code: string): RuntimeFailure | null {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const cls = /^class\s+(\w+)\s*\(\s*(?:\w+\.)?QCAlgorithm\s*\)\s*:/m.exec(code);
  if (!cls) {
    return {
      hasInitializeError: true,
      atProgress: 0,
      error:
        'Algorithm type name not found, or unable to resolve multiple algorithm types to a single type. ' +
        'Please verify that there is one and only one class derived from QCAlgorithm.',
      stacktrace: '   at QuantConnect.AlgorithmFactory.Loader.TryCreatePythonAlgorithm(String assemblyPath, IAlgorithm& algorithmInstance, String& errorMessage)',
    };
  }
  const className = cls[1]!;
  if (!/^[ \t]+def\s+initialize\s*\(\s*self/m.test(code)) {
    const pascal = lines.findIndex((l) => /^[ \t]+def\s+Initialize\s*\(/.test(l));
    const message = `NotImplementedError : '${className}' must define initialize(self); the PascalCase Initialize() is not called by the snake_case API`;
    const classLine = code.slice(0, cls.index).split('\n').length;
    return failure('initialize', pascal >= 0 ? pascal + 1 : classLine, pascal >= 0 ? lines[pascal]! : `class ${className}(QCAlgorithm):`, message, 0);
  }
  const defined = new Set<string>();
  for (const m of code.matchAll(/self\.(\w+)\s*=(?!=)/g)) defined.add(m[1]!);
  for (const m of code.matchAll(/^[ \t]+def\s+(\w+)\s*\(/gm)) defined.add(m[1]!);
  const progressFor = (line: number) => 0.1 + (parseInt(createHash('md5').update(code).update(String(line)).digest('hex').slice(0, 4), 16) % 50) / 100;

  const candidates: Array<{ index: number; method: string; message: string; init: boolean }> = [];
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, '');
    const method = enclosingMethod(lines, index);
    if (!method) continue;
    const init = method.name === 'initialize';
    for (const m of line.matchAll(/\bself\.(\w+)/g)) {
      const name = m[1]!;
      if (defined.has(name)) continue;
      if (/^[A-Z]/.test(name) || name.startsWith('undefined')) {
        candidates.push({ index, method: method.name, init, message: `AttributeError : '${className}' object has no attribute '${name}'` });
        break;
      }
    }
    const raised = /^\s*raise\s+(\w+)?(?:\((.*)\))?/.exec(line);
    if (raised && init && indentOf(raw) === method.bodyIndent) {
      const text = (raised[2] ?? '').replace(/^[fru]*["']|["']$/g, '');
      candidates.push({ index, method: method.name, init, message: `${raised[1] ?? 'Exception'} : ${text || 'raised in initialize'}` });
    }
  }
  // initialize runs first: its failures win over those in later methods
  const first = candidates.find((c) => c.init) ?? candidates[0];
  return first ? failure(first.method, first.index + 1, lines[first.index]!, first.message, progressFor(first.index)) : null;
}
