import { Args } from '@oclif/core';
import { BaseCommand } from '../../base';
import { renderStatus } from '../../evolution-view';
import { controlEvolution } from '../../run-control';
import { resumeUpdate, type EvolutionStatus } from '../../../workflows/evolution';

export default class EvolveResume extends BaseCommand<typeof EvolveResume> {
  static override summary = 'Resume a paused evolution run.';
  static override description = 'Sends the run a `resume` update and prints its status. Resuming a run that is not paused is refused with the reason.';
  static override examples = ['<%= config.bin %> evolve resume evolve-momentum', '<%= config.bin %> evolve resume evolve-momentum --json'];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };

  async run(): Promise<EvolutionStatus> {
    const status = await controlEvolution(await this.temporal(), this.args.id, 'resume', resumeUpdate);
    if (!this.jsonEnabled()) this.log(`Resumed ${this.args.id}.\n${renderStatus(status, [])}`);
    return status;
  }
}
