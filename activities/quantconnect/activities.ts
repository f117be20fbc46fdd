import { setTimeout as delay } from 'node:timers/promises';
import { BacktestNodesBusyError } from '../../domain/errors';
import type { BacktestResult, CompileOutcome, StatisticsSummary } from '../../domain/pipeline';
import type { BacktestStatistics } from '../../domain/statistics';
import { cancellationSignal, heartbeat, previousHeartbeat, whileHeartbeating } from '../context';
import type { QuantConnectClient } from './client';

export interface QuantConnectDeps {
  /** Built on first use, so a worker without QuantConnect credentials still runs everything else. */
  quantconnect(): QuantConnectClient;
  pollMs: number;
  compileTimeoutMs: number;
  /** How long to wait before asking again when every backtest node is busy (default: three polls). */
  nodeWaitMs?: number;
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
     * Puts the code in the project named `projectName` (created once, found by name on a retry) and
     * compiles it. A build error is a result carrying LEAN's logs, not a failure.
     */
    async compileAlgorithm(input: { projectName: string; code: string }): Promise<CompileOutcome> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      const project = await whileHeartbeating(() => qc.ensureProject(input.projectName, { signal }));
      heartbeat({ projectId: project.projectId });
      await whileHeartbeating(() => qc.uploadMain(project.projectId, input.code, { signal }));
      const compiled = await qc.compileAndWait(project.projectId, {
        pollMs: deps.pollMs,
        timeoutMs: deps.compileTimeoutMs,
        signal,
        onPoll: (state) => heartbeat({ projectId: project.projectId, state }),
      });
      return { compiled: compiled.state === 'BuildSuccess', projectId: project.projectId, compileId: compiled.compileId, logs: compiled.logs };
    },

    /**
     * Runs a backtest and polls it to the end, heartbeating its progress. A retried attempt (the
     * worker died mid-poll) finds the backtest it created — from its last heartbeat, or by its
     * deterministic name — and resumes polling it: a step never creates a second backtest.
     */
    async runBacktest(input: { projectId: number; compileId: string; backtestName: string }): Promise<BacktestResult> {
      const qc = deps.quantconnect();
      const signal = cancellationSignal();
      let backtestId = previousHeartbeat<{ backtestId?: string }>()?.backtestId;
      if (!backtestId) backtestId = (await qc.findBacktestByName(input.projectId, input.backtestName, { signal }))?.backtestId;
      if (!backtestId) {
        backtestId = (await createWhenNodeFree(qc, input, deps.nodeWaitMs ?? deps.pollMs * 3, signal)).backtestId;
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
