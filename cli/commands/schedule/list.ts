import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import type { ScheduleMemo } from './create';

export interface ScheduleRow {
  scheduleId: string;
  kind: string | null;
  workflowType: string | null;
  when: string | null;
  overlap: string | null;
  topic: string | null;
  paused: boolean;
  note: string | null;
  nextRun: string | null;
  lastRun: string | null;
  runs: number;
}

export default class ScheduleList extends BaseCommand<typeof ScheduleList> {
  static override summary = 'List schedules: what each starts, when, whether it is paused, its next and last run.';
  static override description =
    "Lists the namespace's Temporal Schedules (the server's list is eventually consistent: a schedule created a moment ago " +
    'may take a second to appear). QuantCoder schedules show their kind, interval and overlap policy; --all also lists ' +
    'schedules QuantCoder did not create.';
  static override examples = ['<%= config.bin %> schedule list', '<%= config.bin %> schedule list --json'];
  static override flags = {
    all: Flags.boolean({ summary: 'Also list schedules not created by QuantCoder.', default: false }),
  };

  async run(): Promise<{ schedules: ScheduleRow[] }> {
    const client = await this.temporal();
    const schedules: ScheduleRow[] = [];
    for await (const s of client.schedule.list()) {
      const memo = (s.memo as Partial<ScheduleMemo> | undefined)?.quantcoder;
      if (!memo && !this.flags.all) continue;
      const last = s.info.recentActions.at(-1);
      schedules.push({
        scheduleId: s.scheduleId,
        kind: memo?.kind ?? null,
        workflowType: s.action?.workflowType ?? null,
        when: memo?.when ?? null,
        overlap: memo?.overlap ?? null,
        topic: memo?.topic ?? null,
        paused: s.state.paused,
        note: s.state.note ?? null,
        nextRun: s.state.paused ? null : (s.info.nextActionTimes[0]?.toISOString() ?? null),
        lastRun: last ? last.takenAt.toISOString() : null,
        runs: s.info.recentActions.length,
      });
    }
    schedules.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
    if (!this.jsonEnabled()) {
      if (!schedules.length) this.log('No schedules. Create one with `quantcoder schedule create NAME --kind auto --query <topic> --every 7d`.');
      else
        this.log(
          table(
            schedules.map(({ paused, ...s }) => ({ ...s, state: paused ? `paused${s.note ? ` (${s.note})` : ''}` : 'active', nextRun: s.nextRun ?? '—', lastRun: s.lastRun ?? '—' })),
            [
              { key: 'scheduleId', header: 'Schedule' },
              { key: 'workflowType', header: 'Starts' },
              { key: 'topic', header: 'Topic', max: 30 },
              { key: 'when', header: 'When' },
              { key: 'overlap', header: 'Overlap' },
              { key: 'state', header: 'State', max: 40 },
              { key: 'nextRun', header: 'Next run' },
              { key: 'lastRun', header: 'Last run' },
            ],
          ),
        );
    }
    return { schedules };
  }
}
