import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { repeatedCompletedCalls } from '../../bench/crash';
import { activityTimings, localActivityTimings, stepTimings, type Execution } from '../../bench/histories';
import { README_END, README_START, updateReadme, type BenchReport } from '../../bench/report';
import type { SpeedProbe } from '../../bench/speed';
import type { LlmRequestRecord } from '../../sandbox/state';

// what callLlm records as promptSha256: the artifact key of system and user text
const recordedKey = (system: string, user: string) => createHash('sha256').update(`${system}\n\n---\n\n${user}`).digest('hex');
const request = (receivedAt: number, user: string, system = 'You write LEAN algorithms.'): LlmRequestRecord => ({
  receivedAt,
  provider: 'openai',
  model: 'gpt-4o',
  system,
  messages: [{ role: 'user', content: user }],
});

describe('LLM calls paid again after their answer was recorded', () => {
  const recorded = [
    { promptSha256: recordedKey('You write LEAN algorithms.', 'generate A'), createdAtMs: 1_000 },
    { promptSha256: recordedKey('You write LEAN algorithms.', 'generate B'), createdAtMs: 2_000 },
  ];

  it('are none when each request came before its answer was recorded, or was lost in flight', () => {
    // A asked once; B asked, lost with a killed worker, asked again and recorded; C in flight at the end
    expect(repeatedCompletedCalls([request(500, 'generate A'), request(1_200, 'generate B'), request(1_800, 'generate B'), request(2_500, 'generate C')], recorded)).toBe(0);
  });

  it('count a request that arrived after its prompt had been answered and recorded', () => {
    expect(repeatedCompletedCalls([request(500, 'generate A'), request(1_500, 'generate A'), request(1_900, 'generate B'), request(2_100, 'generate B')], recorded)).toBe(2);
  });

  it('tell prompts apart by their system text too', () => {
    expect(repeatedCompletedCalls([request(1_500, 'generate A', 'another system prompt')], recorded)).toBe(0);
  });
});

describe('the steps the overhead figure reads from a history', () => {
  const History = temporal.api.history.v1.History;
  const recorded = (file: string): Execution => {
    const json = historyFromJSON(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'histories', file), 'utf8')));
    // through the wire format, as a history fetched from the server arrives (times as Long)
    const events = History.decode(History.encode(json).finish()).events;
    return { workflowId: file, runId: '', events, bytes: 0, startedMs: tsToMs(events[0]!.eventTime), closedMs: tsToMs(events.at(-1)!.eventTime) };
  };

  it("count an article's local activities, each run inside the workflow task that recorded it", () => {
    const article = recorded('article.json');
    const local = localActivityTimings(article);
    expect(local.map((t) => t.name)).toEqual(['readLearnedContext', 'checkAlgorithm', 'recordBacktest', 'recordAttempt', 'writeAlgorithmFile']);
    // a task's span, from its start to its completion, holds the run time of every local activity it ran
    const tasks = article.events.filter((e) => e.workflowTaskCompletedEventAttributes);
    const taskStarts = new Map(article.events.filter((e) => e.workflowTaskStartedEventAttributes).map((e) => [String(e.eventId), tsToMs(e.eventTime)]));
    for (const t of local) {
      expect(t.outcome).toBe('completed');
      expect(t.closedMs).toBeGreaterThanOrEqual(t.startedMs);
      const task = tasks.find((e) => taskStarts.get(String(e.workflowTaskCompletedEventAttributes!.startedEventId)) === t.startedMs);
      expect(task).toBeDefined();
      expect(t.closedMs).toBeLessThanOrEqual(tsToMs(task!.eventTime));
    }
    expect(stepTimings(article)).toHaveLength(activityTimings(article).length + local.length);
  });

  it('find none in a run of the previous release, whose article ran every step as an activity', () => {
    const article = recorded('previous/article.json');
    expect(localActivityTimings(article)).toEqual([]);
    expect(activityTimings(article).map((t) => t.name)).toContain('recordAttempt');
  });

  it('refuse a local activity marker that gives no run time', () => {
    const article = recorded('article.json');
    const marker = article.events.find((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')!;
    const broken = { ...marker, markerRecordedEventAttributes: { ...marker.markerRecordedEventAttributes, details: {} } };
    expect(() => localActivityTimings({ ...article, events: article.events.map((e) => (e === marker ? broken : e)) })).toThrow(/has no data/);
  });
});

