import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SearchAttributePair, TypedSearchAttributes, UpdateDefinition } from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { readLearningStore, type LearningStoreLocation } from '../store/open';
import { countBacktests } from '../store/records';
import { readVariants, type VariantRow } from '../store/variants';
import type { EvaluatedVariant } from '../domain/evolution';
import { RUN_BEST_FITNESS, RUN_GENERATION, RUN_KIND, RUN_TOPIC } from '../domain/search-attributes';
import { eliteQuery, evolutionStatusQuery, historyQuery, type EvolutionResult, type EvolutionStatus, type GenerationSummary } from '../workflows/evolution';
import { UserError } from './errors';
import { historyFromVariants, runStatus, type EvolutionViewStatus } from './evolution-view';
import { runState, RUN_STATES, type RunState } from './run-states';
import { describeFailure, requireWorker } from './temporal';

/** A run as the server describes it, or a one-line error naming the id when there is none. */
export async function describeRun(client: Client, id: string): Promise<{ handle: WorkflowHandle; description: WorkflowExecutionDescription }> {
  const handle = client.workflow.getHandle(id);
  try {
    return { handle, description: await handle.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError') {
      throw new UserError(`No run with id ${id}. List runs with \`quantcoder runs list\`.`);
    }
    throw err;
  }
}

/** Whether the latest execution is still going (a continue-as-new hand-over counts as going). */
export function isOpen(status: WorkflowExecutionStatusName): boolean {
  return status === 'RUNNING' || status === 'CONTINUED_AS_NEW';
}

export function requireEvolution(description: WorkflowExecutionDescription, id: string): void {
  if (description.type !== 'evolutionRun') throw new UserError(`${id} is a ${description.type} run, not an evolution run; see it with \`quantcoder runs show ${id}\``);
}

// ── Learning database: the lineage of every variant ─────────────────────────────────────────────

/** What the learning database recorded of a run: its variants (oldest first) and the backtests it paid for; none without a database. */
export async function readRunRecords(store: LearningStoreLocation, runId: string): Promise<{ variants: VariantRow[]; backtests: number }> {
  return readLearningStore(store, { variants: [], backtests: 0 }, async (prisma) => ({
    variants: await readVariants(prisma, runId),
    backtests: await countBacktests(prisma, runId),
  }));
}

// ── Evolution runs: one view, whether the run is going or closed ────────────────────────────────

/** What `evolve status` reports: the workflow's own status while it runs, rebuilt from its result (or the database) once closed. */
export interface EvolutionSnapshot extends Omit<EvolutionStatus, 'status'> {
  /** The run state (as every command names it), or the evolution's own phase while it runs. */
  status: EvolutionViewStatus;
  /** Temporal's status of the latest execution. */
  execution: WorkflowExecutionStatusName;
  history: GenerationSummary[];
  /** Why a failed, cancelled or terminated run ended. */
  error: { type?: string; message: string } | null;
  startTime: string;
  closeTime: string | null;
}

export interface EvolutionView {
  snapshot: EvolutionSnapshot;
  /** The best variant with its code: the elite's first while running, the result's once completed. */
  best: EvaluatedVariant | null;
  /** The run's recorded variants, when they were read (closed runs, or on request). */
  variants: VariantRow[] | null;
}

const QUERY_DEADLINE_MS = 10_000;

/**
 * Builds the status of an evolution run. While it runs, its queries answer; a closed run may have
 * no worker to answer queries, so its result (or, for a failed run, the learning database) is used.
 */
