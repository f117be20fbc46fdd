import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';
import { packageRoot } from '../config/package-root';

/**
 * Workflow code is bundled with webpack once, at build time, instead of at every worker start
 * (bundling takes seconds; loading a bundle takes milliseconds). Beside the bundle lies a
 * manifest of what went into it: the SHA-256 of each of QuantCoder's own files webpack compiled,
 * and the version of each package it took code from (which may be installed elsewhere on the
 * user's machine), so a bundle that no longer matches its sources is noticed before a worker runs
 * old workflow code.
 */

const MANIFEST_VERSION = 2;

/** The bundler's own loader: webpack reads it, but none of its code is in the bundle. */
const BUILD_ONLY_PACKAGES = new Set(['source-map-loader']);

export interface WorkflowBundleManifest {
  version: number;
  /** The workflow entry point the bundle was built from, relative to the package root. */
  entry: string;
  /** SHA-256 of the bundle file itself. */
  code: string;
  /** SHA-256 of each of QuantCoder's own files in the bundle, by path relative to the package root. */
  inputs: Record<string, string>;
  /** Name → version of each package the bundle took code from. */
  packages: Record<string, string>;
}

export type BundleCheck = { fresh: true; manifest: WorkflowBundleManifest } | { fresh: false; reason: string };

/** Where `npm run build` writes the bundle of the compiled workflow code. */
export function prebuiltBundlePath(root = packageRoot()): string {
  return path.join(root, 'dist', 'workflow-bundle.js');
}

export function manifestPathFor(codePath: string): string {
  return codePath.replace(/\.js$/, '') + '.manifest.json';
}

function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** `node_modules/@scope/name/lib/x.js` → the package's folder and name. */
function packageOf(file: string): { dir: string; name: string } | undefined {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const scoped = parts[i + 1]!.startsWith('@');
  const name = scoped ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1]!;
  return { dir: parts.slice(0, i + (scoped ? 3 : 2)).join(path.sep), name };
}

function versionAt(packageDir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The installed version of `name` as Node would find it from `root` (its node_modules, then each parent's). */
function installedVersion(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const version = versionAt(path.join(dir, 'node_modules', name));
    if (version) return version;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Bundles the workflow code at `workflowsPath` into `codePath` and writes its manifest beside it.
 * The write goes through a temp file and a rename, so a concurrent reader never sees half a bundle.
 */
export async function buildWorkflowBundle(options: { workflowsPath: string; codePath: string; root?: string }): Promise<WorkflowBundleManifest> {
  const root = options.root ?? packageRoot();
  const read = new Set<string>();
  const bundle = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath,
    logger: new DefaultLogger('ERROR'),
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler) {
            compiler.hooks.done.tap('QuantCoderBundleInputs', (stats) => {
              for (const file of stats.compilation.fileDependencies) read.add(file);
            });
          },
        },
      ],
    }),
  });
  const inputs: Record<string, string> = {};
  const packages: Record<string, string> = {};
  // code in the entry's own language; files read only for source maps (.map, and .ts behind compiled .js) do not run
  const code = options.workflowsPath.endsWith('.ts') ? /\.(ts|js|cjs|mjs|json)$/ : /\.(js|cjs|mjs|json)$/;
  for (const file of [...read].sort()) {
    const pkg = packageOf(file);
    if (pkg) {
      const version = versionAt(pkg.dir);
      if (version && !BUILD_ONLY_PACKAGES.has(pkg.name)) packages[pkg.name] = version;
      continue;
    }
    if (!code.test(file)) continue;
    // the bundler's generated entry point lives only in memory; every other input is a real file
    const hash = sha256(file);
    if (hash) inputs[relative(root, file)] = hash;
  }
  if (!Object.keys(inputs).some((f) => f.startsWith(relative(root, path.dirname(options.workflowsPath))))) {
    throw new Error(`Bundling ${options.workflowsPath} read none of its own files; cannot verify the bundle against its sources`);
  }
  const manifest: WorkflowBundleManifest = {
    version: MANIFEST_VERSION,
    entry: relative(root, options.workflowsPath),
    code: createHash('sha256').update(bundle.code).digest('hex'),
    inputs,
    packages,
  };
  fs.mkdirSync(path.dirname(options.codePath), { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  fs.writeFileSync(options.codePath + suffix, bundle.code);
  fs.writeFileSync(manifestPathFor(options.codePath) + suffix, JSON.stringify(manifest, null, 1) + '\n');
  fs.renameSync(options.codePath + suffix, options.codePath);
  fs.renameSync(manifestPathFor(options.codePath) + suffix, manifestPathFor(options.codePath));
  return manifest;
}

/** Whether the bundle at `codePath` was built from exactly the files that are on disk now. */
export function checkWorkflowBundle(codePath: string, root = packageRoot()): BundleCheck {
  let manifest: WorkflowBundleManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPathFor(codePath), 'utf8')) as WorkflowBundleManifest;
  } catch {
    return { fresh: false, reason: `no readable manifest beside ${relative(root, codePath)}` };
  }
  if (manifest.version !== MANIFEST_VERSION || !manifest.inputs || typeof manifest.inputs !== 'object' || !manifest.packages) {
    return { fresh: false, reason: 'the manifest was written by another QuantCoder version' };
  }
  if (sha256(codePath) !== manifest.code) return { fresh: false, reason: `${relative(root, codePath)} is missing or differs from its manifest` };
  const changed = [
    ...Object.entries(manifest.inputs)
      .filter(([file, hash]) => sha256(path.join(root, file)) !== hash)
      .map(([file]) => file),
    ...Object.entries(manifest.packages)
      .filter(([name, version]) => installedVersion(root, name) !== version)
      .map(([name, version]) => `${name} (bundled ${version}, installed ${installedVersion(root, name) ?? 'none'})`),
  ];
  if (changed.length) {
    const shown = changed.slice(0, 3).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
    return { fresh: false, reason: `changed since it was bundled: ${shown}` };
  }
  return { fresh: true, manifest };
}

