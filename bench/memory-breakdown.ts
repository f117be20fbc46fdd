import fs from 'node:fs';
import path from 'node:path';
import type { MemorySample } from './memory-probe';

/** Where the worker process's memory was at its largest sampled RSS, in MB. */
export interface MemoryAtPeak {
  rssMb: number;
  /** The main thread's V8 heap (activities, the SDK's worker objects, Prisma, pino): committed and in use. */
  mainHeapMb: number;
  mainHeapUsedMb: number;
  /** The workflow thread(s)' V8 heap (cached workflows and their V8 context): committed and in use. */
  workflowHeapMb: number;
  workflowHeapUsedMb: number;
  /** Memory JS objects hold outside the heaps (Buffers, ArrayBuffers, external strings), all threads. */
  externalMb: number;
  /** Resident file-backed pages: node's and the native modules' code (the Temporal core bridge, Prisma's, SQLite's). */
  fileMappedMb: number;
  /**
   * The rest of RSS: the Temporal core (Rust: its cached workflow state machines and histories, gRPC
   * buffers), malloc's arenas and free lists, thread stacks, V8's code and metadata outside its heaps.
   */
  nativeMb: number;
  threads: number | null;
  /** Workflow threads seen (the SDK's thread pool). */
  workflowThreads: number;
}

/** Reads the samples of process `pid` from `dir` and splits its RSS at the main thread's largest sample. */
export function memoryAtPeak(dir: string, pid: number): MemoryAtPeak | null {
  const byThread = new Map<number, MemorySample[]>();
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const m = /^(\d+)-(\d+)\.jsonl$/.exec(name);
    if (!m || Number(m[1]) !== pid) continue;
    const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean);
    // a line cut short by the process's end is skipped
    const samples = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as MemorySample];
      } catch {
        return [];
      }
    });
    byThread.set(Number(m[2]), samples);
  }
  const main = byThread.get(0)?.filter((s) => typeof s.rssMb === 'number') ?? [];
  if (!main.length) return null;
  const peak = main.reduce((a, b) => (b.rssMb! > a.rssMb! ? b : a));
  const nearest = (samples: MemorySample[]) => samples.reduce((a, b) => (Math.abs(b.t - peak.t) < Math.abs(a.t - peak.t) ? b : a));
  const workflow = [...byThread.entries()].filter(([id, s]) => id !== 0 && s.length).map(([, s]) => nearest(s));
  const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0));
  const workflowHeapMb = sum(workflow.map((s) => s.heapTotalMb));
  const externalMb = sum([peak.externalMb, ...workflow.map((s) => s.externalMb)]);
  const fileMappedMb = Math.round(peak.rssFileMb ?? 0);
  const rssMb = Math.round(peak.rssMb!);
  const mainHeapMb = Math.round(peak.heapTotalMb);
  return {
    rssMb,
    mainHeapMb,
    mainHeapUsedMb: Math.round(peak.heapUsedMb),
    workflowHeapMb,
    workflowHeapUsedMb: sum(workflow.map((s) => s.heapUsedMb)),
    externalMb,
    fileMappedMb,
    nativeMb: rssMb - mainHeapMb - workflowHeapMb - externalMb - fileMappedMb,
    threads: peak.threads ?? null,
    workflowThreads: workflow.length,
  };
}
