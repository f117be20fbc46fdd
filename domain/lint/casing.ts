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
  chainRoot,
  isSelfAttribute,
  memberOf,
  replace,
  text,
  type Edit,
  type PythonSource,
} from './python-tree';
import { editRule, type Spot } from './rule-kit';
import { fieldOf, itemsOf, type SyntaxNode } from './syntax-tree';

/** Modules whose PascalCase attributes are theirs, not LEAN's (`pd.Period`, `np.NaN`). */
const FOREIGN_MODULES = new Set([
  'np', 'numpy', 'pd', 'pandas', 'math', 'scipy', 'stats', 'sm', 'statsmodels', 'sklearn', 'datetime', 'time',
  'json', 'random', 'collections', 'itertools', 'functools', 're', 'os', 'sys', 'tf', 'torch', 'talib', 'ta',
]);

const LEAN_MODULE = /^(AlgorithmImports|QuantConnect|System|clr)(\.|$)/;

/** Names bound by import statements from non-LEAN modules. */
function importedNames(src: PythonSource): Set<string> {
  const names = new Set<string>(FOREIGN_MODULES);
  for (const node of src.nodes) {
    if (node.type === 'import_statement') {
      for (const item of itemsOf(node)) {
        // `import a.b` binds `a`; `import a.b as c` binds `c`
        const alias = fieldOf(item, 'alias');
        names.add(alias ? text(src, alias) : text(src, item.type === 'aliased_import' ? fieldOf(item, 'name') : item).split('.')[0]!);
      }
    } else if (node.type === 'import_from_statement' && !LEAN_MODULE.test(text(src, fieldOf(node, 'module_name')))) {
      for (const item of node.children.filter((c) => c.field === 'name')) {
        const alias = fieldOf(item, 'alias');
        names.add(text(src, alias ?? (item.type === 'aliased_import' ? fieldOf(item, 'name') : item)));
      }
    }
  }
  return names;
}

/** Assignment targets, including each name of `a.X, b.Y = ...` and of augmented assignments. */
function assignedAttributes(src: PythonSource): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const node of src.nodes) {
    if (node.type !== 'assignment' && node.type !== 'augmented_assignment') continue;
    const left = fieldOf(node, 'left');
    if (!left || (node.type === 'assignment' && !fieldOf(node, 'right'))) continue;
    const targets = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? itemsOf(left) : [left];
    out.push(...targets.filter((t) => t.type === 'attribute'));
  }
  return out;
}

/**
 * PascalCase names the code itself defines: methods it declares (other than LEAN event handlers)
 * and attributes it assigns on a name (`index.Value = ...` in custom data). Those are the user's;
 * renaming them could break a class LEAN or the code relies on. Assigning a QCAlgorithm member on
 * `self` inside the algorithm is not a definition but a shadowing mistake, reported by another rule.
 */
function userDefinedNames(src: PythonSource): Set<string> {
  const names = new Set<string>();
  for (const s of src.scopes) if (s.kind === 'def' && !EVENT_HANDLER_NAMES.has(s.name)) names.add(s.name);
  for (const target of assignedAttributes(src)) {
    const { object, name } = memberOf(target);
    const member = text(src, name);
    if (object?.type !== 'identifier' || !/^[A-Z]/.test(member)) continue;
    if (isSelfAttribute(src, target) && ALGORITHM_MEMBER_PASCAL.has(member) && inAlgorithmClass(src, target)) continue;
    names.add(member);
  }
  return names;
}

function inAlgorithmClass(src: PythonSource, node: SyntaxNode): boolean {
  return src.algorithmClasses.some((c) => node.start >= c.node.start && node.end <= c.node.end);
}

interface Rename {
  node: SyntaxNode;
  from: string;
  to: string;
  /** The name the node gets. */
  replacement: string;
  /** The rename cannot be applied safely. */
  unsafe?: boolean;
}

