import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrateLearningDatabase } from '../../store/database';
import { fakeHttp } from '../helpers/fake-http';
import { runCli, startCli, tempHome, waitForExit, type CliResult } from '../helpers/cli';
import { testAddress, uniqueTaskQueue } from '../helpers/temporal';

const CHECKS = ['config', 'api_keys', 'quantconnect', 'directories', 'dependencies', 'temporal', 'workers', 'database'];
const FAKE_OPENAI_KEY = 'sk-test-FAKE0penAIkey-1234567890';
const FAKE_QC_TOKEN = 'qc-token-FAKE-abcdef0123456789';
const CREDENTIALS = { OPENAI_API_KEY: FAKE_OPENAI_KEY, QUANTCONNECT_USER_ID: '123456', QUANTCONNECT_API_TOKEN: FAKE_QC_TOKEN };

interface Report {
  version: string;
  status: string;
  checks: Record<string, { status: string; message: string }>;
}

/** Parses `health --json` and checks the shape every consumer (Docker, scripts) relies on. */
function parseReport(res: CliResult): Report {
  const report = JSON.parse(res.stdout) as Report;
  expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(['healthy', 'degraded', 'unhealthy']).toContain(report.status);
  expect(Object.keys(report.checks)).toEqual(expect.arrayContaining(CHECKS));
  for (const check of Object.values(report.checks)) {
    expect(['pass', 'warn', 'fail']).toContain(check.status);
    expect(check.message.length).toBeGreaterThan(0);
  }
  return report;
}

function expectNoSecrets(res: CliResult): void {
  for (const secret of [FAKE_OPENAI_KEY, FAKE_QC_TOKEN]) {
    expect(res.stdout).not.toContain(secret);
    expect(res.stderr).not.toContain(secret);
  }
}

function migratedHome(config: Record<string, unknown> = {}): string {
  const home = tempHome(config);
  migrateLearningDatabase(path.join(home, 'learning.db'));
  return home;
}

