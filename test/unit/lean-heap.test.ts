import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { keepHeapsLean } from '../../worker/memory';

const root = path.resolve(__dirname, '../..');

/**
 * The largest V8 heap of a fresh process that keeps about 30 MB alive while objects that live a
 * little while (long enough to reach the old generation) come and go, as a worker's activity
 * results do; with `lean`, the process first calls keepHeapsLean.
 */
async function largestHeapMb(lean: boolean): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantcoder-lean-heap-'));
  const script = path.join(dir, 'heap.ts');
  fs.writeFileSync(
    script,
    `import v8 from 'node:v8';
import { keepHeapsLean } from ${JSON.stringify(path.join(root, 'worker', 'memory'))};
if (${lean}) keepHeapsLean();
const chunk = (n: number) => Array.from({ length: n }, (_, i) => ({ i, s: 'item ' + i }));
const live = Array.from({ length: 30 }, () => chunk(10_000));
const recent: unknown[] = [];
let largest = 0;
for (let round = 0; round < 400; round++) {
  recent.push(chunk(10_000));
  if (recent.length > 20) recent.shift();
  largest = Math.max(largest, v8.getHeapStatistics().total_heap_size);
}
process.stdout.write(JSON.stringify({ live: live.length, largestMb: largest / 1048576 }));
`,
  );
  try {
    const { stdout } = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), [script], { cwd: root });
    return (JSON.parse(stdout) as { largestMb: number }).largestMb;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('a worker process keeps its heaps lean', () => {
  it('collects garbage before its heap grows far past what it keeps alive', async () => {
    const [usual, lean] = await Promise.all([largestHeapMb(false), largestHeapMb(true)]);
    // about 30 MB alive and 6 MB recent: V8's own growth lets the heap reach several times that
    expect(lean).toBeLessThan(usual * 0.7);
    expect(lean).toBeLessThan(150);
  }, 120_000);

  it('refuses a growth it cannot mean', () => {
    expect(() => keepHeapsLean(0)).toThrow(RangeError);
    expect(() => keepHeapsLean(2.5)).toThrow(RangeError);
  });
});
