import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonExecutable } from '../../python/executable';

describe('the Python interpreter behind a command name', () => {
  const real = execFileSync('python3', ['-c', 'import sys; sys.stdout.write(sys.executable)'], { encoding: 'utf8' });
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-python-shim-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the interpreter a version manager’s shell shim runs, found once, so checks skip the shim', async () => {
    // a shim as pyenv writes them: a shell script that execs the real interpreter (and counts its starts)
    const shim = path.join(dir, 'python-shim');
    const starts = path.join(dir, 'starts');
    fs.writeFileSync(shim, `#!/bin/sh\necho x >> "${starts}"\nexec "${real}" "$@"\n`, { mode: 0o755 });
    expect(await pythonExecutable(shim)).toBe(real);
    expect(await pythonExecutable(shim)).toBe(real);
    expect(fs.readFileSync(starts, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('is the name itself when nothing by that name runs, so the caller reports the real error', async () => {
    const missing = path.join(dir, 'no-such-python');
    expect(await pythonExecutable(missing)).toBe(missing);
  });
});
