import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle, checkWorkflowBundle, manifestPathFor, workflowBundleForWorker, type WorkflowBundleManifest } from '../../worker/bundle';

// inside the package, so the bundler resolves @temporalio/workflow from its node_modules
const ROOT = path.resolve(__dirname, '..', '..');

describe('the prebuilt workflow bundle', () => {
  let dir: string;
  let source: string;
  let helper: string;
  let codePath: string;

  beforeAll(async () => {
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, 'test-output', 'bundle-'));
    helper = path.join(dir, 'greeting.ts');
    source = path.join(dir, 'index.ts');
    fs.writeFileSync(helper, "export const greeting = (name: string): string => `hello ${name}`;\n");
    fs.writeFileSync(source, "import { greeting } from './greeting';\nexport async function greet(name: string): Promise<string> { return greeting(name); }\n");
    codePath = path.join(dir, 'out', 'workflow-bundle.js');
    await buildWorkflowBundle({ workflowsPath: source, codePath, root: ROOT });
  }, 60_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is written with a manifest of every source it was built from, by relative path, and the packages it took code from', () => {
    const manifest = JSON.parse(fs.readFileSync(manifestPathFor(codePath), 'utf8')) as WorkflowBundleManifest;
    const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
    expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining([rel(source), rel(helper)]));
    expect(Object.keys(manifest.inputs).every((f) => !path.isAbsolute(f) && !f.startsWith('node_modules/'))).toBe(true);
    const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@temporalio', 'workflow', 'package.json'), 'utf8')) as { version: string };
    expect(manifest.packages['@temporalio/workflow']).toBe(sdk.version);
    expect(fs.readFileSync(codePath, 'utf8')).toContain('hello ${name}');
  });

  it('is fresh while its sources are unchanged, and is used as is by a worker', async () => {
    expect(checkWorkflowBundle(codePath, ROOT).fresh).toBe(true);
    const warnings: string[] = [];
    await expect(workflowBundleForWorker({ workflowsPath: source, codePath, root: ROOT, warn: (m) => warnings.push(m) })).resolves.toEqual({ codePath });
    expect(warnings).toEqual([]);
  });

  it('is stale once an imported source changes, and the message names the file', async () => {
    const before = fs.readFileSync(helper, 'utf8');
    fs.writeFileSync(helper, before.replace('hello', 'good morning'));
    try {
      const check = checkWorkflowBundle(codePath, ROOT);
      expect(check).toEqual({ fresh: false, reason: expect.stringContaining('greeting.ts') });
      const warnings: string[] = [];
      const bundle = await workflowBundleForWorker({ workflowsPath: source, codePath, root: ROOT, warn: (m) => warnings.push(m) });
      // the worker runs the code on disk, bundled now, not the stale file
      expect('code' in bundle && bundle.code).toContain('good morning ${name}');
      expect(warnings).toEqual([expect.stringMatching(/stale .*greeting\.ts.*npm run build/)]);
    } finally {
      fs.writeFileSync(helper, before);
    }
    expect(checkWorkflowBundle(codePath, ROOT).fresh).toBe(true);
  }, 60_000);

  it('is stale when a bundled package is installed in another version', () => {
    const file = manifestPathFor(codePath);
    const original = fs.readFileSync(file, 'utf8');
    const manifest = JSON.parse(original) as WorkflowBundleManifest;
    fs.writeFileSync(file, JSON.stringify({ ...manifest, packages: { ...manifest.packages, '@temporalio/workflow': '0.0.1' } }));
    try {
      expect(checkWorkflowBundle(codePath, ROOT)).toEqual({ fresh: false, reason: expect.stringContaining('@temporalio/workflow (bundled 0.0.1, installed') });
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('is stale when the bundle file was altered or its manifest is missing', () => {
    const code = fs.readFileSync(codePath, 'utf8');
    fs.writeFileSync(codePath, code + '\n// edited');
    try {
      expect(checkWorkflowBundle(codePath, ROOT)).toEqual({ fresh: false, reason: expect.stringContaining('differs from its manifest') });
    } finally {
      fs.writeFileSync(codePath, code);
    }
    const manifest = manifestPathFor(codePath);
    fs.renameSync(manifest, manifest + '.away');
    try {
      expect(checkWorkflowBundle(codePath, ROOT)).toEqual({ fresh: false, reason: expect.stringContaining('no readable manifest') });
    } finally {
      fs.renameSync(manifest + '.away', manifest);
    }
  });
});
