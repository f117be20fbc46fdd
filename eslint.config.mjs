// @ts-check
import tseslint from 'typescript-eslint';

/**
 * QuantCoder's lint: promise bugs (a floating promise in workflow code is a real bug class) and the
 * layering of docs/ARCHITECTURE.md, enforced per folder with `no-restricted-imports`. Each folder's
 * block lists everything that folder may not import, with the reason as the message.
 */

/** A relative import of one of the top-level folders, from any depth. */
const folder = (...names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

const IO_PACKAGES = [
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'child_process',
  'node:child_process',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'undici',
  'pino',
  'pino-pretty',
  '@prisma/client',
  '@prisma/adapter-better-sqlite3',
  'better-sqlite3',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'openai',
  '@anthropic-ai/sdk',
  'pdfjs-dist',
  'web-tree-sitter',
];

const noSandbox = { regex: folder('sandbox'), message: 'sandbox/ simulates the external services for tests, benchmarks and the sandbox profile; production code never depends on it.' };

/** @param {Array<object>} patterns @param {Array<object>} [paths] */
const restrict = (patterns, paths = []) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns, paths }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', 'bin/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: restrict(
      [
        {
          regex: folder('activities'),
          allowTypeImports: true,
          message: 'Workflow code imports activities as types only (`import type`), and calls them through proxyActivities.',
        },
        {
          regex: folder('store', 'config', 'worker', 'cli', 'python', 'bench', 'test'),
          message: 'Workflow code is deterministic: it imports only workflows/, domain/, @temporalio/workflow and activity types.',
        },
        noSandbox,
        {
          regex: '^(?!\\.|@temporalio/workflow$)',
          allowTypeImports: true,
          message: 'Workflow code is deterministic: its only package import is @temporalio/workflow (other packages as types only).',
        },
      ],
    ),
  },
  {
    files: ['domain/**/*.ts'],
    rules: restrict(
      [
        { regex: folder('activities', 'store', 'config', 'worker', 'cli', 'workflows', 'python', 'bench', 'test'), message: 'domain/ is pure logic shared by every layer; it imports only domain/.' },
        noSandbox,
      ],
      IO_PACKAGES.map((name) => ({ name, message: 'domain/ is pure and deterministic: no I/O (files, network, processes, databases, loggers, SDKs).' })),
    ),
  },
  {
    files: ['store/**/*.ts'],
    rules: restrict([
      { regex: folder('activities', 'worker', 'cli', 'workflows', 'python', 'bench', 'test'), message: 'store/ is the learning database: it imports domain/, config/ and Prisma only.' },
      noSandbox,
    ]),
  },
  {
    files: ['config/**/*.ts'],
    rules: restrict([
      { regex: folder('activities', 'store', 'worker', 'cli', 'workflows', 'python', 'bench', 'test'), message: 'config/ loads and edits configuration: it imports domain/ only.' },
      noSandbox,
    ]),
  },
  {
    files: ['python/**/*.ts'],
    rules: restrict([
      { regex: folder('activities', 'store', 'config', 'worker', 'cli', 'workflows', 'bench', 'test'), message: 'python/ (parser, syntax check, lint runner) imports domain/ only.' },
      noSandbox,
    ]),
  },
  {
    files: ['activities/**/*.ts'],
    rules: restrict([
      { regex: folder('worker', 'cli', 'workflows', 'bench', 'test'), message: 'Activities are side effects behind typed deps; they do not reach into the worker, the CLI or workflow code.' },
      noSandbox,
    ]),
  },
  {
    files: ['worker/**/*.ts'],
    rules: restrict([{ regex: folder('cli', 'bench', 'test'), message: 'worker/ wires activities and workflows into Temporal workers; the CLI depends on it, not the reverse.' }, noSandbox]),
  },
  {
    files: ['cli/**/*.ts'],
    rules: restrict([
      { regex: folder('activities'), message: 'The CLI imports nothing from activities/: the learning database is store/, configuration is config/, Python tooling is python/.' },
      { regex: folder('worker'), message: 'Only the commands that run a worker (cli/commands/worker.ts, cli/commands/dev.ts) import worker/.' },
      { regex: folder('bench', 'test'), message: 'The CLI does not depend on benchmarks or tests.' },
      { ...noSandbox, message: 'Only `quantcoder sandbox` and `quantcoder dev` start the simulators (cli/commands/sandbox.ts, cli/commands/dev.ts).' },
    ]),
  },
  {
    files: ['cli/commands/worker.ts'],
    rules: restrict([
      { regex: folder('activities'), message: 'The CLI imports nothing from activities/.' },
      { regex: folder('bench', 'test'), message: 'The CLI does not depend on benchmarks or tests.' },
      noSandbox,
    ]),
  },
  {
    files: ['cli/commands/dev.ts'],
    rules: restrict([
      { regex: folder('activities'), message: 'The CLI imports nothing from activities/.' },
      { regex: folder('bench', 'test'), message: 'The CLI does not depend on benchmarks or tests.' },
    ]),
  },
  {
    files: ['cli/commands/sandbox.ts'],
    rules: restrict([
      { regex: folder('activities'), message: 'The CLI imports nothing from activities/.' },
      { regex: folder('worker'), message: 'Only the commands that run a worker (cli/commands/worker.ts, cli/commands/dev.ts) import worker/.' },
      { regex: folder('bench', 'test'), message: 'The CLI does not depend on benchmarks or tests.' },
    ]),
  },
);