/** Groups renames by line, so one line gives one issue listing all its renames. */
function spotsByLine(renames: Rename[], prefix: string): Spot[] {
  const byLine = new Map<number, { names: string[]; edits: Edit[]; unfixable: boolean }>();
  for (const r of [...renames].sort((a, b) => a.node.start - b.node.start)) {
    const line = r.node.line;
    const entry = byLine.get(line) ?? { names: [], edits: [], unfixable: false };
    const label = `${r.from} → ${r.to}`;
    if (!entry.names.includes(label)) entry.names.push(label);
    if (r.unsafe) entry.unfixable = true;
    else entry.edits.push(replace(r.node, r.replacement));
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
    const renames: Rename[] = [];
    for (const attribute of src.attributes) {
      const nameNode = memberOf(attribute).name;
      const name = text(src, nameNode);
      const snake = PASCAL_TO_SNAKE.get(name);
      if (!nameNode || !snake || user.has(name)) continue;
      const root = chainRoot(src, attribute);
      // `Field.Close` and `InsightType.Price` are enum members: the enum rule owns them
      if (foreign.has(root) || Object.hasOwn(ENUM_MEMBERS, root)) continue;
      renames.push({ node: nameNode, from: name, to: snake, replacement: snake });
    }
    for (const fn of src.scopes) {
      if (fn.kind !== 'def' || !EVENT_HANDLER_NAMES.has(fn.name)) continue;
      const snake = PASCAL_TO_SNAKE.get(fn.name)!;
      // a class defining both OnData and on_data would lose one of them
      const clash = src.scopes.some((s) => s.kind === 'def' && s.name === snake && s.parent === fn.parent);
      renames.push({ node: fieldOf(fn.node, 'name')!, from: `def ${fn.name}`, to: `def ${snake}`, replacement: snake, unsafe: clash });
    }
    return spotsByLine(renames, 'PascalCase LEAN API');
  },
});

/**
 * `Enum.Member` references: attribute nodes on an enum's bare name, plus `OrderStatus.None`, which
 * Python cannot parse as an attribute (`None` is a keyword), so the tree holds it as an error
 * around the `.` and `None` tokens.
 */
function enumReferences(src: PythonSource): Array<{ enumName: string; member: SyntaxNode }> {
  const refs: Array<{ enumName: string; member: SyntaxNode }> = [];
  for (const attribute of src.attributes) {
    const { object, name } = memberOf(attribute);
    if (object?.type === 'identifier' && name) refs.push({ enumName: text(src, object), member: name });
  }
  src.tokens.forEach((token, k) => {
    const dot = src.tokens[k - 1];
    const owner = src.tokens[k - 2];
    if (token.type === 'none' && dot?.type === '.' && owner?.type === 'identifier' && owner.parent?.type !== 'attribute') {
      refs.push({ enumName: text(src, owner), member: token });
    }
  });
  return refs;
}

export const enumCasing = editRule({
  id: 'enum-casing',
  severity: 'warning',
  message: 'LEAN enum members are UPPER_SNAKE in Python (Resolution.DAILY)',
  find: (src) => {
    const renames: Rename[] = [];
    for (const { enumName, member } of enumReferences(src)) {
      const name = text(src, member);
      if (!Object.hasOwn(ENUM_MEMBERS, enumName) || !ENUM_MEMBERS[enumName]!.includes(name)) continue;
      const upper = enumMemberUpper(name);
      if (upper === name) continue;
      renames.push({ node: member, from: `${enumName}.${name}`, to: `${enumName}.${upper}`, replacement: upper });
    }
    return spotsByLine(renames, 'enum member casing');
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
    for (const comparison of src.nodes) {
      if (comparison.type !== 'comparison_operator') continue;
      // operands and operators alternate: a == b != c
      const parts = comparison.children.filter((c) => c.type !== 'comment');
      for (let k = 0; k + 2 < parts.length; k += 2) {
        const [left, op, right] = [parts[k]!, parts[k + 1]!, parts[k + 2]!];
        if (left.type !== 'attribute' || !['==', '!='].includes(op.type) || right.type !== 'string') continue;
        const fieldName = text(src, memberOf(left).name);
        const field = STATUS_ENUMS[fieldName.toLowerCase()];
        const literal = text(src, right);
        const word = /^(['"])([A-Za-z_]+)\1$/.exec(literal)?.[2];
        if (!field || !/^(status|Status|direction|Direction)$/.test(fieldName) || !word) continue;
        const member = field.members.find((x) => x.toLowerCase() === word.replace(/_/g, '').toLowerCase());
        if (!member) continue;
        const replacement = `${field.enumName}.${enumMemberUpper(member)}`;
        spots.push({
          line: left.line,
          message: `${fieldName} compared with the string ${literal}; compare with ${replacement}`,
          edits: [replace(right, replacement)],
        });
      }
    }
    return spots;
  },
});

