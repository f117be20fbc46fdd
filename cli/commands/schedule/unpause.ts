import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { describeSchedule, scheduleHandle, type ScheduleState } from './delete';

export default class ScheduleUnpause extends BaseCommand<typeof ScheduleUnpause> {
  static override summary = 'Resume a paused schedule.';
  static override description = 'The schedule starts runs again from its next due time (missed ones are not caught up beyond the catch-up window).';
  static override examples = ['<%= config.bin %> schedule unpause weekly-momentum'];
  static override args = { name: Args.string({ required: true, description: 'The schedule id.' }) };
  static override flags = {
    note: Flags.string({ summary: 'A note to leave on the schedule.', default: 'unpaused with quantcoder schedule unpause' }),
  };

  async run(): Promise<ScheduleState> {
    const handle = await scheduleHandle(await this.temporal(), this.args.name);
    await handle.unpause(this.flags.note);
    const state = await describeSchedule(handle);
    if (!this.jsonEnabled()) this.log(`Unpaused ${state.scheduleId}; next run ${state.nextRun ?? '—'}`);
    return state;
  }
}
