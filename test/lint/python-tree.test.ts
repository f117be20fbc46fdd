import { copySyntaxTree, readPython, type PythonParser, type SyntaxNode } from '../../domain/lint';
import { applyEdits, calledNames, functionOf, inString, replace, text } from '../../domain/lint/python-tree';
import { descendants } from '../../domain/lint/syntax-tree';
import { loadPythonParser } from '../../python/tree-sitter';
import { py } from './helpers';

let parse: PythonParser;

beforeAll(async () => {
  parse = await loadPythonParser();
});

/** The first node of a type whose text is `wanted`. */
function nodeOf(code: string, type: string, wanted: string): SyntaxNode {
  const src = readPython(code, parse);
  const found = src.nodes.find((n) => n.type === type && text(src, n) === wanted);
  if (!found) throw new Error(`no ${type} ${wanted}`);
  return found;
}

describe('the Python syntax tree the lint rules read', () => {
  it('copies every node of the tree-sitter tree with its type, field, offsets and line', () => {
    const code = 'x = self.sma(1,\n  2)  # note\n';
    const root = parse(code);
    expect(root.type).toBe('module');
    const call = descendants(root).find((n) => n.type === 'call')!;
    expect(code.slice(call.start, call.end)).toBe('self.sma(1,\n  2)');
    expect(call.field).toBe('right');
    expect(call.children.map((c) => `${c.field}:${c.type}`)).toEqual(['function:attribute', 'arguments:argument_list']);
    expect(call.parent!.type).toBe('assignment');
    const two = descendants(root).find((n) => n.type === 'integer' && code.slice(n.start, n.end) === '2')!;
    expect(two.line).toBe(2);
    expect(descendants(root).filter((n) => n.type === 'comment').map((n) => code.slice(n.start, n.end))).toEqual(['# note']);
  });

  it('copies a tree through any cursor, without recursion limits', () => {
    // a fake cursor over a 20 000-deep chain: a recursive copy would overflow the stack
    const depth = 20_000;
    let at = 0;
    const cursor = {
      get nodeType() { return at === depth ? 'leaf' : 'nest'; },
      nodeIsNamed: true,
      nodeIsMissing: false,
      currentFieldName: null,
      get startIndex() { return at; },
      get endIndex() { return 2 * depth - at; },
      get startPosition() { return { row: 0, column: at }; },
      gotoFirstChild: () => (at < depth ? (at++, true) : false),
      gotoNextSibling: () => false,
      gotoParent: () => (at > 0 ? (at--, true) : false),
    };
    let node = copySyntaxTree(cursor);
    let levels = 0;
    let linked = true;
    while (node.children.length) {
      linked &&= node.children[0]!.parent === node;
      node = node.children[0]!;
      levels++;
    }
    expect(linked).toBe(true);
    expect(levels).toBe(depth);
    expect(node.type).toBe('leaf');
  });

  it('indexes offsets as JavaScript strings do, so edits after non-ASCII text land on their node', () => {
    const code = 'note = "température 🌡️ élevée"\nself.SetCash(100000)\n';
    const name = nodeOf(code, 'identifier', 'SetCash');
    expect(applyEdits(code, [replace(name, 'set_cash')])).toBe('note = "température 🌡️ élevée"\nself.set_cash(100000)\n');
  });

  it('tells strings from code, f-string fields from their text, and backtick fences from strings', () => {
    const src = readPython(py`
      x = "SetHoldings # not a comment"  # a comment
      msg = f"Time {self.Time:%Y} {{Literal}}"
      doc = """
      Debug inside a docstring
      """
      ${'```'}
    `, parse);
    const at = (needle: string) => src.code.indexOf(needle);
    expect(inString(src, at('SetHoldings'))).toBe(true);
    expect(inString(src, at('# not'))).toBe(true);
    expect(inString(src, at('# a comment'))).toBe(false);
    expect(inString(src, at('self.Time'))).toBe(false);
    expect(inString(src, at('%Y'))).toBe(true);
    expect(inString(src, at('Literal'))).toBe(true);
    expect(inString(src, at('Debug inside'))).toBe(true);
    expect(inString(src, at('```'))).toBe(false);
  });

  it('finds classes, methods, their parameters and the algorithm class', () => {
    const src = readPython(py`
      class Helper:
          def run(self, algorithm, *args, key: int = 1, **kwargs):
              pass

      class Demo(QuantConnect.Algorithm.QCAlgorithm):
          @staticmethod
          def tool(x: int = 1):
              return x

          def on_data(self, data):
              value = 1
    `, parse);
    expect(src.scopes.map((s) => `${s.kind} ${s.name}@${s.line}`)).toEqual(['class Helper@1', 'def run@2', 'class Demo@5', 'def tool@7', 'def on_data@10']);
    expect(src.scopes[1]!.params).toEqual(['self', 'algorithm', 'args', 'key', 'kwargs']);
    expect(src.algorithmClasses.map((c) => c.name)).toEqual(['Demo']);
    const value = src.nodes.find((n) => n.type === 'identifier' && text(src, n) === 'value')!;
    expect(functionOf(src, value).fn?.name).toBe('on_data');
    expect(functionOf(src, value).cls?.name).toBe('Demo');
    const pass = src.nodes.find((n) => n.type === 'pass_statement')!;
    expect(functionOf(src, pass).cls?.name).toBe('Helper');
  });

  it('sees calls the parser could only recover from', () => {
    const src = readPython('class A(QCAlgorithm):\n    def initialize(self):\n        self.set_cash(100000\n', parse);
    expect(src.calls).toEqual([]);
    expect(calledNames(src).has('set_cash')).toBe(true);
  });

  it('applies non-overlapping edits and drops one that overlaps an earlier edit', () => {
    expect(applyEdits('abcdef', [{ start: 4, end: 5, text: 'E' }, { start: 0, end: 2, text: 'AB' }, { start: 1, end: 3, text: 'x' }])).toBe('ABcdEf');
  });

  it('reads the same code once per parser', () => {
    let parses = 0;
    const counting: PythonParser = (code) => (parses++, parse(code));
    const a = readPython('x = 1\n', counting);
    expect(readPython('x = 1\n', counting)).toBe(a);
    expect(parses).toBe(1);
  });
});
