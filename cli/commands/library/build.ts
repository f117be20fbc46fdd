import { Args, Flags } from '@oclif/core';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { followWorkflow } from '../../follow';
import { table } from '../../format';
import { loadTaxonomy } from '../../../config/taxonomy';
import { validatePeriod } from '../../../domain/backtest-period';
import { splitPeriod, type PeriodSplit } from '../../../domain/holdout';
import { slugify } from '../../../domain/ids';
import { LIBRARY_DEFAULTS, type CategoryStatus, type LibraryInput, type LibraryResult, type LibraryStatus } from '../../../domain/library';
import { runSettings, WORKFLOW_TASK_TIMEOUT } from '../../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../../domain/search-attributes';
import { selectCategories } from '../../../domain/taxonomy';
import type { Settings } from '../../../config/settings';
import { libraryStatusQuery } from '../../../workflows/library';

const number = (name: string, check: (n: number) => boolean, what: string) =>
  Flags.custom<number>({
    parse: async (text) => {
      const n = Number(text);
      if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be ${what} (got "${text}")`);
      return n;
    },
  });

/** Flags a library build and a scheduled one share. */
export const LIBRARY_FLAGS = {
  categories: Flags.string({ summary: 'Only these categories (comma-separated ids, e.g. momentum,mean_reversion).' }),
  'per-category': Flags.integer({ summary: 'Accepted strategies to reach in every category (overrides the taxonomy targets).', min: 1, max: 1000 }),
  taxonomy: Flags.string({ summary: 'A JSON file overriding the taxonomy (categories, targets, queries, priorities); default $QUANTCODER_HOME/taxonomy.json if present.' }),
  'min-sharpe': number('min-sharpe', () => true, 'a number')({
    summary: 'Accept a strategy when its Sharpe ratio reaches this: the out-of-sample Sharpe ratio when --holdout is used, else the backtest\'s.',
    default: LIBRARY_DEFAULTS.minSharpe,
  }),
  'articles-per-run': Flags.integer({ summary: 'Papers each child research pipeline processes.', default: LIBRARY_DEFAULTS.articlesPerRun, min: 1, max: 10 }),
  concurrency: Flags.integer({ summary: 'Child pipelines in flight at once (at most one per category).', default: LIBRARY_DEFAULTS.concurrency, min: 1, max: 20 }),
  'max-rounds': Flags.integer({ summary: "Times a category may go through its queries looking for new papers.", default: LIBRARY_DEFAULTS.maxRounds, min: 1, max: 50 }),
  'max-minutes': number('max-minutes', (n) => n > 0, 'a positive number')({ summary: 'Stop starting child runs after this many minutes.' }),
  'max-tokens': Flags.integer({ summary: 'Stop starting child runs once this many LLM tokens were used.', min: 1 }),
  'polish-generations': Flags.integer({ summary: 'Improve each accepted strategy with a short evolution run of this many generations (0: off).', default: 0, min: 0, max: 20 }),
  reprocess: Flags.boolean({ summary: 'Process papers again that earlier runs already processed.', default: false }),
  source: Flags.string({ summary: 'Where to search for papers.', options: ['crossref', 'arxiv'], default: 'crossref' }),
  'max-attempts': Flags.integer({ summary: 'Generate-and-repair attempts per paper.', default: LIBRARY_DEFAULTS.maxAttempts, min: 1, max: 20 }),
  start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD).' }),
  end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD).' }),
  holdout: Flags.string({
    summary: 'Share of the --start..--end period held out (0 or absent: none): each strategy is generated and backtested on the rest, then backtested once on the holdout, and --min-sharpe judges the out-of-sample Sharpe ratio.',
  }),
  'holdout-start': Flags.string({ summary: 'First day of the holdout (YYYY-MM-DD), instead of a share of the period.' }),
};

export interface LibraryFlagValues {
  categories?: string;
  'per-category'?: number;
  taxonomy?: string;
  'min-sharpe': number;
  'articles-per-run': number;
  concurrency: number;
  'max-rounds': number;
  'max-minutes'?: number;
  'max-tokens'?: number;
  'polish-generations': number;
  reprocess: boolean;
  source: string;
  'max-attempts': number;
  start?: string;
  end?: string;
  holdout?: string;
  'holdout-start'?: string;
}

export function checkPeriod(flags: { start?: string; end?: string }): void {
  validatePeriod(flags.start, flags.end);
}

/** The workflow input of a library build from the command line (taxonomy file, selection, limits). */
export function libraryInputFromFlags(name: string, flags: LibraryFlagValues, settings: Settings): LibraryInput {
  checkPeriod(flags);
  const split = holdoutSplit(flags);
  const taxonomy = loadTaxonomy(flags.taxonomy, settings.layout.home);
  const ids = flags.categories?.split(',').map((s) => s.trim()).filter(Boolean);
  const categories = selectCategories(taxonomy.categories, ids, flags['per-category']);
  if (!categories.length) throw new UserError('No category to build');
  return {
    name,
    categories,
    minSharpe: flags['min-sharpe'],
    articlesPerRun: flags['articles-per-run'],
    concurrency: flags.concurrency,
    maxRounds: flags['max-rounds'],
    budget: { maxMinutes: flags['max-minutes'], maxTokens: flags['max-tokens'] },
    polishGenerations: flags['polish-generations'],
    reprocess: flags.reprocess,
    source: flags.source as 'crossref' | 'arxiv',
    maxAttempts: flags['max-attempts'],
    start: split?.inSample.start ?? flags.start,
    end: split?.inSample.end ?? flags.end,
    ...(split ? { holdout: split.outOfSample } : {}),
    settings: runSettings(settings.config),
    childrenPerExecution: LIBRARY_DEFAULTS.childrenPerExecution,
  };
}

/** The in-sample / holdout split asked for with --holdout or --holdout-start (none by default). */
export function holdoutSplit(flags: { start?: string; end?: string; holdout?: string; 'holdout-start'?: string }): PeriodSplit | null {
  const { holdout, 'holdout-start': holdoutStart, start, end } = flags;
  if (holdout === undefined && holdoutStart === undefined) return null;
  const fraction = holdout === undefined ? undefined : Number(holdout);
  if (fraction !== undefined && !Number.isFinite(fraction)) throw new UserError(`--holdout ${holdout} is not a number; give the share held out, 0 to 0.9 (0 turns the holdout off)`);
  if (fraction === 0 && holdoutStart === undefined) return null;
  if (!start || !end) throw new UserError('A holdout needs the backtest period: pass --start and --end');
  return splitPeriod({ start, end, fraction, holdoutStart });
}

export function libraryWorkflowId(name: string): string {
  return `library-${name}`;
}

export function libraryName(text: string | undefined): string {
  return slugify(text ?? 'default', 40);
}

const fmt = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));

/** The per-category table `library build` and `library status` print. */
export function renderCategories(categories: Array<Pick<CategoryStatus, 'id' | 'accepted' | 'rejected' | 'failed' | 'bestSharpe' | 'meanSharpe'> & { target?: number | null; state?: string; runs?: number }>): string {
  return table(
    categories.map((c) => ({
      category: c.id,
      done: c.target ? `${c.accepted}/${c.target}` : String(c.accepted),
      rejected: c.rejected,
      failed: c.failed,
      runs: c.runs ?? '',
      best: fmt(c.bestSharpe),
      mean: fmt(c.meanSharpe),
      state: c.state ?? '',
    })),
    [
      { key: 'category', header: 'Category' },
      { key: 'done', header: 'Done' },
      { key: 'rejected', header: 'Rejected' },
      { key: 'failed', header: 'Failed' },
      { key: 'runs', header: 'Runs' },
      { key: 'best', header: 'Best Sharpe' },
      { key: 'mean', header: 'Mean Sharpe' },
      { key: 'state', header: 'State' },
    ],
  );
}

/** Prints each category's line when it changes, until the build finishes. */
export async function followLibrary(handle: WorkflowHandle, print: (line: string) => void, intervalMs = 2000): Promise<LibraryResult> {
  const seen = new Map<string, string>();
  return followWorkflow<LibraryStatus, LibraryResult>(
    handle,
    libraryStatusQuery,
    (status) => {
      for (const c of status.categories) {
        const line = `${c.id}: ${c.accepted}/${c.target} accepted, ${c.rejected} rejected, ${c.failed} failed — ${c.state}${c.inFlight ? ` (${c.inFlight})` : ''}`;
        if (seen.get(c.id) !== line) {
          seen.set(c.id, line);
          print(`  ${line}`);
        }
      }
    },
    intervalMs,
  );
}

export default class LibraryBuild extends BaseCommand<typeof LibraryBuild> {
  static override summary = 'Build a library of accepted strategies over the strategy taxonomy.';
  static override description =
    'Starts (or re-attaches to) the durable workflow `library-NAME`. For each category, highest priority first, it runs ' +
    'research pipelines as child workflows over the category\'s queries — at most --concurrency at once, one per ' +
    'category — until the category holds its target of accepted strategies (compiled, backtested, Sharpe ≥ --min-sharpe; ' +
    'with --holdout the out-of-sample Sharpe ratio must reach it, and a strategy whose holdout backtest could not run is not accepted), ' +
    'its queries find no new paper, or --max-minutes / --max-tokens run out. Papers an earlier run processed (by DOI or ' +
    'arXiv id) are passed over unless --reprocess. Accepted strategies can be improved by a short evolution run ' +
    '(--polish-generations). A killed worker loses nothing: the build resumes where it was when a worker polls again. ' +
    'The taxonomy (10 categories by default) can be overridden with --taxonomy file.json or $QUANTCODER_HOME/taxonomy.json: ' +
    '{"categories":[{"id":"momentum","target":3},{"id":"carry","name":"Carry","queries":["carry trade"]}]} ' +
    '(add "replace": true to use only the file\'s categories).';
  static override examples = [
    '<%= config.bin %> library build --sandbox --categories momentum,mean_reversion,volatility --per-category 1',
    '<%= config.bin %> library build equities --per-category 3 --min-sharpe 0.8 --max-minutes 240 --detach',
    '<%= config.bin %> library build --taxonomy my-taxonomy.json --polish-generations 3 --concurrency 4',
  ];
  static override args = { name: Args.string({ required: false, description: 'The library name (default "default"); the build is the workflow library-NAME.' }) };
  static override flags = {
    ...LIBRARY_FLAGS,
    detach: Flags.boolean({ summary: 'Start the build and return without waiting.', default: false }),
  };

  async run(): Promise<LibraryResult | { id: string; detached: true; webUi: string; categories: string[] }> {
    const name = libraryName(this.args.name);
    const input = libraryInputFromFlags(name, this.flags, this.settings);
    const client: Client = await this.temporal();
    await this.requireWorker();
    const id = libraryWorkflowId(name);
    // a build already running under this name is attached to, not started twice
    const running = await client.workflow
      .getHandle(id)
      .describe()
      .then((d) => d.status.name === 'RUNNING')
      .catch(() => false);
    if (running && !this.jsonEnabled()) this.log(`${id} is already running; attaching to it (its own settings stay in force).`);
    const handle = await client.workflow.start('libraryBuild', {
      taskQueue: this.taskQueue,
      workflowId: id,
      args: [input],
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'library' },
        { key: RUN_TOPIC, value: name },
      ],
    });
    const webUi = this.webUiLink(id);
    const categories = input.categories.map((c) => c.id);
    if (this.flags.detach) {
      if (!this.jsonEnabled()) this.log(`Started ${id} over ${categories.join(', ')}\nWatch it: quantcoder library status ${name}\nWeb UI:   ${webUi}`);
      return { id, detached: true, webUi, categories };
    }
    if (!this.jsonEnabled() && !running) this.log(`Building ${id} over ${categories.join(', ')} (${webUi}); Ctrl-C detaches, the build goes on.`);
    const result = await followLibrary(handle, (line) => (this.jsonEnabled() ? this.note(line) : this.log(line)));
    if (!this.jsonEnabled()) this.log(`\n${renderCategories(result.categories)}\n\nDone: ${result.reason}. ${result.accepted.length} accepted strategies; export them with: quantcoder library export ${name}`);
    return result;
  }
}
