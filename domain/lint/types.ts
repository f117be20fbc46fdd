import type { PythonSource } from './python-tree';

export type LintSeverity = 'error' | 'warning' | 'info';

/** One problem the linter found. */
export interface LintIssue {
  rule: string;
  /** 1-based line in the code that was linted. */
  line: number;
  message: string;
  severity: LintSeverity;
  /** Whether the rule's fix would remove this issue. */
  fixable: boolean;
}

/** An issue after `--fix`: `fixed` says whether the returned code no longer has it. */
export interface LintResultIssue extends LintIssue {
  fixed: boolean;
}

/** What a rule's check reports; `fixable` defaults to whether the rule has a fix. */
export interface LintFinding {
  line: number;
  message?: string;
  fixable?: boolean;
}

export interface LintRule {
  id: string;
  severity: LintSeverity;
  /** One line saying what the rule is about. */
  message: string;
  check(src: PythonSource): LintFinding[];
  /** Returns the code with every fixable finding of this rule repaired (idempotent). */
  fix?(src: PythonSource): string;
  /**
   * The fix removes text that is not Python at all (chat fences, `01` literals), so it is kept even
   * when the code does not parse yet: with fences and a leading zero, neither fix alone makes the
   * code parse, together they do.
   */
  repairsSyntax?: boolean;
}
