import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import { RUN_STATES_HELP } from '../../run-states';
import { listRuns, RUN_STATUSES, visibilityQuery, type RunRow, type RunStatusFilter } from '../../run-control';

export const RUN_KINDS = ['pipeline', 'search', 'evolution', 'article', 'library', 'autonomous'] as const;

export default class RunsList extends BaseCommand<typeof RunsList> {
  static override summary = 'List QuantCoder runs, newest first, filtered by kind and status.';
  static override description =
    'Reads the Temporal visibility store with a query built from the flags (e.g. QuantCoderKind="pipeline" AND ' +
    'ExecutionStatus="Running"); the query is printed with --json. A run that continued as new is listed once.\n\n' +
    RUN_STATES_HELP;
  static override examples = [
    '<%= config.bin %> runs list',
    '<%= config.bin %> runs list --kind pipeline --status failed',
    '<%= config.bin %> runs list --kind evolution --status running --limit 5 --json',
  ];
  static override flags = {
    kind: Flags.string({ summary: 'Only runs of this kind.', options: [...RUN_KINDS] }),
    status: Flags.string({ summary: 'Only runs with this status.', options: [...RUN_STATUSES] }),
    limit: Flags.integer({ char: 'n', summary: 'How many runs to show.', default: 20, min: 1, max: 1000 }),
  };

  async run(): Promise<{ query: string; runs: RunRow[] }> {
    const query = visibilityQuery({ kind: this.flags.kind, status: this.flags.status as RunStatusFilter | undefined });
    const runs = await listRuns(await this.temporal(), query, this.flags.limit);
    if (!this.jsonEnabled()) {
      if (!runs.length) this.log(`No runs match ${query}.`);
      else
        this.log(
          table(
            runs.map((r) => ({ ...r, kind: r.kind ?? r.type, closeTime: r.closeTime ?? '' })),
            [
              { key: 'id', header: 'Run' },
              { key: 'kind', header: 'Kind' },
              { key: 'status', header: 'Status' },
              { key: 'startTime', header: 'Started' },
              { key: 'closeTime', header: 'Closed' },
              { key: 'topic', header: 'Topic', max: 40 },
            ],
          ),
        );
    }
    return { query, runs };
  }
}
