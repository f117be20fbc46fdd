/**
 * The sandbox reads code with one long-lived CPython helper: its verdicts and program identities
 * must be CPython's, every concurrent caller gets its own answer, and without python3 the sandbox
 * falls back to its bracket check and text identities instead of failing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe("the sandbox's CPython reading of code", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry per test (isolateModules)
  const lean = () => require('../../sandbox/lean') as typeof import('../../sandbox/lean');

  it("answers many concurrent programs each with CPython's own verdict and identity", async () => {
    const { checkPythonSyntax, programFingerprint } = lean();
    const programs = Array.from({ length: 40 }, (_, i) => (i % 2 ? `x = ${i}\nif x:\n    y = x *\n` : `x = ${i}\n# note ${i}\n\ny = x * 2\n`));
    const verdicts = await Promise.all(programs.map((p) => checkPythonSyntax(p)));
    verdicts.forEach((v, i) => {
      if (i % 2) expect(v).toMatchObject({ ok: false, line: 3, type: 'SyntaxError' });
      else expect(v).toEqual({ ok: true });
    });
    // comments and blank lines do not make a new program; a different constant does
    const [a, b, c] = await Promise.all([programFingerprint('x = 1\ny = x * 2\n'), programFingerprint('x = 1\n# why\n\ny = x*2\n'), programFingerprint('x = 2\ny = x * 2\n')]);
    expect(a).toMatch(/^ast:[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    // code CPython refuses outright (a NUL byte) is told apart by its text, and the helper keeps answering
    await expect(programFingerprint('x = 1\0\n')).resolves.toMatch(/^text:/);
    await expect(checkPythonSyntax('def f(:\n')).resolves.toMatchObject({ ok: false, line: 1 });
  });

  /** Runs `check` with the sandbox's python3 set to `python`, on a fresh copy of the module. */
  async function withPython(python: string, check: (l: ReturnType<typeof lean>) => Promise<void>): Promise<void> {
    const before = process.env.QUANTCODER_SANDBOX_PYTHON;
    process.env.QUANTCODER_SANDBOX_PYTHON = python;
    try {
      await jest.isolateModulesAsync(() => check(lean()));
    } finally {
      if (before === undefined) delete process.env.QUANTCODER_SANDBOX_PYTHON;
      else process.env.QUANTCODER_SANDBOX_PYTHON = before;
    }
  }

  it('falls back to its bracket check and text identities when python3 cannot be started', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await withPython('/nonexistent/python3', async ({ checkPythonSyntax, programFingerprint }) => {
      await expect(checkPythonSyntax('x = (1,\n')).resolves.toMatchObject({ ok: false });
      await expect(checkPythonSyntax('x = (1, 2)\n')).resolves.toEqual({ ok: true });
      const [a, b] = await Promise.all([programFingerprint('x = 1\n'), programFingerprint('x = 1\n# why\n')]);
      expect(a).toMatch(/^text:/);
      expect(b).not.toBe(a);
    });
    // nothing of the failed start is left to hold the process open (a sandbox must let its process exit)
    expect(timers()).toBe(before);
  });

  it('drops a helper that prints something other than an answer, and falls back instead of failing', async () => {
    // an interpreter that starts, then prints a line that is not an answer and keeps running
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-fake-python-'));
    const fake = path.join(dir, 'python3');
    fs.writeFileSync(fake, `#!/bin/sh\ncase "$2" in *sys.executable*) echo "$0"; exit 0;; esac\necho 'Python 3 ready'\nexec sleep 600\n`, { mode: 0o755 });
    try {
      await withPython(fake, async ({ checkPythonSyntax, programFingerprint }) => {
        await expect(checkPythonSyntax('x = (1,\n')).resolves.toMatchObject({ ok: false });
        await expect(programFingerprint('x = 2\n')).resolves.toMatch(/^text:/);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
