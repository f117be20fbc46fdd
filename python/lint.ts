import { applyLintFixes, lintCode, type LintResultIssue } from '../domain/lint';
import { checkPythonSyntax, type PythonSyntaxOptions } from './syntax';

/** The rule id of a syntax error in the linted (or fixed) code. */
export const PYTHON_SYNTAX_RULE = 'python-syntax';

export interface PythonLintReport {
  /** Fixed issues first (when fixing), then what is left in `code`, then a syntax error if any. */
  issues: LintResultIssue[];
  /** Whether `code` differs from the input. */
  fixed: boolean;
  /** The input, or the fixed code when `fix` was asked. */
  code: string;
  /** Error-severity issues left in `code` (a CLI exits non-zero when this is not 0). */
  errors: number;
}

/**
 * Lints a LEAN algorithm and, with `fix`, repairs what can be repaired while keeping the code
 * parseable. The syntax check (CPython, else tree-sitter) gates every fix and is reported as a
 * `python-syntax` error when the final code does not parse.
 */
export async function lintPython(code: string, opts: { fix: boolean; syntax?: PythonSyntaxOptions }): Promise<PythonLintReport> {
  const parses = async (c: string) => (await checkPythonSyntax(c, opts.syntax)).ok;
  const result = opts.fix
    ? await applyLintFixes(code, parses)
    : { code, fixed: false, issues: lintCode(code).map((i) => ({ ...i, fixed: false })) };
  const issues = [...result.issues];
  const syntax = await checkPythonSyntax(result.code, opts.syntax);
  if (!syntax.ok) {
    issues.push({
      rule: PYTHON_SYNTAX_RULE,
      line: syntax.line,
      message: `${syntax.message} (line ${syntax.line}, column ${syntax.column}; ${syntax.parser})`,
      severity: 'error',
      fixable: false,
      fixed: false,
    });
  }
  const errors = issues.filter((i) => i.severity === 'error' && !i.fixed).length;
  return { issues, fixed: result.fixed, code: result.code, errors };
}
