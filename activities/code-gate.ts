import { InvalidInputError } from '../domain/errors';
import { applyBacktestPeriod } from '../domain/backtest-period';
import { faithfulnessProblemMessage, isFaithful, type FaithfulnessReport } from '../domain/faithfulness';
import type { CheckOutcome, CodeProblem } from '../domain/pipeline';
import type { StrategySpec } from '../domain/strategy';
import { codeHash } from './code-identity';

// The Python tooling (tree-sitter's parser, the LEAN lint rules) loads with the first check, not when the worker starts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pythonLint = () => require('../python/lint') as typeof import('../python/lint');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pythonFaithfulness = () => require('../python/faithfulness') as typeof import('../python/faithfulness');

const STRUCTURE_RULE = /^structure/;

/**
 * The quality gate every program passes before it may cost a compile or a backtest: the backtest
 * period is applied, the LEAN linter fixes what it safely can (a fix is kept only if CPython still
 * parses the code; nothing is ever run), and what remains comes back with its exact message for
 * the repair loop. Given the specification the code was generated from, the faithfulness gate then
 * checks that every parameter and rule of it is traceable in the code (domain/faithfulness.ts).
 */
export async function checkAlgorithm(input: { code: string; start?: string; end?: string; spec?: StrategySpec }): Promise<CheckOutcome> {
  let code: string;
  try {
    code = applyBacktestPeriod(input.code, input.start, input.end);
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
  // The linter runs first: its fixes (markdown fences, date arguments) can make code parse at all.
  const { lintPython, PYTHON_SYNTAX_RULE } = pythonLint();
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
  let faithfulness: FaithfulnessReport | null = null;
  if (input.spec && !problem) {
    faithfulness = await pythonFaithfulness().checkFaithfulness(lint.code, input.spec);
    if (!isFaithful(faithfulness)) problem = { kind: 'faithfulness', message: faithfulnessProblemMessage(faithfulness, input.spec) };
  }
  return {
    code: lint.code,
    codeHash: codeHash(lint.code),
    problem,
    fixesApplied: [...new Set(lint.issues.filter((i) => i.fixed).map((i) => i.rule))],
    warnings: lint.issues.filter((i) => i.severity !== 'error' && !i.fixed).map((i) => `line ${i.line}: [${i.rule}] ${i.message}`),
    faithfulness,
  };
}
