import { ActivityFailure, ApplicationFailure, isCancellation, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CheckOutcome, CodeProblem, CompileOutcome, RecordedBacktest, StatisticsSummary } from '../domain/pipeline';
import type { RunSettings } from '../domain/run-settings';
import type { StrategySpec } from '../domain/strategy';
import { servicePolicies } from './policies';

/**
 * The one evaluation path of every workflow: quality gate → QuantConnect compile → backtest →
 * learning records. Article, evolution and single-step workflows all call `evaluateProgram`, and
 * every error met on the way (syntax, lint, build, runtime) reaches the learning tables from here.
 */

/** Where a QuantConnect project is: known by id (no account listing), or to be found or created by name. */
export type ProjectRef = { projectId: number } | { projectName: string };

/**
 * Hands out the project an evaluation compiles and backtests in, and takes it back afterwards.
 * A run's pool keeps a few projects and reuses them; a single step uses one named project.
 */
export interface ProjectPool {
  acquire(): Promise<ProjectRef>;
  /** `projectId` is the project the evaluation used (null when it never reached QuantConnect). */
  release(ref: ProjectRef, projectId: number | null): void;
}

/** A pool of one project, known by name: for runs that compile one program at a time. */
export function namedProject(projectName: string): ProjectPool & { projectId(): number | null } {
  let known: number | null = null;
  return {
    projectId: () => known,
    acquire: async () => (known !== null ? { projectId: known } : { projectName }),
    release: (_ref, projectId) => {
      if (projectId !== null) known = projectId;
    },
  };
}

/** `queued`: checked, waiting for a free project to compile in; `compiled`: waiting for a free backtest slot. */
export type EvaluationStage = 'check' | 'queued' | 'compile' | 'compiled' | 'backtest';

/**
 * Backtest slots kept apart from the projects. With them an evaluation holds its project only for
 * the compile (a compile is a snapshot of the project's files; its backtest runs from the compile
 * id), so the next program compiles while backtests run and takes the first slot that frees.
 */
export interface BacktestSlots {
  acquire(): Promise<void>;
  release(): void;
}

/**
 * `size` slots handed out first come, first served: a release wakes the longest waiter in the same
 * workflow activation, so a freed slot's next backtest is requested with no round trip in between.
 * Deterministic (promises only), so it lives in workflow code.
 */