describe('quantcoder health', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

  it('is unhealthy, exit 1, naming the address, when no Temporal server answers', async () => {
    const home = migratedHome();
    homes.push(home);
    const res = await runCli(['health', '--json', '--address', '127.0.0.1:1'], { QUANTCODER_HOME: home, ...CREDENTIALS });
    expect(res.code).toBe(1);
    const report = parseReport(res);
    expect(report.status).toBe('unhealthy');
    expect(report.checks.temporal).toMatchObject({ status: 'fail', message: expect.stringMatching(/No Temporal server answers at 127\.0\.0\.1:1.*quantcoder dev/) });
    expect(report.checks.workers!.status).toBe('fail');
    // what does not depend on the server is still checked
    expect(report.checks.database!.status).toBe('pass');
    expect(report.checks.api_keys!.status).toBe('pass');
    expectNoSecrets(res);
  });

  it('is unhealthy when the server is up but no worker polls the task queue', async () => {
    const home = migratedHome();
    homes.push(home);
    const taskQueue = uniqueTaskQueue('health-idle');
    const res = await runCli(['health', '--json'], { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue, ...CREDENTIALS });
    expect(res.code).toBe(1);
    const report = parseReport(res);
    expect(report.status).toBe('unhealthy');
    expect(report.checks.temporal).toMatchObject({ status: 'pass', message: expect.stringContaining('namespace "default" exists') });
    expect(report.checks.workers).toMatchObject({ status: 'fail', message: expect.stringContaining(`No worker polls task queue "${taskQueue}"`) });
    expectNoSecrets(res);
  });

  it('is unhealthy when the namespace does not exist', async () => {
    const home = migratedHome();
    homes.push(home);
    const res = await runCli(['health', '--json', '--namespace', 'no-such-namespace'], { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), ...CREDENTIALS });
    expect(res.code).toBe(1);
    expect(parseReport(res).checks.temporal).toMatchObject({ status: 'fail', message: expect.stringContaining('no namespace "no-such-namespace"') });
  });

  it('reports a missing, corrupt or unmigrated learning database with what to run', async () => {
    const home = tempHome();
    homes.push(home);
    const db = path.join(home, 'learning.db');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: '127.0.0.1:1' };

    const missing = parseReport(await runCli(['health', '--json'], env));
    expect(missing.status).toBe('unhealthy');
    expect(missing.checks.database).toMatchObject({ status: 'fail', message: expect.stringMatching(/learning\.db is missing: run `quantcoder db migrate`/) });

    fs.writeFileSync(db, 'this is not a database, just some text long enough to have a header');
    const corrupt = parseReport(await runCli(['health', '--json'], env));
    expect(corrupt.checks.database).toMatchObject({ status: 'fail', message: expect.stringContaining('is not a SQLite database') });
    expect(fs.readFileSync(db, 'utf8')).toMatch(/^this is not a database/); // left untouched

    fs.rmSync(db);
    migrateLearningDatabase(db);
    const sqlite = new Database(db);
    const [latest] = sqlite.prepare('SELECT migration_name AS name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1').all() as Array<{ name: string }>;
    sqlite.prepare('DELETE FROM _prisma_migrations WHERE migration_name = ?').run(latest!.name);
    sqlite.close();
    const pending = parseReport(await runCli(['health', '--json'], env));
    expect(pending.checks.database).toMatchObject({ status: 'fail', message: expect.stringContaining(`pending migration(s) (${latest!.name})`) });
  });

  it('reports an invalid configuration as a failed check instead of stopping', async () => {
    const home = migratedHome({ crossref: { timeoutSeconds: -3 } });
    homes.push(home);
    const res = await runCli(['health', '--json'], { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: '127.0.0.1:1', ...CREDENTIALS });
    expect(res.code).toBe(1);
    const report = parseReport(res);
    expect(report.checks.config).toMatchObject({ status: 'fail', message: expect.stringContaining('crossref.timeoutSeconds') });
    expect(report.checks.database!.status).toBe('pass');
    expectNoSecrets(res);
  });

  it('is degraded, exit 0, when credentials are missing, saying which', async () => {
    const home = migratedHome();
    homes.push(home);
    const res = await runCli(['health', '--json', '--address', '127.0.0.1:1'], {
      QUANTCODER_HOME: home,
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      QUANTCONNECT_USER_ID: '',
      QUANTCONNECT_API_TOKEN: '',
    });
    const report = parseReport(res);
    expect(report.checks.api_keys).toMatchObject({ status: 'warn', message: expect.stringContaining('OPENAI_API_KEY') });
    // an unreachable server is a failure; without it, warnings alone exit 0 (see the liveness test)
    expect(report.status).toBe('unhealthy');
    expect(res.code).toBe(1);
    expect(report.checks.quantconnect).toMatchObject({ status: 'warn', message: expect.stringContaining('QUANTCONNECT_API_TOKEN') });
  });

  it('is healthy, exit 0, with a worker polling, a migrated database and credentials; and prints no secret', async () => {
    const home = migratedHome();
    homes.push(home);
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('health-ok'), ...CREDENTIALS };
    const worker = await startCli(['worker'], env, /Worker polling/);
    try {
      const res = await runCli(['health', '--json'], env);
      const report = parseReport(res);
      expect(Object.entries(report.checks).filter(([, c]) => c.status !== 'pass')).toEqual([]);
      expect(report.status).toBe('healthy');
      expect(res.code).toBe(0);
      expect(report.checks.workers!.message).toContain(`${env.QUANTCODER_TASK_QUEUE}: 1`);
      expectNoSecrets(res);

      const text = await runCli(['health'], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/: healthy/);
      expect(text.stdout).toMatch(/PASS\s+workers/);
      expectNoSecrets(text);
    } finally {
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
    }
  }, 90_000);
});