/**
 * The workflow code for a worker: the prebuilt bundle when it matches the code on disk, otherwise
 * a bundle made now (seconds slower) with a warning that names what changed.
 */
export async function workflowBundleForWorker(options: {
  workflowsPath: string;
  codePath?: string;
  root?: string;
  warn?: (message: string) => void;
}): Promise<WorkflowBundleOption> {
  const codePath = options.codePath ?? prebuiltBundlePath(options.root);
  const check = checkWorkflowBundle(codePath, options.root);
  if (check.fresh) return { codePath };
  options.warn?.(`The prebuilt workflow bundle is stale (${check.reason}); bundling the workflow code now. Run \`npm run build\` to refresh it.`);
  const bundle = await bundleWorkflowCode({ workflowsPath: options.workflowsPath, logger: new DefaultLogger('ERROR') });
  return { code: bundle.code };
}

/**
 * `node dist/worker/bundle.js [out.js] [--force]`: bundles the compiled workflow code (the last step of
 * `npm run build`), unless the bundle there was built from exactly the files on disk now.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const codePath = path.resolve(args.find((a) => !a.startsWith('--')) ?? prebuiltBundlePath());
  if (!args.includes('--force') && checkWorkflowBundle(codePath).fresh) {
    process.stdout.write(`workflow bundle: ${relative(packageRoot(), codePath)} is up to date with the compiled workflow code\n`);
    return;
  }
  const workflowsPath = require.resolve('../workflows');
  const started = Date.now();
  const manifest = await buildWorkflowBundle({ workflowsPath, codePath });
  const size = fs.statSync(codePath).size;
  process.stdout.write(
    `workflow bundle: ${relative(packageRoot(), codePath)} (${(size / 1e6).toFixed(1)} MB, ${Object.keys(manifest.inputs).length} files, ` +
      `${Object.keys(manifest.packages).length} packages, ${Date.now() - started} ms)\n`,
  );
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`workflow bundle failed: ${err.message}\n`);
    process.exit(1);
  });
}
