import { cpythonHelper } from './cpython';
import { treeSitterSyntaxCheck } from './tree-sitter';

export type PythonParserName = 'cpython' | 'tree-sitter';

export type PythonSyntaxResult =
  | { ok: true; parser: PythonParserName }
  | { ok: false; parser: PythonParserName; line: number; column: number; message: string };

export interface PythonSyntaxOptions {
  /** CPython (default) when `python3` runs here, else tree-sitter; or tree-sitter only. */
  prefer?: PythonParserName;
  /** The Python executable (default `python3`). */
  python?: string;
  /** How long one CPython check may take before falling back to tree-sitter (default 10 s). */
  timeoutMs?: number;
}

/**
 * Checks Python syntax without ever executing the code. Lines and columns are 1-based; columns
 * count characters. CPython's compiler runs in a reusable helper process (a few ms per check
 * once warm); if `python3` cannot run, or a check times out, tree-sitter answers instead.
 */
export async function checkPythonSyntax(code: string, opts: PythonSyntaxOptions = {}): Promise<PythonSyntaxResult> {
  if ((opts.prefer ?? 'cpython') === 'cpython') {
    const checker = cpythonHelper(opts.python ?? 'python3', opts.timeoutMs ?? 10_000);
    if (!checker.unavailable) {
      try {
        return { ...(await checker.check(code)), parser: 'cpython' };
      } catch {
        // python3 missing, dying or too slow for this input: tree-sitter still gives an answer
      }
    }
  }
  return { ...(await treeSitterSyntaxCheck(code)), parser: 'tree-sitter' };
}

/** Whether the code parses (the check lint fixes are gated on). */
export async function parsesAsPython(code: string, opts?: PythonSyntaxOptions): Promise<boolean> {
  return (await checkPythonSyntax(code, opts)).ok;
}
