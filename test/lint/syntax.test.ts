import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { py } from './helpers';

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-syntax-'));
});

afterAll(() => {
  closePythonHelpers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const BROKEN = py`
  from AlgorithmImports import *

  class Demo(QCAlgorithm):
      def initialize(self:
          self.set_cash(100000)
`;

/** A fake `python3` that is a shell script, to see how the checker copes with a helper that misbehaves. */
function fakePython(name: string, script: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return file;
}

describe.each(['cpython', 'tree-sitter'] as const)('the %s syntax check', (parser) => {
  it('accepts valid Python', async () => {
    expect(await checkPythonSyntax('from AlgorithmImports import *\nx = [i for i in range(3)]\n', { prefer: parser })).toEqual({ ok: true, parser });
  });

  it('reports the line and column of a syntax error', async () => {
    const result = await checkPythonSyntax(BROKEN, { prefer: parser });
    expect(result).toMatchObject({ ok: false, parser, line: 4 });
    if (result.ok) return;
    // CPython points at the unclosed parenthesis, tree-sitter at the start of the statement it could not read
    expect(result.column).toBe(parser === 'cpython' ? 19 : 5);
    expect(result.message).toBe(parser === 'cpython' ? "'(' was never closed" : 'invalid syntax near "def initialize(self:"');
  });

  it('reports a missing token where it was expected', async () => {
    const result = await checkPythonSyntax('def f(:\n    pass\n', { prefer: parser });
    expect(result).toMatchObject({ ok: false, line: 1, column: 7, message: parser === 'cpython' ? 'invalid syntax' : 'missing ")"' });
  });

  it('counts columns in characters, not bytes or UTF-16 units', async () => {
    const plain = await checkPythonSyntax('label = "evolution x"; f(1 2)\n', { prefer: parser });
    const accented = await checkPythonSyntax('label = "évolution 🙂"; f(1 2)\n', { prefer: parser });
    expect(plain).toMatchObject({ ok: false, line: 1, column: parser === 'cpython' ? 26 : 28 });
    expect(accented).toEqual(plain);
  });

  it('never runs the code it checks', async () => {
    const marker = path.join(tmp, `ran-${parser}`);
    const code = `open(${JSON.stringify(marker)}, "w").write("ran")\nimport os\nos._exit(3)\n`;
    expect(await checkPythonSyntax(code, { prefer: parser })).toEqual({ ok: true, parser });
    expect(await checkPythonSyntax(code + 'def (:\n', { prefer: parser })).toMatchObject({ ok: false, parser, line: 4 });
    expect(fs.existsSync(marker)).toBe(false);
    // had os._exit run inside the helper, the next check could not be answered by the same parser
    expect(await checkPythonSyntax('x = 1\n', { prefer: parser })).toEqual({ ok: true, parser });
  });
});

describe('the CPython syntax check', () => {
  it('also reports compile-time errors that a parser alone accepts', async () => {
    expect(await checkPythonSyntax('return 5\n')).toMatchObject({ ok: false, line: 1, message: "'return' outside function" });
    expect(await checkPythonSyntax('x = 01\n')).toMatchObject({ ok: false, line: 1, column: 5 });
  });

  it('answers many concurrent checks, each with its own verdict', async () => {
    const codes = Array.from({ length: 40 }, (_v, i) => (i % 3 === 0 ? `x${i} = (\n` : `x${i} = ${i}\n`));
    const results = await Promise.all(codes.map((c) => checkPythonSyntax(c)));
    expect(results.map((r) => r.ok)).toEqual(codes.map((_c, i) => i % 3 !== 0));
    expect(results.every((r) => r.parser === 'cpython')).toBe(true);
  });

  it('falls back to tree-sitter when python3 cannot be started', async () => {
    const python = path.join(tmp, 'no-such-python');
    expect(await checkPythonSyntax(BROKEN, { python })).toMatchObject({ ok: false, parser: 'tree-sitter', line: 4 });
    expect(await checkPythonSyntax('x = 1\n', { python })).toEqual({ ok: true, parser: 'tree-sitter' });
  });

  it('falls back to tree-sitter when the helper hangs or dies', async () => {
    const hangs = fakePython('hangs', 'exec sleep 30');
    const started = Date.now();
    expect(await checkPythonSyntax('x = 1\n', { python: hangs, timeoutMs: 300 })).toEqual({ ok: true, parser: 'tree-sitter' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const dies = fakePython('dies', 'exit 3');
    expect(await checkPythonSyntax('x = (\n', { python: dies })).toMatchObject({ ok: false, parser: 'tree-sitter' });
  });
});
