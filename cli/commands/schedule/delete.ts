import { Args } from '@oclif/core';
import { ScheduleNotFoundError, type Client, type ScheduleHandle } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';

export interface ScheduleState {
  scheduleId: string;
  paused: boolean;
  note: string | null;
  nextRun: string | null;
}

/** A handle on an existing schedule, or a one-line error naming it. */
export async function scheduleHandle(client: Client, name: string): Promise<ScheduleHandle> {
  const handle = client.schedule.getHandle(name);
  try {
    await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UserError(`No schedule "${name}"; \`quantcoder schedule list\` lists them`);
    throw err;
  }
  return handle;
}

export async function describeSchedule(handle: ScheduleHandle): Promise<ScheduleState> {
  const d = await handle.describe();
  return { scheduleId: d.scheduleId, paused: d.state.paused, note: d.state.note ?? null, nextRun: d.state.paused ? null : (d.info.nextActionTimes[0]?.toISOString() ?? null) };
}

export default class ScheduleDelete extends BaseCommand<typeof ScheduleDelete> {
  static override summary = 'Delete a schedule.';
  static override description = 'Runs it already started are not affected; they finish (or can be cancelled with `runs cancel`).';
  static override examples = ['<%= config.bin %> schedule delete weekly-momentum'];
  static override args = { name: Args.string({ required: true, description: 'The schedule id.' }) };

  async run(): Promise<{ scheduleId: string; deleted: true }> {
    const handle = await scheduleHandle(await this.temporal(), this.args.name);
    await handle.delete();
    if (!this.jsonEnabled()) this.log(`Deleted schedule ${this.args.name}`);
    return { scheduleId: this.args.name, deleted: true };
  }
}
