/** Removes the common leading indentation of a template literal and its first/last blank lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n') + '\n';
}

/** Python source written in a test, dedented. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  return dedent(String.raw(strings, ...values));
}

function indent(block: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return dedent(block)
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : pad + l))
    .join('\n');
}

/**
 * A complete, clean algorithm with extra lines in initialize (`init`), extra methods, and extra
 * module-level code before the class (`prelude`), so a test sees only the issue it is about.
 */
export function algo(init = '', methods = '', prelude = ''): string {
  const head = 'from AlgorithmImports import *\n' + (prelude ? dedent(prelude) : '') + '\n\n';
  const body = [
    'class Demo(QCAlgorithm):',
    '    def initialize(self):',
    '        self.set_start_date(2020, 1, 1)',
    '        self.set_cash(100000)',
    '        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol',
  ].join('\n');
  return head + body + '\n' + (init ? indent(init, 8) : '') + (methods ? '\n' + indent(methods, 4) : '');
}
