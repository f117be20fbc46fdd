import { createHash } from 'node:crypto';

/** How long a fixed single-threaded workload took, run several times in a row. */
export interface SpeedProbe {
  /** The typical run. */
  medianMs: number;
  /** The least disturbed run. */
  minMs: number;
  runs: number;
  /**
   * Nanoseconds per step of a random walk through 64 MB (the median of three walks): memory and
   * address-translation latency, which can rise while the compute workload stays fast. Module
   * loading and large heaps depend on it. Absent from results recorded before the walk existed.
   */
  memoryNsPerAccess?: number;
}

/** A fixed mix of the work QuantCoder's processes do: hashing, JSON, string sorting, arithmetic. */
function probeWorkload(): number {
  let block = Buffer.alloc(1024, 7);
  for (let i = 0; i < 20_000; i++) block = Buffer.concat([createHash('sha256').update(block).digest(), block.subarray(32)]);
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `row ${(i * 7919) % 20_000}`, value: Math.sin(i) }));
  const copy = JSON.parse(JSON.stringify(rows)) as typeof rows;
  copy.sort((a, b) => a.name.localeCompare(b.name));
  let sum = 0;
  for (let i = 0; i < 3_000_000; i++) sum += (i * 2654435761) % 1000;
  return sum + copy.length + block[0]!;
}

/**
 * Nanoseconds per step of a random walk through 64 MB: each step's address comes from the value the
 * step before loaded, so no step can start early and no prefetcher can guess it. The table holds
 * random numbers written in order (cheap: a shuffled cycle of the same size costs seconds of random
 * writes and pushes everything else on the machine out of the caches), and the step number mixed
 * into each address keeps the walk from settling in a short cycle.
 */
function memoryLatencyNs(): number {
  const n = 16 * 1024 * 1024;
  const mask = n - 1;
  const table = new Int32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    table[i] = seed >>> 4;
  }
  const steps = 300_000;
  const times: number[] = [];
  let at = 0;
  for (let walk = 0; walk < 3; walk++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) at = (table[at]! ^ i) & mask;
    times.push(Number(process.hrtime.bigint() - start) / steps);
  }
  times.sort((a, b) => a - b);
  // reading `at` keeps the walk's result in use, so the compiler cannot drop the loop
  return at >= 0 ? Math.round(times[1]!) : -1;
}

/**
 * Times {@link probeWorkload} `runs` times (about 0.2 s each on the machine the README's figures come
 * from), then the memory walk. Two runs whose probes differ by a third ran on hosts about a third
 * apart in speed, whatever the code they measured. Like probes do not prove like hosts: the probe
 * runs on one core of an idle machine, and cannot see the cores slowing each other once all are
 * busy (a test-suite run took 1.45 times the CPU of another at a faster probe).
 */
export function speedProbe(runs = 7): SpeedProbe {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    probeWorkload();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(runs / 2)]!), minMs: Math.round(times[0]!), runs, memoryNsPerAccess: memoryLatencyNs() };
}

/**
 * The probes as a reader compares them: "a fixed workload took 205 ms (fastest of 7: 180) and a random
 * memory access 210 ns at the start, 214 ms (190) and 230 ns at the end".
 */
export function speedText(m: { speed?: { start: SpeedProbe; end?: SpeedProbe } }): string {
  const { start, end } = m.speed ?? {};
  if (!start) return 'not measured';
  const memory = (p: SpeedProbe, what: string) => (p.memoryNsPerAccess === undefined ? '' : ` and ${what}${p.memoryNsPerAccess} ns`);
  return (
    `a fixed workload took ${start.medianMs} ms (fastest of ${start.runs}: ${start.minMs})${memory(start, 'a random memory access ')} at the start` +
    (end ? `, ${end.medianMs} ms (${end.minMs})${memory(end, '')} at the end` : '')
  );
}
