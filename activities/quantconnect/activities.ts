import { setTimeout as delay } from 'node:timers/promises';
import { BacktestNodesBusyError, BadRequestError, InvalidInputError } from '../../domain/errors';
import { isQuantCoderProject, qcBacktestName } from '../../domain/quantconnect-names';
import type { BacktestResult, CompileOutcome, StatisticsSummary } from '../../domain/pipeline';
import type { BacktestStatistics } from '../../domain/statistics';
import { parseIsoDate } from '../../domain/backtest-period';
import { dailyCloses, type DailyEquity } from '../../domain/overfitting';
import { cancellationSignal, heartbeat, previousHeartbeat, whileHeartbeating } from '../context';
import type { QuantConnectClient } from './client';

export interface QuantConnectDeps {
  /** Built on first use, so a worker without QuantConnect credentials still runs everything else. */
  quantconnect(): QuantConnectClient;
  pollMs: number;
  compileTimeoutMs: number;
  /** How long to wait before asking again when every backtest node is busy (default: three polls). */
  nodeWaitMs?: number;
  /** How long to keep asking for an equity chart QuantConnect is still generating (default: two minutes). */
  chartTimeoutMs?: number;
  /** Called when a backtest is created (metrics). */
  onBacktestCreated?: () => void;
}

export function summarizeStatistics(s: BacktestStatistics): StatisticsSummary {
  return {
    sharpeRatio: s.sharpeRatio,
    drawdown: s.drawdown,
    compoundingAnnualReturn: s.compoundingAnnualReturn,
    netProfit: s.netProfit,
    winRate: s.winRate,
    totalOrders: s.totalOrders,
  };
}

