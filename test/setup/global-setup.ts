import { startDevServer } from '../../worker/temporal-server';

/** One real Temporal dev server per test run, on a free port; its address reaches every test file. */
export default async function globalSetup(): Promise<void> {
  const { env, resolved } = await startDevServer({ ui: true });
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.QC_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.QC_TEST_TEMPORAL_BINARY = resolved.path ?? '';
  // The SDK starts the Web UI on the frontend port + 1000 when no UI port is given.
  process.env.QC_TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${Number(env.address.split(':').pop()) + 1000}`;
}