export async function evolutionView(client: Client, id: string, store: LearningStoreLocation, options: { withVariants?: boolean } = {}): Promise<EvolutionView> {
  const { handle, description } = await describeRun(client, id);
  requireEvolution(description, id);
  const attrs = description.typedSearchAttributes;
  const base = {
    id,
    execution: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString() ?? null,
  };
  if (isOpen(description.status.name)) {
    const live = await queryLive(client, handle);
    if (live) {
      const variants = options.withVariants ? (await readRunRecords(store, id)).variants : null;
      return {
        snapshot: { ...live.status, ...base, status: runStatus(description.status.name, live.status.status), history: live.history, error: null },
        best: live.elite[0] ?? null,
        variants,
      };
    }
    // No worker answered (stopped, or between executions): report what the server and database know.
    const { variants, backtests } = await readRunRecords(store, id);
    return { snapshot: { ...fromRecords(id, attrs, variants, backtests), ...base, status: 'running', error: null }, best: bestOf(variants), variants };
  }
  let result: EvolutionResult | null = null;
  let error: EvolutionSnapshot['error'] = null;
  try {
    result = (await handle.result()) as EvolutionResult;
  } catch (err) {
    error = describeFailure(err);
  }
  const records = options.withVariants || !result ? await readRunRecords(store, id) : null;
  const variants = records?.variants ?? null;
  if (result) {
    const best = result.best;
    return {
      snapshot: {
        ...base,
        status: runStatus(description.status.name, result.status),
        stopRequested: result.status === 'stopped',
        generation: result.generation,
        bestFitness: best?.fitness ?? null,
        backtestsUsed: result.used.backtests,
        tokensUsed: result.used.tokens.input + result.used.tokens.output,
        tokens: result.used.tokens,
        inFlight: [],
        best: best ? { variantId: best.variantId, codeHash: best.codeHash, statistics: best.statistics, fitness: best.fitness } : null,
        budget: {},
        stopReason: result.reason,
        overfitting: result.overfitting ?? null,
        ...(result.seed === undefined ? {} : { seed: result.seed }),
        history: result.history,
        error: null,
      },
      best,
      variants,
    };
  }
  return {
    snapshot: { ...fromRecords(id, attrs, variants ?? [], records?.backtests ?? 0), ...base, status: runStatus(description.status.name, undefined), error },
    best: bestOf(variants ?? []),
    variants,
  };
}

async function queryLive(client: Client, handle: WorkflowHandle): Promise<{ status: EvolutionStatus; history: GenerationSummary[]; elite: EvaluatedVariant[] } | null> {
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, async () => {
      const [status, history, elite] = await Promise.all([handle.query(evolutionStatusQuery), handle.query(historyQuery), handle.query(eliteQuery)]);
      return { status, history, elite };
    });
  } catch {
    return null;
  }
}

function fromRecords(id: string, attrs: TypedSearchAttributes, variants: VariantRow[], backtests: number): Omit<EvolutionSnapshot, 'execution' | 'startTime' | 'closeTime' | 'status' | 'error'> {
  const best = bestOf(variants);
  const history = historyFromVariants(variants);
  const tokens = variants.reduce((t, v) => ({ input: t.input + v.tokens.input, output: t.output + v.tokens.output }), { input: 0, output: 0 });
  return {
    id,
    stopRequested: false,
    generation: attrs.get(RUN_GENERATION) ?? history.at(-1)?.generation ?? 0,
    bestFitness: best?.fitness ?? attrs.get(RUN_BEST_FITNESS) ?? null,
    backtestsUsed: backtests,
    tokensUsed: tokens.input + tokens.output,
    tokens,
    inFlight: [],
    best: best ? { variantId: best.variantId, codeHash: best.codeHash, statistics: best.statistics, fitness: best.fitness } : null,
    budget: {},
    stopReason: null,
    overfitting: null,
    history,
  };
}

/** The fittest scored variant recorded, as the elite would hold it. */
function bestOf(variants: VariantRow[]): EvaluatedVariant | null {
  const scored = variants.filter((v) => v.fitness !== null && v.statistics && (v.status === 'evaluated' || v.status === 'duplicate'));
  scored.sort((a, b) => b.fitness! - a.fitness! || a.generation - b.generation || a.variantId.localeCompare(b.variantId));
  const b = scored[0];
  return b ? { variantId: b.variantId, generation: b.generation, island: b.island, parents: b.parents, mutation: b.mutation, codeHash: b.codeHash, code: b.code, fitness: b.fitness!, statistics: b.statistics! } : null;
}

/**
 * Sends a control update to a running evolution run. A rejected update (the run's validator said
 * no, e.g. "already paused") becomes a one-line user error.
 */
export async function controlEvolution(client: Client, id: string, verb: 'pause' | 'resume' | 'stop', update: UpdateDefinition<EvolutionStatus, []>): Promise<EvolutionStatus> {
  const { handle, description } = await describeRun(client, id);
  requireEvolution(description, id);
  if (!isOpen(description.status.name)) throw new UserError(`${id} has ended (${description.status.name.toLowerCase()}); only a running run can be told to ${verb}`);
  // an update waits for a worker to run it; without one it would wait forever
  await requireWorker(client, description.taskQueue);
  try {
    return await handle.executeUpdate(update);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new UserError(`Cannot ${verb} ${id}: ${describeFailure(err.cause ?? err).message}`);
    if (err instanceof WorkflowNotFoundError) throw new UserError(`${id} has ended; only a running run can be told to ${verb}`);
    throw err;
  }
}

