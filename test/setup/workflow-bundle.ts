import path from 'node:path';
import { buildWorkflowBundle, checkWorkflowBundle } from '../../worker/bundle';

const ROOT = path.resolve(__dirname, '..', '..');

/** Where the test run keeps its bundle of the workflow sources (reused while the sources are unchanged). */
export const TEST_BUNDLE_PATH = path.join(ROOT, 'node_modules', '.cache', 'quantcoder', 'workflow-bundle.test.js');

/**
 * The workflow sources bundled once for the whole test run: every test worker loads this file
 * instead of running webpack itself. Rebuilt only when a bundled source changed.
 */
export async function ensureTestWorkflowBundle(): Promise<{ codePath: string; rebuilt: boolean }> {
  if (checkWorkflowBundle(TEST_BUNDLE_PATH, ROOT).fresh) return { codePath: TEST_BUNDLE_PATH, rebuilt: false };
  await buildWorkflowBundle({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), codePath: TEST_BUNDLE_PATH, root: ROOT });
  return { codePath: TEST_BUNDLE_PATH, rebuilt: true };
}
