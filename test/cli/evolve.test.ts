import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Client } from '@temporalio/client';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { evolutionStatusQuery, type EvolutionResult } from '../../workflows/evolution';
import { runCli, startCli, tempHome, until, waitForExit, type CliResult } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { STACK_LINE, unwrap } from './cli-output';
import { VERDICT_HELP } from '../../domain/overfitting';
import { momentumAlgorithm } from '../helpers/algorithms';

const BASELINE = momentumAlgorithm();

interface Status {
  id: string;
  status: string;
  generation: number;
  bestFitness: number | null;
  backtestsUsed: number;
  tokensUsed: number;
  best: { variantId: string; codeHash: string; statistics: Record<string, number | null> } | null;
  inFlight: Array<{ variantId: string; stage: string }>;
  history: Array<{ generation: number; bestFitness: number | null }>;
  error: { type?: string; message: string } | null;
  seed?: number;
}


describe('quantcoder evolve (the real CLI, a worker process and the sandbox)', () => {
  let sandbox: SandboxHandle;
  let worker: Awaited<ReturnType<typeof startCli>>;
  let client: Client;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let baseline: string;
  const runs: string[] = [];
  let stoppedRun: string | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('evolve') };
    baseline = path.join(home, 'baseline.py');
    fs.writeFileSync(baseline, BASELINE);
    client = await testClient();
    worker = await startCli(['worker'], env, /Worker polling/, 90_000);
  }, 180_000);

  afterAll(async () => {
    // nothing of ours may outlive the test: end runs still open, then the worker
    for (const id of runs) await client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    worker?.child.kill('SIGTERM');
    if (worker) await waitForExit(worker.child);
    await client?.connection.close();
    await sandbox?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const cli = (args: string[], timeoutMs?: number) => runCli(args, env, timeoutMs);
  const json = <T>(res: CliResult): T => {
    expect({ code: res.code, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(res.stdout) as T;
  };
  const status = async (id: string) => json<Status>(await cli(['evolve', 'status', id, '--json']));

  async function start(name: string, ...flags: string[]): Promise<string> {
    const res = await cli(['evolve', 'start', baseline, '--name', `${name}-${randomUUID().slice(0, 6)}`, '--variants', '2', '--concurrency', '2', '--detach', '--json', ...flags]);
    const { id, seed } = json<{ id: string; seed: number }>(res);
    expect(seed).toEqual(expect.any(Number));
    runs.push(id);
    return id;
  }

  /** One small run, finished, that several tests read (status, export, report, list). */
  let finished: Promise<{ id: string; result: EvolutionResult; watched: CliResult }> | undefined;
  const finishedRun = () =>
    (finished ??= (async () => {
      sandbox.configure({ backtestLatencyMs: 600, compileLatencyMs: 100 });
      const id = await start('small', '--generations', '2');
      const watched = await cli(['evolve', 'status', id, '--watch'], 90_000);
      const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
      return { id, result, watched };
    })());

  it('follows a run with --watch until it ends, printing each change once (no screen clearing in a pipe)', async () => {
    const { id, result, watched } = await finishedRun();
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`${id}: running`);
    expect(watched.stdout).toContain(`${id}: completed (${result.reason})`);
    expect(watched.stdout).not.toContain('\x1b[');
    const views = watched.stdout.split(/\n(?=evolve-)/);
    for (let i = 1; i < views.length; i++) expect(views[i]).not.toEqual(views[i - 1]);
    expect(result.generation).toBe(2);
  }, 180_000);

  it('reports a finished run with the documented --json shape, from its result', async () => {
    const { id, result } = await finishedRun();
    const s = await status(id);
    expect(s).toMatchObject({ id, status: 'completed', generation: result.generation, bestFitness: result.best!.fitness, backtestsUsed: result.used.backtests, tokensUsed: result.used.tokens.input + result.used.tokens.output });
    expect(s.best).toEqual({ variantId: result.best!.variantId, codeHash: result.best!.codeHash, statistics: result.best!.statistics, fitness: result.best!.fitness });
    expect(s.history.map((h) => h.generation)).toEqual([0, 1, 2]);
    // continued as new each generation, the run kept the workflow task timeout it was started with
    const { raw } = await client.workflow.getHandle(id).describe();
    expect(Number(raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds)).toBe(5);
    // started without --seed: one was drawn, and is shown so the run's choices can be made again
    expect(s.seed).toEqual(expect.any(Number));
    expect(s.seed).toBe(result.seed);
    const text = await cli(['evolve', 'status', id]);
    expect(text.stdout).toContain(`best ${result.best!.variantId}`);
    expect(text.stdout).toContain(`· seed ${s.seed}`);
    expect(text.stdout).toMatch(/best fitness per generation/);
    // `runs watch` on an evolution run that has ended prints the same final view and returns
    const watched = await cli(['runs', 'watch', id]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`${id}: completed (${result.reason})`);
  }, 180_000);

  it('pauses a running run, refuses a second pause in one line, resumes it and stops it', async () => {
    sandbox.configure({ backtestLatencyMs: 1000, compileLatencyMs: 200 });
    const id = await start('control', '--generations', '30', '--patience', '30');
    const handle = client.workflow.getHandle(id);
    // waiting goes through the workflow's own query (fast); what is asserted goes through the CLI
    const live = () => handle.query(evolutionStatusQuery).catch(() => null);
    await until(async () => (await live())?.status === 'running', 30_000, 'the run to answer its status query');

    const paused = json<Status>(await cli(['evolve', 'pause', id, '--json']));
    expect(paused.status).toBe('paused');
    expect((await status(id)).status).toBe('paused');
    const again = await cli(['evolve', 'pause', id]);
    expect(again.code).toBe(1);
    expect(unwrap(again.stderr)).toContain(`Cannot pause ${id}: The run is already paused`);
    expect(again.stderr).not.toMatch(STACK_LINE);

    // paused: evaluations in flight finish and no new one starts
    await until(async () => (await live())?.inFlight.length === 0, 30_000, 'evaluations in flight to finish');
    const drained = await status(id);
    await new Promise((r) => setTimeout(r, 2500));
    const later = await status(id);
    expect({ status: later.status, backtests: later.backtestsUsed, inFlight: later.inFlight }).toEqual({ status: 'paused', backtests: drained.backtestsUsed, inFlight: [] });

    // a paused run's best can be exported (from its elite)
    const out = path.join(home, `${id}-paused.py`);
    const exported = json<{ variantId: string }>(await cli(['evolve', 'export', id, '--output', out, '--json']));
    expect(exported.variantId).toBe(later.best!.variantId);

    const resumed = json<Status>(await cli(['evolve', 'resume', id, '--json']));
    expect(resumed.status).toBe('running');
    const notPaused = await cli(['evolve', 'resume', id]);
    expect(notPaused.code).toBe(1);
    expect(unwrap(notPaused.stderr)).toContain(`Cannot resume ${id}: The run is not paused`);
    await until(async () => ((await live())?.backtestsUsed ?? 0) > drained.backtestsUsed, 30_000, 'the resumed run to backtest again');

    const stop = await cli(['evolve', 'stop', id, '--wait', '--json'], 90_000);
    expect(json<Status>(stop).status).toBe('stopped');
    expect(await status(id)).toMatchObject({ status: 'stopped', error: null });
    const late = await cli(['evolve', 'stop', id]);
    expect(late.code).toBe(1);
    expect(unwrap(late.stderr)).toContain(`${id} has ended`);
    stoppedRun = id;
  }, 300_000);

  it('retries a stopped evolution run from its original input, not from the state it carried across generations', async () => {
    expect(stoppedRun).toBeDefined();
    const res = await cli(['runs', 'retry', stoppedRun!, '--json']);
    const retried = json<{ id: string; type: string }>(res);
    runs.push(retried.id);
    expect(retried).toMatchObject({ id: `${stoppedRun}-r1`, type: 'evolutionRun' });
    // the retried run may have continued as new already (on a busy machine): its input is its first execution's
    const firstEvent = async (runId?: string) => (await client.workflow.getHandle(retried.id, runId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
    const latest = await firstEvent();
    const started = latest.continuedExecutionRunId ? await firstEvent(latest.firstExecutionRunId!) : latest;
    const args = started.input!.payloads!.map((p) => JSON.parse(Buffer.from(p.data!).toString()) as { baseline: string; config: { generations: number } });
    expect(args).toHaveLength(1); // the stopped run continued as new with its state as a second argument; a retry starts afresh
    expect(args[0]!.baseline).toBe(BASELINE);
    expect(args[0]!.config.generations).toBe(30);
    await client.workflow.getHandle(retried.id).terminate('test over');
  }, 60_000);

  it('exports the best variant with a header and its lineage back to the baseline, and keeps an existing file', async () => {
    const { id, result } = await finishedRun();
    const best = result.best!;
    const out = path.join(home, 'export', `${id}.py`);
    const res = await cli(['evolve', 'export', id, '--output', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(out);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toContain(`# run:        ${id}`);
    expect(text).toContain(`# variant:    ${best.variantId} (generation ${best.generation}`);
    expect(text).toContain(`# fitness:    ${best.fitness.toFixed(4)}`);
    expect(text).toMatch(/^# statistics: Sharpe /m);
    // the lineage follows the recorded parents down to the baseline
    const db = new Database(path.join(home, 'learning.db'), { readonly: true });
    const parents = new Map((db.prepare('SELECT variantId, parents, mutation FROM Variant WHERE runId = ?').all(id) as Array<{ variantId: string; parents: string; mutation: string }>).map((r) => [r.variantId, r]));
    db.close();
    const chain: string[] = [];
    for (let v: string | undefined = best.variantId; v; v = (JSON.parse(parents.get(v)!.parents) as string[])[0]) chain.push(v);
    expect(parents.get(chain.at(-1)!)!.mutation).toBe('baseline');
    const lineage = text.split('\n').filter((l) => /^# {3}v\d{4}/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    expect(lineage).toEqual(chain);
    expect(text).toContain(best.code.trim());

    const refused = await cli(['evolve', 'export', id, '--output', out]);
    expect(refused.code).toBe(1);
    expect(unwrap(refused.stderr)).toContain(`${out} exists; pass --force`);
    fs.writeFileSync(out, 'stale');
    expect((await cli(['evolve', 'export', id, '--output', out, '--force'])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain(best.code.trim());
  }, 180_000);

  it('writes a self-contained HTML report with the fitness chart, one lineage row per variant and the best code escaped', async () => {
    const { id, result } = await finishedRun();
    const out = path.join(home, 'reports', `${id}.html`);
    const res = await cli(['evolve', 'report', id, '--output', out]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(out);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<svg');
    expect(html.match(/<polyline class="best"/g)).toHaveLength(1);
    expect(html.match(/<circle class="best"/g)).toHaveLength(result.history.length);
    const db = new Database(path.join(home, 'learning.db'), { readonly: true });
    const variants = db.prepare('SELECT variantId, status FROM Variant WHERE runId = ? ORDER BY generation, variantId').all(id) as Array<{ variantId: string; status: string }>;
    db.close();
    const rows = [...html.matchAll(/<tr(?: class="[^"]*")?><td class="num">\d+<\/td><td>(v\d{4})<\/td>/g)].map((m) => m[1]);
    expect(rows).toEqual(variants.map((v) => v.variantId));
    expect(html).toMatch(new RegExp(`<tr class="best-row"><td class="num">\\d+</td><td>${result.best!.variantId}</td>`));
    // the code is shown escaped, and nothing is fetched or run
    expect(html).toContain("add_equity(&#39;SPY&#39;");
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  }, 180_000);

  it('lists evolution runs with their status, generation and best fitness', async () => {
    const { id, result } = await finishedRun();
    let listed!: { runs: Array<{ id: string; status: string; generation: number | null; bestFitness: number | null }> };
    await until(async () => {
      listed = json(await cli(['evolve', 'list', '--json', '--limit', '100']));
      return listed.runs.some((r) => r.id === id && r.generation === result.generation);
    }, 20_000, 'the finished run to be listed with its last generation');
    expect(listed.runs.find((r) => r.id === id)).toEqual(expect.objectContaining({ status: 'completed', generation: result.generation, bestFitness: result.best!.fitness }));
    expect(listed.runs.filter((r) => r.id === id)).toHaveLength(1); // continued-as-new executions are one run
    const text = await cli(['evolve', 'list']);
    expect(text.stdout.split('\n').find((l) => l.startsWith(id))).toMatch(new RegExp(`^${id}\\s+completed\\s+${result.generation}\\s+${result.best!.fitness.toFixed(4)}`));
    const all = json<{ runs: Array<{ id: string; kind: string }> }>(await cli(['runs', 'list', '--kind', 'evolution', '--json', '--limit', '100']));
    expect(all.runs.find((r) => r.id === id)?.kind).toBe('evolution');
  }, 180_000);

  it('reports a run whose baseline failed as failed, with the reason', async () => {
    const bad = path.join(home, 'not-an-algorithm.py');
    fs.writeFileSync(bad, 'print("hello")\n');
    const res = await cli(['evolve', 'start', bad, '--name', `bad-${randomUUID().slice(0, 6)}`, '--generations', '1', '--detach', '--json']);
    const { id } = json<{ id: string }>(res);
    runs.push(id);
    await client.workflow.getHandle(id).result().catch(() => undefined);
    const s = await status(id);
    expect(s).toMatchObject({ id, status: 'failed', best: null, bestFitness: null });
    expect(s.error?.message).toMatch(/baseline could not be evaluated/);
    const text = await cli(['evolve', 'status', id]);
    expect(text.stdout).toMatch(/: failed/);
    expect(text.stdout).toMatch(/error \(BaselineFailed\)/);
    const nothing = await cli(['evolve', 'export', id, '--output', path.join(home, 'none.py')]);
    expect(nothing.code).toBe(1);
    expect(unwrap(nothing.stderr)).toMatch(/has no scored variant yet \(status failed\)/);
  }, 180_000);

  it('refuses to silently reuse the name of a finished run, and --restart gives the new run figures of its own', async () => {
    const { id } = await finishedRun();
    const name = id.replace(/^evolve-/, '');
    const refused = await cli(['evolve', 'start', baseline, '--name', name, '--generations', '1', '--detach']);
    expect(refused.code).toBe(1);
    expect(unwrap(refused.stderr)).toContain(`${id} already ran (completed)`);
    expect(unwrap(refused.stderr)).toContain('--restart');
    expect(refused.stderr).not.toMatch(STACK_LINE);

    const other = path.join(home, 'other-baseline.py');
    fs.writeFileSync(other, BASELINE.replace('self.lookback = 60', 'self.lookback = 25'));
    const restarted = json<{ id: string }>(await cli(['evolve', 'start', other, '--name', name, '--generations', '1', '--variants', '2', '--restart', '--detach', '--json']));
    expect(restarted.id).toBe(id);
    const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
    expect(result.projectsKept).toEqual([]);
    // the name now holds only the new run's lineage, and its figures are those of a direct backtest of each program
    const db = new Database(path.join(home, 'learning.db'), { readonly: true });
    const rows = db.prepare("SELECT variantId, code, statistics FROM Variant WHERE runId = ? AND status = 'evaluated' ORDER BY variantId").all(id) as Array<{ variantId: string; code: string; statistics: string }>;
    db.close();
    expect(rows[0]!.code).toContain('self.lookback = 25');
    for (const row of rows.slice(0, 3)) {
      const file = path.join(home, `${id}-${row.variantId}.py`);
      fs.writeFileSync(file, row.code);
      const direct = json<{ backtest: { kind: string; statistics: unknown } }>(await cli(['backtest', file, '--json'], 90_000));
      expect(direct.backtest).toMatchObject({ kind: 'completed', statistics: JSON.parse(row.statistics) });
    }
  }, 300_000);

  it('lists the QuantConnect projects a run kept and prunes them only with confirmation', async () => {
    // a period no other run of this file uses: a program the learning database already holds a
    // backtest of is looked up, not backtested, and a run made only of such programs keeps no project
    const id = await start('kept', '--generations', '1', '--keep-projects', '--start', '2016-01-04', '--end', '2021-12-30');
    const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
    expect(result.projectsKept.length).toBeGreaterThan(0);
    const listed = json<{ projects: Array<{ projectId: number; name: string }> }>(await cli(['projects', 'list', '--json']));
    expect(listed.projects.filter((p) => p.name.startsWith(`QuantCoder/${id}-`)).map((p) => p.projectId).sort()).toEqual([...result.projectsKept].sort());
    const unconfirmed = await cli(['projects', 'prune', '--run', id]);
    expect(unconfirmed.code).toBe(1);
    expect(unwrap(unconfirmed.stderr)).toContain('Re-run with --yes');
    const pruned = json<{ deleted: number[] }>(await cli(['projects', 'prune', '--run', id, '--yes', '--json']));
    expect(pruned.deleted.sort()).toEqual([...result.projectsKept].sort());
    const after = json<{ projects: Array<{ name: string }> }>(await cli(['projects', 'list', '--json']));
    expect(after.projects.filter((p) => p.name.startsWith(`QuantCoder/${id}-`))).toEqual([]);
  }, 300_000);

  it('names the id when no evolution run has it', async () => {
    const res = await cli(['evolve', 'status', 'evolve-nothing-here']);
    expect(res.code).toBe(1);
    expect(unwrap(res.stderr)).toContain('No run with id evolve-nothing-here');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });
  it('holds the end of the period out of selection, backtests the final elite on exactly that holdout once, and reports both side by side', async () => {
    sandbox.configure({ backtestLatencyMs: 200, compileLatencyMs: 50 });
    const inSample = '2015-03-02..2018-07-01';
    const holdout = '2018-07-02..2019-12-31';
    const before = sandbox.stats().quantconnect;
    const id = await start('holdout', '--generations', '1', '--start', '2015-03-02', '--end', '2019-12-31', '--holdout-start', '2018-07-02');
    const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
    const after = sandbox.stats().quantconnect;
    const periods = (s: typeof after) => s.backtestPeriods ?? {};
    const ran = (key: string) => (periods(after)[key] ?? 0) - (periods(before)[key] ?? 0);

    // selection saw only the in-sample part; the holdout was backtested once per distinct elite program
    expect(ran(inSample)).toBeGreaterThanOrEqual(1);
    expect(ran(holdout)).toBeGreaterThanOrEqual(1);
    expect(ran(holdout)).toBeLessThanOrEqual(3);
    // every backtest of this run was on one of its two periods, and every one counted against the budget
    expect(ran(inSample) + ran(holdout)).toBe(after.backtestsCreated - before.backtestsCreated);
    expect(result.used.backtests).toBe(after.backtestsCreated - before.backtestsCreated);
    // no program was backtested twice on the same period (the program's code carries its period)
    expect(after.uniqueCodeHashesBacktested - before.uniqueCodeHashesBacktested).toBe(after.backtestsCreated - before.backtestsCreated);

    const o = result.overfitting!;
    expect(o).toMatchObject({ variantId: result.best!.variantId, codeHash: result.best!.codeHash, inSample: result.best!.statistics, assumedNormal: false, outOfSampleNote: null });
    // skewness, kurtosis and the number of daily returns come from the best's equity chart
    expect(o.returns).toMatchObject({ source: 'equity chart', note: null });
    expect(o.equity!.outOfSample.length).toBeGreaterThan(300);
    expect(o.split).toEqual({ inSample: { start: '2015-03-02', end: '2018-07-01' }, outOfSample: { start: '2018-07-02', end: '2019-12-31' } });
    expect(o.outOfSample?.sharpeRatio).toEqual(expect.any(Number));
    // the holdout statistics are the sandbox's own for another period: they differ from the in-sample ones
    expect(o.outOfSample).not.toEqual(o.inSample);
    expect(o.trials).toBeGreaterThanOrEqual(1);
    expect(o.probabilisticSharpe).toEqual(expect.any(Number));
    expect(o.deflatedSharpe!).toBeLessThanOrEqual(o.probabilisticSharpe!);
    expect(['holds up', 'degrades', 'likely overfit']).toContain(o.verdict);

    const s = (await status(id)) as Status & { overfitting: typeof o };
    expect(s.overfitting).toEqual(o);
    const exported = json<{ inSample: unknown; outOfSample: unknown; deflatedSharpe: number; probabilisticSharpe: number; trials: number; verdict: string }>(
      await cli(['evolve', 'export', id, '--json', '--output', path.join(home, `${id}.py`)]),
    );
    expect(exported).toMatchObject({ inSample: o.inSample, outOfSample: o.outOfSample, deflatedSharpe: o.deflatedSharpe, probabilisticSharpe: o.probabilisticSharpe, trials: o.trials, verdict: o.verdict });
    const text = await cli(['evolve', 'status', id]);
    expect(text.stdout).toContain('In sample 2015-03-02..2018-07-01');
    expect(text.stdout).toContain('Out of sample 2018-07-02..2019-12-31');
    expect(text.stdout).toContain(`verdict: ${o.verdict}`);
    expect(text.stdout).not.toContain('assume normal daily returns');
  }, 180_000);

  it('with --holdout 0 says the holdout is off, backtests nothing out of sample, and still judges the best by its deflated Sharpe ratio', async () => {
    const before = sandbox.stats().quantconnect;
    const name = `noholdout-${randomUUID().slice(0, 6)}`;
    const started = await cli(['evolve', 'start', baseline, '--name', name, '--generations', '1', '--variants', '1', '--holdout', '0', '--start', '2016-01-04', '--end', '2017-12-29', '--detach']);
    expect(started.code).toBe(0);
    const id = `evolve-${name}`;
    runs.push(id);
    expect(started.stdout).toContain('Holdout off (asked with --holdout 0)');
    const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
    const after = sandbox.stats().quantconnect;
    const ran = Object.entries(after.backtestPeriods ?? {}).flatMap(([k, n]) => (n - ((before.backtestPeriods ?? {})[k] ?? 0) > 0 ? [k] : []));
    expect(ran).toEqual(['2016-01-04..2017-12-29']);
    expect(result.overfitting).toMatchObject({ split: null, outOfSample: null, outOfSampleNote: 'the holdout was off (--holdout 0)' });
    expect(result.overfitting!.deflatedSharpe).toEqual(expect.any(Number));
    const text = await cli(['evolve', 'status', id]);
    expect(text.stdout).toContain('out of sample: none, the holdout was off (--holdout 0)');
  }, 180_000);

  it('refuses a walk-forward of fewer than 2 folds, or with windows too short, with the reason', async () => {
    const one = await cli(['evolve', 'start', baseline, '--name', `onefold-${randomUUID().slice(0, 6)}`, '--folds', '1', '--detach']);
    expect(one.code).toBe(1);
    expect(unwrap(one.stderr)).toContain('--folds 1 must be a whole number of at least 2');
    const short = await cli(['evolve', 'start', baseline, '--name', `shortfolds-${randomUUID().slice(0, 6)}`, '--folds', '6', '--start', '2020-01-01', '--end', '2020-12-31', '--detach']);
    expect(short.code).toBe(1);
    expect(unwrap(short.stderr)).toMatch(/--folds 6 cuts 2020-01-01 to 2020-12-31 into 7 windows of \d+ trading days or fewer; each needs at least 60/);
    expect(short.stderr).not.toMatch(STACK_LINE);
  });

  it('refuses a holdout that does not fit the period, with the reason', async () => {
    const res = await cli(['evolve', 'start', baseline, '--name', `badholdout-${randomUUID().slice(0, 6)}`, '--holdout-start', '2030-01-01', '--detach']);
    expect(res.code).toBe(1);
    expect(unwrap(res.stderr)).toContain('--holdout-start 2030-01-01 must be after 2018-01-01 and no later than 2022-12-31');
    expect(res.stderr).not.toMatch(STACK_LINE);
    const help = await cli(['evolve', 'start', '--help']);
    const words = (t: string) => t.replace(/\s+/g, ' ');
    expect(words(help.stdout)).toContain(words(VERDICT_HELP));
  });
});
