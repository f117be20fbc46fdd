import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PipelineInput } from '../domain/pipeline';
import { DEFAULT_RUN_SETTINGS, WORKFLOW_TASK_TIMEOUT } from '../domain/run-settings';
import { researchPipeline } from '../workflows';
import { HEAP_GROWING_PERCENT } from '../worker/memory';
import { WORKFLOW_CACHE_SIZE } from '../worker/workers';
import { benchHome, sandboxConfig } from './homes';
import { fetchTree, workflowTaskDurations } from './histories';
import { memoryAtPeak, type MemoryAtPeak } from './memory-breakdown';
import { progress, startWorkerProcess, stopWorkerProcess, uniqueName, type Lab } from './lab';
import { percentile, round } from './stats';

export const SCALE_PARAMETERS = {
  runs: 1,
  /** BENCH_SCALE_PIPELINES sets a smaller scale for a quick check (recorded here). */
  pipelines: Number(process.env.BENCH_SCALE_PIPELINES ?? 200),
  topics: ['momentum', 'mean reversion', 'volatility', 'pairs trading', 'trend following'],
  pipeline: { articles: 1, source: 'crossref', backtest: true, maxAttempts: 6 },
  sandbox: { llmLatencyMs: 0, compileLatencyMs: 0, backtestLatencyMs: 0, mistakeRate: 0 },
  /** Service limits raised so that only the machine limits throughput; SDK slot defaults otherwise. */
  worker: {
    process: '`node bin/run.js worker` (sandbox profile), one process',
    config: {
      crossref: { concurrency: 50, ratePerSecond: 1000 },
      download: { concurrency: 50 },
      llm: { concurrency: 50 },
      quantconnect: { concurrency: 50, pollSeconds: 0.05 },
    },
    sdkDefaults: { maxConcurrentWorkflowTaskExecutions: 40, maxConcurrentActivityTaskExecutionsOnTheWorkflowQueue: 100, maxCachedWorkflows: 'QuantCoder default (worker/workers.ts)' },
    /** QuantCoder's defaults (worker/workers.ts, worker/memory.ts), recorded as measured. */
    maxCachedWorkflows: WORKFLOW_CACHE_SIZE,
    heapGrowingPercent: HEAP_GROWING_PERCENT,
    /**
     * glibc's malloc arenas, as the Docker image sets them (ENV MALLOC_ARENA_MAX) and the README asks
     * of a worker started by hand: glibc reads it at process start, so the worker cannot set it itself.
     */
    env: { MALLOC_ARENA_MAX: '2' },
  },
  /**
   * bench/memory-probe.ts is preloaded into the worker (NODE_OPTIONS --require) and samples each
   * thread's V8 heap this often; memoryAtPeak splits the worker's RSS at its largest sample.
   */
  memoryProbeSampleMs: 200,
  /** peakRssMb is the largest VmRSS sampled this often while the runs are in flight. */
  rssSampleMs: 200,
  timeoutMinutes: 10,
};

export interface ScaleFigures {
  runsPerSecond: number;
  peakRssMb: number;
  latencyMs: { p50: number; p99: number; min: number; max: number };
  completedRuns: number;
  failedArticles: number;
  wallSeconds: number;
  /** RSS right after the worker started polling, before any run. */
  idleRssMb: number;
  /** The kernel's high-water mark (VmHWM) for the whole process life, workflow bundling at start-up included. */
  lifetimePeakRssMb: number | null;
  /** Where the machine's time went during the runs: CPU seconds per process (Linux). */
  cpuSeconds: { worker: number | null; temporalServer: number | null; clientAndSandbox: number };
  /** Where the worker's memory was at its largest sampled RSS (MB per component); null when not sampled (not Linux). */
  memoryAtPeak: MemoryAtPeak | null;
  /**
   * Workflow tasks of the runs and their articles, from start to completion (ms): what a shorter
   * workflow task timeout would have to leave room for on a loaded worker.
   */
  workflowTaskMs?: { count: number; p50: number; p99: number; max: number };
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux; null elsewhere). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), counted from the state field (3) here
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The Temporal dev server(s) this process started (its child processes named `temporal`). */
function temporalServerPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
          const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return ppid === process.pid && comm.startsWith('temporal');
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used by the worker, the Temporal server, and this process (the client and the sandbox). */
function cpuSnapshot(workerPid: number): { worker: number | null; temporalServer: number | null; clientAndSandbox: number } {
  const servers = temporalServerPids().map(cpuSeconds);
  const usage = process.cpuUsage();
  return {
    worker: cpuSeconds(workerPid),
    temporalServer: servers.length && servers.every((s) => s !== null) ? servers.reduce((a, b) => a! + b!, 0) : null,
    clientAndSandbox: (usage.user + usage.system) / 1e6,
  };
}