/** QuantConnect compile and backtest as activities: deterministic names, looked up before created. */
export function createQuantConnectActivities(deps: QuantConnectDeps) {
  return {
    /**
     * Puts the code in the project and compiles it. A project known by id is used as it is (no
     * account listing); one known by name is found by that name, or created once, and its id is
     * returned for the workflow to keep. A build error is a result carrying LEAN's logs, not a failure.
     */
    async compileAlgorithm(input: { project: { projectId: number } | { projectName: string }; code: string }): Promise<CompileOutcome> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      const ref = input.project;
      const projectId = 'projectId' in ref ? ref.projectId : (await whileHeartbeating(() => qc.ensureProject(ref.projectName, { signal }))).projectId;
      heartbeat({ projectId });
      await whileHeartbeating(() => qc.uploadMain(projectId, input.code, { signal }));
      const compiled = await qc.compileAndWait(projectId, {
        pollMs: deps.pollMs,
        timeoutMs: deps.compileTimeoutMs,
        signal,
        onPoll: (state) => heartbeat({ projectId, state }),
      });
      return { compiled: compiled.state === 'BuildSuccess', projectId, compileId: compiled.compileId, logs: compiled.logs };
    },

    /**
     * Runs a backtest of the compiled program and polls it to the end, heartbeating its progress.
     * The backtest's name carries the program's code hash, so a retried attempt (the worker died
     * mid-poll, or the create's answer was lost) finds the backtest it created — from its last
     * heartbeat, or by that name — and resumes polling it, while a backtest of any other program
     * (a repair's predecessor in the same project) can never be mistaken for it.
     */
    async runBacktest(input: { projectId: number; compileId: string; label: string; codeHash: string }): Promise<BacktestResult> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      const backtestName = qcBacktestName(input.label, input.codeHash);
      let backtestId = previousHeartbeat<{ backtestId?: string }>()?.backtestId;
      if (!backtestId) backtestId = (await qc.findBacktestByName(input.projectId, backtestName, { signal }))?.backtestId;
      if (!backtestId) {
        backtestId = (await createWhenNodeFree(qc, { ...input, backtestName }, deps.nodeWaitMs ?? deps.pollMs * 3, signal)).backtestId;
        deps.onBacktestCreated?.();
      }
      const id = backtestId;
      heartbeat({ backtestId: id, progress: 0 });
      const outcome = await qc.pollBacktest(input.projectId, id, {
        pollMs: deps.pollMs,
        signal,
        onProgress: (progress, status) => heartbeat({ backtestId: id, progress, status }),
      });
      if (outcome.kind === 'runtimeError') return { kind: 'runtimeError', backtestId: id, error: outcome.error, stacktrace: outcome.stacktrace };
      return { kind: 'completed', backtestId: id, statistics: summarizeStatistics(outcome.statistics), rawStatistics: outcome.statistics.raw };
    },

    /**
     * The daily equity curve of a finished backtest: the "Equity" series of its "Strategy Equity"
     * chart over the backtest's period, one close per day. QuantConnect may answer "loading" while
     * it generates the chart; the activity asks again (heartbeating) until it is there.
     */
    async readEquityCurve(input: { projectId: number; backtestId: string; start?: string; end?: string }): Promise<{ equity: DailyEquity[] }> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      const seconds = (date: string | undefined, shiftDays: number, fallback: number) => {
        const d = date ? parseIsoDate(date) : null;
        return d ? Date.UTC(d.y, d.m - 1, d.d + shiftDays) / 1000 : fallback;
      };
      // a day either side: the first point is the starting equity, the last may be stamped after the end date's midnight
      const start = seconds(input.start, -1, 0);
      const end = seconds(input.end, 2, Math.floor(Date.UTC(2100, 0, 1) / 1000));
      const count = Math.min(100_000, Math.ceil((end - start) / 86_400) + 10);
      heartbeat({ backtestId: input.backtestId });
      const points = await qc.readEquityChart(input.projectId, input.backtestId, { start, end, count }, {
        pollMs: deps.pollMs,
        timeoutMs: deps.chartTimeoutMs ?? 120_000,
        signal,
        onLoading: (progress) => heartbeat({ backtestId: input.backtestId, chartLoading: progress }),
      });
      return { equity: dailyCloses(points) };
    },

    /** The account's projects QuantCoder created (those in its folder), oldest first. */
    async listQuantCoderProjects(): Promise<Array<{ projectId: number; name: string; created: string | null; modified: string | null }>> {
      const projects = await deps.quantconnect().listProjects({ signal: cancellationSignal() });
      return projects
        .filter((p) => isQuantCoderProject(p.name))
        .sort((a, b) => a.projectId - b.projectId)
        .map((p) => ({ projectId: p.projectId, name: p.name, created: p.created, modified: p.modified }));
    },

    /**
     * Deletes QuantCoder's projects by id. A project already gone counts as deleted (a retried
     * activity, or a user who cleaned up by hand); a project outside QuantCoder's folder is refused.
     */
    async deleteQuantCoderProjects(input: { projectIds: number[] }): Promise<{ deleted: number[]; alreadyGone: number[] }> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      const deleted: number[] = [];
      const alreadyGone: number[] = [];
      for (const projectId of input.projectIds) {
        heartbeat({ projectId });
        let project;
        try {
          project = await qc.readProject(projectId, { signal });
        } catch (err) {
          if (err instanceof BadRequestError && /not found|no project/i.test(err.message)) {
            alreadyGone.push(projectId);
            continue;
          }
          throw err;
        }
        if (!isQuantCoderProject(project.name)) {
          throw new InvalidInputError(`QuantConnect project ${projectId} ("${project.name}") was not created by QuantCoder; it is left alone`);
        }
        await qc.deleteProject(projectId, { signal });
        deleted.push(projectId);
      }
      return { deleted, alreadyGone };
    },
  };
}

/**
 * Creates the backtest, waiting for a free node as long as QuantConnect says every node is busy:
 * a full account is a queue, not a failure. The activity heartbeats while it waits, so a dead
 * worker is still noticed, and a cancelled run stops waiting at once.
 */
async function createWhenNodeFree(
  qc: QuantConnectClient,
  input: { projectId: number; compileId: string; backtestName: string },
  waitMs: number,
  signal: AbortSignal | undefined,
) {
  for (let waits = 0; ; waits++) {
    try {
      return await qc.createBacktest(input.projectId, input.compileId, input.backtestName, undefined, { signal });
    } catch (err) {
      if (!(err instanceof BacktestNodesBusyError)) throw err;
      heartbeat({ waitingForNode: waits + 1 });
      await whileHeartbeating(() => delay(waitMs, undefined, { signal }));
    }
  }
}
