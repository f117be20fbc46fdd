import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { renderSnapshot, renderStatus } from '../../evolution-view';
import { controlEvolution, evolutionView, type EvolutionSnapshot } from '../../run-control';
import { stopUpdate, type EvolutionStatus } from '../../../workflows/evolution';
import { learningStoreLocation } from '../../../store/open';

export default class EvolveStop extends BaseCommand<typeof EvolveStop> {
  static override summary = 'Stop an evolution run: nothing new starts, the steps in flight finish; its best variant stays exportable.';
  static override description =
    'Sends the run a `stop` update. Once it is accepted, no new proposal, repair, compile or backtest starts; the LLM calls, ' +
    'compiles and backtests already in flight finish and their results are recorded, then the run ends with status ' +
    '"stopped" and its elite as the result. The command says exactly which steps are still finishing. With --wait it waits ' +
    'for the end and prints the final status. A second stop is refused with the reason.';
  static override examples = ['<%= config.bin %> evolve stop evolve-momentum', '<%= config.bin %> evolve stop evolve-momentum --wait --json'];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };
  static override flags = {
    wait: Flags.boolean({ summary: 'Wait until the run has stopped and print its final status.', default: false }),
  };

  async run(): Promise<(EvolutionStatus & { stopRequested: true }) | EvolutionSnapshot> {
    const client = await this.temporal();
    const status = await controlEvolution(client, this.args.id, 'stop', stopUpdate);
    if (!this.flags.wait) {
      if (!this.jsonEnabled()) this.log(`${stopMessage(this.args.id, status)}\n${renderStatus(status, [])}`);
      return { ...status, stopRequested: true };
    }
    if (!this.jsonEnabled()) this.log(`${stopMessage(this.args.id, status)}\nWaiting for the run to end…`);
    await client.workflow.getHandle(this.args.id).result().catch(() => undefined);
    const { snapshot } = await evolutionView(client, this.args.id, learningStoreLocation(this.settings));
    if (!this.jsonEnabled()) this.log(renderSnapshot(snapshot));
    return snapshot;
  }
}

const WHAT_FINISHES: Record<string, string> = {
  propose: 'its LLM proposal finishes and is recorded; it will not be compiled or backtested',
  repair: 'its LLM repair finishes and is recorded; it will not be compiled or backtested',
  check: 'its local checks finish; it will not be compiled or backtested',
  queued: 'it waits for no project: it will not be compiled or backtested',
  compile: 'its compile finishes; it will not be backtested',
  backtest: 'its backtest finishes and is scored',
};

/** Exactly what a stop leaves running: each variant in flight and the one step it still completes. */
export function stopMessage(id: string, status: EvolutionStatus): string {
  const head = `Stop accepted for ${id}: no new proposal, repair, compile or backtest will start.`;
  if (status.inFlight.length === 0) return `${head} Nothing is in flight; the run ends now.`;
  const lines = status.inFlight.map((f) => `  ${f.variantId} (${f.stage}): ${WHAT_FINISHES[f.stage] ?? 'its current step finishes'}`);
  return `${head} Still finishing:\n${lines.join('\n')}`;
}
