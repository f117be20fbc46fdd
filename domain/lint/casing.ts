/**
 * Casing rules: LEAN's Python API is snake_case (`self.set_holdings`, `bar.close`) and its enums
 * UPPER_SNAKE (`Resolution.DAILY`). LLMs trained on C# and on pre-2024 examples write PascalCase.
 */
import {
  ALGORITHM_MEMBER_PASCAL,
  ENUM_MEMBERS,
  enumMemberUpper,
  EVENT_HANDLER_NAMES,
  PASCAL_TO_SNAKE,
} from './lean-api';
import {
  codeMatches,
  inAlgorithmClass,
  lineAt,
  logicalLineAt,
  receiverRoot,
  type Edit,
  type PythonSource,
} from './python-source';
import { editRule, type Spot } from './rule-kit';

/** Modules whose PascalCase attributes are theirs, not LEAN's (`pd.Period`, `np.NaN`). */
const FOREIGN_MODULES = new Set([
  'np', 'numpy', 'pd', 'pandas', 'math', 'scipy', 'stats', 'sm', 'statsmodels', 'sklearn', 'datetime', 'time',
  'json', 'random', 'collections', 'itertools', 'functools', 're', 'os', 'sys', 'tf', 'torch', 'talib', 'ta',
]);

/** Names bound by import statements from non-LEAN modules. */
function importedNames(src: PythonSource): Set<string> {
  const names = new Set<string>(FOREIGN_MODULES);
  for (const ll of src.logicalLines) {
    if (ll.blank) continue;
    const text = src.code.slice(ll.start, ll.end).trim();
    let m = /^import\s+(.+)$/s.exec(text);
    if (m) {
      for (const part of m[1]!.split(',')) {
        const alias = /^\s*([\w.]+)(?:\s+as\s+(\w+))?/.exec(part);
        if (alias) names.add(alias[2] ?? alias[1]!.split('.')[0]!);
      }
      continue;
    }
    m = /^from\s+([\w.]+)\s+import\s+(.+)$/s.exec(text);
    if (m && !/^(AlgorithmImports|QuantConnect|System|clr)\b/.test(m[1]!)) {
      for (const part of m[2]!.replace(/[()\\]/g, ' ').split(',')) {
        const alias = /^\s*(\w+)(?:\s+as\s+(\w+))?/.exec(part);
        if (alias && alias[1] !== '*') names.add(alias[2] ?? alias[1]!);
      }
    }
  }
  return names;
}

/**
 * PascalCase names the code itself defines: methods it declares (other than LEAN event handlers)
 * and attributes it assigns (`index.Value = ...` in custom data). Those are the user's; renaming
 * them could break a class LEAN or the code relies on. Assigning a QCAlgorithm member on `self`
 * inside the algorithm is not a definition but a shadowing mistake, reported by another rule.
 */
function userDefinedNames(src: PythonSource): Set<string> {
  const names = new Set<string>();
  for (const s of src.scopes) if (s.kind === 'def' && !EVENT_HANDLER_NAMES.has(s.name)) names.add(s.name);
  for (const m of codeMatches(src, /(?<![\w.])([A-Za-z_]\w*)\s*\.\s*([A-Z]\w*)\s*(?:[-+*/%|&^@]|\*\*|\/\/|>>|<<)?=(?!=)/g)) {
    const [, receiver, name] = m;
    if (receiver === 'self' && ALGORITHM_MEMBER_PASCAL.has(name!) && inAlgorithmClass(src, m.index)) continue;
    names.add(name!);
  }
  return names;
}

function isImportLine(src: PythonSource, offset: number): boolean {
  const ll = logicalLineAt(src, offset);
  return !!ll && /^\s*(from|import)\s/.test(src.code.slice(ll.start, ll.end));
}

/** Groups renames by line, so one line gives one issue listing all its renames. */
function spotsByLine(src: PythonSource, renames: Array<{ at: number; from: string; to: string; edit?: Edit }>, prefix: string): Spot[] {
  const byLine = new Map<number, { names: string[]; edits: Edit[]; unfixable: boolean }>();
  for (const r of renames) {
    const line = lineAt(src, r.at);
    const entry = byLine.get(line) ?? { names: [], edits: [], unfixable: false };
    const label = `${r.from} → ${r.to}`;
    if (!entry.names.includes(label)) entry.names.push(label);
    if (r.edit) entry.edits.push(r.edit);
    else entry.unfixable = true;
    byLine.set(line, entry);
  }
  return [...byLine.entries()].map(([line, e]) => ({
    line,
    message: `${prefix}: ${e.names.join(', ')}`,
    edits: e.unfixable ? [] : e.edits,
  }));
}

