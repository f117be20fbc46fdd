import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { describeRun, isOpen } from '../../run-control';

export default class RunsCancel extends BaseCommand<typeof RunsCancel> {
  static override summary = 'Cancel a running run; its activities in flight are cancelled too.';
  static override description =
    'Requests cancellation of the run\'s workflow; Temporal delivers it at the workflow\'s next step, and activities in ' +
    'flight are told to stop. With --wait the command waits for the run to close and prints its final status. To stop an ' +
    'evolution run keeping its best variant as a result, prefer `quantcoder evolve stop`.';
  static override examples = ['<%= config.bin %> runs cancel pipeline-momentum-1a2b3c4', '<%= config.bin %> runs cancel pipeline-momentum-1a2b3c4 --wait --json'];
  static override args = { id: Args.string({ required: true, description: 'The run (workflow) id.' }) };
  static override flags = {
    wait: Flags.boolean({ summary: 'Wait until the run has closed and print its final status.', default: false }),
  };

  async run(): Promise<{ id: string; type: string; cancelRequested: true; status: string }> {
    const { handle, description } = await describeRun(await this.temporal(), this.args.id);
    if (!isOpen(description.status.name)) throw new UserError(`${this.args.id} has already ended (${description.status.name.toLowerCase()}); there is nothing to cancel`);
    await handle.cancel();
    let status = 'running';
    if (this.flags.wait) {
      await handle.result().catch(() => undefined);
      status = (await handle.describe()).status.name.toLowerCase();
    }
    if (!this.jsonEnabled()) {
      this.log(this.flags.wait ? `Cancelled ${this.args.id}: it is now ${status}.` : `Cancellation requested for ${this.args.id}; it stops at its next step. Check it with: quantcoder runs show ${this.args.id}`);
    }
    return { id: this.args.id, type: description.type, cancelRequested: true, status };
  }
}
