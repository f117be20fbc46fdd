import { Args } from '@oclif/core';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import type { AutonomousInput, AutonomousResult, AutonomousStatus } from '../../../domain/library';
import { startedRun } from '../../run-control';
import { runState, RUN_STATES_HELP } from '../../run-states';
import { autonomousStatusQuery } from '../../../workflows/autonomous';
import { renderIterations } from './start';

export interface AutoStatusOutput {
  id: string;
  status: string;
  query: string;
  iteration: number;
  maxIterations: number | null;
  accepted: number;
  tokens: { input: number; output: number };
  reason: string | null;
  current: string | null;
  iterations: AutonomousStatus['iterations'];
}

/** The newest autonomous run the server knows, for commands given no id. */
export async function latestAutonomousRun(client: Client): Promise<string | null> {
  for await (const w of client.workflow.list({ query: 'WorkflowType = "autonomous"', pageSize: 1 })) return w.workflowId;
  return null;
}

export default class AutoStatus extends BaseCommand<typeof AutoStatus> {
  static override summary = 'Show the progress of an autonomous run: iterations, repairs, outcomes.';
  static override description =
    'Asks the running workflow (or reads the result of a finished one) for each iteration: the paper, its strategy family, ' +
    'the repairs its code needed, the backtest Sharpe ratio and whether it was accepted. Without an id, the newest run.\n\n' +
    RUN_STATES_HELP;
  static override examples = ['<%= config.bin %> auto status', '<%= config.bin %> auto status auto-momentum-1a2b3c4 --json'];
  static override args = { id: Args.string({ required: false, description: 'The autonomous run id (auto-…).' }) };

  async run(): Promise<AutoStatusOutput> {
    const client = await this.temporal();
    const id = this.args.id ?? (await latestAutonomousRun(client));
    if (!id) throw new UserError('No autonomous run yet: start one with `quantcoder auto start --query <topic>`');
    const handle = client.workflow.getHandle(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError') throw new UserError(`No run with id ${id}; \`quantcoder runs list --kind autonomous\` lists them`);
      throw err;
    }
    if (description.type !== 'autonomous') throw new UserError(`${id} is a ${description.type} run, not an autonomous run`);
    const state = runState(description.status.name);
    let out: AutoStatusOutput;
    if (state === 'completed') {
      const r = (await handle.result()) as AutonomousResult;
      // the result does not repeat the limit: it is the input the run was started with
      const input = (await startedRun(client, id)).args[0] as Partial<AutonomousInput> | undefined;
      out = { id, status: state, query: r.query, iteration: r.iterations.at(-1)?.iteration ?? 0, maxIterations: input?.maxIterations ?? null, accepted: r.accepted, tokens: r.tokens, reason: r.reason, current: null, iterations: r.iterations };
    } else if (state === 'running') {
      const s = await handle.query(autonomousStatusQuery);
      out = { id, status: state, query: s.query, iteration: s.iteration, maxIterations: s.maxIterations, accepted: s.accepted, tokens: s.tokens, reason: s.stopReason, current: s.current, iterations: s.iterations };
    } else {
      out = { id, status: state, query: '', iteration: 0, maxIterations: null, accepted: 0, tokens: { input: 0, output: 0 }, reason: null, current: null, iterations: [] };
    }
    if (!this.jsonEnabled()) {
      this.log(`${id}: ${state}${out.reason ? ` (${out.reason})` : ''}`);
      this.log(`query "${out.query}" · iteration ${out.iteration}${out.maxIterations ? `/${out.maxIterations}` : ''} · ${out.accepted} accepted · tokens ${out.tokens.input + out.tokens.output}${out.current ? ` · running ${out.current}` : ''}`);
      if (out.iterations.length) this.log(renderIterations(out.iterations));
    }
    return out;
  }
}
