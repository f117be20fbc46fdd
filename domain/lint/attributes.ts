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
import { codeMatches, escapeRegExp, lineAt, type Edit, type PythonSource, type Scope } from './python-source';
import { editRule, type Spot } from './rule-kit';

const RESERVED = new Set<string>(RESERVED_ATTRIBUTES);

function snakeOf(name: string): string {
  return PASCAL_TO_SNAKE.get(name) ?? name;
}

/** `self.X = ...` assignments inside a class, by attribute name, in source order. */
function selfAssignments(src: PythonSource, cls: Scope): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const m of codeMatches(src, /(?<![\w.])self\s*\.\s*([A-Za-z_]\w*)\s*(?::[^=\n]+)?=(?!=)/g)) {
    if (m.index < cls.start || m.index >= cls.end) continue;
    const list = found.get(m[1]!) ?? [];
    list.push(m.index);
    found.set(m[1]!, list);
  }
  return found;
}

/** A name for the attribute that the code does not use yet. */
function freshName(code: string, candidates: string[]): string {
  const taken = (n: string) => new RegExp(`(?<![\\w])${escapeRegExp(n)}(?![\\w])`).test(code);
  for (const c of candidates) if (!taken(c)) return c;
  for (let k = 2; ; k++) if (!taken(`${candidates[0]}_${k}`)) return `${candidates[0]}_${k}`;
}

/** Renames every `self.name` that is not a method call, inside the class. */
function renameAttribute(src: PythonSource, cls: Scope, name: string, to: string): Edit[] {
  const re = new RegExp(`(?<![\\w.])self\\s*\\.\\s*${escapeRegExp(name)}(?![\\w])(?!\\s*\\()`, 'g');
  return codeMatches(src, re)
    .filter((m) => m.index >= cls.start && m.index < cls.end)
    .map((m) => ({ start: m.index, end: m.index + m[0].length, text: `self.${to}` }));
}

function shadowRule(def: { id: string; message: string; applies(name: string): boolean; why(name: string): string }) {
  return editRule({
    id: def.id,
    severity: 'error',
    message: def.message,
    find: (src) => {
      const spots: Spot[] = [];
      for (const cls of src.algorithmClasses) {
        for (const [name, offsets] of selfAssignments(src, cls)) {
          if (!def.applies(name)) continue;
          const snake = snakeOf(name);
          const holdsIndicator = offsets.some((at) => {
            const rhs = src.code.slice(at, at + 400).replace(/^[^=]*=/, '');
            return new RegExp(`^\\s*self\\s*\\.\\s*(${escapeRegExp(name)}|${escapeRegExp(snake)})\\s*\\(`).test(rhs);
          });
          const to = INDICATOR_HELPER_SNAKE.has(snake) && holdsIndicator
            ? freshName(src.code, [`${snake}_indicator`])
            : freshName(src.code, [`_${snake}`, `${snake}_value`]);
          spots.push({
            line: lineAt(src, offsets[0]!),
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
