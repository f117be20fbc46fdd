import { analyzePython, CODE, COMMENT, functionAt, STRING, type PythonSource } from '../../domain/lint/python-source';
import { py } from './helpers';

/** The kind of the character at the first occurrence of `needle` (after `from`). */
function kindOf(src: PythonSource, needle: string, from = 0): number {
  const at = src.code.indexOf(needle, from);
  if (at < 0) throw new Error(`${needle} not in code`);
  return src.mask[at]!;
}

describe('reading Python source', () => {
  it('tells code from strings and comments', () => {
    const src = analyzePython(py`
      x = "SetHoldings # not a comment"  # a SetHoldings comment
      y = 'it\'s' + r"\d+" + b'raw'
      z = """
      Debug inside a docstring
      """
      w = Debug
    `);
    expect(kindOf(src, 'SetHoldings #')).toBe(STRING);
    expect(kindOf(src, '# not a comment')).toBe(STRING);
    expect(kindOf(src, '# a SetHoldings')).toBe(COMMENT);
    expect(kindOf(src, "s'")).toBe(STRING);
    expect(kindOf(src, '\\d+')).toBe(STRING);
    expect(kindOf(src, 'Debug inside')).toBe(STRING);
    expect(kindOf(src, 'Debug', src.code.indexOf('w ='))).toBe(CODE);
  });

  it('reads f-string replacement fields as code and their text as string', () => {
    const src = analyzePython('msg = f"Time {self.Time:%Y-%m-%d} value {d["Close"]!r} {{Literal}}"\n');
    expect(kindOf(src, 'Time {')).toBe(STRING);
    expect(kindOf(src, 'self.Time')).toBe(CODE);
    expect(kindOf(src, '%Y')).toBe(STRING);
    expect(kindOf(src, 'Close')).toBe(STRING);
    expect(kindOf(src, 'd[')).toBe(CODE);
    expect(kindOf(src, 'Literal')).toBe(STRING);
  });

  it('joins bracketed and backslash-continued lines into logical lines', () => {
    const src = analyzePython(py`
      a = foo(1,
              2)
      b = 1 + \
          2
      c = """x
      y"""
      d = 4
    `);
    expect(src.logicalLines.filter((l) => !l.blank).map((l) => l.line)).toEqual([1, 3, 5, 7]);
  });

  it('finds classes, methods, their parameters and the algorithm class', () => {
    const src = analyzePython(py`
      class Helper:
          def run(self, algorithm, *args, **kwargs):
              pass

      class Demo(QCAlgorithm):
          @staticmethod
          def tool(x: int = 1):
              return x

          def on_data(self, data):
              value = 1
    `);
    expect(src.scopes.map((s) => `${s.kind} ${s.name}`)).toEqual(['class Helper', 'def run', 'class Demo', 'def tool', 'def on_data']);
    expect(src.scopes[1]!.params).toEqual(['self', 'algorithm', 'args', 'kwargs']);
    expect(src.algorithmClasses.map((c) => c.name)).toEqual(['Demo']);
    const inside = functionAt(src, src.code.indexOf('value'));
    expect(inside.fn?.name).toBe('on_data');
    expect(inside.cls?.name).toBe('Demo');
    expect(functionAt(src, src.code.indexOf('pass')).cls?.name).toBe('Helper');
  });
});
