import { randomUUID } from 'node:crypto';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { UserError } from '../errors';
import { followPipeline, renderPipelineResult } from '../pipeline-view';
import { parseIsoDate } from '../../domain/backtest-period';
import { runId } from '../../domain/ids';
import type { PipelineInput, PipelineResult } from '../../domain/pipeline';
import { runSettings } from '../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../domain/search-attributes';
import { describeTarget, parseTarget } from '../../domain/targets';

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Turn research into a QuantConnect algorithm: search → download → summarise → generate → validate → backtest.';
  static override description =
    'Starts a durable research pipeline. TARGET is a topic to search for, a DOI, an arXiv id, or the number of a result of ' +
    'your latest `quantcoder search`. Each paper is processed by its own child workflow (several in parallel); papers without ' +
    'an open-access PDF are skipped for the next result. Generated code passes a syntax check and the LEAN linter, then a ' +
    'QuantConnect compile; errors go back to the LLM for repair, up to --max-attempts. With --detach the command prints the ' +
    'run id and returns; `quantcoder runs show <id>` re-attaches.';
  static override examples = [
    '<%= config.bin %> run momentum --articles 2 --backtest --sandbox',
    '<%= config.bin %> run "pairs trading cointegration" --backtest --start 2018-01-01 --end 2023-12-31',
    '<%= config.bin %> run 10.1016/j.jfineco.2011.11.003 --local-only',
    '<%= config.bin %> run 2101.00001 --source arxiv',
    '<%= config.bin %> run 2            # result 2 of the latest search',
    '<%= config.bin %> run momentum --detach --json',
  ];
  static override args = { target: Args.string({ required: true, description: 'A topic, a DOI, an arXiv id, or a search result number.' }) };
  static override flags = {
    articles: Flags.integer({ summary: 'How many papers to turn into algorithms.', default: 1, min: 1, max: 20 }),
    source: Flags.string({ summary: 'Where to search for a topic.', options: ['crossref', 'arxiv'], default: 'crossref' }),
    backtest: Flags.boolean({ summary: 'Backtest each compiled algorithm on QuantConnect.', default: false }),
    'local-only': Flags.boolean({ summary: 'Skip QuantConnect: only the local syntax check and linter.', default: false, exclusive: ['backtest'] }),
    'max-attempts': Flags.integer({ summary: 'Generate-and-repair attempts per paper.', default: 6, min: 1, max: 20 }),
    start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD); written into the algorithm.' }),
    end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD); written into the algorithm.' }),
    detach: Flags.boolean({ summary: 'Start the run and return its id without waiting.', default: false }),
    'keep-projects': Flags.boolean({ summary: 'Keep each article\'s QuantConnect project when it ends (by default it is deleted once the algorithm is written).', default: false }),
  };

  async run(): Promise<PipelineResult | { runId: string; detached: true; webUi: string }> {
    for (const which of ['start', 'end'] as const) {
      const v = this.flags[which];
      if (v && !parseIsoDate(v)) throw new UserError(`--${which} ${v} is not a date; use YYYY-MM-DD`);
    }
    if (this.flags.start && this.flags.end && this.flags.start >= this.flags.end) throw new UserError('--start must be before --end');
    const target = parseTarget(this.args.target);
    const input: PipelineInput = {
      target,
      articles: this.flags.articles,
      source: this.flags.source as 'crossref' | 'arxiv',
      backtest: this.flags.backtest,
      localOnly: this.flags['local-only'],
      maxAttempts: this.flags['max-attempts'],
      start: this.flags.start,
      end: this.flags.end,
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
    if (!this.jsonEnabled()) this.log(`\n${renderPipelineResult(result)}\nWeb UI: ${webUi}`);
    return result;
  }
}