export function backtestSlots(size: number): BacktestSlots {
  let free = Math.max(1, size);
  const waiting: Array<() => void> = [];
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** Where an evaluated program's statistics came from. */
export type ScoreSource =
  /** a backtest this evaluation ran */
  | 'backtest'
  /** a backtest of the same program (same code hash and period) recorded earlier, in any run */
  | 'recorded'
  /** an evaluation of the same program earlier in this run */
  | 'run'
  /** an evaluation of the same program running at the same time */
  | 'concurrent';

interface Evaluated {
  /** The program as evaluated (after the gate's safe fixes). */
  code: string;
  codeHash: string;
  check: CheckOutcome;
}

export type Evaluation =
  | (Evaluated & { kind: 'scored'; statistics: StatisticsSummary; rawStatistics: Record<string, string> | null; source: ScoreSource; backtestId: string | null; compile: CompileOutcome | null })
  /** The program does not build: a syntax, lint or structure problem, or a LEAN build error. No backtest ran. */
  | (Evaluated & { kind: 'compileError'; problem: CodeProblem; compile: CompileOutcome | null })
  /** The backtest ran and stopped with an error (its message and stack trace are in `problem`). */
  | (Evaluated & { kind: 'runtimeError'; problem: CodeProblem; backtestId: string; compile: CompileOutcome })
  /** Evaluation stopped before a backtest on purpose: local only, compile only, or refused (a stop, a budget used up). */
  | (Evaluated & { kind: 'skipped'; reason: 'localOnly' | 'compileOnly' | 'refused'; detail: string; compile: CompileOutcome | null })
  /** A service failed for good (after its retry policy): nothing is known about the program itself. */
  | { kind: 'failed'; code: string; codeHash: string | null; message: string; type: string | null };

/** The program to evaluate, and where the learning tables file this attempt. */
export interface ProgramToEvaluate {
  code: string;
  /** The article key, variant id or step name the attempt belongs to. */
  key: string;
  /** 1 for a first attempt, then one more per repair. */
  attempt: number;
  /** The attempt this one repairs, with the problem it had: the learning tables judge the fix. */
  previous: { code: string; problem: CodeProblem } | null;
  provider?: string;
  model?: string;
  /**
   * Faithfulness findings no longer stop this attempt: after the last repair the program is
   * compiled and backtested anyway, and its findings are reported with it.
   */
  acceptUnfaithful?: boolean;
}

export interface EvaluationContext {
  /** The run as the learning database knows it. */
  runId: string;
  settings: RunSettings;
  family: string | null;
  start?: string;
  end?: string;
  /** Which side of a holdout split the period is, for the learning database (absent without a split). */
  sample?: 'in-sample' | 'out-of-sample';
  project: ProjectPool;
  /**
   * Backtests limited apart from compiles (see `BacktestSlots`); without them the project is held
   * from the compile to the end of the backtest, and the learning records are written one by one.
   */
  backtests?: BacktestSlots;
  /**
   * Asked when the learning records are written: true writes them as local activities. Only for an
   * evaluation that runs alone: a local activity holds its workflow task open until it ends (the
   * task's other commands wait for it), and on replay local activities resolve from their markers
   * at other points than they did live, so commands of evaluations running beside them could be
   * replayed in another order. At the end of a generation, alone, they save a server round trip each.
   */
  localRecords?: () => boolean;
  /**
   * True for an evaluation that runs alone from start to end, as an article's does: every step that
   * stays in the worker (the gate, a lookup of recorded backtests, the learning records) runs as a
   * local activity, with no server round trip each. See `localRecords` for why it must run alone.
   */
  localSteps?: boolean;
  /** The specification the program was generated from: the faithfulness gate checks the code against it. */
  spec?: StrategySpec;
  /** Stop after the quality gate (`check`) or after the compile (`compile`) instead of backtesting. */
  stopAfter?: 'check' | 'compile';
  /** Use a backtest of the same program and period recorded earlier (in any run) instead of paying for another. */
  reuseRecorded?: boolean;
  /** Statistics this run already has for a program, by code hash. */
  known?: (codeHash: string) => StatisticsSummary | null;
  /** Evaluations of this run by code hash: the same program evaluated twice at once runs once. */
  shared?: Map<string, Promise<Evaluation>>;
  /** Why the next paid step may not start (a stop was asked, a budget is used up), or null. Asked just before each compile and backtest. */
  refusal?: (next: 'compile' | 'backtest') => string | null;
  onStage?: (stage: EvaluationStage) => unknown;
  /** Called just before a backtest is requested (budget accounting). */
  onBacktest?: () => void;
}

/** A failure's own message and type, under Temporal's activity wrapper. */
export function failureOf(err: unknown): { message: string; type: string | null } {
  const inner = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (inner instanceof ApplicationFailure) return { message: inner.message, type: inner.type ?? null };
  return { message: (inner as Error)?.message ?? String(inner), type: null };
}

/** Turns a `failed` evaluation back into the failure it was, for workflows that stop on it. */
export function failureFrom(e: Extract<Evaluation, { kind: 'failed' }>): ApplicationFailure {
  return ApplicationFailure.create({ message: e.message, type: e.type ?? 'EvaluationFailed', nonRetryable: true });
}

/** The problem an evaluation met in the program itself, if any. */
export function problemOf(e: Evaluation): CodeProblem | null {
  return e.kind === 'compileError' || e.kind === 'runtimeError' ? e.problem : null;
}

function services(ctx: EvaluationContext) {
  const p = servicePolicies(workflowInfo().taskQueue, ctx.settings);
  const queued = proxyActivities<Activities>(p.local);
  const inWorker = ctx.localRecords || ctx.localSteps ? localStepActivities(ctx.settings) : queued;
  return {
    qc: proxyActivities<Activities>(p.quantconnect),
    backtester: proxyActivities<Activities>(p.backtest),
    local: ctx.localSteps ? inWorker : queued,
    records: () => (ctx.localSteps || ctx.localRecords?.() ? inWorker : queued),
  };
}

/**
 * The workflow worker's own database writes as local activities: they run in the worker that runs
 * the workflow, inside its workflow task, with no server round trip each. Their retry policy and
 * timeout are the `local` policy's; every write is an idempotent upsert, so a retry after a worker
 * crash (the workflow task runs again) is harmless. See `EvaluationContext.localRecords` for when.
 * The quality gate and the reads are as safe: they change nothing, and their answer is kept in the
 * local activity's marker, so replay reads it from history as it would an activity's.
 */
export function localStepActivities(settings: RunSettings) {
  const { startToCloseTimeout, retry } = servicePolicies(workflowInfo().taskQueue, settings).local;
  return proxyLocalActivities<Activities>({ startToCloseTimeout, retry });
}

/**
 * Evaluates one program: gate, compile, backtest, record. Never throws for a problem in the
 * program or a service that gave up (those are outcomes); a cancelled run still cancels.
 */
export async function evaluateProgram(program: ProgramToEvaluate, ctx: EvaluationContext): Promise<Evaluation> {
  const { qc, backtester, local, records } = services(ctx);
  let code = program.code;
  let codeHash: string | null = null;
  try {
    await ctx.onStage?.('check');
    // runs that started before the gate also looked up recorded backtests replay with the lookup as its own step
    const lookUp = ctx.reuseRecorded === true && ctx.stopAfter !== 'check' && patched('recorded-lookup-in-gate');
    const check = await local.checkAlgorithm({ code, start: ctx.start, end: ctx.end, spec: ctx.spec, ...(lookUp ? { recordedFor: { start: ctx.start, end: ctx.end } } : {}) });
    code = check.code;
    codeHash = check.codeHash;
    const checkedHash = check.codeHash;
    const base: Evaluated = { code, codeHash: checkedHash, check };

    const accepted = check.problem?.kind === 'faithfulness' && program.acceptUnfaithful === true;
    if (check.problem && !accepted) return await recorded({ ...base, kind: 'compileError', problem: check.problem, compile: null });
    if (ctx.stopAfter === 'check') return await recorded({ ...base, kind: 'skipped', reason: 'localOnly', detail: 'local checks only', compile: null });

    const known = ctx.known?.(checkedHash);
    if (known) return { ...base, kind: 'scored', statistics: known, rawStatistics: null, source: 'run', backtestId: null, compile: null };
    const running = ctx.shared?.get(checkedHash);
    if (running) {
      const other = await running;
      return other.kind === 'scored' ? { ...other, ...base, source: 'concurrent', backtestId: null } : other;
    }
    // absent when the gate did not look (not asked, or a problem accepted anyway): looked up apart
    const rest = compileAndBacktest(base, check.recorded);
    ctx.shared?.set(checkedHash, rest);
    return await rest;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { kind: 'failed', code, codeHash, ...failureOf(err) };
  }

  /** `lookedUp`: the recorded backtest the gate found (null: none), or undefined when it did not look. */
  async function compileAndBacktest(base: Evaluated, lookedUp: RecordedBacktest | null | undefined): Promise<Evaluation> {
    try {
      if (ctx.reuseRecorded) {
        const earlier = lookedUp !== undefined ? lookedUp : await local.findBacktestedCode({ codeHash: base.codeHash, start: ctx.start, end: ctx.end });
        if (earlier) return { ...base, kind: 'scored', statistics: earlier.statistics, rawStatistics: null, source: 'recorded', backtestId: null, compile: null };
      }
      await ctx.onStage?.('queued');
      const ref = await ctx.project.acquire();
      let projectId: number | null = null;
      let held = true;
      const releaseProject = () => {
        if (held) ctx.project.release(ref, projectId);
        held = false;
      };
      try {
        // asked once a project is free: a stop that came while waiting for one starts no compile
        const refused = ctx.refusal?.('compile');
        if (refused) return await recorded({ ...base, kind: 'skipped', reason: 'refused', detail: refused, compile: null });
        await ctx.onStage?.('compile');
        const compile = await qc.compileAlgorithm({ project: ref, code: base.code });
        projectId = compile.projectId;
        if (!compile.compiled) {
          return await recorded({ ...base, kind: 'compileError', problem: { kind: 'compile', message: compile.logs.join('\n') || 'Build failed without logs' }, compile });
        }
        if (ctx.stopAfter === 'compile') return await recorded({ ...base, kind: 'skipped', reason: 'compileOnly', detail: 'compiled, no backtest asked', compile });
        const slots = ctx.backtests;
        if (slots) {
          // the compile is done: the project can take the next program while this one waits for a slot
          releaseProject();
          await ctx.onStage?.('compiled');
          await slots.acquire();
        }
        let bt: Awaited<ReturnType<typeof backtester.runBacktest>>;
        try {
          // asked just before the backtest: the budget counts every backtest requested so far
          const refusal = ctx.refusal?.('backtest');
          if (refusal) return await recorded({ ...base, kind: 'skipped', reason: 'refused', detail: refusal, compile });
          await ctx.onStage?.('backtest');
          ctx.onBacktest?.();
          bt = await backtester.runBacktest({ projectId: compile.projectId, compileId: compile.compileId, label: `${program.key}-${program.attempt}`, codeHash: base.codeHash });
        } finally {
          // the slot frees when the backtest ends, before the records: the next backtest starts at once
          slots?.release();
        }
        if (bt.kind === 'runtimeError') {
          const problem: CodeProblem = { kind: 'runtime', message: `${bt.error}\n${bt.stacktrace ?? ''}`.trim() };
          return await recorded({ ...base, kind: 'runtimeError', problem, backtestId: bt.backtestId, compile });
        }
        const backtestRecord = records().recordBacktest({
          runId: ctx.runId,
          codeHash: base.codeHash,
          family: ctx.family,
          backtestId: bt.backtestId,
          projectId: compile.projectId,
          start: ctx.start,
          end: ctx.end,
          ...(ctx.sample ? { sample: ctx.sample } : {}),
          statistics: bt.statistics,
          rawStatistics: bt.rawStatistics,
        });
        const scored = { ...base, kind: 'scored' as const, statistics: bt.statistics, rawStatistics: bt.rawStatistics, source: 'backtest' as const, backtestId: bt.backtestId, compile };
        // with backtest slots the two records are written side by side (neither reads the other)
        if (slots) return (await Promise.all([recorded(scored), backtestRecord]))[0];
        await backtestRecord;
        return await recorded(scored);
      } finally {
        releaseProject();
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      return { kind: 'failed', code: base.code, codeHash: base.codeHash, ...failureOf(err) };
    }
  }

  /** Files the attempt in the learning tables: the program, its problem, and whether it fixed the previous one. */
  async function recorded<E extends Exclude<Evaluation, { kind: 'failed' }>>(e: E): Promise<E> {
    await records().recordAttempt({
      runId: ctx.runId,
      articleKey: program.key,
      attempt: program.attempt,
      code: e.code,
      codeHash: e.codeHash,
      family: ctx.family,
      provider: program.provider,
      model: program.model,
      compiled: e.kind === 'scored' || (e.kind === 'skipped' && e.compile?.compiled === true),
      // a faithfulness finding accepted after the last repair is still filed as this attempt's problem
      problem: problemOf(e) ?? (e.check.problem?.kind === 'faithfulness' ? e.check.problem : null),
      previous: program.previous,
    });
    return e;
  }
}