/** Follows an evolution run, showing each new view, until its execution closes; returns the final view. */
export async function watchEvolution(client: Client, id: string, store: LearningStoreLocation, show: (snapshot: EvolutionSnapshot) => void, intervalMs = 2000): Promise<EvolutionView> {
  for (;;) {
    const view = await evolutionView(client, id, store);
    show(view.snapshot);
    if (!isOpen(view.snapshot.execution)) return view;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ── Listing runs ──────────────────────────────────────────────────────────────────────────────

export const RUN_STATUSES = RUN_STATES;
export type RunStatusFilter = RunState;

const EXECUTION_STATUS: Record<RunStatusFilter, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

/**
 * The visibility query for `runs list` filters. Executions that continued as new are left out:
 * the execution that followed them stands for the run.
 */
export function visibilityQuery(filter: { kind?: string; status?: RunStatusFilter }): string {
  const clauses: string[] = [];
  if (filter.kind) clauses.push(`QuantCoderKind="${filter.kind.replace(/["\\]/g, '')}"`);
  clauses.push(filter.status ? `ExecutionStatus="${EXECUTION_STATUS[filter.status]}"` : 'ExecutionStatus!="ContinuedAsNew"');
  return clauses.join(' AND ');
}

export interface RunRow {
  id: string;
  type: string;
  kind: string | null;
  status: string;
  startTime: string;
  closeTime: string | null;
  topic: string | null;
  generation: number | null;
  bestFitness: number | null;
}

/** Runs matching a visibility query, newest first, one row per workflow id (its latest execution). */
export async function listRuns(client: Client, query: string, limit: number): Promise<RunRow[]> {
  const latest = new Map<string, WorkflowExecutionInfo>();
  // a few more executions than rows: several may share an id (re-used id, continue-as-new)
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(1000, limit * 2 + 10) })) {
    const seen = latest.get(execution.workflowId);
    if (!seen || execution.startTime > seen.startTime) latest.set(execution.workflowId, execution);
    if (latest.size >= limit * 3 + 10) break;
  }
  return [...latest.values()]
    .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())
    .slice(0, limit)
    .map((e) => ({
      id: e.workflowId,
      type: e.type,
      kind: e.typedSearchAttributes.get(RUN_KIND) ?? null,
      status: runState(e.status.name),
      startTime: e.startTime.toISOString(),
      closeTime: e.closeTime?.toISOString() ?? null,
      topic: e.typedSearchAttributes.get(RUN_TOPIC) ?? null,
      generation: e.typedSearchAttributes.get(RUN_GENERATION) ?? null,
      bestFitness: e.typedSearchAttributes.get(RUN_BEST_FITNESS) ?? null,
    }));
}

// ── Retrying a run with its original input ────────────────────────────────────────────────────

export interface StartedRun {
  type: string;
  taskQueue: string;
  args: unknown[];
  searchAttributes: SearchAttributePair[];
}

/**
 * How a run was started: its workflow type, task queue, input and search attributes, read from the
 * first event of its first execution (a run that continued as new carries state, not its input, later).
 */
export async function startedRun(client: Client, id: string): Promise<StartedRun> {
  const started = async (runId?: string) => {
    const history = await client.workflow.getHandle(id, runId).fetchHistory();
    const attrs = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!attrs) throw new UserError(`The history of ${id} does not start with its input`);
    return attrs;
  };
  let attrs = await started();
  if (attrs.firstExecutionRunId && attrs.continuedExecutionRunId) attrs = await started(attrs.firstExecutionRunId);
  const args = await decodeArrayFromPayloads(client.options.loadedDataConverter, attrs.input?.payloads);
  return {
    type: attrs.workflowType?.name ?? '',
    taskQueue: attrs.taskQueue?.name ?? '',
    args,
    searchAttributes: decodeTypedSearchAttributes(attrs.searchAttributes?.indexedFields).getAll(),
  };
}

/** `pipeline-x` → `pipeline-x-r1`, `pipeline-x-r1` → `pipeline-x-r2`. */
export function retryId(id: string, bump = 0): string {
  const m = /^(.*)-r(\d+)$/.exec(id);
  const base = m ? m[1]! : id;
  const n = m ? Number(m[2]) : 0;
  return `${base}-r${n + 1 + bump}`;
}

/** The next retry id no run has used yet. */
export async function freeRetryId(client: Client, id: string): Promise<string> {
  for (let bump = 0; bump < 1000; bump++) {
    const candidate = retryId(id, bump);
    try {
      await client.workflow.getHandle(candidate).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError') return candidate;
      throw err;
    }
  }
  throw new UserError(`${id} has been retried too many times`);
}
