import { startDevServer } from '../../worker/temporal-server';
import { ensureTestWorkflowBundle } from './workflow-bundle';

/**
 * One real Temporal dev server per test run, on a free port, and one bundle of the workflow code;
 * their addresses reach every test file through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const [{ env, resolved }, bundle] = await Promise.all([startDevServer({
      ui: true,
      onRetry: (err) => process.stderr.write(`\n${err.message}\nRetrying once on a fresh port.\n`),
    }), ensureTestWorkflowBundle()]);
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.QC_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.QC_TEST_TEMPORAL_BINARY = resolved.path ?? '';
  process.env.QC_TEST_WORKFLOW_BUNDLE = bundle.codePath;
  // The Web UI listens on the frontend port + 1000 when no UI port is given.
  process.env.QC_TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${Number(env.address.split(':').pop()) + 1000}`;
}
