import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { renderReportHtml } from '../../evolution-view';
import { evolutionView } from '../../run-control';
import { specDrift } from '../../spec-drift';
import { learningStoreLocation } from '../../../store/open';

export default class EvolveReport extends BaseCommand<typeof EvolveReport> {
  static override summary = 'Write a self-contained HTML report of an evolution run: fitness chart, lineage, best code.';
  static override description =
    'One HTML file with inline CSS and an inline SVG chart (no scripts, nothing fetched, so it opens offline and can be ' +
    'mailed): a summary, best and mean fitness per generation, every variant recorded in the learning database (generation, ' +
    'parents, mutation, status, fitness, Sharpe, drawdown, first line of its error), and the best code.';
  static override examples = [
    '<%= config.bin %> evolve report evolve-momentum',
    '<%= config.bin %> evolve report evolve-momentum --output reports/momentum.html',
  ];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Where to write the report (default ./<id>-report.html); an existing file is replaced.' }),
  };

  async run(): Promise<{ id: string; output: string; variants: number; generations: number; status: string }> {
    const output = path.resolve(this.flags.output ?? `${this.args.id}-report.html`);
    const view = await evolutionView(await this.temporal(), this.args.id, learningStoreLocation(this.settings), { withVariants: true });
    const variants = view.variants ?? [];
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const drift = view.best ? await specDrift(learningStoreLocation(this.settings), variants.find((v) => v.mutation === 'baseline')?.code, view.best.code) : null;
    fs.writeFileSync(output, renderReportHtml({ snapshot: view.snapshot, best: view.best, variants, generatedAt: new Date(), drift }));
    if (!this.jsonEnabled()) this.log(output);
    return { id: this.args.id, output, variants: variants.length, generations: view.snapshot.history.length, status: view.snapshot.status };
  }
}
