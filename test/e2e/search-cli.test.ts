import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { crossrefWorks, fakeHttp } from '../helpers/fake-http';
import { runCli, startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

describe('quantcoder search (the real CLI)', () => {
  it('explains how to start a server when none is running, without a stack trace', async () => {
    const home = tempHome();
    const res = await runCli(['search', 'momentum', '--address', '127.0.0.1:1'], { QUANTCODER_HOME: home });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/No Temporal server answers at 127\.0\.0\.1:1/);
    expect(res.stderr).toMatch(/quantcoder dev/);
    expect(res.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('prints numbered results as JSON from a durable workflow run by a worker process', async () => {
    const crossref = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['Time Series Momentum', 'Value and Momentum Everywhere'])));
    const home = tempHome({ crossref: { baseUrl: crossref.url } });
    const taskQueue = uniqueTaskQueue('cli');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    const worker = await startCli(['worker'], env, /Worker polling/);
    try {
      const res = await runCli(['search', 'momentum', '--max-results', '2', '--json'], env);
      expect(res.code).toBe(0);
      const out = JSON.parse(res.stdout) as { workflowId: string; results: Array<Record<string, unknown>> };
      expect(out.results).toHaveLength(2);
      expect(Object.keys(out.results[0]!)).toEqual(expect.arrayContaining(['n', 'title', 'authors', 'year', 'doi', 'url', 'abstract']));
      expect(out.results[0]).toMatchObject({ n: 1, title: 'Time Series Momentum', doi: '10.1234/qc.1', year: 2020 });
      expect(out.workflowId).toMatch(/^search-momentum-[0-9a-f]{7}$/);
      // the run is a workflow the server knows (and so the Web UI and `temporal workflow list` show it)
      const client = await testClient();
      const description = await client.workflow.getHandle(out.workflowId).describe();
      expect(description.type).toBe('searchPapers');
      expect(description.status.name).toBe('COMPLETED');
      await client.connection.close();
    } finally {
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
      await crossref.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('completes a search whose worker was killed while the activity was retrying', async () => {
    let healthy = false;
    const crossref = await fakeHttp((_req, res) => {
      if (healthy) res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['Recovered']));
      else res.writeHead(503).end('maintenance');
    });
    const home = tempHome({ crossref: { baseUrl: crossref.url } });
    const taskQueue = uniqueTaskQueue('crash');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    const client = await testClient();
    let worker = await startCli(['worker'], env, /Worker polling/);
    try {
      const handle = await client.workflow.start('searchPapers', {
        taskQueue,
        workflowId: `search-crash-${taskQueue}`,
        args: [{ query: 'momentum', maxResults: 1, source: 'crossref' }],
      });
      await until(() => crossref.requests.length >= 2, 20_000, 'the search activity to be retrying');
      worker.child.kill('SIGKILL');
      await waitForExit(worker.child);
      const failedAttempts = crossref.requests.length;
      healthy = true;
      worker = await startCli(['worker'], env, /Worker polling/);
      const result = (await handle.result()) as { results: Array<{ title: string }> };
      expect(result.results.map((r) => r.title)).toEqual(['Recovered']);
      expect(crossref.requests.length).toBeGreaterThan(failedAttempts);
      const db = new Database(path.join(home, 'learning.db'), { readonly: true });
      expect(db.prepare('SELECT title FROM Article').all()).toEqual([{ title: 'Recovered' }]);
      db.close();
    } finally {
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
      await client.connection.close();
      await crossref.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 90_000);
});
