import { askCPython, type PythonParserOptions } from './cpython';
import { treeSitterSyntaxCheck } from './tree-sitter';

export type PythonParserName = 'cpython' | 'tree-sitter';

export type PythonSyntaxResult =
  | { ok: true; parser: PythonParserName }
  | { ok: false; parser: PythonParserName; line: number; column: number; message: string };

export type PythonSyntaxOptions = PythonParserOptions;

/**
 * Checks Python syntax without ever executing the code. Lines and columns are 1-based; columns
 * count characters. CPython's compiler runs in a reusable helper process (a few ms per check
 * once warm); if `python3` cannot run, or a check times out, tree-sitter answers instead.
 */
export async function checkPythonSyntax(code: string, opts: PythonSyntaxOptions = {}): Promise<PythonSyntaxResult> {
  const verdict = await askCPython(opts, (helper) => helper.check(code));
  if (verdict) return { ...verdict, parser: 'cpython' };
  return { ...(await treeSitterSyntaxCheck(code)), parser: 'tree-sitter' };
}

/** Whether the code parses (the check lint fixes are gated on). */
export async function parsesAsPython(code: string, opts?: PythonSyntaxOptions): Promise<boolean> {
  return (await checkPythonSyntax(code, opts)).ok;
}
