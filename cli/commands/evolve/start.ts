import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { renderStatus } from '../../evolution-view';
import { parseIsoDate } from '../../../domain/backtest-period';
import { slugify } from '../../../domain/ids';
import type { PipelineResult } from '../../../domain/pipeline';
import { runSettings } from '../../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../../domain/search-attributes';
import { DEFAULT_EVOLUTION, evolutionStatusQuery, historyQuery, type EvolutionInput, type EvolutionResult } from '../../../workflows/evolution';

export default class EvolveStart extends BaseCommand<typeof EvolveStart> {
  static override summary = 'Start an evolution run that improves an algorithm over generations.';
  static override description =
    'Generation 0 backtests the baseline; each generation proposes --variants children of the elite (mutations as targeted ' +
    'edits, and crossovers), evaluates each through syntax → lint → compile → backtest with at most --concurrency in flight, ' +
    'and keeps the --elite fittest. A program already backtested (same code, comments and spacing aside) is never backtested ' +
    'again, in this run or any earlier one. The run is a durable workflow `evolve-NAME`: it survives worker and server ' +
    'restarts, and `evolve pause|resume|stop|status` control and watch it.';
  static override examples = [
    '<%= config.bin %> evolve start generated/pipeline-momentum-1a2b3c4/a1/main.py --name momentum --generations 10',
    '<%= config.bin %> evolve start --from-run pipeline-momentum-1a2b3c4 --variants 8 --concurrency 4 --detach',
    '<%= config.bin %> evolve start algo.py --name algo --max-backtests 40 --max-tokens 200000 --islands 2 --sandbox',
  ];
  static override args = { file: Args.string({ required: false, description: 'The baseline algorithm (a LEAN main.py).' }) };
  static override flags = {
    'from-run': Flags.string({ summary: 'Use the first algorithm of this pipeline run as the baseline.', exclusive: ['file'] }),
    name: Flags.string({ summary: 'Run name; the run id is evolve-NAME.' }),
    generations: Flags.integer({ summary: 'Generations after the baseline.', default: DEFAULT_EVOLUTION.generations, min: 1, max: 1000 }),
    variants: Flags.integer({ summary: 'Children per generation (per island).', default: DEFAULT_EVOLUTION.variants, min: 1, max: 50 }),
    elite: Flags.integer({ summary: 'Survivors kept per island.', default: DEFAULT_EVOLUTION.elite, min: 1, max: 20 }),
    patience: Flags.integer({ summary: 'Stop after this many generations without improvement.', default: DEFAULT_EVOLUTION.patience, min: 1 }),
    concurrency: Flags.integer({ summary: 'Evaluations (compile + backtest) in flight at once.', default: DEFAULT_EVOLUTION.concurrency, min: 1, max: 32 }),
    islands: Flags.integer({ summary: 'Populations evolving apart, exchanging their best every few generations.', default: 1, min: 1, max: 8 }),
    'max-backtests': Flags.integer({ summary: 'Stop when this many backtests were run.', min: 1 }),
    'max-tokens': Flags.integer({ summary: 'Stop when this many LLM tokens were used.', min: 1 }),
    'target-fitness': Flags.string({ summary: 'Stop once the best fitness reaches this value.' }),
    'edit-format': Flags.string({ summary: 'How mutations are requested.', options: ['search-replace', 'full'], default: 'search-replace' }),
    family: Flags.string({ summary: 'Strategy family, for learning (momentum, mean_reversion, …).' }),
    start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD).' }),
    end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD).' }),
    detach: Flags.boolean({ summary: 'Start and return the run id without waiting.', default: false }),
    restart: Flags.boolean({
      summary: 'Start NAME again although an earlier run of that name has ended: the new run replaces its lineage, with QuantConnect projects and backtests of its own.',
      default: false,
    }),
    'keep-projects': Flags.boolean({ summary: 'Keep the run\'s QuantConnect projects when it ends (by default they are deleted).', default: false }),
  };

  async run(): Promise<EvolutionResult | { id: string; detached: true; webUi: string }> {
    const client = await this.temporal();
    const { baseline, label } = await this.baseline(client);
    for (const which of ['start', 'end'] as const) {
      const v = this.flags[which];
      if (v && !parseIsoDate(v)) throw new UserError(`--${which} ${v} is not a date; use YYYY-MM-DD`);
    }
    const target = this.flags['target-fitness'] === undefined ? undefined : Number(this.flags['target-fitness']);
    if (target !== undefined && !Number.isFinite(target)) throw new UserError('--target-fitness must be a number');
    const name = slugify(this.flags.name ?? label, 48);
    const id = `evolve-${name}`;
    const input: EvolutionInput = {
      name,
      baseline,
      family: this.flags.family,
      settings: runSettings(this.settings.config),
      config: {
        ...DEFAULT_EVOLUTION,
        generations: this.flags.generations,
        variants: this.flags.variants,
        elite: this.flags.elite,
        patience: this.flags.patience,
        concurrency: this.flags.concurrency,
        islands: this.flags.islands,
        editFormat: this.flags['edit-format'] as 'search-replace' | 'full',
        targetFitness: target,
        budget: { maxBacktests: this.flags['max-backtests'], maxTokens: this.flags['max-tokens'] },
        start: this.flags.start,
        end: this.flags.end,
        keepProjects: this.flags['keep-projects'],
      },
      restart: this.flags.restart,
    };
    await this.requireWorker();
    try {
      await client.workflow.start('evolutionRun', {
        taskQueue: this.taskQueue,
        workflowId: id,
        args: [input],
        // a closed run of this name is replaced only when asked (--restart), never silently
        workflowIdReusePolicy: this.flags.restart ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: RUN_KIND, value: 'evolution' },
          { key: RUN_TOPIC, value: name },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const earlier = await client.workflow.getHandle(id).describe().catch(() => null);
        if (earlier && earlier.status.name !== 'RUNNING') {
          throw new UserError(
            `${id} already ran (${earlier.status.name.toLowerCase()}); its results stay under that id (quantcoder evolve report ${id}). ` +
              `Start it again from scratch with --restart (the new run replaces its lineage and uses QuantConnect projects of its own), or pick another --name`,
          );
        }
        throw new UserError(`${id} is already running: watch it with \`quantcoder evolve status ${id} --watch\`, or pick another --name`);
      }
      throw err;
    }
    const webUi = this.webUiLink(id);
    if (this.flags.detach) {
      if (!this.jsonEnabled()) this.log(`Started ${id}\nWatch it: quantcoder evolve status ${id} --watch\nWeb UI:   ${webUi}`);
      return { id, detached: true, webUi };
    }
    if (!this.jsonEnabled()) this.log(`Evolving ${id} (${webUi}); Ctrl-C detaches, the run goes on.`);
    let last = '';
    const showProgress = async () => {
      try {
        const h = client.workflow.getHandle(id);
        const view = renderStatus(await h.query(evolutionStatusQuery), await h.query(historyQuery));
        const head = view.split('\n').slice(0, 2).join('\n');
        if (head !== last && !this.jsonEnabled()) this.log(head);
        last = head;
      } catch {
        // between executions (continue-as-new) a query may fail; the next tick shows the new state
      }
    };
    const timer = setInterval(() => void showProgress(), 2000);
    try {
      const result = (await client.workflow.getHandle(id).result()) as EvolutionResult;
      if (!this.jsonEnabled()) this.log(`\nDone: ${result.reason}. Best fitness ${result.best?.fitness.toFixed(4) ?? '—'} (${result.best?.variantId ?? 'none'}). Export it with: quantcoder evolve export ${id}`);
      return result;
    } finally {
      clearInterval(timer);
    }
  }

  private async baseline(client: Awaited<ReturnType<BaseCommand<typeof EvolveStart>['temporal']>>): Promise<{ baseline: string; label: string }> {
    if (this.flags['from-run']) {
      const result = (await client.workflow.getHandle(this.flags['from-run']).result()) as PipelineResult;
      const article = result.articles.find((a) => a.algorithmPath);
      if (!article?.algorithmPath) throw new UserError(`Run ${this.flags['from-run']} produced no algorithm to evolve`);
      return { baseline: fs.readFileSync(article.algorithmPath, 'utf8'), label: article.title };
    }
    if (!this.args.file) throw new UserError('Give a baseline algorithm file, or --from-run <pipeline run id>');
    const file = path.resolve(this.args.file);
    if (!fs.existsSync(file)) throw new UserError(`No file at ${file}`);
    return { baseline: fs.readFileSync(file, 'utf8'), label: path.basename(path.dirname(file)) === '.' ? path.basename(file, '.py') : `${path.basename(path.dirname(file))}-${path.basename(file, '.py')}` };
  }
}
