import { Args, Flags } from '@oclif/core';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { webUiBase } from '../../web-ui';
import { UserError } from '../../errors';
import { slugify } from '../../../domain/ids';
import { OVERLAP_POLICIES, parseInterval, SCHEDULE_KINDS, type OverlapPolicyName, type ScheduleKind } from '../../../domain/library';
import type { PipelineInput } from '../../../domain/pipeline';
import { runSettings, WORKFLOW_TASK_TIMEOUT } from '../../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC, type RunKind } from '../../../domain/search-attributes';
import { parseTarget, describeTarget } from '../../../domain/targets';
import { AUTO_FLAGS, autonomousInputFromFlags } from '../auto/start';
import { checkPeriod, LIBRARY_FLAGS, libraryInputFromFlags } from '../library/build';

export const OVERLAP: Record<OverlapPolicyName, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
};

/** What QuantCoder keeps in a schedule's memo, so `schedule list` can describe it. */
export interface ScheduleMemo {
  quantcoder: { kind: ScheduleKind; when: string; overlap: OverlapPolicyName; topic: string };
}

export interface ScheduleCreateOutput {
  scheduleId: string;
  kind: ScheduleKind;
  workflowType: string;
  workflowId: string;
  when: string;
  overlap: OverlapPolicyName;
  paused: boolean;
  nextRuns: string[];
  webUi: string;
}

const RUN_KIND_OF: Record<ScheduleKind, RunKind> = { pipeline: 'pipeline', auto: 'autonomous', library: 'library' };

export default class ScheduleCreate extends BaseCommand<typeof ScheduleCreate> {
  static override summary = 'Run a pipeline, an autonomous run or a library build periodically (a Temporal Schedule).';
  static override description =
    'Creates a Temporal Schedule NAME that starts the workflow --every interval (7d, 12h, 30m) or on --cron expressions, ' +
    'on the configured task queue, with the same inputs the matching command builds: --kind pipeline (like `run`, ' +
    '--query is the target), --kind auto (like `auto start`; it takes only papers no run processed yet, so a weekly ' +
    'schedule researches new papers on the topic) or --kind library (like `library build NAME`). --overlap decides what ' +
    'happens when the previous run is still going: skip (default), buffer-one, buffer-all, allow-all, cancel-other or ' +
    'terminate-other. Schedules and the runs they start are visible in the Temporal Web UI (Schedules page).';
  static override examples = [
    '<%= config.bin %> schedule create weekly-momentum --kind auto --query momentum --max-iterations 3 --every 7d',
    '<%= config.bin %> schedule create nightly-library --kind library --categories momentum,volatility --per-category 2 --cron "0 2 * * *" --overlap buffer-one',
    '<%= config.bin %> schedule create pairs --kind pipeline --query "pairs trading" --articles 2 --backtest --every 1w --paused',
  ];
  static override args = { name: Args.string({ required: true, description: 'The schedule id (also the library name for --kind library).' }) };
  static override flags = {
    kind: Flags.string({ summary: 'What the schedule starts.', options: Object.keys(SCHEDULE_KINDS), required: true }),
    every: Flags.string({ summary: 'Interval between runs: 30m, 12h, 7d, 1w, "7 days".', exclusive: ['cron'] }),
    cron: Flags.string({ summary: 'Cron expression(s) in UTC (repeat the flag for several).', multiple: true, exclusive: ['every'] }),
    overlap: Flags.string({ summary: 'When a run is due while the previous one still runs.', options: [...OVERLAP_POLICIES], default: 'skip' }),
    paused: Flags.boolean({ summary: 'Create the schedule paused.', default: false }),
    note: Flags.string({ summary: 'A note shown with the schedule (e.g. why it is paused).' }),
    ...LIBRARY_FLAGS,
    ...AUTO_FLAGS,
    articles: Flags.integer({ summary: '(--kind pipeline) Papers each run processes.', default: 1, min: 1, max: 20 }),
    backtest: Flags.boolean({ summary: '(--kind pipeline) Backtest each compiled algorithm.', default: false }),
  };

