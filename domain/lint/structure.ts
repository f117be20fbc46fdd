/**
 * Structural checks: what every LEAN algorithm needs before it can run a backtest. They report
 * errors and have no fix (only the author knows the dates, cash and securities).
 */
import { SECURITY_ADDERS } from './lean-api';
import { calledNames, methodsOf, readPython, type PythonSource, type Scope } from './python-tree';
import { checkRule } from './rule-kit';
import type { PythonParser } from './syntax-tree';
import type { LintIssue, LintRule } from './types';

export function initializeOf(src: PythonSource, cls: Scope): Scope | undefined {
  return methodsOf(src, cls).find((s) => /^(initialize|Initialize)$/.test(s.name));
}

/** Whether the code calls any of the snake_case names, or their legacy PascalCase spelling. */
function calls(src: PythonSource, names: readonly string[]): boolean {
  const both = new Set(names.flatMap((n) => [n, n.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())]));
  const called = calledNames(src);
  return [...both].some((name) => called.has(name));
}

/** Where to point at when something is missing from the algorithm: its initialize, else its class. */
function anchorLine(src: PythonSource): number {
  const cls = src.algorithmClasses[0];
  if (!cls) return 1;
  return (initializeOf(src, cls) ?? cls).line;
}

const algorithmClass = checkRule({
  id: 'structure-algorithm-class',
  severity: 'error',
  message: 'the code must define exactly one QCAlgorithm subclass',
  find: (src) => {
    const classes = src.algorithmClasses;
    if (classes.length === 0) return [{ line: 1, message: 'no class derives from QCAlgorithm' }];
    return classes.slice(1).map((c) => ({
      line: c.line,
      message: `more than one QCAlgorithm subclass (${classes.map((k) => k.name).join(', ')}); LEAN runs a single algorithm class`,
    }));
  },
});

const missingInitialize = checkRule({
  id: 'structure-initialize',
  severity: 'error',
  message: 'the algorithm class must define initialize(self)',
  find: (src) => {
    const cls = src.algorithmClasses[0];
    if (!cls || initializeOf(src, cls)) return [];
    return [{ line: cls.line, message: `class ${cls.name} has no initialize(self) method` }];
  },
});

function requiredCall(id: string, names: readonly string[], what: string): LintRule {
  return checkRule({
    id,
    severity: 'error',
    message: `the algorithm must ${what}`,
    find: (src) => {
      if (src.algorithmClasses.length === 0 || calls(src, names)) return [];
      return [{ line: anchorLine(src), message: `the algorithm never calls ${names[0]}(): it must ${what}` }];
    },
  });
}

export const STRUCTURE_RULES: readonly LintRule[] = [
  algorithmClass,
  missingInitialize,
  requiredCall('structure-start-date', ['set_start_date'], 'set a start date'),
  requiredCall('structure-cash', ['set_cash'], 'set its starting cash'),
  requiredCall('structure-security', SECURITY_ADDERS, 'add at least one security or universe'),
];

/** Runs only the structural checks. */
export function checkStructure(code: string, parse: PythonParser): LintIssue[] {
  const src = readPython(code, parse);
  return STRUCTURE_RULES.flatMap((rule) =>
    rule.check(src).map((f) => ({ rule: rule.id, line: f.line, message: f.message ?? rule.message, severity: rule.severity, fixable: false })),
  );
}
