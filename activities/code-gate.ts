import { InvalidInputError } from '../domain/errors';
import { applyBacktestPeriod } from '../domain/backtest-period';
import type { CheckOutcome, CodeProblem } from '../domain/pipeline';
import { codeHash } from './code-identity';
import { checkPythonSyntax } from './python/syntax';
import { lintPython } from './python/lint';

const STRUCTURE_RULE = /^structure/;

/**
 * The quality gate every program passes before it may cost a compile or a backtest: the backtest
 * period is applied, CPython parses it (never runs it), the LEAN linter fixes what it safely can,
 * and the first remaining problem comes back with its exact message for the repair loop.
 */
export async function checkAlgorithm(input: { code: string; start?: string; end?: string }): Promise<CheckOutcome> {
  let code: string;
  try {
    code = applyBacktestPeriod(input.code, input.start, input.end);
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
  const syntax = await checkPythonSyntax(code);
  if (!syntax.ok) {
    const line = code.split('\n')[syntax.line - 1] ?? '';
    return {
      code,
      codeHash: codeHash(code),
      problem: { kind: 'syntax', message: `SyntaxError at line ${syntax.line}, column ${syntax.column}: ${syntax.message}\n    ${line.trim()}` },
      fixesApplied: [],
      warnings: [],
    };
  }
  const lint = await lintPython(code, { fix: true });
  const remaining = lint.issues.filter((i) => i.severity === 'error' && !i.fixed);
  let problem: CodeProblem | null = null;
  if (remaining.length) {
    const kind = remaining.every((i) => STRUCTURE_RULE.test(i.rule)) ? 'structure' : 'lint';
    problem = { kind, message: remaining.map((i) => `line ${i.line}: [${i.rule}] ${i.message}`).join('\n') };
  }
  return {
    code: lint.code,
    codeHash: codeHash(lint.code),
    problem,
    fixesApplied: [...new Set(lint.issues.filter((i) => i.fixed).map((i) => i.rule))],
    warnings: lint.issues.filter((i) => i.severity !== 'error' && !i.fixed).map((i) => `line ${i.line}: [${i.rule}] ${i.message}`),
  };
}