export const pascalCaseApi = editRule({
  id: 'pascal-case-api',
  severity: 'warning',
  message: 'legacy PascalCase LEAN API; LEAN Python is snake_case',
  find: (src) => {
    const user = userDefinedNames(src);
    const foreign = importedNames(src);
    const renames: Array<{ at: number; from: string; to: string; edit?: Edit }> = [];
    for (const m of codeMatches(src, /\.[ \t]*([A-Z][A-Za-z0-9]*)\b/g)) {
      const name = m[1]!;
      const snake = PASCAL_TO_SNAKE.get(name);
      if (!snake || user.has(name)) continue;
      const root = receiverRoot(src.code, m.index);
      // `Field.Close` and `InsightType.Price` are enum members: the enum rule owns them
      if (foreign.has(root) || Object.hasOwn(ENUM_MEMBERS, root) || isImportLine(src, m.index)) continue;
      const at = m.index + m[0].length - name.length;
      renames.push({ at, from: name, to: snake, edit: { start: at, end: at + name.length, text: snake } });
    }
    for (const m of codeMatches(src, /(?<![\w])def\s+([A-Z]\w*)\s*\(/g)) {
      const name = m[1]!;
      if (!EVENT_HANDLER_NAMES.has(name)) continue;
      const snake = PASCAL_TO_SNAKE.get(name)!;
      const at = m.index + m[0].indexOf(name, 3);
      const fn = src.scopes.find((s) => s.kind === 'def' && s.start <= m.index && m.index < s.end && s.name === name);
      // a class defining both OnData and on_data would lose one of them
      const clash = src.scopes.some((s) => s.kind === 'def' && s.name === snake && s.parent === fn?.parent);
      renames.push({ at, from: `def ${name}`, to: `def ${snake}`, edit: clash ? undefined : { start: at, end: at + name.length, text: snake } });
    }
    return spotsByLine(src, renames, 'PascalCase LEAN API');
  },
});

const ENUM_RE = new RegExp(`(?<![\\w.])(${Object.keys(ENUM_MEMBERS).join('|')})\\s*\\.\\s*([A-Za-z_]\\w*)\\b`, 'g');

export const enumCasing = editRule({
  id: 'enum-casing',
  severity: 'warning',
  message: 'LEAN enum members are UPPER_SNAKE in Python (Resolution.DAILY)',
  find: (src) => {
    const renames: Array<{ at: number; from: string; to: string; edit?: Edit }> = [];
    for (const m of codeMatches(src, ENUM_RE)) {
      const [, enumName, member] = m;
      if (!ENUM_MEMBERS[enumName!]!.includes(member!)) continue;
      const upper = enumMemberUpper(member!);
      if (upper === member) continue;
      const at = m.index + m[0].length - member!.length;
      renames.push({ at, from: `${enumName}.${member}`, to: `${enumName}.${upper}`, edit: { start: at, end: at + member!.length, text: upper } });
    }
    return spotsByLine(src, renames, 'enum member casing');
  },
});

const STATUS_ENUMS: Record<string, { enumName: string; members: readonly string[] }> = {
  status: { enumName: 'OrderStatus', members: ENUM_MEMBERS.OrderStatus! },
  direction: { enumName: 'OrderDirection', members: ENUM_MEMBERS.OrderDirection! },
};

export const enumAsString = editRule({
  id: 'enum-as-string',
  severity: 'error',
  message: 'order status and direction are enums, never equal to a string',
  find: (src) => {
    const spots: Spot[] = [];
    for (const m of codeMatches(src, /\.\s*(status|Status|direction|Direction)\s*(?:==|!=)\s*(['"])([A-Za-z_]+)\2/g)) {
      const field = STATUS_ENUMS[m[1]!.toLowerCase()]!;
      const word = m[3]!.replace(/_/g, '').toLowerCase();
      const member = field.members.find((x) => x.toLowerCase() === word);
      if (!member) continue;
      const literal = m[2]! + m[3]! + m[2]!;
      const start = m.index + m[0].length - literal.length;
      const replacement = `${field.enumName}.${enumMemberUpper(member)}`;
      spots.push({
        line: lineAt(src, m.index),
        message: `${m[1]} compared with the string ${literal}; compare with ${replacement}`,
        edits: [{ start, end: start + literal.length, text: replacement }],
      });
    }
    return spots;
  },
});

