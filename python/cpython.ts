import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { CodeFacts } from '../domain/faithfulness';
import { FACTS_PYTHON } from './facts-reader';

/**
 * A long-lived `python3` helper that reads one JSON request per line and answers one JSON line
 * each, so a check costs a pipe round trip, not an interpreter's start (about 20 ms, more from a
 * large worker process). Two requests: `compile` runs CPython's own compiler, which turns source
 * into a code object and stops there (the code is never executed): it reports what `ast.parse`
 * reports plus the compiler's own syntax errors (`return` outside a function, `break` outside a
 * loop), as QuantConnect's compile would. `facts` reads the faithfulness gate's facts
 * (facts-reader.ts). A request the helper fails on is answered with an `error`, and the helper goes on.
 */
const HELPER = String.raw`
import ast, io, json, sys, tokenize, warnings
warnings.simplefilter("ignore")

def check(source):
    try:
        compile(source, "main.py", "exec", dont_inherit=True)
        return {"ok": True}
    except SyntaxError as e:
        return {"ok": False, "line": e.lineno or 1, "column": e.offset or 1, "message": e.msg or "invalid syntax"}
    except (ValueError, OverflowError, RecursionError, MemoryError) as e:
        return {"ok": False, "line": 1, "column": 1, "message": str(e) or type(e).__name__}
${FACTS_PYTHON}
HANDLERS = {"compile": check, "facts": facts}

for raw in sys.stdin.buffer:
    rid = None
    try:
        request = json.loads(raw.decode("utf-8", "replace"))
        rid = request.get("id")
        answer = HANDLERS[request["op"]](request["code"])
        answer["id"] = rid
        line = json.dumps(answer, allow_nan=False)
    except Exception as e:
        line = json.dumps({"id": rid, "error": "helper: " + repr(e)})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
`;

export type CPythonVerdict = { ok: true } | { ok: false; line: number; column: number; message: string };

/** The faithfulness facts, or why the code could not be read (it does not parse). */
export type CPythonFacts = (CodeFacts & { ok: true }) | { ok: false; message: string };

/** `python3` cannot be started here (not installed, not executable, or it keeps dying). */
export class PythonUnavailableError extends Error {}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One helper process per Python executable, started on first use and restarted if it dies. */
export class CPythonHelper {
  private child?: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private nextId = 1;
  private failuresInARow = 0;
  private stderrTail = '';
  unavailable?: PythonUnavailableError;

  constructor(
    readonly python: string,
    private readonly timeoutMs: number,
  ) {}

  /** CPython's compiler's verdict on the code. */
  check(code: string): Promise<CPythonVerdict> {
    return this.request<CPythonVerdict>('compile', code);
  }

  /** The faithfulness gate's facts of the code. */
  facts(code: string): Promise<CPythonFacts> {
    return this.request<CPythonFacts>('facts', code);
  }

  private request<T>(op: 'compile' | 'facts', code: string): Promise<T> {
    if (this.unavailable) return Promise.reject(this.unavailable);
    const child = this.child ?? this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // the per-request timer is what keeps Node alive while waiting: the helper itself is unref'd
      const timer = setTimeout(() => this.fail(new Error(`python ${op} request timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.stdin.write(JSON.stringify({ id, op, code }) + '\n');
    });
  }

  /** Stops the helper; the next request starts a new one. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      child.kill();
    }
    this.rejectAll(new Error('python helper closed'));
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.python, ['-I', '-S', '-c', HELPER], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.buffered = '';
    this.stderrTail = '';
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-2000)));
    child.stdin.on('error', () => undefined); // EPIPE when the helper died: the exit handler reports it
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.child === child) this.child = undefined;
      this.unavailable = new PythonUnavailableError(`cannot run ${this.python}: ${err.message}`);
      this.rejectAll(this.unavailable);
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failuresInARow++;
      const why = `${this.python} helper exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`;
      if (this.failuresInARow >= 3) this.unavailable = new PythonUnavailableError(why);
      this.rejectAll(this.unavailable ?? new Error(why));
    });
    return child;
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let answer: { id?: number | null; error?: string };
      try {
        answer = JSON.parse(line) as { id?: number | null; error?: string };
      } catch {
        continue; // not ours (nothing else writes to stdout, but never trust a pipe)
      }
      const id = answer.id ?? this.pending.keys().next().value;
      const waiting = id === undefined ? undefined : this.pending.get(id);
      if (!waiting) continue;
      this.pending.delete(id!);
      clearTimeout(waiting.timer);
      this.failuresInARow = 0;
      const { id: _id, error, ...result } = answer;
      if (error !== undefined) waiting.reject(new Error(error));
      else waiting.resolve(result);
    }
  }

  /** A request timed out: kill the helper (it may be stuck on this input) and fail what it holds. */
  private fail(err: Error): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    // a helper that keeps hanging is as good as none: stop waiting for it on every request
    if (++this.failuresInARow >= 3) this.unavailable = new PythonUnavailableError(`${this.python} helper keeps timing out`);
    this.rejectAll(err);
  }

  private rejectAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }
}

const helpers = new Map<string, CPythonHelper>();

/** The process's helper for this executable and timeout (the syntax check and the facts reader share it). */
function cpythonHelper(python: string, timeoutMs: number): CPythonHelper {
  const key = `${python}\0${timeoutMs}`;
  let helper = helpers.get(key);
  if (!helper) helpers.set(key, (helper = new CPythonHelper(python, timeoutMs)));
  return helper;
}

/** Which parser answers: CPython (default) when `python3` runs here, else tree-sitter; or tree-sitter only. */
export interface PythonParserOptions {
  prefer?: 'cpython' | 'tree-sitter';
  /** The Python executable (default `python3`). */
  python?: string;
  /** How long one CPython request may take before tree-sitter answers instead (default 10 s). */
  timeoutMs?: number;
}

/**
 * The process's CPython helper's answer, or null when tree-sitter is to answer instead: asked for,
 * `python3` missing or dying, too slow, or failing on this input.
 */
export async function askCPython<T>(opts: PythonParserOptions, ask: (helper: CPythonHelper) => Promise<T>): Promise<T | null> {
  if ((opts.prefer ?? 'cpython') !== 'cpython') return null;
  const helper = cpythonHelper(opts.python ?? 'python3', opts.timeoutMs ?? 10_000);
  if (helper.unavailable) return null;
  try {
    return await ask(helper);
  } catch {
    return null;
  }
}

/** Stops the CPython helper processes (worker shutdown, end of a test file). */
export function closePythonHelpers(): void {
  for (const helper of helpers.values()) helper.close();
  helpers.clear();
}
