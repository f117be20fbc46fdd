import fs from 'node:fs';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { AutonomousInput, LibraryInput } from '../../domain/library';
import { RUN_KIND } from '../../domain/search-attributes';
import { runCli, tempHome, until } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

describe('quantcoder schedule (the real CLI against the Temporal server)', () => {
  let client: Client;
  let home: string;
  let env: Record<string, string>;
  let taskQueue: string;
  const suffix = uniqueTaskQueue('s').slice(2);
  const weekly = `weekly-momentum-${suffix}`;
  const nightly = `nightly-library-${suffix}`;

  beforeAll(async () => {
    client = await testClient();
    home = tempHome({ profile: 'sandbox' });
    taskQueue = uniqueTaskQueue('sched');
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
  });

  afterAll(async () => {
    for (const id of [weekly, nightly]) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await client.connection.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates schedules that start an autonomous run and a library build with the inputs the commands build', async () => {
    const auto = await runCli(['schedule', 'create', weekly, '--kind', 'auto', '--query', 'momentum', '--max-iterations', '3', '--every', '7d', '--overlap', 'buffer-one', '--json'], env);
    expect(auto.code).toBe(0);
    expect(JSON.parse(auto.stdout)).toMatchObject({ scheduleId: weekly, kind: 'auto', workflowType: 'autonomous', overlap: 'buffer-one', paused: false });
    const d = await client.schedule.getHandle(weekly).describe();
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'autonomous', taskQueue, workflowId: `auto-${weekly}` });
    expect(d.action.args![0] as AutonomousInput).toMatchObject({ query: 'momentum', maxIterations: 3, minSharpe: 0.5, revisit: false });
    expect(d.policies.overlap).toBe('BUFFER_ONE');
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([7 * 86_400_000]);
    expect((d.action.typedSearchAttributes as TypedSearchAttributes).get(RUN_KIND)).toBe('autonomous');

    const lib = await runCli(['schedule', 'create', nightly, '--kind', 'library', '--categories', 'momentum,volatility', '--per-category', '2', '--cron', '0 2 * * *', '--json'], env);
    expect(lib.code).toBe(0);
    const l = await client.schedule.getHandle(nightly).describe();
    expect(l.action.workflowType).toBe('libraryBuild');
    const input = l.action.args![0] as LibraryInput;
    expect(input.name).toBe(nightly);
    expect(input.categories.map((c) => [c.id, c.target])).toEqual([
      ['momentum', 2],
      ['volatility', 2],
    ]);
    expect(l.policies.overlap).toBe('SKIP');
    expect(l.info.nextActionTimes[0]!.getUTCHours()).toBe(2);
  });

  it('lists, pauses, unpauses and deletes schedules', async () => {
    // the server's schedule list is eventually consistent
    await until(async () => {
      const ids: string[] = [];
      for await (const s of client.schedule.list()) ids.push(s.scheduleId);
      return ids.includes(weekly) && ids.includes(nightly);
    }, 15_000, 'the new schedules to be listed');
    const list = await runCli(['schedule', 'list', '--json'], env);
    expect(list.code).toBe(0);
    const rows = (JSON.parse(list.stdout) as { schedules: Array<Record<string, unknown>> }).schedules;
    expect(rows.find((r) => r.scheduleId === weekly)).toMatchObject({ kind: 'auto', workflowType: 'autonomous', when: 'every 7d', overlap: 'buffer-one', topic: 'momentum', paused: false });
    expect(rows.find((r) => r.scheduleId === nightly)).toMatchObject({ kind: 'library', workflowType: 'libraryBuild', when: 'cron 0 2 * * *' });

    const paused = await runCli(['schedule', 'pause', weekly, '--note', 'QuantConnect quota used up', '--json'], env);
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ scheduleId: weekly, paused: true, note: 'QuantConnect quota used up', nextRun: null });
    expect((await client.schedule.getHandle(weekly).describe()).state.paused).toBe(true);

    const unpaused = await runCli(['schedule', 'unpause', weekly, '--json'], env);
    expect(JSON.parse(unpaused.stdout)).toMatchObject({ scheduleId: weekly, paused: false });
    expect((await client.schedule.getHandle(weekly).describe()).state.paused).toBe(false);

    const deleted = await runCli(['schedule', 'delete', weekly], env);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(new RegExp(`Deleted schedule ${weekly}`));
    await expect(client.schedule.getHandle(weekly).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);

    const missing = await runCli(['schedule', 'pause', weekly], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(new RegExp(`No schedule "${weekly}"`));
  });

  it('starts a library build tagged for the Web UI when the schedule fires', async () => {
    await client.schedule.getHandle(nightly).trigger();
    let started: { workflowId: string; kind: unknown } | undefined;
    await until(async () => {
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND WorkflowType = "libraryBuild"` })) started = { workflowId: w.workflowId, kind: w.typedSearchAttributes.get(RUN_KIND) };
      return started !== undefined;
    }, 15_000, 'the scheduled build to start');
    expect(started!.workflowId.startsWith(`library-${nightly}-`)).toBe(true);
    expect(started!.kind).toBe('library');
    await client.workflow.getHandle(started!.workflowId).terminate('test over');
  });
});
