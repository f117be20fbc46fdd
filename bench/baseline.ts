import type { Client } from '@temporalio/client';
import { DEFAULT_RUN_SETTINGS, WORKFLOW_TASK_TIMEOUT, type RunSettings } from '../domain/run-settings';
import { DEFAULT_EVOLUTION, evolutionRun, type EvolutionConfig, type EvolutionInput, type EvolutionResult } from '../workflows';
import { fetchChain, type Execution } from './histories';
import { uniqueName } from './lab';

/** A small, valid momentum algorithm far from the sandbox landscape's optimum: room to climb. */
export const BASELINE = `from AlgorithmImports import *

class MomentumBaseline(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2018, 1, 1)
        self.set_end_date(2023, 12, 31)
        self.set_cash(100000)
        self.lookback = 20
        self.stop_loss = 0.3
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.mom = self.momp(self.spy, self.lookback, Resolution.DAILY)
        self.set_warm_up(self.lookback, Resolution.DAILY)

    def on_data(self, data: Slice):
        if self.is_warming_up or not self.mom.is_ready:
            return
        if self.mom.current.value > 0:
            self.set_holdings(self.spy, 1.0)
        else:
            self.liquidate(self.spy)
`;

/** An evolution of the baseline; patience is set past the generations so every generation runs. */
export function evolutionInput(name: string, over: Partial<EvolutionConfig>, settings: RunSettings = DEFAULT_RUN_SETTINGS): EvolutionInput {
  const generations = over.generations ?? 3;
  return {
    name,
    baseline: BASELINE,
    family: 'momentum',
    settings,
    config: { ...DEFAULT_EVOLUTION, generations, variants: 8, elite: 3, patience: generations + 1, concurrency: 4, ...over },
  };
}

export interface EvolutionRunRecord {
  workflowId: string;
  result: EvolutionResult;
  /** One execution per generation (generation 0, the baseline, first). */
  chain: Execution[];
  /** From the first execution's start to the last one's end, by the server's clock. */
  wallMs: number;
}

/** Runs an evolution to its end on `taskQueue` and reads back every execution of its chain. */
export async function runEvolution(client: Client, taskQueue: string, input: EvolutionInput, prefix: string): Promise<EvolutionRunRecord> {
  const workflowId = uniqueName(prefix);
  const handle = await client.workflow.start(evolutionRun, { taskQueue, workflowId, args: [input], workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT });
  const result = await handle.result();
  const chain = await fetchChain(client, workflowId, handle.firstExecutionRunId);
  return { workflowId, result, chain, wallMs: chain[chain.length - 1]!.closedMs - chain[0]!.startedMs };
}
