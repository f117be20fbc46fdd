import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The packages a compiled module loads just by being required, found in a fresh Node process
 * (jest's own module registry would not show what `node bin/run.js` loads).
 */
function packagesLoadedBy(modules: string[]): string[] {
  const script = `
    for (const m of ${JSON.stringify(modules)}) require(m);
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
      if (m) names.add(m[1].replace(/\\\\/g, '/'));
    }
    process.stdout.write(JSON.stringify([...names].sort()));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

const dist = (file: string) => path.join(ROOT, 'dist', file);

describe('what a process loads before it does any work', () => {
  it('a worker loads no LLM SDK, HTTP client, PostgreSQL driver or Python parser until an activity needs one', () => {
    const loaded = packagesLoadedBy([dist('cli/commands/worker.js'), dist('worker/index.js'), dist('worker/workers.js')]);
    // the worker's own machinery is there: the check sees real packages
    expect(loaded).toEqual(expect.arrayContaining(['@temporalio/worker', '@prisma/client']));
    for (const lazy of ['@anthropic-ai/sdk', 'openai', 'undici', 'pg', '@prisma/adapter-pg', 'web-tree-sitter']) expect(loaded).not.toContain(lazy);
  });

  it("a command that only reads configuration or the learning database loads no Temporal client", () => {
    const loaded = packagesLoadedBy([dist('cli/commands/config/show.js'), dist('cli/commands/learn/errors.js')]);
    expect(loaded).toEqual(expect.arrayContaining(['@oclif/core', 'zod']));
    for (const lazy of ['@temporalio/client', '@grpc/grpc-js']) expect(loaded).not.toContain(lazy);
  });

  it('`health` loads its HTTP client only for --deep, the checks that call the services', () => {
    const loaded = packagesLoadedBy([dist('cli/commands/health.js')]);
    expect(loaded).toEqual(expect.arrayContaining(['@oclif/core', '@temporalio/client']));
    expect(loaded).not.toContain('undici');
  });
});
