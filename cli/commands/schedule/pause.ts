import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { describeSchedule, scheduleHandle, type ScheduleState } from './delete';

export default class SchedulePause extends BaseCommand<typeof SchedulePause> {
  static override summary = 'Pause a schedule: it starts no run until `schedule unpause`.';
  static override description = 'Runs already started go on; the note is shown by `schedule list` and in the Web UI.';
  static override examples = ['<%= config.bin %> schedule pause weekly-momentum', '<%= config.bin %> schedule pause weekly-momentum --note "QuantConnect quota used up"'];
  static override args = { name: Args.string({ required: true, description: 'The schedule id.' }) };
  static override flags = {
    note: Flags.string({ summary: 'Why it is paused.', default: 'paused with quantcoder schedule pause' }),
  };

  async run(): Promise<ScheduleState> {
    const handle = await scheduleHandle(await this.temporal(), this.args.name);
    await handle.pause(this.flags.note);
    const state = await describeSchedule(handle);
    if (!this.jsonEnabled()) this.log(`Paused ${state.scheduleId} (${state.note ?? ''})`);
    return state;
  }
}
