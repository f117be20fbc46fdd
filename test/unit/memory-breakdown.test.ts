import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryAtPeak } from '../../bench/memory-breakdown';
import type { MemorySample } from '../../bench/memory-probe';

const main = (t: number, rssMb: number, heapTotalMb: number, more: Partial<MemorySample> = {}): MemorySample => ({
  t,
  thread: 0,
  heapTotalMb,
  heapUsedMb: heapTotalMb / 2,
  externalMb: 40,
  arrayBuffersMb: 2,
  rssMb,
  rssAnonMb: rssMb - 78,
  rssFileMb: 78,
  threads: 24,
  ...more,
});
const workflowThread = (t: number, heapTotalMb: number): MemorySample => ({ t, thread: 1, heapTotalMb, heapUsedMb: 50, externalMb: 10, arrayBuffersMb: 0 });

function write(dir: string, name: string, samples: MemorySample[], tail = ''): void {
  fs.writeFileSync(path.join(dir, name), samples.map((s) => JSON.stringify(s)).join('\n') + '\n' + tail);
}

describe("the worker's memory at its peak", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantcoder-memory-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("splits the largest sampled RSS into heaps, external memory, mapped files and the native rest, taking each thread's sample nearest that moment", () => {
    write(dir, '100-0.jsonl', [main(1_000, 300, 90), main(2_000, 420, 120), main(3_000, 380, 110)]);
    write(dir, '100-1.jsonl', [workflowThread(1_100, 60), workflowThread(1_950, 80), workflowThread(2_900, 95)]);
    // another process's samples in the same directory are not this worker's
    write(dir, '200-0.jsonl', [main(2_000, 900, 500)]);
    expect(memoryAtPeak(dir, 100)).toEqual({
      rssMb: 420,
      mainHeapMb: 120,
      mainHeapUsedMb: 60,
      workflowHeapMb: 80,
      workflowHeapUsedMb: 50,
      externalMb: 50,
      fileMappedMb: 78,
      nativeMb: 420 - 120 - 80 - 50 - 78,
      threads: 24,
      workflowThreads: 1,
    });
  });

  it('skips a line cut short when the process ended, and is null without the main thread\'s samples', () => {
    write(dir, '100-0.jsonl', [main(1_000, 300, 90)], '{"t":2000,"thread":0,"heapTo');
    expect(memoryAtPeak(dir, 100)?.rssMb).toBe(300);
    expect(memoryAtPeak(dir, 101)).toBeNull();
  });
});
