/**
 * A Python module as the lint rules see it: its concrete syntax tree (tree-sitter-python), with
 * the nodes rules look for indexed once — calls, attributes, assignments, the `class` and `def`
 * scopes and the QCAlgorithm subclasses. Rules address these nodes and fix code by replacing
 * node ranges, the way Ruff and LibCST do; strings and comments are never touched because they
 * are never `call`, `attribute` or `identifier` nodes.
 */
import { ancestorOf, descendants, fieldOf, itemsOf, type PythonParser, type SyntaxNode } from './syntax-tree';

export interface Scope {
  kind: 'class' | 'def';
  name: string;
  /** The `class_definition` or `function_definition` node (decorators are outside it). */
  node: SyntaxNode;
  /** 1-based line of the header. */
  line: number;
  /** Parameter names of a `def`, in order (`*args` → `args`). */
  params: string[];
  /** Base-class expressions of a `class`, as written. */
  bases: string[];
  /** The enclosing scope. */
  parent?: Scope;
}

export interface PythonSource {
  code: string;
  root: SyntaxNode;
  /** Every node, in document order. */
  nodes: SyntaxNode[];
  /** Tokens (leaf nodes with text), in document order. */
  tokens: SyntaxNode[];
  calls: SyntaxNode[];
  attributes: SyntaxNode[];
  /** `assignment` nodes (`a = b`, `a: T = b`; a chain `a = b = c` gives one per target). */
  assignments: SyntaxNode[];
  scopes: Scope[];
  /** Classes deriving from `QCAlgorithm`, in source order. */
  algorithmClasses: Scope[];
}

const caches = new WeakMap<PythonParser, Map<string, PythonSource>>();

/** Parses and indexes the code (memoised per parser: rules and fixes re-read the same code many times). */
export function readPython(code: string, parse: PythonParser): PythonSource {
  let cache = caches.get(parse);
  if (!cache) caches.set(parse, (cache = new Map()));
  const hit = cache.get(code);
  if (hit) return hit;
  const src = index(code, parse(code));
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(code, src);
  return src;
}

function index(code: string, root: SyntaxNode): PythonSource {
  const nodes = descendants(root);
  const byType = (type: string) => nodes.filter((n) => n.type === type);
  const scopeOfNode = new Map<SyntaxNode, Scope>();
  const scopes: Scope[] = [];
  for (const node of nodes) {
    if (node.type !== 'class_definition' && node.type !== 'function_definition') continue;
    const kind = node.type === 'class_definition' ? 'class' : 'def';
    const enclosing = ancestorOf(node, 'class_definition', 'function_definition');
    const scope: Scope = {
      kind,
      name: textOf(code, fieldOf(node, 'name')),
      node,
      line: node.line,
      params: kind === 'def' ? itemsOf(fieldOf(node, 'parameters')).map((p) => parameterName(code, p)).filter((p) => p !== '') : [],
      bases: kind === 'class' ? itemsOf(fieldOf(node, 'superclasses')).map((b) => textOf(code, b)) : [],
      parent: enclosing && scopeOfNode.get(enclosing),
    };
    scopeOfNode.set(node, scope);
    scopes.push(scope);
  }
  return {
    code,
    root,
    nodes,
    tokens: nodes.filter((n) => n.children.length === 0 && n.end > n.start),
    calls: byType('call'),
    attributes: byType('attribute'),
    assignments: byType('assignment'),
    scopes,
    algorithmClasses: scopes.filter((s) => s.kind === 'class' && s.bases.some((b) => /(^|\.)QCAlgorithm$/.test(b.replace(/\s+/g, '')))),
  };
}

function parameterName(code: string, param: SyntaxNode): string {
  if (param.type === 'identifier') return textOf(code, param);
  const name = fieldOf(param, 'name') ?? param.children.find((c) => c.type === 'identifier');
  return name ? textOf(code, name) : '';
}

function textOf(code: string, node: SyntaxNode | undefined): string {
  return node ? code.slice(node.start, node.end) : '';
}

/** The source text of a node. */
export function text(src: PythonSource, node: SyntaxNode | undefined): string {
  return textOf(src.code, node);
}

/** A node's text with whitespace removed, to compare expressions written with different spacing. */
export function compact(src: PythonSource, node: SyntaxNode | undefined): string {
  return text(src, node).replace(/\s+/g, '');
}

/** The name a call calls: `print` for `print(x)`, `set_cash` for `self.set_cash(x)`. */
export function calleeName(src: PythonSource, call: SyntaxNode): SyntaxNode | undefined {
  const fn = fieldOf(call, 'function');
  if (fn?.type === 'identifier') return fn;
  if (fn?.type === 'attribute') return fieldOf(fn, 'attribute');
  return undefined;
}

