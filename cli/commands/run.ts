import { randomUUID } from 'node:crypto';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { followPipeline, pipelineShortfall, producedNothing, renderPipelineResult } from '../pipeline-view';
import { validatePeriod } from '../../domain/backtest-period';
import { splitPeriod } from '../../domain/holdout';
import { runId } from '../../domain/ids';
import type { PipelineInput, PipelineResult } from '../../domain/pipeline';
import { runSettings, WORKFLOW_TASK_TIMEOUT } from '../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../domain/search-attributes';
import { describeTarget } from '../../domain/targets';
import { UserError } from '../errors';
import { commandTarget } from '../targets';

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Turn research into a QuantConnect algorithm: search → download → summarise → generate → validate → backtest.';
  static override description =
    'Starts a durable research pipeline. TARGET is a topic to search for, a DOI, an arXiv id, the number of a result of ' +
    'your latest `quantcoder search`, a PDF file, or an http(s) link to a PDF or to a landing page that links one (its ' +
    '`citation_pdf_url`). For a closed-access paper you have as a file, give its DOI and --pdf FILE. Each paper is processed by its own child workflow (several in parallel); papers without ' +
    'an open-access PDF are skipped for the next result. Generated code passes a syntax check and the LEAN linter, then a ' +
    'QuantConnect compile; errors go back to the LLM for repair, up to --max-attempts. Before any compile, a faithfulness gate ' +
    "checks that every parameter and rule of the paper's specification is in the code; what is missing or changed is repaired " +
    'within the same attempts, and what survives them is reported per article (the algorithm still compiles). With --holdout ' +
    '(or --holdout-start) and --backtest, the period from --start to --end is split as `evolve start` splits it: the algorithm is ' +
    'generated, repaired and backtested on the in-sample part, then backtested once on the holdout, and each article reports ' +
    '`inSample` and `outOfSample` statistics side by side (off by default: one more backtest per article). With --detach the command prints the ' +
    'run id and returns; `quantcoder runs show <id>` re-attaches.';
  static override examples = [
    '<%= config.bin %> run momentum --articles 2 --backtest --sandbox',
    '<%= config.bin %> run "pairs trading cointegration" --backtest --start 2018-01-01 --end 2023-12-31',
    '<%= config.bin %> run momentum --backtest --start 2015-01-01 --end 2022-12-31 --holdout 0.3',
    '<%= config.bin %> run 10.1016/j.jfineco.2011.11.003 --local-only',
    '<%= config.bin %> run 2101.00001 --source arxiv',
    '<%= config.bin %> run 2            # result 2 of the latest search',
    '<%= config.bin %> run ~/papers/momentum.pdf --backtest',
    '<%= config.bin %> run https://papers.ssrn.com/sol3/papers.cfm?abstract_id=299107 --local-only',
    '<%= config.bin %> run 10.1111/j.1540-6261.1993.tb04702.x --pdf jegadeesh-titman.pdf   # closed access, your own copy',
    '<%= config.bin %> run momentum --detach --json',
  ];
  static override args = {
    target: Args.string({ required: true, description: 'A topic, a DOI, an arXiv id, a search result number, a PDF file, or a link to a PDF or its landing page.' }),
  };
  static override flags = {
    articles: Flags.integer({ summary: 'How many papers to turn into algorithms.', default: 1, min: 1, max: 20 }),
    source: Flags.string({ summary: 'Where to search for a topic.', options: ['crossref', 'arxiv'], default: 'crossref' }),
    backtest: Flags.boolean({ summary: 'Backtest each compiled algorithm on QuantConnect.', default: false }),
    'local-only': Flags.boolean({ summary: 'Skip QuantConnect: only the local syntax check and linter.', default: false, exclusive: ['backtest'] }),
    'max-attempts': Flags.integer({ summary: 'Generate-and-repair attempts per paper.', default: 6, min: 1, max: 20 }),
    start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD); written into the algorithm.' }),
    end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD); written into the algorithm.' }),
    holdout: Flags.string({ summary: 'Share of the --start..--end period held out: the finished algorithm is backtested on it once, after the in-sample part (0 or absent: no holdout). Needs --backtest, --start and --end.' }),
    'holdout-start': Flags.string({ summary: 'First day of the holdout (YYYY-MM-DD), instead of a share of the period.' }),
    pdf: Flags.string({ summary: 'Your own copy of the paper whose DOI is the target (closed access): its text is read from this file.', helpValue: 'FILE' }),
    detach: Flags.boolean({ summary: 'Start the run and return its id without waiting.', default: false }),
    'keep-projects': Flags.boolean({ summary: 'Keep each article\'s QuantConnect project when it ends (by default it is deleted once the algorithm is written).', default: false }),
  };

  async run(): Promise<PipelineResult | { runId: string; detached: true; webUi: string }> {
    validatePeriod(this.flags.start, this.flags.end);
    const split = this.split();
    const target = await commandTarget(this.args.target, this.flags.pdf, this.settings);
    const input: PipelineInput = {
      target,
      articles: this.flags.articles,
      source: this.flags.source as 'crossref' | 'arxiv',
      backtest: this.flags.backtest,
      localOnly: this.flags['local-only'],
      maxAttempts: this.flags['max-attempts'],
      start: split?.inSample.start ?? this.flags.start,
      end: split?.inSample.end ?? this.flags.end,
      ...(split ? { holdout: split.outOfSample } : {}),
      settings: runSettings(this.settings.config),
      keepProjects: this.flags['keep-projects'],
    };
    const client = await this.temporal();
    await this.requireWorker();
    const workflowId = runId('pipeline', describeTarget(target), randomUUID());
    const handle = await client.workflow.start('researchPipeline', {
      taskQueue: this.taskQueue,
      workflowId,
      args: [input],
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'pipeline' },
        { key: RUN_TOPIC, value: describeTarget(target) },
      ],
    });
    const webUi = this.webUiLink(workflowId);
    if (this.flags.detach) {
      if (!this.jsonEnabled()) this.log(`Started ${workflowId}\nWatch it: quantcoder runs show ${workflowId}\nWeb UI:   ${webUi}`);
      return { runId: workflowId, detached: true, webUi };
    }
    if (!this.jsonEnabled()) this.log(`Run ${workflowId} (${webUi})`);
    const result = await followPipeline(handle, (line) => (this.jsonEnabled() ? this.note(line) : this.log(line)));
    this.noteSimulated(result);
    if (!this.jsonEnabled()) {
      if (result.articles.length) this.log(`\n${renderPipelineResult(result)}`);
      if (input.backtest) this.log(`Backtest period: ${input.start ?? "the algorithm's own start"} → ${input.end ?? "the algorithm's own end"}${input.holdout ? ` (in sample); holdout ${input.holdout.start} → ${input.holdout.end}` : ''}`);
      this.log(`Web UI: ${webUi}`);
    }
    const shortfall = pipelineShortfall(result, input.articles);
    if (shortfall) {
      if (this.jsonEnabled()) this.note(shortfall);
      else this.log(shortfall);
    }
    if (producedNothing(result)) process.exitCode = 1;
    return result;
  }

  /** The in-sample / holdout split asked for with --holdout or --holdout-start, or null (the default: no holdout). */
  private split() {
    const { holdout, 'holdout-start': holdoutStart, start, end } = this.flags;
    if (holdout === undefined && holdoutStart === undefined) return null;
    const fraction = holdout === undefined ? undefined : Number(holdout);
    if (fraction !== undefined && !Number.isFinite(fraction)) throw new UserError(`--holdout ${holdout} is not a number; give the share held out, 0 to 0.9 (0 turns the holdout off)`);
    if (fraction === 0 && holdoutStart === undefined) return null;
    if (!this.flags.backtest) throw new UserError('A holdout is backtested: add --backtest, or drop --holdout/--holdout-start');
    if (!start || !end) throw new UserError('A holdout needs the backtest period: pass --start and --end');
    return splitPeriod({ start, end, fraction, holdoutStart });
  }
}
