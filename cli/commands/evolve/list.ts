import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import { runStatus } from '../../evolution-view';
import { listRuns, visibilityQuery, type RunRow } from '../../run-control';
import type { EvolutionResult } from '../../../workflows/evolution';

interface EvolutionRow {
  id: string;
  status: string;
  generation: number | null;
  bestFitness: number | null;
  startTime: string;
  closeTime: string | null;
}

export default class EvolveList extends BaseCommand<typeof EvolveList> {
  static override summary = 'List evolution runs: status, generation, best fitness, start time.';
  static override description =
    'Reads the Temporal visibility store (runs carry QuantCoderKind="evolution", and their generation and best fitness as ' +
    'search attributes, updated every generation). A run that continued as new is shown once, as its latest execution.';
  static override examples = ['<%= config.bin %> evolve list', '<%= config.bin %> evolve list --limit 5 --json'];
  static override flags = {
    limit: Flags.integer({ char: 'n', summary: 'How many runs to show, newest first.', default: 20, min: 1, max: 1000 }),
  };

  async run(): Promise<{ runs: EvolutionRow[] }> {
    const client = await this.temporal();
    const found = await listRuns(client, visibilityQuery({ kind: 'evolution' }), this.flags.limit);
    const runs = await Promise.all(found.map((r) => this.row(r)));
    if (!this.jsonEnabled()) {
      if (!runs.length) this.log('No evolution runs yet. Start one with `quantcoder evolve start <file.py>`.');
      else
        this.log(
          table(
            runs.map((r) => ({ ...r, bestFitness: r.bestFitness?.toFixed(4) ?? '—', generation: r.generation ?? '—' })),
            [
              { key: 'id', header: 'Run' },
              { key: 'status', header: 'Status' },
              { key: 'generation', header: 'Gen' },
              { key: 'bestFitness', header: 'Best fitness' },
              { key: 'startTime', header: 'Started' },
            ],
          ),
        );
    }
    return { runs };
  }

  /** A completed run's result says whether it was stopped by hand; Temporal's status alone does not. */
  private async row(r: RunRow): Promise<EvolutionRow> {
    const execution = r.status.toUpperCase();
    let own: EvolutionResult['status'] | undefined;
    if (execution === 'COMPLETED') {
      const client = await this.temporal();
      own = await (client.workflow.getHandle(r.id).result() as Promise<EvolutionResult>).then((res) => res.status).catch(() => undefined);
    }
    return { id: r.id, status: runStatus(execution, own), generation: r.generation, bestFitness: r.bestFitness, startTime: r.startTime, closeTime: r.closeTime };
  }
}