  async run(): Promise<ScheduleCreateOutput> {
    const scheduleId = slugify(this.args.name, 60);
    const kind = this.flags.kind as ScheduleKind;
    const overlap = this.flags.overlap as OverlapPolicyName;
    let spec: { intervals: Array<{ every: number }> } | { cronExpressions: string[] };
    let when: string;
    if (this.flags.every) {
      const every = parseInterval(this.flags.every);
      if (every === null) throw new UserError(`--every ${this.flags.every} is not an interval; use e.g. 30m, 12h, 7d or 1w`);
      spec = { intervals: [{ every }] };
      when = `every ${this.flags.every}`;
    } else if (this.flags.cron?.length) {
      spec = { cronExpressions: this.flags.cron };
      when = `cron ${this.flags.cron.join(' | ')}`;
    } else throw new UserError('Say when to run: --every 7d, or --cron "0 6 * * 1"');

    const { workflowType, workflowId, args, topic } = this.action(kind, scheduleId);
    const memo: ScheduleMemo = { quantcoder: { kind, when, overlap, topic } };
    const client = await this.temporal();
    let handle;
    try {
      handle = await client.schedule.create({
        scheduleId,
        spec,
        action: {
          type: 'startWorkflow',
          workflowType,
          workflowId,
          taskQueue: this.taskQueue,
          args,
          workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
          typedSearchAttributes: [
            { key: RUN_KIND, value: RUN_KIND_OF[kind] },
            { key: RUN_TOPIC, value: topic },
          ],
        },
        policies: { overlap: OVERLAP[overlap] },
        state: { paused: this.flags.paused, note: this.flags.note ?? (this.flags.paused ? 'created paused' : undefined) },
        memo: memo as unknown as Record<string, unknown>,
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new UserError(`A schedule "${scheduleId}" exists already; delete it first with \`quantcoder schedule delete ${scheduleId}\``);
      throw err;
    }
    const description = await handle.describe();
    const base = webUiBase(this.settings);
    const out: ScheduleCreateOutput = {
      scheduleId,
      kind,
      workflowType,
      workflowId,
      when,
      overlap,
      paused: description.state.paused,
      nextRuns: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
      webUi: `${base}/namespaces/${encodeURIComponent(this.settings.config.temporal.namespace)}/schedules/${encodeURIComponent(scheduleId)}`,
    };
    if (!this.jsonEnabled()) {
      this.log(`Schedule ${scheduleId}: ${workflowType} ${when}, overlap ${overlap}${out.paused ? ' (paused)' : ''}`);
      if (out.nextRuns.length && !out.paused) this.log(`Next runs: ${out.nextRuns.join(', ')}`);
      this.log(`Web UI: ${out.webUi}`);
    }
    return out;
  }

  /** The workflow the schedule starts, with the input the matching command would build. */
  private action(kind: ScheduleKind, scheduleId: string): { workflowType: string; workflowId: string; args: unknown[]; topic: string } {
    const workflowType = SCHEDULE_KINDS[kind];
    switch (kind) {
      case 'library': {
        const input = libraryInputFromFlags(scheduleId, this.flags, this.settings);
        // Temporal appends the scheduled time to the id, so each build has its own children
        return { workflowType, workflowId: `library-${scheduleId}`, args: [input], topic: scheduleId };
      }
      case 'auto': {
        const input = autonomousInputFromFlags(this.flags, this.settings);
        return { workflowType, workflowId: `auto-${scheduleId}`, args: [input], topic: input.query };
      }
      case 'pipeline': {
        checkPeriod(this.flags);
        if (!this.flags.query?.trim()) throw new UserError('Give the pipeline target with --query (a topic, a DOI or an arXiv id)');
        const target = parseTarget(this.flags.query);
        if (target.kind === 'result') throw new UserError('A scheduled pipeline needs a topic, a DOI or an arXiv id, not a search result number');
        const input: PipelineInput = {
          target,
          articles: this.flags.articles,
          source: this.flags.source as 'crossref' | 'arxiv',
          backtest: this.flags.backtest,
          localOnly: false,
          maxAttempts: this.flags['max-attempts'],
          start: this.flags.start,
          end: this.flags.end,
          settings: runSettings(this.settings.config),
        };
        return { workflowType, workflowId: `pipeline-${scheduleId}`, args: [input], topic: describeTarget(target) };
      }
    }
  }
}
