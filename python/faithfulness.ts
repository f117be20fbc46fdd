import type { Node } from 'web-tree-sitter';
import { assessFaithfulness, type CodeFacts, type FaithfulnessReport } from '../domain/faithfulness';
import type { StrategySpec } from '../domain/strategy';
import { askCPython, type PythonParserOptions } from './cpython';
import { pythonParser } from './tree-sitter';

export type CodeFactsResult = (CodeFacts & { ok: true; parser: 'cpython' | 'tree-sitter' }) | { ok: false; parser: 'cpython' | 'tree-sitter'; message: string };

/** The faithfulness facts of an algorithm: CPython (its long-lived helper) when it runs here, tree-sitter otherwise. */
export async function readCodeFacts(code: string, opts: PythonParserOptions = {}): Promise<CodeFactsResult> {
  const facts = await askCPython(opts, (helper) => helper.facts(code));
  if (facts) return { ...facts, parser: 'cpython' } as CodeFactsResult;
  return { ...(await treeSitterFacts(code)), parser: 'tree-sitter' } as CodeFactsResult;
}

/** The same facts from tree-sitter's syntax tree, for machines without python3. */
export async function treeSitterFacts(code: string): Promise<(CodeFacts & { ok: true }) | { ok: false; message: string }> {
  const parser = await pythonParser();
  const tree = parser.parse(code);
  if (!tree) return { ok: false, message: 'tree-sitter could not parse the code' };
  try {
    const root = tree.rootNode;
    if (root.hasError) return { ok: false, message: 'the code does not parse' };
    const comments: CodeFacts['comments'] = [];
    walk(root, (n) => {
      if (n.type === 'comment') comments.push({ text: n.text, line: n.startPosition.row + 1 });
    });
    const init = initializeOf(root);
    const assignments: CodeFacts['assignments'] = [];
    if (init) {
      walk(init, (n) => {
        if (n.type !== 'assignment') return;
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right || left.type !== 'attribute') return;
        const object = left.childForFieldName('object');
        const attribute = left.childForFieldName('attribute');
        if (object?.type !== 'identifier' || object.text !== 'self' || !attribute) return;
        const statement = n.parent?.type === 'expression_statement' ? n.parent : n;
        assignments.push({ name: attribute.text, value: literalValue(right), source: statement.text.split('\n')[0]!, line: n.startPosition.row + 1 });
      });
    }
    return { ok: true, initializeFound: init !== undefined, assignments, comments };
  } finally {
    tree.delete();
  }
}

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const child of node.children) if (child) walk(child, visit);
}

function initializeOf(root: Node): Node | undefined {
  const classes = root.children.filter((c): c is Node => c?.type === 'class_definition');
  const isAlgorithm = (c: Node) => (c.childForFieldName('superclasses')?.text ?? '').includes('QCAlgorithm');
  for (const cls of [...classes.filter(isAlgorithm), ...classes.filter((c) => !isAlgorithm(c))]) {
    for (const member of cls.childForFieldName('body')?.children ?? []) {
      const fn = member?.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === 'initialize') return fn;
    }
  }
  return undefined;
}

/** A number, a signed number, plain arithmetic on numbers (`12 * 21`), or a default of `get_parameter`; null for anything else. */
function literalValue(node: Node): number | null {
  switch (node.type) {
    case 'integer': {
      const text = node.text.replace(/_/g, '').toLowerCase();
      if (/[jl]$/.test(text)) return null;
      const v = /^0[box]/.test(text) ? Number(text) : /^0+\d/.test(text) ? null : Number(text);
      return v === null || Number.isNaN(v) ? null : v;
    }
    case 'float': {
      const text = node.text.replace(/_/g, '');
      if (/j$/i.test(text)) return null;
      const v = Number(text);
      return Number.isNaN(v) ? null : v;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment');
      return inner ? literalValue(inner) : null;
    }
    case 'unary_operator': {
      const operand = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.text ?? node.children[0]?.text;
      const v = operand ? literalValue(operand) : null;
      if (v === null) return null;
      return op === '-' ? -v : op === '+' ? v : null;
    }
    case 'call': {
      // int(x) / float(x) around a value, and LEAN's get_parameter("name", default) read as its default
      const fn = node.childForFieldName('function');
      const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
      if (args.some((a) => a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
      if (fn?.type === 'identifier' && (fn.text === 'int' || fn.text === 'float') && args.length === 1) return literalValue(args[0]!);
      const member = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if ((member === 'get_parameter' || member === 'GetParameter') && args.length === 2) return literalValue(args[1]!);
      return null;
    }
    case 'binary_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text;
      const a = l ? literalValue(l) : null;
      const b = r ? literalValue(r) : null;
      if (a === null || b === null) return null;
      if (op === '+') return a + b;
      if (op === '-') return a - b;
      if (op === '*') return a * b;
      if (op === '/') return b === 0 ? null : a / b;
      return null;
    }
    default:
      return null;
  }
}

/** The faithfulness gate alone: what of the specification the (parsing) code traces. */
export async function checkFaithfulness(code: string, spec: StrategySpec): Promise<FaithfulnessReport> {
  const facts = await readCodeFacts(code);
  // code that reached this gate parses; if a reader still fails, every item counts as missing
  return assessFaithfulness(spec, facts.ok ? facts : { initializeFound: false, assignments: [], comments: [] });
}
