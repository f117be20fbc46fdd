import v8 from 'node:v8';

/**
 * How far V8 lets a heap grow past what survived its last full garbage collection before it collects
 * again, in percent. V8 otherwise picks a factor of up to 4 on a machine with gigabytes of memory: at
 * 200 pipelines at once the worker's main thread kept about 80 MB of live objects yet its heap grew
 * to 225–250 MB of mostly garbage (activities' responses, polls, payload conversions) before a
 * full collection, and the workflow thread's heap the same way. At 30 % the main heap peaked at
 * about 125 MB and the worker's RSS fell by about 200 MB, for a worker CPU time within the
 * run-to-run noise: the live objects are few, so a full collection is cheap. The figures are in
 * bench/results (scale.memoryAtPeak).
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Keeps a worker process's V8 heaps close to what they hold (see {@link HEAP_GROWING_PERCENT}).
 * The flag is process-wide and read at each collection, so it applies to the main thread and to
 * the workflow threads the SDK starts afterwards. Only the worker process calls this; the CLI's
 * short commands keep V8's defaults.
 */
export function keepHeapsLean(percent: number = HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 1 || percent > 300) throw new RangeError(`The heap growing percentage must be an integer from 1 to 300, not ${percent}`);
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
