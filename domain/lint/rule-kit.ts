import { applyEdits, type Edit, type PythonSource } from './python-tree';
import type { LintRule, LintSeverity } from './types';

/** A place a rule objects to, and the edits that repair it (none: reported but not fixable). */
export interface Spot {
  line: number;
  message?: string;
  edits?: Edit[];
}

/**
 * Builds a rule whose check and fix come from the same search, so the fix repairs exactly what
 * the check reports and a fixed file reports nothing fixable.
 */
export function editRule(def: {
  id: string;
  severity: LintSeverity;
  message: string;
  repairsSyntax?: boolean;
  find(src: PythonSource): Spot[];
}): LintRule {
  return {
    id: def.id,
    severity: def.severity,
    message: def.message,
    repairsSyntax: def.repairsSyntax,
    check: (src) => def.find(src).map((s) => ({ line: s.line, message: s.message, fixable: (s.edits?.length ?? 0) > 0 })),
    fix: (src) => {
      const edits = def.find(src).flatMap((s) => s.edits ?? []);
      return edits.length ? applyEdits(src.code, edits) : src.code;
    },
  };
}

/** Builds a rule that only reports. */
export function checkRule(def: { id: string; severity: LintSeverity; message: string; find(src: PythonSource): Spot[] }): LintRule {
  return {
    id: def.id,
    severity: def.severity,
    message: def.message,
    check: (src) => def.find(src).map((s) => ({ line: s.line, message: s.message, fixable: false })),
  };
}
