import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { renderStatus } from '../../evolution-view';
import { describeRun } from '../../run-control';
import { periodOf, validatePeriod } from '../../../domain/backtest-period';
import { DEFAULT_HOLDOUT_FRACTION, MIN_FOLD_TRADING_DAYS, splitPeriod, walkForwardWindows, type PeriodSplit } from '../../../domain/holdout';
import { VERDICT_HELP } from '../../../domain/overfitting';
import { slugify } from '../../../domain/ids';
import type { PipelineResult } from '../../../domain/pipeline';
import { runSettings, WORKFLOW_TASK_TIMEOUT } from '../../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../../domain/search-attributes';
import { DEFAULT_EVOLUTION, evolutionStatusQuery, historyQuery, type EvolutionInput, type EvolutionResult } from '../../../workflows/evolution';

export default class EvolveStart extends BaseCommand<typeof EvolveStart> {
  static override summary = 'Start an evolution run that improves an algorithm over generations.';
  static override description =
    'Generation 0 backtests the baseline; each generation proposes --variants children of the elite (mutations as targeted ' +
    'edits, and crossovers), evaluates each through syntax → lint → compile → backtest (all proposed at once; at most --concurrency compiling and at most ' +
    '--concurrency backtesting, a compiled child taking the first backtest slot that frees), ' +
    'and keeps the --elite fittest. A program already backtested (same code, comments and spacing aside) is never backtested ' +
    'again, in this run or any earlier one. The run is a durable workflow `evolve-NAME`: it survives worker and server ' +
    'restarts, and `evolve pause|resume|stop|status` control and watch it.\n\n' +
    'Guarding against overfitting: the backtest period (--start/--end, or the dates the baseline sets) splits into an ' +
    'in-sample part, on which fitness and selection are computed, and a holdout selection never sees (the last --holdout ' +
    'share of it, or from --holdout-start; --holdout 0 turns it off). When the run ends, its elite is backtested on the ' +
    'holdout, and the best is judged with the probabilistic and deflated Sharpe ratios (trials: the programs the run scored) ' +
    'and a verdict; skewness, kurtosis and the number of daily returns come from its equity chart (normal returns are assumed, ' +
    'and said, only when the chart cannot be read). With --folds K the final elite also goes through an anchored walk-forward ' +
    'over K + 1 equal windows of the whole period (the train window grows from the start, each test window follows it). ' +
    'Verdict thresholds: ' +
    VERDICT_HELP;
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
    concurrency: Flags.integer({ summary: 'Compiles in flight at once, and backtests in flight at once.', default: DEFAULT_EVOLUTION.concurrency, min: 1, max: 32 }),
    islands: Flags.integer({ summary: 'Populations evolving apart, exchanging their best every few generations.', default: 1, min: 1, max: 8 }),
    'max-backtests': Flags.integer({ summary: 'Stop when this many backtests were run.', min: 1 }),
    'max-tokens': Flags.integer({ summary: 'Stop when this many LLM tokens were used.', min: 1 }),
    'target-fitness': Flags.string({ summary: 'Stop once the best fitness reaches this value.' }),
    'edit-format': Flags.string({ summary: 'How mutations are requested.', options: ['search-replace', 'full'], default: 'search-replace' }),
    family: Flags.string({ summary: 'Strategy family, for learning (momentum, mean_reversion, …).' }),
    start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD).' }),
    end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD).' }),
    holdout: Flags.string({
      summary: `Share of the backtest period held out of selection and backtested when the run ends (default ${DEFAULT_HOLDOUT_FRACTION}; 0 turns it off).`,
    }),
    'holdout-start': Flags.string({ summary: 'First day of the holdout (YYYY-MM-DD), instead of a share of the period.' }),
    folds: Flags.integer({
      summary: `Anchored walk-forward of the final elite over this many folds of the whole period (at least 2; each window at least ${MIN_FOLD_TRADING_DAYS} trading days).`,
    }),
    detach: Flags.boolean({ summary: 'Start and return the run id without waiting.', default: false }),
    restart: Flags.boolean({
      summary: 'Start NAME again although an earlier run of that name has ended: the new run replaces its lineage, with QuantConnect projects and backtests of its own.',
      default: false,
    }),
    'keep-projects': Flags.boolean({ summary: 'Keep the run\'s QuantConnect projects when it ends (by default they are deleted).', default: false }),
    seed: Flags.integer({
      summary: 'Seed the run\'s choices of parents and mutations (drawn and shown when not given): runs with the same seed choose alike.',
      min: 0,
      max: 2 ** 32 - 1,
    }),
  };

  async run(): Promise<EvolutionResult | { id: string; detached: true; webUi: string; seed: number }> {
    const client = await this.temporal();
    validatePeriod(this.flags.start, this.flags.end);
    const { baseline, label } = await this.baseline(client);
    const target = this.flags['target-fitness'] === undefined ? undefined : Number(this.flags['target-fitness']);
    if (target !== undefined && !Number.isFinite(target)) throw new UserError('--target-fitness must be a number');
    const { split, why } = this.split(baseline);
    const folds = this.folds(baseline, split);
    // drawn when not given, and shown: any run's choices can be made again with --seed
    const seed = this.flags.seed ?? randomInt(2 ** 32);
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
        start: split ? split.inSample.start : this.flags.start,
        end: split ? split.inSample.end : this.flags.end,
        ...(split ? { holdout: split.outOfSample } : {}),
        ...(folds ? { folds } : {}),
        keepProjects: this.flags['keep-projects'],
        seed,
      },
      restart: this.flags.restart,
    };
    await this.requireWorker();
    try {
      await client.workflow.start('evolutionRun', {
        taskQueue: this.taskQueue,
        workflowId: id,
        args: [input],
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
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
    if (!this.jsonEnabled()) {
      this.log(
        split
          ? `In sample ${split.inSample.start} to ${split.inSample.end} (fitness and selection); holdout ${split.outOfSample.start} to ${split.outOfSample.end} (backtested for the elite when the run ends).`
          : `Holdout off (${why}): selection and the final statistics use the whole backtest period; nothing is tested out of sample.`,
      );
    }
    if (!this.jsonEnabled()) this.log(`Seed ${seed} (--seed ${seed} makes the same choices of parents and mutations again).`);
    if (this.flags.detach) {
      if (!this.jsonEnabled()) this.log(`Started ${id}\nWatch it: quantcoder evolve status ${id} --watch\nWeb UI:   ${webUi}`);
      return { id, detached: true, webUi, seed };
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

  /** The number of walk-forward folds, checked against the whole backtest period (undefined when not asked). */
  private folds(baseline: string, split: PeriodSplit | null): number | undefined {
    const folds = this.flags.folds;
    if (folds === undefined) return undefined;
    const own = periodOf(baseline);
    const start = split?.inSample.start ?? this.flags.start ?? own.start ?? undefined;
    const end = split?.outOfSample.end ?? this.flags.end ?? own.end ?? undefined;
    if (!start || !end) throw new UserError('A walk-forward needs the backtest period: pass --start and --end (the baseline does not set both dates)');
    walkForwardWindows({ start, end }, folds);
    return folds;
  }

  /** The in-sample / holdout split of the backtest period, or null when the holdout is off. */
  private split(baseline: string): { split: PeriodSplit | null; why: string | null } {
    const fraction = Number(this.flags.holdout ?? DEFAULT_HOLDOUT_FRACTION);
    if (!Number.isFinite(fraction)) throw new UserError(`--holdout ${this.flags.holdout} is not a number; give the share held out, 0 to 0.9 (0 turns the holdout off)`);
    const holdoutStart = this.flags['holdout-start'];
    if (fraction === 0 && holdoutStart === undefined) return { split: null, why: 'asked with --holdout 0' };
    const own = periodOf(baseline);
    const start = this.flags.start ?? own.start ?? undefined;
    const end = this.flags.end ?? own.end ?? undefined;
    if (!start || !end) {
      // the default holdout needs a known period; one asked for explicitly is refused without it
      if (this.flags.holdout === undefined && holdoutStart === undefined) return { split: null, why: 'the backtest period is unknown: pass --start and --end to hold part of it out' };
      throw new UserError('A holdout needs the backtest period: pass --start and --end (the baseline does not set both dates), or --holdout 0 to evolve without one');
    }
    return { split: splitPeriod({ start, end, fraction, holdoutStart }), why: null };
  }

  private async baseline(client: Awaited<ReturnType<BaseCommand<typeof EvolveStart>['temporal']>>): Promise<{ baseline: string; label: string }> {
    if (this.flags['from-run']) {
      const { handle, description } = await describeRun(client, this.flags['from-run']);
      if (description.type !== 'researchPipeline') throw new UserError(`${this.flags['from-run']} is a ${description.type} run; --from-run takes a pipeline run (\`quantcoder runs list --kind pipeline\`)`);
      const result = (await handle.result()) as PipelineResult;
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