/**
 * The names the code calls, including calls the parser could only recover from (`f(1` with its
 * bracket never closed sits in an ERROR node as a name followed by a `(`).
 */
export function calledNames(src: PythonSource): Set<string> {
  const names = new Set(src.calls.map((c) => text(src, calleeName(src, c))));
  src.tokens.forEach((token, k) => {
    const next = src.tokens[k + 1];
    if (token.type === 'identifier' && next?.type === '(' && next.parent?.type === 'ERROR') names.add(text(src, token));
  });
  return names;
}

/** The arguments of a call (comments excluded); undefined when it is called with a bare generator. */
export function argumentsOf(call: SyntaxNode): SyntaxNode[] | undefined {
  const args = fieldOf(call, 'arguments');
  return args?.type === 'argument_list' ? itemsOf(args) : undefined;
}

/** `obj.name` → its object and name nodes. */
export function memberOf(attribute: SyntaxNode): { object?: SyntaxNode; name?: SyntaxNode } {
  return { object: fieldOf(attribute, 'object'), name: fieldOf(attribute, 'attribute') };
}

/** Whether the node is `self.<name>` (any name when `name` is omitted). */
export function isSelfAttribute(src: PythonSource, node: SyntaxNode | undefined, name?: string): boolean {
  if (node?.type !== 'attribute') return false;
  const { object, name: member } = memberOf(node);
  return object?.type === 'identifier' && text(src, object) === 'self' && (name === undefined || text(src, member) === name);
}

/** The identifier an attribute chain starts from (`np` in `np.random.rand`), or '' when it starts from a call or subscript. */
export function chainRoot(src: PythonSource, attribute: SyntaxNode): string {
  let n: SyntaxNode | undefined = fieldOf(attribute, 'object');
  while (n?.type === 'attribute') n = fieldOf(n, 'object');
  return n?.type === 'identifier' ? text(src, n) : '';
}

/** Whether the node is the function of a call (`self.sma` in `self.sma(...)`). */
export function isCalled(node: SyntaxNode): boolean {
  return node.field === 'function' && node.parent?.type === 'call';
}

/** The innermost scope containing the node. */
export function scopeOf(src: PythonSource, node: SyntaxNode): Scope | undefined {
  const def = ancestorOf(node, 'class_definition', 'function_definition');
  return def && src.scopes.find((s) => s.node === def);
}

/** The innermost function containing the node, and the class it is a method of (if any). */
export function functionOf(src: PythonSource, node: SyntaxNode): { fn?: Scope; cls?: Scope } {
  let s = scopeOf(src, node);
  while (s && s.kind !== 'def') s = s.parent;
  if (!s) return {};
  return { fn: s, cls: s.parent?.kind === 'class' ? s.parent : undefined };
}

/** Methods defined directly in a class. */
export function methodsOf(src: PythonSource, cls: Scope): Scope[] {
  return src.scopes.filter((s) => s.kind === 'def' && s.parent === cls);
}

/**
 * Whether the offset lies inside a string literal (f-string replacement fields excluded: they hold
 * code). The grammar also reads Python 2 backtick "strings", which Python 3 has not: markdown
 * fences are made of backticks, so those do not count.
 */
export function inString(src: PythonSource, offset: number): boolean {
  let n: SyntaxNode | undefined = src.root;
  let inside = false;
  while (n) {
    if ((n.type === 'string' && src.code[n.start] !== '`') || n.type === 'format_specifier') inside = true;
    else if (n.type === 'interpolation') inside = false;
    n = n.children.find((c) => c.start <= offset && offset < c.end);
  }
  return inside;
}

/** The statement (a child of a block or of the module) that contains the node. */
export function statementOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** The statements of a `def` body, comments excluded. */
export function bodyOf(scope: Scope): SyntaxNode[] {
  return itemsOf(fieldOf(scope.node, 'body'));
}

/** Offset of the end of the line containing `offset` (before its `\r\n` or `\n`). */
export function lineEnd(code: string, offset: number): number {
  let end = code.indexOf('\n', offset);
  if (end < 0) end = code.length;
  if (code[end - 1] === '\r' && end - 1 >= offset) end--;
  return end;
}

/** Offset of the start of the line containing `offset`. */
export function lineStart(code: string, offset: number): number {
  return code.lastIndexOf('\n', offset - 1) + 1;
}

/** A replacement of the text in [start, end). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** An edit replacing a node. */
export function replace(node: SyntaxNode, text: string): Edit {
  return { start: node.start, end: node.end, text };
}

/** Applies non-overlapping edits (later ones overlapping an earlier one are dropped). */
export function applyEdits(code: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += code.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + code.slice(pos);
}
