import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { exportHeader, lineageOf, type LineageStep } from '../../evolution-view';
import { evolutionView, readRunRecords } from '../../run-control';
import type { StatisticsSummary } from '../../../domain/pipeline';

export interface EvolveExportResult {
  id: string;
  variantId: string;
  generation: number;
  fitness: number;
  codeHash: string;
  statistics: StatisticsSummary;
  lineage: LineageStep[];
  output: string;
}

export default class EvolveExport extends BaseCommand<typeof EvolveExport> {
  static override summary = 'Write the best algorithm of an evolution run to a file, with its scores and lineage.';
  static override description =
    'The best variant comes from the run\'s elite while it runs, and from its result once it has ended. The file starts with ' +
    'a comment block: run id, variant id, generation, fitness, backtest statistics, and its lineage — each parent back to ' +
    'the baseline with its mutation and fitness, as recorded in the learning database. An existing file is kept unless ' +
    '--force.';
  static override examples = [
    '<%= config.bin %> evolve export evolve-momentum',
    '<%= config.bin %> evolve export evolve-momentum --output momentum/main.py --force',
    '<%= config.bin %> evolve export evolve-momentum --json | jq .lineage',
  ];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Where to write the algorithm (default ./<id>-best.py).' }),
    force: Flags.boolean({ char: 'f', summary: 'Overwrite the output file if it exists.', default: false }),
  };

  async run(): Promise<EvolveExportResult> {
    const output = path.resolve(this.flags.output ?? `${this.args.id}-best.py`);
    if (fs.existsSync(output) && !this.flags.force) throw new UserError(`${output} exists; pass --force to overwrite it, or choose another --output`);
    const { database } = this.settings.layout;
    const view = await evolutionView(await this.temporal(), this.args.id, database);
    const best = view.best;
    if (!best) throw new UserError(`${this.args.id} has no scored variant yet (status ${view.snapshot.status}); nothing to export`);
    const variants = view.variants ?? (await readRunRecords(database, this.args.id)).variants;
    const lineage = variants.length ? lineageOf(variants, best.variantId) : [];
    const header = exportHeader({ runId: this.args.id, variant: best, lineage, databaseFile: database, exportedAt: new Date() });
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, `${header}\n\n${best.code.replace(/\s*$/, '')}\n`);
    if (!this.jsonEnabled()) this.log(`Wrote ${best.variantId} (generation ${best.generation}, fitness ${best.fitness.toFixed(4)}) of ${this.args.id} to ${output}`);
    return { id: this.args.id, variantId: best.variantId, generation: best.generation, fitness: best.fitness, codeHash: best.codeHash, statistics: best.statistics, lineage, output };
  }
}
