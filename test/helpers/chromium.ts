import { execFileSync } from 'node:child_process';

/** Debian's Chromium (or CHROMIUM_PATH); never a browser downloaded by Playwright. */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not on PATH; try the next name
    }
  }
  return undefined;
}

/** Flags for a headless Chromium that reaches nothing on the network by itself. */
export const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * `it` for a test that needs the browser: in CI it always runs (and fails without Chromium, which
 * scripts/ci-extras.sh installs); elsewhere it is skipped, with the reason printed, when there is none.
 */
export function browserTest(what: string): { executablePath: string | undefined; browserIt: jest.It } {
  const executablePath = chromiumPath();
  const inCi = !!process.env.CI;
  if (!executablePath && !inCi) {
    console.warn(`Skipping ${what}: no chromium on PATH (install Debian's \`chromium\`, or set CHROMIUM_PATH). In CI it always runs.`);
  }
  return { executablePath, browserIt: executablePath || inCi ? it : it.skip };
}
