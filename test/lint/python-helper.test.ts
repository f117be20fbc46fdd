import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { readCodeFacts } from '../../python/faithfulness';

/**
 * The syntax check and the faithfulness reader share one long-lived CPython helper per process:
 * an interpreter's start (tens of ms, hundreds behind a version manager's shim) is paid once, not
 * per check. Counted here through a shim as pyenv writes them: a shell script that execs the real
 * interpreter, and here also notes each start.
 */
describe('the CPython helper behind the syntax check and the faithfulness reader', () => {
  const real = execFileSync('python3', ['-c', 'import sys; sys.stdout.write(sys.executable)'], { encoding: 'utf8' });
  let dir: string;
  let shim: string;
  let starts: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-python-helper-'));
    shim = path.join(dir, 'python-shim');
    starts = path.join(dir, 'starts');
    fs.writeFileSync(shim, `#!/bin/sh\necho x >> "${starts}"\nexec "${real}" "$@"\n`, { mode: 0o755 });
  });
  afterEach(() => {
    closePythonHelpers();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const startCount = () => (fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8').trim().split('\n').length : 0);

  const algorithm = (lookback: string) =>
    ['from AlgorithmImports import *', '', 'class A(QCAlgorithm):', '    def initialize(self):', `        self.lookback = ${lookback}  # rule: entry[1]`, '', '    def on_data(self, data):', '        pass', ''].join('\n');

  it('answers syntax checks and facts from one interpreter started once', async () => {
    const opts = { python: shim };
    for (let i = 1; i <= 3; i++) {
      expect(await checkPythonSyntax(algorithm(`${i} * 21`), opts)).toEqual({ ok: true, parser: 'cpython' });
      const facts = await readCodeFacts(algorithm(`${i} * 21`), opts);
      expect(facts).toEqual({
        ok: true,
        parser: 'cpython',
        initializeFound: true,
        assignments: [{ name: 'lookback', value: i * 21, source: `self.lookback = ${i} * 21`, line: 5 }],
        comments: [{ text: '# rule: entry[1]', line: 5 }],
      });
    }
    expect(await checkPythonSyntax('def f(:\n', opts)).toMatchObject({ ok: false, parser: 'cpython', line: 1 });
    expect(await readCodeFacts('def f(:\n', opts)).toMatchObject({ ok: false, parser: 'cpython' });
    expect(startCount()).toBe(1);
  });

  it('reads with tree-sitter what the helper fails on, and the helper goes on answering', async () => {
    const opts = { python: shim };
    // a sum of 2,000 ones parses, but folding it recurses past CPython's limit
    const deep = algorithm(Array.from({ length: 2000 }, () => '1').join(' + '));
    const facts = await readCodeFacts(deep, opts);
    expect(facts).toMatchObject({ ok: true, parser: 'tree-sitter', initializeFound: true });
    expect(facts.ok && facts.assignments.map((a) => [a.name, a.value])).toEqual([['lookback', 2000]]);
    expect(await readCodeFacts(algorithm('63'), opts)).toMatchObject({ ok: true, parser: 'cpython' });
    expect(startCount()).toBe(1);
  });

  it('falls back to tree-sitter when nothing by that name runs', async () => {
    const missing = { python: path.join(dir, 'no-such-python') };
    expect(await checkPythonSyntax(algorithm('63'), missing)).toEqual({ ok: true, parser: 'tree-sitter' });
    expect(await readCodeFacts(algorithm('63'), missing)).toMatchObject({ ok: true, parser: 'tree-sitter', assignments: [{ name: 'lookback', value: 63 }] });
  });
});
