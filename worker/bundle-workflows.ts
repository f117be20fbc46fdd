import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './workers';

/**
 * Writes the workflow bundle once at image build time, so a worker starts without a bundling pass
 * (seconds of CPU per replica). Usage: `node dist/worker/bundle-workflows.js <out.js>`.
 */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, outFile);
  return Buffer.byteLength(code);
}

/** The prebuilt bundle named by `QUANTCODER_WORKFLOW_BUNDLE`; undefined (bundle from source) when unset. */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const file = env.QUANTCODER_WORKFLOW_BUNDLE;
  if (!file) return undefined;
  if (!fs.existsSync(file)) throw new Error(`QUANTCODER_WORKFLOW_BUNDLE names ${file}, which does not exist`);
  return { codePath: file };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node dist/worker/bundle-workflows.js <out.js>');
    process.exit(2);
  }
  writeWorkflowBundle(path.resolve(out)).then(
    (bytes) => console.log(`workflow bundle: ${out} (${bytes} bytes)`),
    (err: unknown) => {
      console.error((err as Error).message);
      process.exit(1);
    },
  );
}
