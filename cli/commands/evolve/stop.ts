import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { renderSnapshot, renderStatus } from '../../evolution-view';
import { controlEvolution, evolutionView, type EvolutionSnapshot } from '../../run-control';
import { stopUpdate, type EvolutionStatus } from '../../../workflows/evolution';

export default class EvolveStop extends BaseCommand<typeof EvolveStop> {
  static override summary = 'Stop an evolution run after the evaluations in flight; its best variant stays exportable.';
  static override description =
    'Sends the run a `stop` update: it finishes the current generation\'s evaluations in flight, then ends with status ' +
    '"stopped" and its elite as the result. With --wait the command waits for that and prints the final status. A second ' +
    'stop is refused with the reason.';
  static override examples = ['<%= config.bin %> evolve stop evolve-momentum', '<%= config.bin %> evolve stop evolve-momentum --wait --json'];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };
  static override flags = {
    wait: Flags.boolean({ summary: 'Wait until the run has stopped and print its final status.', default: false }),
  };

  async run(): Promise<(EvolutionStatus & { stopRequested: true }) | EvolutionSnapshot> {
    const client = await this.temporal();
    const status = await controlEvolution(client, this.args.id, 'stop', stopUpdate);
    if (!this.flags.wait) {
      if (!this.jsonEnabled()) this.log(`Stop requested for ${this.args.id}: it ends once the evaluations in flight finish.\n${renderStatus(status, [])}`);
      return { ...status, stopRequested: true };
    }
    if (!this.jsonEnabled()) this.log(`Stop requested for ${this.args.id}; waiting for the evaluations in flight…`);
    await client.workflow.getHandle(this.args.id).result().catch(() => undefined);
    const { snapshot } = await evolutionView(client, this.args.id, this.settings.layout.database);
    if (!this.jsonEnabled()) this.log(renderSnapshot(snapshot));
    return snapshot;
  }
}