describe('quantcoder health --deep', () => {
  it('reports QuantConnect and OpenAI auth failures precisely, without echoing the key the service quoted back', async () => {
    const qc = await fakeHttp((_req, res) =>
      // QuantConnect refuses a bad hash with HTTP 200 and success:false
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, errors: ["Hash doesn't match."] })),
    );
    const openai = await fakeHttp((_req, res) =>
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `Incorrect API key provided: ${FAKE_OPENAI_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } })),
    );
    const home = migratedHome({ quantconnect: { baseUrl: `${qc.url}/api/v2` }, openai: { baseUrl: `${openai.url}/v1` } });
    try {
      const res = await runCli(['health', '--json', '--deep', '--address', '127.0.0.1:1'], { QUANTCODER_HOME: home, ...CREDENTIALS });
      expect(res.code).toBe(1);
      const report = parseReport(res);
      expect(report.checks.quantconnect_auth).toMatchObject({ status: 'fail', message: expect.stringContaining("refused the credentials of user 123456 (HTTP 200: Hash doesn't match.)") });
      expect(report.checks.openai_auth).toMatchObject({ status: 'fail', message: expect.stringContaining('rejected OPENAI_API_KEY (HTTP 401: invalid_api_key') });
      expectNoSecrets(res);

      // the real QuantConnect authentication: POST /authenticate, Timestamp + Basic userId:sha256(token:timestamp)
      expect(qc.requests).toHaveLength(1);
      const request = qc.requests[0]!;
      expect([request.method, request.url]).toEqual(['POST', '/api/v2/authenticate']);
      const timestamp = String(request.headers.timestamp);
      const [user, hash] = Buffer.from(String(request.headers.authorization).replace(/^Basic /, ''), 'base64').toString().split(':');
      expect(user).toBe('123456');
      expect(hash).toBe(createHash('sha256').update(`${FAKE_QC_TOKEN}:${timestamp}`).digest('hex'));
      expect(openai.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([['GET', '/v1/models', `Bearer ${FAKE_OPENAI_KEY}`]]);
    } finally {
      await qc.close();
      await openai.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('passes when the services accept the credentials, and warns about a model the provider does not list', async () => {
    const qc = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, errors: [] })));
    const anthropic = await fakeHttp((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'claude-sonnet-4-6', type: 'model' }], has_more: false })),
    );
    const home = migratedHome({
      llm: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      quantconnect: { baseUrl: `${qc.url}/api/v2` },
      anthropic: { baseUrl: anthropic.url },
    });
    const env = { QUANTCODER_HOME: home, QUANTCONNECT_USER_ID: '123456', QUANTCONNECT_API_TOKEN: FAKE_QC_TOKEN, ANTHROPIC_API_KEY: 'sk-ant-FAKE-0123456789', OPENAI_API_KEY: '' };
    try {
      const ok = parseReport(await runCli(['health', '--json', '--deep', '--address', '127.0.0.1:1'], env));
      expect(ok.checks.quantconnect_auth).toMatchObject({ status: 'pass' });
      expect(ok.checks.anthropic_auth).toMatchObject({ status: 'pass', message: expect.stringContaining('1 models listed, including claude-sonnet-4-6') });
      expect(ok.checks.openai_auth).toBeUndefined();
      expect(anthropic.requests[0]).toMatchObject({ method: 'GET', url: '/v1/models', headers: expect.objectContaining({ 'x-api-key': 'sk-ant-FAKE-0123456789', 'anthropic-version': '2023-06-01' }) });

      const other = parseReport(await runCli(['health', '--json', '--deep', '--address', '127.0.0.1:1'], { ...env, QUANTCODER_LLM_MODEL: 'claude-unknown-9' }));
      expect(other.checks.anthropic_auth).toMatchObject({ status: 'warn', message: expect.stringContaining('model "claude-unknown-9" is not among the 1 models') });
    } finally {
      await qc.close();
      await anthropic.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('tells an unreachable service from refused credentials', async () => {
    const home = migratedHome({ quantconnect: { baseUrl: 'http://127.0.0.1:1/api/v2' } });
    try {
      const report = parseReport(await runCli(['health', '--json', '--deep', '--address', '127.0.0.1:1'], { QUANTCODER_HOME: home, ...CREDENTIALS, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }));
      expect(report.checks.quantconnect_auth).toMatchObject({ status: 'warn', message: expect.stringMatching(/QuantConnect unreachable at 127\.0\.0\.1:1 \(ECONNREFUSED/) });
      expect(report.checks.openai_auth).toMatchObject({ status: 'warn', message: expect.stringMatching(/OpenAI unreachable/) });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
