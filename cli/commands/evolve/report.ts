import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { Client } from '@temporalio/client';
import { fitness, type FitnessWeights } from '../../../domain/evolution';
import type { EvolutionInput } from '../../../workflows/evolution';
import { BaseCommand } from '../../base';
import { foldFitness, renderReportHtml, type OutOfSampleFitness } from '../../evolution-view';
import { evolutionView } from '../../run-control';
import { specDrift } from '../../spec-drift';
import { learningStoreLocation } from '../../../store/open';

export default class EvolveReport extends BaseCommand<typeof EvolveReport> {
  static override summary = 'Write a self-contained HTML report of an evolution run: fitness chart, in-sample/out-of-sample check, lineage, best code.';
  static override description =
    'One HTML file with inline CSS and inline SVG charts (no scripts, nothing fetched, so it opens offline and can be ' +
    'mailed): a summary, best and mean fitness per generation, the best program in sample and out of sample side by side ' +
    'with the verdict, deflated and probabilistic Sharpe ratios and the number of trials, its equity curves on both parts ' +
    '(when the run recorded them) and its out-of-sample fitness beside the in-sample fitness per generation, every variant ' +
    'recorded in the learning database (generation, parents, mutation, status, fitness, Sharpe, drawdown, first line of its ' +
    'error), and the best code.';
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
    const weights = view.snapshot.overfitting ? await runFitnessWeights(await this.temporal(), this.args.id) : null;
    const oos = outOfSampleFitness(view.snapshot, weights);
    const folds = weights ? foldFitness(view.snapshot.overfitting, weights) : [];
    fs.writeFileSync(output, renderReportHtml({ snapshot: view.snapshot, best: view.best, variants, generatedAt: new Date(), drift, outOfSampleFitness: oos.point, outOfSampleFitnessNote: oos.note, folds }));
    if (!this.jsonEnabled()) this.log(output);
    return { id: this.args.id, output, variants: variants.length, generations: view.snapshot.history.length, status: view.snapshot.status };
  }
}

/**
 * The final best's fitness on the holdout, under the fitness weights the run was started with
 * (read from the start event of its current execution, which carries the run's input).
 */
function outOfSampleFitness(
  snapshot: { generation: number; overfitting: { variantId: string; outOfSample: Parameters<typeof fitness>[0] | null; outOfSampleNote: string | null } | null },
  weights: FitnessWeights | null,
): { point: OutOfSampleFitness | null; note: string | null } {
  const o = snapshot.overfitting;
  if (!o) return { point: null, note: 'the run has not been judged out of sample yet (that happens when it ends)' };
  if (!o.outOfSample) return { point: null, note: o.outOfSampleNote ?? 'the best program has no out-of-sample result' };
  if (!weights) return { point: null, note: "the run's fitness weights could not be read from its history" };
  return { point: { variantId: o.variantId, generation: snapshot.generation, fitness: fitness(o.outOfSample, weights) }, note: null };
}

async function runFitnessWeights(client: Client, id: string): Promise<FitnessWeights | null> {
  const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId: id }, maximumPageSize: 1 });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return null;
  const input = client.options.loadedDataConverter.payloadConverter.fromPayload<EvolutionInput>(payload as Parameters<typeof client.options.loadedDataConverter.payloadConverter.fromPayload>[0]);
  return input?.config?.fitness ?? null;
}
