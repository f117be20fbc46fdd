import { InvalidInputError } from '../domain/errors';
import { applyBacktestPeriod } from '../domain/backtest-period';
import type { CheckOutcome, CodeProblem } from '../domain/pipeline';
import { codeHash } from './code-identity';
import { lintPython, PYTHON_SYNTAX_RULE } from '../python/lint';

const STRUCTURE_RULE = /^structure/;

/**
 * The quality gate every program passes before it may cost a compile or a backtest: the backtest
 * period is applied, the LEAN linter fixes what it safely can (a fix is kept only if CPython still
 * parses the code; nothing is ever run), and what remains comes back with its exact message for
 * the repair loop.
 */
export async function checkAlgorithm(input: { code: string; start?: string; end?: string }): Promise<CheckOutcome> {
  let code: string;
  try {
    code = applyBacktestPeriod(input.code, input.start, input.end);
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
  // The linter runs first: its fixes (markdown fences, date arguments) can make code parse at all.
  const lint = await lintPython(code, { fix: true });
  const syntax = lint.issues.find((i) => i.rule === PYTHON_SYNTAX_RULE && !i.fixed);
  let problem: CodeProblem | null = null;
  if (syntax) {
    const line = lint.code.split('\n')[syntax.line - 1] ?? '';
    problem = { kind: 'syntax', message: `SyntaxError: ${syntax.message}\n    ${line.trim()}` };
  } else {
    const remaining = lint.issues.filter((i) => i.severity === 'error' && !i.fixed);
    if (remaining.length) {
      const kind = remaining.every((i) => STRUCTURE_RULE.test(i.rule)) ? 'structure' : 'lint';
      problem = { kind, message: remaining.map((i) => `line ${i.line}: [${i.rule}] ${i.message}`).join('\n') };
    }
  }
  return {
    code: lint.code,
    codeHash: codeHash(lint.code),
    problem,
    fixesApplied: [...new Set(lint.issues.filter((i) => i.fixed).map((i) => i.rule))],
    warnings: lint.issues.filter((i) => i.severity !== 'error' && !i.fixed).map((i) => `line ${i.line}: [${i.rule}] ${i.message}`),
  };
}
