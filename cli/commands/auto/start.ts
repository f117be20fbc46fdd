import { randomUUID } from 'node:crypto';
import { Flags } from '@oclif/core';
import type { WorkflowHandle } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { followWorkflow } from '../../follow';
import { table } from '../../format';
import { runId } from '../../../domain/ids';
import { AUTONOMOUS_DEFAULTS, iterationOutcome, type AutonomousInput, type AutonomousResult, type AutonomousStatus, type IterationSummary } from '../../../domain/library';
import { runSettings, WORKFLOW_TASK_TIMEOUT } from '../../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../../domain/search-attributes';
import type { Settings } from '../../../config/settings';
import { autonomousStatusQuery } from '../../../workflows/autonomous';
import { checkPeriod, LIBRARY_FLAGS } from '../library/build';

/** Flags an autonomous run and a scheduled one share. */
export const AUTO_FLAGS = {
  query: Flags.string({ char: 'q', summary: 'What to research (a topic searched for each iteration).' }),
  'max-iterations': Flags.integer({ summary: 'Iterations (papers) before the run stops.', default: AUTONOMOUS_DEFAULTS.maxIterations, min: 1, max: 10_000 }),
  'min-sharpe': LIBRARY_FLAGS['min-sharpe'],
  'max-minutes': LIBRARY_FLAGS['max-minutes'],
  'max-tokens': LIBRARY_FLAGS['max-tokens'],
  revisit: Flags.boolean({ summary: 'When no unprocessed paper is left, go round the papers again with what was learned since.', default: false }),
  source: LIBRARY_FLAGS.source,
  'max-attempts': LIBRARY_FLAGS['max-attempts'],
  start: LIBRARY_FLAGS.start,
  end: LIBRARY_FLAGS.end,
};

export interface AutoFlagValues {
  query?: string;
  'max-iterations': number;
  'min-sharpe': number;
  'max-minutes'?: number;
  'max-tokens'?: number;
  revisit: boolean;
  source: string;
  'max-attempts': number;
  start?: string;
  end?: string;
}

export function autonomousInputFromFlags(flags: AutoFlagValues, settings: Settings): AutonomousInput {
  checkPeriod(flags);
  const query = flags.query?.trim();
  if (!query) throw new UserError('Give what to research with --query, e.g. --query "momentum"');
  return {
    query,
    maxIterations: flags['max-iterations'],
    minSharpe: flags['min-sharpe'],
    budget: { maxMinutes: flags['max-minutes'], maxTokens: flags['max-tokens'] },
    revisit: flags.revisit,
    source: flags.source as 'crossref' | 'arxiv',
    maxAttempts: flags['max-attempts'],
    start: flags.start,
    end: flags.end,
    settings: runSettings(settings.config),
    iterationsPerExecution: AUTONOMOUS_DEFAULTS.iterationsPerExecution,
  };
}

const fmt = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));

export function iterationLine(i: IterationSummary): string {
  if (!i.title) return `#${i.iteration}: ${i.error ?? 'no paper'}`;
  const outcome = i.accepted ? 'accepted' : i.compiled ? 'below the Sharpe bar' : `failed${i.error ? `: ${i.error.split('\n')[0]}` : ''}`;
  return `#${i.iteration}: ${i.title.slice(0, 60)} — ${i.family ?? '?'}, ${i.repairAttempts} repair(s), Sharpe ${fmt(i.sharpeRatio)}, ${outcome}`;
}

export function renderIterations(iterations: IterationSummary[]): string {
  return table(
    iterations.map((i) => ({
      n: i.iteration,
      paper: i.title ?? '—',
      family: i.family ?? '—',
      repairs: i.repairAttempts,
      sharpe: fmt(i.sharpeRatio),
      outcome: iterationOutcome(i),
    })),
    [
      { key: 'n', header: '#' },
      { key: 'paper', header: 'Paper', max: 48 },
      { key: 'family', header: 'Family' },
      { key: 'repairs', header: 'Repairs' },
      { key: 'sharpe', header: 'Sharpe' },
      { key: 'outcome', header: 'Outcome' },
    ],
  );
}

/** Prints each iteration as it completes, until the run finishes. */
export async function followAutonomous(handle: WorkflowHandle, print: (line: string) => void, intervalMs = 2000): Promise<AutonomousResult> {
  let printed = 0;
  const final = await followWorkflow<AutonomousStatus, AutonomousResult>(
    handle,
    autonomousStatusQuery,
    (status) => {
      for (const i of status.iterations.filter((x) => x.iteration > printed)) print(`  ${iterationLine(i)}`);
      printed = Math.max(printed, status.iteration);
    },
    intervalMs,
  );
  for (const i of final.iterations.filter((x) => x.iteration > printed)) print(`  ${iterationLine(i)}`);
  return final;
}

export default class AutoStart extends BaseCommand<typeof AutoStart> {
  static override summary = 'Start an autonomous run: search, generate, validate and backtest, learning as it goes.';
  static override description =
    'Starts the durable workflow `auto-<query>-<hash>`. Each iteration searches --query for the next paper no run has ' +
    'processed yet and runs a research pipeline on it (summarise, generate, validate, compile, backtest, repair) whose ' +
    'prompts carry what the learning database knows: fixes that worked for the same errors, the errors a strategy family ' +
    'often has, and backtest results per family. Every iteration is recorded; `auto status` shows progress and `auto report` ' +
    'what was learned (repairs and error rates falling over iterations, success per category). Stops after ' +
    '--max-iterations, at --max-minutes or --max-tokens, or when the query has no new paper (unless --revisit).';
  static override examples = [
    '<%= config.bin %> auto start --query momentum --max-iterations 10 --sandbox',
    '<%= config.bin %> auto start --query "pairs trading" --min-sharpe 0.8 --max-tokens 500000 --detach',
  ];
  static override flags = {
    ...AUTO_FLAGS,
    detach: Flags.boolean({ summary: 'Start the run and return its id without waiting.', default: false }),
  };

  async run(): Promise<AutonomousResult | { id: string; detached: true; webUi: string }> {
    const input = autonomousInputFromFlags(this.flags, this.settings);
    const client = await this.temporal();
    await this.requireWorker();
    const id = runId('auto', input.query, randomUUID());
    const handle = await client.workflow.start('autonomous', {
      taskQueue: this.taskQueue,
      workflowId: id,
      args: [input],
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'autonomous' },
        { key: RUN_TOPIC, value: input.query },
      ],
    });
    const webUi = this.webUiLink(id);
    if (this.flags.detach) {
      if (!this.jsonEnabled()) this.log(`Started ${id}\nWatch it: quantcoder auto status ${id}\nWeb UI:   ${webUi}`);
      return { id, detached: true, webUi };
    }
    if (!this.jsonEnabled()) this.log(`Autonomous run ${id} (${webUi}); Ctrl-C detaches, the run goes on.`);
    const result = await followAutonomous(handle, (line) => (this.jsonEnabled() ? this.note(line) : this.log(line)));
    if (!this.jsonEnabled()) this.log(`\nDone: ${result.reason}. ${result.accepted} of ${result.iterations.length} strategies accepted. What was learned: quantcoder auto report ${id}`);
    return result;
  }
}
