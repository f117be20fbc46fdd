/**
 * Attribute rules: an attribute on the algorithm named like a QCAlgorithm member replaces that
 * member (`self.sma = self.sma(...)` makes the next `self.sma(...)` call fail; `self.alpha = 0.05`
 * overwrites the framework's alpha model). The fix renames the attribute throughout the class.
 */
import {
  ALGORITHM_MEMBER_PASCAL,
  ALGORITHM_MEMBER_SNAKE,
  INDICATOR_HELPER_SNAKE,
  PASCAL_TO_SNAKE,
  RESERVED_ATTRIBUTES,
} from './lean-api';
import { fieldOf, isWithin } from './syntax-tree';
import { calleeName, isCalled, isSelfAttribute, memberOf, replace, text, type Edit, type PythonSource, type Scope } from './python-tree';
import { editRule, type Spot } from './rule-kit';

const RESERVED = new Set<string>(RESERVED_ATTRIBUTES);

function snakeOf(name: string): string {
  return PASCAL_TO_SNAKE.get(name) ?? name;
}

/** `self.X = ...` assignments inside a class, by attribute name, in source order (the assignment nodes). */
function selfAssignments(src: PythonSource, cls: Scope): Map<string, typeof src.assignments> {
  const found = new Map<string, typeof src.assignments>();
  for (const assignment of src.assignments) {
    const target = fieldOf(assignment, 'left');
    if (!fieldOf(assignment, 'right') || !isSelfAttribute(src, target) || !isWithin(assignment, cls.node)) continue;
    const name = text(src, memberOf(target!).name);
    found.set(name, [...(found.get(name) ?? []), assignment]);
  }
  return found;
}

/** A name for the attribute that no identifier in the code uses yet. */
function freshName(src: PythonSource, candidates: string[]): string {
  const used = new Set(src.tokens.filter((t) => t.type === 'identifier').map((t) => text(src, t)));
  for (const c of candidates) if (!used.has(c)) return c;
  for (let k = 2; ; k++) if (!used.has(`${candidates[0]}_${k}`)) return `${candidates[0]}_${k}`;
}

/** Renames the name of every `self.name` in the class that is not a method call. */
function renameAttribute(src: PythonSource, cls: Scope, name: string, to: string): Edit[] {
  return src.attributes
    .filter((a) => isSelfAttribute(src, a, name) && !isCalled(a) && isWithin(a, cls.node))
    .map((a) => replace(memberOf(a).name!, to));
}

function shadowRule(def: { id: string; message: string; applies(name: string): boolean; why(name: string): string }) {
  return editRule({
    id: def.id,
    severity: 'error',
    message: def.message,
    find: (src) => {
      const spots: Spot[] = [];
      for (const cls of src.algorithmClasses) {
        for (const [name, assignments] of selfAssignments(src, cls)) {
          if (!def.applies(name)) continue;
          const snake = snakeOf(name);
          // `self.sma = self.sma(...)`: the attribute holds the indicator the method made
          const holdsIndicator = assignments.some((a) => {
            const value = fieldOf(a, 'right');
            const fn = value?.type === 'call' ? fieldOf(value, 'function') : undefined;
            return isSelfAttribute(src, fn) && [name, snake].includes(text(src, calleeName(src, value!)));
          });
          const to = INDICATOR_HELPER_SNAKE.has(snake) && holdsIndicator
            ? freshName(src, [`${snake}_indicator`])
            : freshName(src, [`_${snake}`, `${snake}_value`]);
          spots.push({
            line: assignments[0]!.line,
            message: `self.${name} ${def.why(name)}; rename it (self.${to})`,
            edits: renameAttribute(src, cls, name, to),
          });
        }
      }
      return spots;
    },
  });
}

export const apiShadowing = shadowRule({
  id: 'api-shadowing',
  message: 'an attribute of the algorithm hides a QCAlgorithm method or property',
  applies: (name) =>
    !RESERVED.has(snakeOf(name)) && (ALGORITHM_MEMBER_SNAKE.has(name) || ALGORITHM_MEMBER_PASCAL.has(name)),
  why: (name) => {
    const snake = snakeOf(name);
    return INDICATOR_HELPER_SNAKE.has(snake)
      ? `hides the indicator method self.${snake}(), so a second call to it fails`
      : `hides QCAlgorithm.${snake}`;
  },
});

export const reservedAttribute = shadowRule({
  id: 'reserved-attribute',
  message: 'an attribute of the algorithm reuses a name LEAN reserves (alpha, universe, execution, name, ...)',
  applies: (name) => RESERVED.has(snakeOf(name)) && (RESERVED.has(name) || ALGORITHM_MEMBER_PASCAL.has(name)),
  why: (name) => `overwrites LEAN's reserved algorithm attribute ${snakeOf(name)}`,
});
