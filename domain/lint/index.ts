/**
 * The LEAN linter: pure rules over the concrete syntax tree of Python source. `lintCode` reports;
 * `applyLintFixes` repairs, keeping a fix only when the code still parses. Both the tree-sitter
 * parser and the syntax check are injected: loading a grammar and running CPython are I/O.
 */
import { apiShadowing, reservedAttribute } from './attributes';
import { enumAsString, enumCasing, pascalCaseApi } from './casing';
import {
  cryptoAsEquity,
  csharpCollectionMethods,
  forexAsEquity,
  historyInOnData,
  indicatorBaseFloat,
  rollingWindowMisuse,
} from './data-access';
import { dateArguments, markdownFence, missingAlgorithmImports, missingWarmUp, printToDebug, wallClockTime } from './llm-habits';
import { readPython } from './python-tree';
import type { PythonParser } from './syntax-tree';
import { STRUCTURE_RULES } from './structure';
import type { LintIssue, LintResultIssue, LintRule } from './types';

export type { LintFinding, LintIssue, LintResultIssue, LintRule, LintSeverity } from './types';
export { checkStructure, STRUCTURE_RULES } from './structure';
export { readPython, type PythonSource } from './python-tree';
export { copySyntaxTree, type PythonParser, type SyntaxCursor, type SyntaxNode } from './syntax-tree';

/**
 * Every rule, in the order fixes are tried: fences first (nothing parses with them), renames
 * before the rules that look for snake_case names, and line-inserting fixes last so the line
 * numbers of earlier fixes still point into the original code.
 */
export const LINT_RULES: readonly LintRule[] = [
  markdownFence,
  dateArguments,
  pascalCaseApi,
  enumCasing,
  enumAsString,
  apiShadowing,
  reservedAttribute,
  rollingWindowMisuse,
  forexAsEquity,
  cryptoAsEquity,
  indicatorBaseFloat,
  wallClockTime,
  printToDebug,
  historyInOnData,
  csharpCollectionMethods,
  missingWarmUp,
  missingAlgorithmImports,
  ...STRUCTURE_RULES,
];

/** Rule id → rule. */
export const LINT_RULES_BY_ID: ReadonlyMap<string, LintRule> = new Map(LINT_RULES.map((r) => [r.id, r]));

/** Issues a fix was not applied for because it would have broken the syntax. */
export const FIX_REJECTED_RULE = 'fix-rejected';

function issuesOf(rule: LintRule, code: string, parse: PythonParser): LintIssue[] {
  return rule.check(readPython(code, parse)).map((f) => ({
    rule: rule.id,
    line: f.line,
    message: f.message ?? rule.message,
    severity: rule.severity,
    fixable: f.fixable ?? !!rule.fix,
  }));
}

/** Every issue the rules find, ordered by line. */
export function lintCode(code: string, parse: PythonParser, rules: readonly LintRule[] = LINT_RULES): LintIssue[] {
  return rules.flatMap((rule) => issuesOf(rule, code, parse)).sort((a, b) => a.line - b.line);
}

export interface LintFixResult {
  code: string;
  /** Issues fixed along the way (lines of the code as it was when fixed), then the issues left in `code`. */
  issues: LintResultIssue[];
  /** Whether `code` differs from the input. */
  fixed: boolean;
}

/**
 * Applies each rule's fix in turn. A fix is kept only if `parses` accepts the result; otherwise
 * it is dropped and reported as a `fix-rejected` warning (unless the code did not parse before
 * it either: then the syntax error is what matters, and only fixes that repair syntax are kept). Repeats until nothing changes, since one
 * fix can enable another (PascalCase `self.SMA = self.SMA(...)` becomes a shadowing once renamed).
 */
export async function applyLintFixes(
  code: string,
  parse: PythonParser,
  parses: (code: string) => Promise<boolean>,
  rules: readonly LintRule[] = LINT_RULES,
): Promise<LintFixResult> {
  let current = code;
  let currentParses = await parses(current);
  const fixedIssues: LintResultIssue[] = [];
  const rejected = new Map<string, LintResultIssue>();
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const rule of rules) {
      if (!rule.fix || rejected.has(rule.id)) continue;
      const found = issuesOf(rule, current, parse).filter((i) => i.fixable);
      if (found.length === 0) continue;
      const candidate = rule.fix(readPython(current, parse));
      if (candidate === current) continue;
      const ok = await parses(candidate);
      if (ok || (!currentParses && rule.repairsSyntax)) {
        fixedIssues.push(...found.map((i) => ({ ...i, fixed: true })));
        current = candidate;
        currentParses = ok;
        changed = true;
      } else if (currentParses) {
        rejected.set(rule.id, {
          rule: FIX_REJECTED_RULE,
          line: found[0]!.line,
          message: `the fix for ${rule.id} was not applied: the code would no longer parse`,
          severity: 'warning',
          fixable: false,
          fixed: false,
        });
      }
    }
    if (!changed) break;
  }
  const remaining = lintCode(current, parse, rules).map((i) => ({ ...i, fixable: i.fixable && !rejected.has(i.rule), fixed: false }));
  return { code: current, issues: [...fixedIssues, ...rejected.values(), ...remaining], fixed: current !== code };
}
