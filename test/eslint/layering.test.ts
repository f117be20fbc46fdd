import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';

// ESLint with the project's own eslint.config.mjs and type information: loading the program takes a while
jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '..', '..');
/** The project files these tests lint as (their folders' rules apply); the lint never reads or changes them. */
const LINTED = ['workflows/search.ts', 'workflows/steps.ts', 'cli/commands/search.ts', 'cli/commands/worker.ts', 'domain/ids.ts', 'activities/crossref.ts'];

// The type information comes from a program of those files and what they import, with the project's
// compiler options, rather than the whole project's (tests and benchmarks included): the rules are
// the same, the program a third of the work.
const programDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-layering-'));
const tsconfig = path.join(programDir, 'tsconfig.json');
fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions: { types: ['node'] }, files: LINTED.map((f) => path.join(ROOT, f)), include: [] }));
afterAll(() => fs.rmSync(programDir, { recursive: true, force: true }));
// Not a single run: in CI (CI=true) typescript-eslint would otherwise build that program once from the
// files on disk and lint those, not the code given here.
const parserOptions = { projectService: false, project: tsconfig, tsconfigRootDir: ROOT, disallowAutomaticSingleRunInference: true };
const eslint = new ESLint({ cwd: ROOT, overrideConfig: { languageOptions: { parserOptions } } });

/**
 * Lints `code` as the content of the project file `file`: the file on disk is neither read nor
 * changed, but its path decides which folder's rules apply and gives the code its type information.
 */
async function lint(file: string, code: string): Promise<Array<{ rule: string | null; message: string }>> {
  if (!LINTED.includes(file)) throw new Error(`${file} is not in LINTED: add it there`);
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

const rules = (messages: Array<{ rule: string | null }>) => messages.map((m) => m.rule);

describe('the lint keeps the layering and catches promise bugs', () => {
  it('passes a workflow that awaits its timer and imports activities as types', async () => {
    const messages = await lint(
      'workflows/search.ts',
      `import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../activities';
import { slugify } from '../domain/ids';

const { searchPapers } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function fixtureWorkflow(query: string): Promise<string> {
  await sleep('1 second');
  await searchPapers({ query, source: 'crossref', limit: 1, workflowId: slugify(query, 20) } as never);
  return query;
}
`,
    );
    expect(messages).toEqual([]);
  });

  it('fails a floating promise in a workflow', async () => {
    const messages = await lint(
      'workflows/search.ts',
      `import { sleep } from '@temporalio/workflow';

export async function fixtureWorkflow(): Promise<void> {
  sleep('1 second');
}
`,
    );
    expect(rules(messages)).toContain('@typescript-eslint/no-floating-promises');
  });

  it('fails a workflow that imports an activity module as a value, or a package other than @temporalio/workflow', async () => {
    const value = await lint('workflows/search.ts', `import { createActivities } from '../activities';\nexport const made = createActivities;\n`);
    expect(value.map((m) => m.message).join('\n')).toMatch(/imports activities as types only/);
    const pkg = await lint('workflows/steps.ts', `import fs from 'node:fs';\nexport const read = fs.readFileSync;\n`);
    expect(rules(pkg)).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('fails a CLI command that imports from activities/', async () => {
    const messages = await lint('cli/commands/search.ts', `import { createActivities } from '../../activities';\nexport const made = createActivities;\n`);
    expect(messages.map((m) => m.message).join('\n')).toMatch(/The CLI imports nothing from activities\//);
  });

  it('lets only the commands that run a worker import worker/', async () => {
    const code = `import { startWorkerProcess } from '../../worker';\nexport const start = startWorkerProcess;\n`;
    expect(rules(await lint('cli/commands/worker.ts', code))).not.toContain('@typescript-eslint/no-restricted-imports');
    expect((await lint('cli/commands/search.ts', code)).map((m) => m.message).join('\n')).toMatch(/Only the commands that run a worker/);
  });

  it('fails I/O in domain/ and an import of sandbox/ from production code', async () => {
    expect((await lint('domain/ids.ts', `import { request } from 'undici';\nexport const get = request;\n`)).map((m) => m.message).join('\n')).toMatch(/no I\/O/);
    expect((await lint('activities/crossref.ts', `import { startSandbox } from '../sandbox';\nexport const start = startSandbox;\n`)).map((m) => m.message).join('\n')).toMatch(/sandbox\//);
  });
});
