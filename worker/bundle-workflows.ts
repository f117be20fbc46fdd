import fs from 'node:fs';

/**
 * The prebuilt bundle named by `QUANTCODER_WORKFLOW_BUNDLE` (the image sets it to the one `npm run build`
 * wrote); undefined when unset, and the worker set then uses the build's bundle or bundles from source.
 */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const file = env.QUANTCODER_WORKFLOW_BUNDLE;
  if (!file) return undefined;
  if (!fs.existsSync(file)) throw new Error(`QUANTCODER_WORKFLOW_BUNDLE names ${file}, which does not exist`);
  return { codePath: file };
}
