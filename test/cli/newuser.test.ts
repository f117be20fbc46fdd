import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { CORPUS_PAPERS } from '../../sandbox/corpus/catalogue';
import { RUN_TOPIC } from '../../domain/search-attributes';
import { runCli, startCli, tempHome, until, waitForExit, type CliResult } from '../helpers/cli';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { STACK_LINE, unwrap } from './cli-output';
import { momentumAlgorithm } from '../helpers/algorithms';

// every CLI call starts a Node process; on a busy machine a few of them take a while
jest.setTimeout(180_000);

const BANNER = /SANDBOX MODE/;

const ALGORITHM = momentumAlgorithm('SeasonalDrift');

/**
 * What a new user trips over, through the real CLI: a worker in the sandbox profile, and a client
 * that was never told about the sandbox (no --sandbox, no profile in its config or environment).
 */
describe('a new user at the real CLI, with a worker in the sandbox profile', () => {
  let sandbox: SandboxHandle;
  let worker: Awaited<ReturnType<typeof startCli>>;
  let client: Client;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let file: string;

  beforeAll(async () => {
    sandbox = await testSandbox();
    home = tempHome({ sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    const common = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('newuser') };
    // the client's own settings say nothing of the sandbox; only the worker runs that profile
    env = { ...common, QUANTCODER_PROFILE: '' };
    worker = await startCli(['worker'], { ...common, QUANTCODER_PROFILE: 'sandbox' }, /Worker polling/, 90_000);
    client = await testClient();
    fs.mkdirSync(path.join(home, 'files'));
    file = path.join(home, 'files', 'main.py');
    fs.writeFileSync(file, ALGORITHM);
  }, 180_000);

  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    if (worker) await waitForExit(worker.child);
    await client?.connection.close();
    await sandbox?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(args, env, 150_000);
  const json = <T>(res: CliResult): T => {
    // with --json an error is JSON on stdout: show both when a command fails
    expect({ code: res.code, output: res.code === 0 ? '' : `${res.stderr}${res.stdout}` }).toEqual({ code: 0, output: '' });
    return JSON.parse(res.stdout) as T;
  };

  it('(2) prints the SANDBOX banner when the worker simulates the services, and `runs show` marks the run simulated', async () => {
    const search = await cli(['search', 'momentum', '--max-results', '2', '--json']);
    expect(search.stderr).toMatch(BANNER);
    const out = json<{ workflowId: string; simulated: boolean; results: unknown[] }>(search);
    expect(out.simulated).toBe(true);
    expect(out.results.length).toBeGreaterThan(0);

    const shown = await cli(['runs', 'show', out.workflowId, '--json']);
    expect(shown.stderr).toMatch(BANNER);
    expect(json<{ simulated: boolean }>(shown).simulated).toBe(true);

    const health = await cli(['health', '--json']);
    const report = JSON.parse(health.stdout) as { checks: Record<string, { status: string; message: string }> };
    expect(report.checks.workers!.message).toMatch(/workers run the sandbox profile/);
    // keys are needed where the activities run: these workers need none
    expect(report.checks.api_keys).toMatchObject({ status: 'pass', message: expect.stringMatching(/sandbox profile/) });
  });

  it('(3) refuses an inverted period in `backtest` and `evolve start`, and the statistics depend on the period tested', async () => {
    for (const args of [
      ['backtest', file, '--start', '2023-01-01', '--end', '2020-01-01'],
      ['evolve', 'start', file, '--name', `inverted-${randomUUID().slice(0, 6)}`, '--start', '2023-01-01', '--end', '2020-01-01'],
    ]) {
      const res = await cli(args);
      expect(res.code).not.toBe(0);
      expect(unwrap(res.stderr)).toContain('--start 2023-01-01 must be before --end 2020-01-01');
      expect(res.stderr).not.toMatch(STACK_LINE);
    }
    const sharpe = async (start: string, end: string) => {
      const res = await cli(['backtest', file, '--start', start, '--end', end, '--json']);
      return json<{ backtest: { kind: string; statistics: { sharpeRatio: number; compoundingAnnualReturn: number } } }>(res).backtest.statistics;
    };
    const periods = [await sharpe('2010-01-01', '2012-12-31'), await sharpe('2015-01-01', '2017-12-31'), await sharpe('2019-01-01', '2021-12-31')];
    expect(new Set(periods.map((s) => s.sharpeRatio)).size).toBe(3);
    const text = await cli(['backtest', file, '--start', '2019-01-01', '--end', '2020-12-31']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Period 2019-01-01 → 2020-12-31');
  });

  it('(5) says when a run found nothing, and exits non-zero', async () => {
    const res = await cli(['run', 'zzqqxx nonexistent topic', '--local-only']);
    expect(res.stdout).toContain('No paper found for "zzqqxx nonexistent topic"');
    expect(res.stdout).not.toContain('Tokens: 0 in, 0 out');
    expect(res.code).toBe(1);
  });

  it('(6) shows a search run as a table in `runs show` and `runs watch`, not JSON', async () => {
    const { workflowId } = json<{ workflowId: string }>(await cli(['search', 'pairs trading', '--max-results', '2', '--json']));
    for (const verb of ['show', 'watch']) {
      const res = await cli(['runs', verb, workflowId]);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^#\s+Year\s+Title\s+Authors\s+DOI$/m);
      expect(res.stdout).not.toMatch(/^\s*[{}]/m);
    }
  });

  it('(7) names run states alike in every command, with the real close time, and errors as plain JSON', async () => {
    const { runId } = json<{ runId: string }>(await cli(['run', 'volatility', '--local-only', '--detach', '--json']));
    // the run is still going when `runs show` starts following it
    const shown = json<{ status: string; closeTime: string | null; startTime: string }>(await cli(['runs', 'show', runId, '--json']));
    expect(shown.status).toBe('completed');
    expect(shown.closeTime).not.toBeNull();
    expect(Date.parse(shown.closeTime!)).toBeGreaterThanOrEqual(Date.parse(shown.startTime));
    let listed: { runs: Array<{ id: string; status: string }> } = { runs: [] };
    await until(async () => (listed = json(await cli(['runs', 'list', '--kind', 'pipeline', '--json']))).runs.some((r) => r.id === runId), 30_000, 'the run to be listed');
    expect(listed.runs.find((r) => r.id === runId)!.status).toBe('completed');
    expect(json<{ status: string }>(await cli(['runs', 'watch', runId, '--json'])).status).toBe('completed');

    const missing = await cli(['runs', 'show', 'pipeline-nothing-here', '--json']);
    expect(missing.code).not.toBe(0);
    const error = JSON.parse(missing.stdout) as Record<string, unknown>;
    expect(error).toEqual({ error: { message: expect.stringContaining('No run with id pipeline-nothing-here') } });

    const help = await cli(['runs', 'show', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/running, completed, failed, cancelled/);
  });

  it('(8) titles a paper reached by arXiv id from its arXiv metadata', async () => {
    const paper = CORPUS_PAPERS.find((p) => p.arxivId === '2103.04117')!;
    const out = json<{ articles: Array<{ title: string; arxivId: string | null }> }>(await cli(['run', '2103.04117', '--local-only', '--json']));
    expect(out.articles[0]).toMatchObject({ title: paper.title, arxivId: '2103.04117' });
  });

  it('(9) suggests the nearest command for a typo, and names a missing run in one line', async () => {
    const typo = await cli(['serach', 'momentum']);
    expect(typo.code).not.toBe(0);
    expect(unwrap(typo.stderr)).toContain('Did you mean `quantcoder search momentum`?');

    const fromRun = await cli(['evolve', 'start', '--from-run', 'nonexistent-run']);
    expect(fromRun.code).not.toBe(0);
    expect(unwrap(fromRun.stderr)).toContain('No run with id nonexistent-run');
    expect(fromRun.stderr).not.toMatch(/WorkflowNotFoundError/);
    expect(fromRun.stderr).not.toMatch(STACK_LINE);
  });

  it('(9) after a library build is cancelled, `library status` suggests an export only when there is something to export', async () => {
    const name = `cancelled-${randomUUID().slice(0, 6)}`;
    // slow LLM answers keep the build's first paper in flight while it is cancelled
    sandbox.configure({ llmLatencyMs: 4000 });
    const { id } = json<{ id: string }>(await cli(['library', 'build', name, '--categories', 'momentum', '--per-category', '1', '--reprocess', '--detach', '--json']));
    try {
      expect(json<{ status: string }>(await cli(['runs', 'cancel', id, '--wait', '--json'])).status).toBe('cancelled');
    } finally {
      sandbox.configure({ llmLatencyMs: 0 });
    }
    const status = await cli(['library', 'status', name]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${id}: cancelled`);
    const suggested = /Export them with: quantcoder (library export \S+)/.exec(status.stdout);
    if (suggested) {
      // whatever status suggests must work
      const exported = await cli([...suggested[1]!.split(' '), '--output', path.join(home, `${name}.json`)]);
      expect(exported.code).toBe(0);
    } else expect(status.stdout).toContain('No accepted strategy yet: nothing to export.');
  });

  it('(10) names `validate` and `backtest` runs after the algorithm, not its folder', async () => {
    const validated = json<{ workflowId: string }>(await cli(['validate', file, '--local-only', '--json']));
    expect(validated.workflowId).toMatch(/^validate-seasonaldrift-[0-9a-f]{7}$/);
    const description = await client.workflow.getHandle(validated.workflowId).describe();
    expect(description.typedSearchAttributes.get(RUN_TOPIC)).toBe('SeasonalDrift');
    const backtested = json<{ workflowId: string }>(await cli(['backtest', file, '--json']));
    expect(backtested.workflowId).toMatch(/^backtest-seasonaldrift-[0-9a-f]{7}$/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('(4) Web UI links of a `quantcoder dev` server', () => {
  it('point to the UI port it was started with, on the address it listens on', async () => {
    const home = tempHome();
    const [port, uiPort] = [await freePort(), await freePort()];
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: `localhost:${port}`, TEMPORAL_UI_URL: '' };
    const dev = await startCli(['dev', '--port', String(port), '--ui-port', String(uiPort), '--no-worker', '--db-file', path.join(home, 'dev.db')], env, /Ready/, 120_000);
    try {
      const { Connection, Client: TemporalClient } = await import('@temporalio/client');
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const id = `search-ui-${randomUUID().slice(0, 6)}`;
      // a run nobody works on: its page exists, which is all a link needs
      await new TemporalClient({ connection }).workflow.start('searchPapers', { taskQueue: 'nobody-polls', workflowId: id, args: [{}] });
      await connection.close();
      const res = await runCli(['runs', 'show', id, '--no-follow', '--json'], env);
      expect(res.code).toBe(0);
      const { webUi } = JSON.parse(res.stdout) as { webUi: string };
      expect(webUi).toBe(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${id}`);
      const page = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(page.status).toBe(200);
    } finally {
      dev.child.kill('SIGTERM');
      await waitForExit(dev.child);
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
