import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { exportHeader, lineageOf, overfittingLines, type LineageStep } from '../../evolution-view';
import { evolutionView, readRunRecords } from '../../run-control';
import { specDrift, type SpecDrift } from '../../spec-drift';
import type { OverfittingReport } from '../../../domain/holdout';
import type { OverfittingVerdict } from '../../../domain/overfitting';
import type { StatisticsSummary } from '../../../domain/pipeline';
import { describeLearningStore, learningStoreLocation } from '../../../store/open';

export interface EvolveExportResult {
  id: string;
  variantId: string;
  generation: number;
  fitness: number;
  codeHash: string;
  statistics: StatisticsSummary;
  lineage: LineageStep[];
  /** How the exported program differs from its paper's specification (null for a hand-written baseline). */
  drift: SpecDrift | null;
  output: string;
  /** The exported program in sample (the statistics selection saw) and on the holdout (null without one). */
  inSample: StatisticsSummary;
  outOfSample: StatisticsSummary | null;
  deflatedSharpe: number | null;
  probabilisticSharpe: number | null;
  /** Programs the run scored: the trials the deflated Sharpe ratio accounts for (null before the run has ended). */
  trials: number | null;
  verdict: OverfittingVerdict | null;
  /** The full overfitting check, once the run has ended (null while it runs). */
  overfitting: OverfittingReport | null;
}

export default class EvolveExport extends BaseCommand<typeof EvolveExport> {
  static override summary = 'Write the best algorithm of an evolution run to a file, with its scores and lineage.';
  static override description =
    'The best variant comes from the run\'s elite while it runs, and from its result once it has ended. The file starts with ' +
    'a comment block: run id, variant id, generation, fitness, backtest statistics, and its lineage — each parent back to ' +
    'the baseline with its mutation and fitness, as recorded in the learning database. When the baseline was generated from a ' +
    "paper, the block also shows the program's drift from the paper's specification: which rules remain, which parameters " +
    'changed and to what. An existing file is kept unless ' +
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
    const store = learningStoreLocation(this.settings);
    const view = await evolutionView(await this.temporal(), this.args.id, store);
    const best = view.best;
    if (!best) throw new UserError(`${this.args.id} has no scored variant yet (status ${view.snapshot.status}); nothing to export`);
    const variants = view.variants ?? (await readRunRecords(store, this.args.id)).variants;
    const lineage = variants.length ? lineageOf(variants, best.variantId) : [];
    const drift = await specDrift(store, variants.find((v) => v.mutation === 'baseline')?.code, best.code);
    const driftBlock = drift ? [`#`, `# drift from the paper's specification (${drift.title}; ${drift.pipelineRunId}):`, ...drift.lines.map((l) => `#   ${l}`)] : [];
    // the check judges the run's best; it applies to the exported program only when that is the one judged
    const overfitting = view.snapshot.overfitting?.codeHash === best.codeHash ? view.snapshot.overfitting : null;
    const checkBlock = overfitting ? ['#', ...overfittingLines(overfitting).flatMap((l) => l.split('\n')).map((l) => `# ${l}`)] : [];
    const header = [exportHeader({ runId: this.args.id, variant: best, lineage, databaseFile: describeLearningStore(store), exportedAt: new Date() }), ...driftBlock, ...checkBlock].join('\n');
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, `${header}\n\n${best.code.replace(/\s*$/, '')}\n`);
    if (!this.jsonEnabled()) this.log(`Wrote ${best.variantId} (generation ${best.generation}, fitness ${best.fitness.toFixed(4)}) of ${this.args.id} to ${output}`);
    if (!this.jsonEnabled() && overfitting) this.log(overfittingLines(overfitting).join('\n'));
    return {
      id: this.args.id,
      variantId: best.variantId,
      generation: best.generation,
      fitness: best.fitness,
      codeHash: best.codeHash,
      statistics: best.statistics,
      lineage,
      drift,
      output,
      inSample: best.statistics,
      outOfSample: overfitting?.outOfSample ?? null,
      deflatedSharpe: overfitting?.deflatedSharpe ?? null,
      probabilisticSharpe: overfitting?.probabilisticSharpe ?? null,
      trials: overfitting?.trials ?? null,
      verdict: overfitting?.verdict ?? null,
      overfitting,
    };
  }
}