describe("the README's Performance figures", () => {
  const report = {
    generatedAt: '2026-12-01T10:00:00.000Z',
    durationSeconds: 600,
    machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 8, node: 'v20.0.0', platform: 'Linux', arch: 'x64', temporalCli: 'temporal 1.9.1', loadAverage: [1, 2, 3], speed: { start: { medianMs: 205, minMs: 180, runs: 7, memoryNsPerAccess: 210 }, end: { medianMs: 290, minMs: 240, runs: 7, memoryNsPerAccess: 260 } } },
    commit: { sha: 'abcdef0123456789', dirty: false },
    parameters: {},
    overheadPerActivityMs: { median: 30, min: 29, max: 31, samples: [29, 30, 31] },
    directCallPerStepMs: { median: 10, min: 9, max: 11, samples: [9, 10, 11] },
    overheadOverFloor: { median: 1.25, min: 1.2, max: 1.3, samples: [1.2, 1.25, 1.3] },
    overhead: {
      floorPerActivityMs: { median: 24, min: 23, max: 25, samples: [23, 24, 25] },
      floorWithChildPerActivityMs: { median: 26, min: 25, max: 27, samples: [25, 26, 27] },
      overheadOverChildFloor: { median: 1.15, min: 1.1, max: 1.2, samples: [1.1, 1.15, 1.2] },
      workflowTasksPerRun: [
        { parent: 5, child: 13 },
        { parent: 5, child: 13 },
        { parent: 5, child: 14 },
      ],
      floorWithChildWorkflowTasksPerRun: [
        { parent: 5, child: 13 },
        { parent: 5, child: 13 },
        { parent: 5, child: 13 },
      ],
    },
  } as unknown as BenchReport;

  it('are regenerated between the markers from the JSON, leaving the rest of the README alone', () => {
    const readme = `# QuantCoder\n\nbefore\n\n${README_START}\nold table\n${README_END}\n\nafter\n`;
    const updated = updateReadme(readme, report);
    expect(updated.startsWith(`# QuantCoder\n\nbefore\n\n${README_START}\n`)).toBe(true);
    expect(updated.endsWith(`${README_END}\n\nafter\n`)).toBe(true);
    expect(updated).not.toContain('old table');
    expect(updated).toContain('commit `abcdef0` (clean tree)');
    // the host's speed at both ends of the run, so a reader can tell a slow host from slow code
    expect(updated).toContain('a fixed workload took 205 ms (fastest of 7: 180) and a random memory access 210 ns at the start, 290 ms (240) and 260 ns at the end');
    expect(updated).toContain("| 1. Temporal's floor: no-op activities in sequence, per activity (ms) | 24.0 | 23.0 | 25.0 | 3 |");
    expect(updated).toContain('| 1. Overhead over the floor (ours / floor) | 1.25 | 1.20 | 1.30 | 3 |');
    expect(updated).toContain('| 1. Workflow tasks per run, pipeline + article (floor with a child: parent + child) | 5 + 13 (5 + 13) |');
    expect(updateReadme(updated, report)).toBe(updated);
  });

  it("say the host's speed was not measured for results from before the probe", () => {
    const older = { ...report, machine: { ...report.machine, speed: undefined } } as BenchReport;
    expect(updateReadme(`${README_START}\n${README_END}\n`, older)).not.toContain('a fixed workload took');
  });

  it('refuse a README without markers', () => {
    expect(() => updateReadme('# QuantCoder\n', report)).toThrow(/no bench markers/);
  });
});

describe("the host's speed probe", () => {
  it('times the same workload each run and reports the typical and the fastest run', () => {
    // as `npm run bench` runs it: compiled, in a Node process of its own (jest's module sandbox makes
    // each global lookup in its loops a slow one, and the probe take five times as long)
    const script = "process.stdout.write(JSON.stringify(require('./dist/bench/speed.js').speedProbe(3)))";
    const probe = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' })) as SpeedProbe;
    expect(probe.runs).toBe(3);
    expect(probe.minMs).toBeGreaterThan(0);
    expect(probe.minMs).toBeLessThanOrEqual(probe.medianMs);
    // a walk through 64 MB misses the caches: no machine answers it at cache speed (a few ns)
    expect(probe.memoryNsPerAccess).toBeGreaterThan(20);
  });
});
