import { spawn } from 'node:child_process';

const resolved = new Map<string, Promise<string>>();

/**
 * The interpreter a `python3` command really runs, asked once per process. Version managers put a
 * shell script in front of it (pyenv's shim costs a few hundred milliseconds a start, more under
 * load), which every faithfulness check would otherwise pay again. Falls back to the name itself
 * when the interpreter cannot say (the caller's own spawn then reports what is wrong).
 */
export function pythonExecutable(wanted: string): Promise<string> {
  let found = resolved.get(wanted);
  if (!found) {
    found = new Promise<string>((resolve) => {
      const child = spawn(wanted, ['-I', '-S', '-c', 'import sys; sys.stdout.write(sys.executable or "")'], {
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20_000,
        windowsHide: true,
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('error', () => resolve(wanted));
      child.on('close', (status) => resolve(status === 0 && out.trim() ? out.trim() : wanted));
    });
    resolved.set(wanted, found);
  }
  return found;
}
