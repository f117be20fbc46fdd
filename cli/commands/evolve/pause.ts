import { Args } from '@oclif/core';
import { BaseCommand } from '../../base';
import { renderStatus } from '../../evolution-view';
import { controlEvolution } from '../../run-control';
import { pauseUpdate, type EvolutionStatus } from '../../../workflows/evolution';

export default class EvolvePause extends BaseCommand<typeof EvolvePause> {
  static override summary = 'Pause an evolution run: evaluations in flight finish, no new one starts.';
  static override description =
    'Sends the run a `pause` update and prints its status as the run reports it. The run stays open, holding its state, ' +
    'until `quantcoder evolve resume` (or `stop`). Pausing a paused or stopping run is refused with the reason.';
  static override examples = ['<%= config.bin %> evolve pause evolve-momentum', '<%= config.bin %> evolve pause evolve-momentum --json'];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };

  async run(): Promise<EvolutionStatus> {
    const status = await controlEvolution(await this.temporal(), this.args.id, 'pause', pauseUpdate);
    if (!this.jsonEnabled()) this.log(`Paused ${this.args.id}; evaluations in flight finish. Resume with: quantcoder evolve resume ${this.args.id}\n${renderStatus(status, [])}`);
    return status;
  }
}
