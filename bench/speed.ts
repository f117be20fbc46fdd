import { createHash } from 'node:crypto';

/** How long a fixed single-threaded workload took, run several times in a row. */
export interface SpeedProbe {
  /** The typical run. */
  medianMs: number;
  /** The least disturbed run. */
  minMs: number;
  runs: number;
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
 * Times {@link probeWorkload} `runs` times (about 0.2 s each on the machine the README's figures come
 * from). Two runs whose probes differ by a third ran on hosts a third apart in speed, whatever the
 * code they measured: compare the probes before comparing absolute figures.
 */
export function speedProbe(runs = 7): SpeedProbe {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    probeWorkload();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms);
  return { medianMs: round(times[Math.floor(runs / 2)]!), minMs: round(times[0]!), runs };
}

/** The probes as a reader compares them: "a fixed workload took 205 ms (fastest of 7: 180) at the start, 214 (190) at the end". */
export function speedText(m: { speed?: { start: SpeedProbe; end?: SpeedProbe } }): string {
  const { start, end } = m.speed ?? {};
  if (!start) return 'not measured';
  return `a fixed workload took ${start.medianMs} ms (fastest of ${start.runs}: ${start.minMs}) at the start${end ? `, ${end.medianMs} (${end.minMs}) at the end` : ''}`;
}
