/**
 * The concrete syntax tree the lint rules read: tree-sitter-python's tree, copied into plain
 * immutable objects so the rules stay pure (no WASM handle to free, nothing to load). The parser
 * itself is I/O (a WASM grammar) and is injected as a {@link PythonParser}.
 */

/** One node of a tree-sitter-python tree. Offsets index the JavaScript string that was parsed. */
export interface SyntaxNode {
  /** Grammar type: `call`, `attribute`, `identifier`, `"("`, `ERROR`, ... */
  readonly type: string;
  /** Named nodes come from grammar rules; anonymous ones are punctuation and keywords. */
  readonly named: boolean;
  /** The field this node fills in its parent (`function`, `arguments`, `object`, ...), if any. */
  readonly field: string | null;
  /** Offset of the first character (UTF-16 units, as JavaScript strings index). */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** 1-based line of the first character. */
  readonly line: number;
  /** A token the parser inserted to recover from an error (it covers no text). */
  readonly missing: boolean;
  readonly parent: SyntaxNode | null;
  readonly children: readonly SyntaxNode[];
}

/** Parses Python source into the root (`module`) node of its concrete syntax tree. Synchronous once loaded. */
export type PythonParser = (code: string) => SyntaxNode;

/**
 * What a tree-sitter tree cursor offers (web-tree-sitter's `TreeCursor` has this shape), enough to
 * copy a tree into {@link SyntaxNode}s.
 */
export interface SyntaxCursor {
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly nodeIsMissing: boolean;
  readonly currentFieldName: string | null;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
}

interface MutableNode {
  type: string;
  named: boolean;
  field: string | null;
  start: number;
  end: number;
  line: number;
  missing: boolean;
  parent: MutableNode | null;
  children: MutableNode[];
}

/** Copies the tree under a cursor (placed on its root) into plain nodes; iterative, so deep trees do not overflow the stack. */
export function copySyntaxTree(cursor: SyntaxCursor): SyntaxNode {
  const make = (parent: MutableNode | null): MutableNode => ({
    type: cursor.nodeType,
    named: cursor.nodeIsNamed,
    field: cursor.currentFieldName,
    start: cursor.startIndex,
    end: cursor.endIndex,
    line: cursor.startPosition.row + 1,
    missing: cursor.nodeIsMissing,
    parent,
    children: [],
  });
  const root = make(null);
  let current = root;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      const child = make(current);
      current.children.push(child);
      current = child;
      continue;
    }
    // no children: move to the next sibling, climbing until one exists
    for (;;) {
      if (current === root) return root;
      if (cursor.gotoNextSibling()) {
        const sibling = make(current.parent);
        current.parent!.children.push(sibling);
        current = sibling;
        break;
      }
      cursor.gotoParent();
      current = current.parent!;
    }
  }
}

/** The first child filling `field`. */
export function fieldOf(node: SyntaxNode, field: string): SyntaxNode | undefined {
  return node.children.find((c) => c.field === field);
}

/** Named children other than comments (the items of an argument list, the statements of a block). */
export function itemsOf(node: SyntaxNode | undefined): SyntaxNode[] {
  return node ? node.children.filter((c) => c.named && c.type !== 'comment') : [];
}

/** Every node under `node` (itself included), in document order. */
export function descendants(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    for (let k = n.children.length - 1; k >= 0; k--) stack.push(n.children[k]!);
  }
  return out;
}

/** Whether `inner` is `outer` or lies under it. */
export function isWithin(inner: SyntaxNode, outer: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/** The nearest ancestor (not the node itself) whose type is one of `types`. */
export function ancestorOf(node: SyntaxNode, ...types: string[]): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (types.includes(n.type)) return n;
  return undefined;
}
