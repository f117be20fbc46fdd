import { Language, Parser, type Node } from 'web-tree-sitter';

export type TreeSitterVerdict = { ok: true } | { ok: false; line: number; column: number; message: string };

let parserReady: Promise<Parser> | undefined;

/** One warm tree-sitter-python parser per process (loading the WASM grammar takes ~50 ms). */
function pythonParser(): Promise<Parser> {
  parserReady ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })().catch((err: unknown) => {
    parserReady = undefined; // let a later call try again
    throw err;
  });
  return parserReady;
}

/** The first ERROR or MISSING node in document order. */
function firstProblem(node: Node): Node | undefined {
  if (node.isMissing || node.isError) return node;
  for (const child of node.children) {
    if (child && (child.hasError || child.isMissing || child.isError)) {
      const found = firstProblem(child);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Parses Python with tree-sitter-python (no interpreter needed, nothing executed). Tree-sitter is
 * more permissive than CPython (it accepts Python 2 `print "x"`, `01`, a class with an unindented
 * body), so it is the fallback when `python3` is missing.
 */
export async function treeSitterSyntaxCheck(code: string): Promise<TreeSitterVerdict> {
  const parser = await pythonParser();
  const tree = parser.parse(code);
  if (!tree) return { ok: false, line: 1, column: 1, message: 'tree-sitter could not parse the code' };
  try {
    if (!tree.rootNode.hasError) return { ok: true };
    const bad = firstProblem(tree.rootNode) ?? tree.rootNode;
    const { row, column } = bad.startPosition;
    const lineText = code.split('\n')[row] ?? '';
    const message = bad.isMissing
      ? `missing ${JSON.stringify(bad.type)}`
      : `invalid syntax near ${JSON.stringify(bad.text.split('\n')[0]!.slice(0, 40))}`;
    return { ok: false, line: row + 1, column: characterColumn(lineText, column), message };
  } finally {
    tree.delete();
  }
}

/** web-tree-sitter columns count UTF-16 units from 0 (it parses JS strings); CPython's count characters from 1. */
function characterColumn(lineText: string, utf16Column: number): number {
  return Array.from(lineText.slice(0, utf16Column)).length + 1;
}
