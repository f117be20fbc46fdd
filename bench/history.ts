import { evolutionInput, runEvolution } from './baseline';
import { benchDeps, sandboxConfig } from './homes';
import { progress, type Lab } from './lab';
import { round } from './stats';

export const HISTORY_PARAMETERS = {
  runs: 1,
  generations: 30,
  variants: 8,
  concurrency: 4,
  sandbox: { llmLatencyMs: 0, compileLatencyMs: 0, backtestLatencyMs: 0, mistakeRate: 0 },
  worker: { llmConcurrency: 8, quantconnectConcurrency: 4, quantconnectPollSeconds: 0.05 },
  note: 'the evolution continues as new after every generation; each execution is one history',
};

export interface HistoryFigures {
  maxEvents: number;
  totalEvents: number;
  executions: number;
  meanEvents: number;
  maxBytes: number;
  totalBytes: number;
  /** Events per execution, generation 0 (the baseline) first. */
  eventsPerExecution: number[];
  wallSeconds: number;
}

export async function measureHistory(lab: Lab): Promise<HistoryFigures> {
  const p = HISTORY_PARAMETERS;
  lab.resetSandbox(p.sandbox);
  const deps = benchDeps(sandboxConfig(lab.sandbox.url, { llm: { concurrency: p.worker.llmConcurrency }, quantconnect: { concurrency: p.worker.quantconnectConcurrency, pollSeconds: p.worker.quantconnectPollSeconds } }));
  try {
    progress(`history: a ${p.generations}-generation evolution of ${p.variants} variants`);
    const record = await lab.withWorkers(deps, (taskQueue) => runEvolution(lab.client, taskQueue, evolutionInput('history', { generations: p.generations, variants: p.variants, concurrency: p.concurrency }), 'bench-history'));
    if (record.result.generation !== p.generations) throw new Error(`The evolution stopped at generation ${record.result.generation}: ${record.result.reason}`);
    const events = record.chain.map((x) => x.events.length);
    const bytes = record.chain.map((x) => x.bytes);
    const total = events.reduce((a, b) => a + b, 0);
    return {
      maxEvents: Math.max(...events),
      totalEvents: total,
      executions: events.length,
      meanEvents: round(total / events.length, 1),
      maxBytes: Math.max(...bytes),
      totalBytes: bytes.reduce((a, b) => a + b, 0),
      eventsPerExecution: events,
      wallSeconds: round(record.wallMs / 1000, 2),
    };
  } finally {
    await deps.cleanup();
  }
}