/** Resident memory of a process in MB: now, and the kernel's high-water mark when it has one. */
function rssMb(pid: number): { now: number; peak: number | null } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return { now: kb / 1024, peak: null };
  }
}

export async function measureScale(lab: Lab): Promise<ScaleFigures> {
  const p = SCALE_PARAMETERS;
  lab.resetSandbox(p.sandbox);
  const home = benchHome(sandboxConfig(lab.sandbox.url, p.worker.config));
  const taskQueue = uniqueName('bench-scale');
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantcoder-bench-memory-'));
  const probe = require.resolve('./memory-probe');
  const extraEnv = {
    ...p.worker.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(probe)}`.trim(),
    QUANTCODER_BENCH_MEMORY_DIR: probeDir,
    QUANTCODER_BENCH_MEMORY_SAMPLE_MS: String(p.memoryProbeSampleMs),
  };
  const worker = await startWorkerProcess({ home, address: lab.address, taskQueue, extraEnv });
  let sampler: NodeJS.Timeout | undefined;
  try {
    const idle = rssMb(worker.pid);
    let peakSampled = idle.now;
    sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, rssMb(worker.pid).now);
    }, p.rssSampleMs);

    const input = (i: number): PipelineInput => ({
      target: { kind: 'topic', query: p.topics[i % p.topics.length]! },
      articles: p.pipeline.articles,
      source: 'crossref',
      backtest: p.pipeline.backtest,
      localOnly: false,
      maxAttempts: p.pipeline.maxAttempts,
      settings: DEFAULT_RUN_SETTINGS,
    });
    const prefix = uniqueName('bench-scale');
    const cpuBefore = cpuSnapshot(worker.pid);
    progress(`scale: starting ${p.pipelines} pipeline runs at once`);
    const handles = await Promise.all(
      Array.from({ length: p.pipelines }, (_, i) => lab.client.workflow.start(researchPipeline, { taskQueue, workflowId: `${prefix}-${i}`, args: [input(i)], workflowExecutionTimeout: `${p.timeoutMinutes} minutes`, workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT })),
    );
    let finished = 0;
    const ticker = setInterval(() => progress(`scale: ${finished}/${p.pipelines} runs done, worker RSS ${Math.round(peakSampled)} MB peak so far`), 10_000);
    const results = await Promise.all(handles.map((h) => h.result().finally(() => finished++))).finally(() => clearInterval(ticker));
    clearInterval(sampler);
    const cpuAfter = cpuSnapshot(worker.pid);
    const used = (a: number | null, b: number | null) => (a === null || b === null ? null : round(b - a, 1));
    const end = rssMb(worker.pid);
    const peakRssMb = Math.max(peakSampled, end.now);
    const memory = memoryAtPeak(probeDir, worker.pid);
    if (memory) progress(`scale: worker memory at its peak (MB): ${JSON.stringify(memory)}`);

    const described = await Promise.all(handles.map((h) => h.describe()));
    const starts = described.map((d) => d.startTime.getTime());
    const latencies = described.map((d) => d.closeTime!.getTime() - d.startTime.getTime());
    const wallMs = Math.max(...described.map((d) => d.closeTime!.getTime())) - Math.min(...starts);
    const tasks = (await Promise.all(handles.map((h) => fetchTree(lab.client, h.workflowId)))).flat().flatMap(workflowTaskDurations);
    const workflowTaskMs = { count: tasks.length, p50: Math.round(percentile(tasks, 50)), p99: Math.round(percentile(tasks, 99)), max: Math.max(...tasks) };
    progress(`scale: ${tasks.length} workflow tasks took ${workflowTaskMs.p50} ms at the median, ${workflowTaskMs.p99} ms at p99, ${workflowTaskMs.max} ms at the most`);
    const failedArticles = results.filter((r) => r.articles[0]?.stage !== 'done').length;
    if (failedArticles) progress(`scale: ${failedArticles} runs did not finish their article: ${results.find((r) => r.articles[0]?.stage !== 'done')?.articles[0]?.error}`);
    return {
      runsPerSecond: round(p.pipelines / (wallMs / 1000), 2),
      peakRssMb: Math.round(peakRssMb),
      latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), min: Math.min(...latencies), max: Math.max(...latencies) },
      completedRuns: results.length,
      failedArticles,
      wallSeconds: round(wallMs / 1000, 2),
      idleRssMb: Math.round(idle.now),
      lifetimePeakRssMb: end.peak === null ? null : Math.round(end.peak),
      cpuSeconds: {
        worker: used(cpuBefore.worker, cpuAfter.worker),
        temporalServer: used(cpuBefore.temporalServer, cpuAfter.temporalServer),
        clientAndSandbox: round(cpuAfter.clientAndSandbox - cpuBefore.clientAndSandbox, 1),
      },
      memoryAtPeak: memory,
      workflowTaskMs,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await stopWorkerProcess(worker);
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(probeDir, { recursive: true, force: true });
  }
}
