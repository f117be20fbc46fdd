/**
 * Preloaded into the benchmarked worker process (`node --require`, through NODE_OPTIONS), in its main
 * thread and in every worker thread (the Temporal SDK runs workflows in one): every `sampleMs` each
 * thread appends what its V8 isolate holds to `<dir>/<pid>-<threadId>.jsonl`, and the main thread adds
 * the process's resident memory split as the kernel sees it (anonymous and file-backed) and its thread
 * count. `memoryAtPeak` (bench/memory-breakdown.ts) turns those samples into where the memory was when RSS peaked.
 *
 * Configured by QUANTCODER_BENCH_MEMORY_DIR (and QUANTCODER_BENCH_MEMORY_SAMPLE_MS); without it the
 * probe does nothing. The bench reads VmRSS itself, so the peak it reports does not depend on the probe.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

export interface MemorySample {
  /** Milliseconds since the epoch. */
  t: number;
  thread: number;
  /** V8 heap committed / in use, memory of JS objects held outside the heap (Buffers, external strings), ArrayBuffers: MB. */
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** Main thread only, from /proc/self/status: resident MB, anonymous and file-backed, and the thread count. */
  rssMb?: number;
  rssAnonMb?: number;
  rssFileMb?: number;
  threads?: number;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

function procStatus(): Pick<MemorySample, 'rssMb' | 'rssAnonMb' | 'rssFileMb' | 'threads'> {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: mb(field('VmRSS') * 1024), rssAnonMb: mb(field('RssAnon') * 1024), rssFileMb: mb(field('RssFile') * 1024), threads: field('Threads') };
  } catch {
    return { rssMb: mb(process.memoryUsage.rss()) };
  }
}

function sample(): MemorySample {
  const heap = v8.getHeapStatistics();
  const usage = process.memoryUsage();
  return {
    t: Date.now(),
    thread: threadId,
    heapTotalMb: mb(heap.total_heap_size),
    heapUsedMb: mb(heap.used_heap_size),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    ...(isMainThread ? procStatus() : {}),
  };
}

/** Starts sampling when the environment asks for it (this module is loaded with `--require`). */
export function startProbe(env: NodeJS.ProcessEnv = process.env): void {
  const dir = env.QUANTCODER_BENCH_MEMORY_DIR;
  if (!dir) return;
  const every = Number(env.QUANTCODER_BENCH_MEMORY_SAMPLE_MS ?? 200);
  const file = path.join(dir, `${process.pid}-${threadId}.jsonl`);
  const timer = setInterval(() => {
    try {
      fs.appendFileSync(file, JSON.stringify(sample()) + '\n');
    } catch {
      clearInterval(timer); // the bench removed the directory: the measurement is over
    }
  }, every);
  timer.unref();
}

startProbe();
