/**
 * Records the workflow histories the replay tests replay: one run of every workflow type against the
 * sandbox, on a Temporal dev server of its own, with the production worker set on a fresh home.
 *
 *   npm run record-histories
 *
 * Writes test/fixtures/histories/<workflow>[-<execution>].json (every execution of a run that
 * continues as new, and the first child of a pipeline), and index.json with each file's workflow id
 * (replay needs it: child ids derive from it). Re-record after an intended change to workflow code,
 * and commit the histories with the change. With `--release`, the histories being replaced move to
 * previous/ first: the replay test keeps replaying them, since runs the last release started may
 * still be open when workers are upgraded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { BASELINE } from '../bench/baseline';
import { AUTONOMOUS_DEFAULTS, LIBRARY_DEFAULTS, type AutonomousInput, type LibraryInput } from '../domain/library';
import type { PipelineInput } from '../domain/pipeline';
import { DEFAULT_RUN_SETTINGS } from '../domain/run-settings';
import { DEFAULT_TAXONOMY, selectCategories } from '../domain/taxonomy';
import { startSandbox } from '../sandbox';
import { testDeps } from '../test/helpers/deps';
import { startDevServer } from '../worker/temporal-server';
import { createWorkerSet } from '../worker/workers';
import {
  autonomous,
  backtestStep,
  DEFAULT_EVOLUTION,
  downloadStep,
  evolutionRun,
  libraryBuild,
  researchPipeline,
  searchPapers,
  summarizeStep,
  validateStep,
  type EvolutionInput,
} from '../workflows';

const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
const TASK_QUEUE = 'quantcoder';
const settings = DEFAULT_RUN_SETTINGS;

type History = temporal.api.history.v1.IHistory;

/** Every execution of a run, first to last, following continue-as-new from the first run id. */
async function executions(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const out: History[] = [];
  for (let runId: string | null | undefined = firstRunId; runId; ) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.push(history);
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return out;
}

/** The first child workflow a history started: its id and run id. */
function firstChild(history: History): { workflowId: string; runId: string } {
  for (const e of history.events ?? []) {
    const started = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (started?.workflowId && started.runId) return { workflowId: started.workflowId, runId: started.runId };
  }
  throw new Error('the history started no child workflow');
}

const workflowIds: Record<string, string> = {};

function write(name: string, workflowId: string, history: History): void {
  const file = path.join(OUT, `${name}.json`);
  workflowIds[`${name}.json`] = workflowId;
  fs.writeFileSync(file, `${historyToJSON(history)}\n`);
  console.log(`${path.relative(process.cwd(), file)}: ${history.events?.length ?? 0} events`);
}

async function record(client: Client, name: string, handle: WorkflowHandleWithFirstExecutionRunId): Promise<History[]> {
  await handle.result();
  const runs = await executions(client, handle.workflowId, handle.firstExecutionRunId);
  runs.forEach((h, i) => write(runs.length > 1 ? `${name}-${i + 1}` : name, handle.workflowId, h));
  return runs;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({});
  const sandbox = await startSandbox({ port: 0, config: { compileLatencyMs: 20, backtestLatencyMs: 100, llmLatencyMs: 0 } });
  const deps = testDeps({ sandboxUrl: sandbox.url });
  const client = new Client({ connection: await Connection.connect({ address: server.env.address }) });
  const nativeConnection = await NativeConnection.connect({ address: server.env.address });
  const workers = await createWorkerSet({ connection: nativeConnection, namespace: 'default', taskQueue: TASK_QUEUE, config: deps.settings.config, deps, shutdownGraceTime: '1 second' });
  const running = workers.map((w) => w.run());
  try {
    fs.mkdirSync(OUT, { recursive: true });
    // --release: the histories being replaced become previous/, those of the release whose runs may still be open
    if (process.argv.includes('--release')) {
      const previous = path.join(OUT, 'previous');
      fs.rmSync(previous, { recursive: true, force: true });
      fs.mkdirSync(previous);
      for (const f of fs.readdirSync(OUT)) if (f.endsWith('.json')) fs.renameSync(path.join(OUT, f), path.join(previous, f));
    }
    for (const f of fs.readdirSync(OUT)) if (f.endsWith('.json')) fs.rmSync(path.join(OUT, f));
    const start = <A extends unknown[]>(wf: (...args: A) => Promise<unknown>, workflowId: string, args: A) => client.workflow.start(wf, { taskQueue: TASK_QUEUE, workflowId, args });

    await record(client, 'search', await start(searchPapers, 'search-momentum', [{ query: 'momentum', maxResults: 2, source: 'crossref' }]));

    const pipelineInput: PipelineInput = { target: { kind: 'topic', query: 'momentum' }, articles: 1, source: 'crossref', backtest: true, localOnly: false, maxAttempts: 6, settings };
    const [pipeline] = await record(client, 'pipeline', await start(researchPipeline, 'pipeline-momentum', [pipelineInput]));
    const child = firstChild(pipeline!);
    write('article', child.workflowId, (await executions(client, child.workflowId, child.runId))[0]!);

    const target = { kind: 'topic', query: 'momentum' } as const;
    await record(client, 'download-step', await start(downloadStep, 'download-momentum', [{ target, settings }]));
    await record(client, 'summarize-step', await start(summarizeStep, 'summarize-momentum', [{ target, settings }]));
    await record(client, 'validate-step', await start(validateStep, 'validate-baseline', [{ code: BASELINE, localOnly: false, settings }]));
    await record(client, 'backtest-step', await start(backtestStep, 'backtest-baseline', [{ code: BASELINE, localOnly: false, start: '2019-01-01', end: '2022-12-31', settings }]));

    // two generations: the run continues as new once per generation
    const evolution: EvolutionInput = {
      name: 'replay',
      baseline: BASELINE,
      family: 'momentum',
      settings,
      config: { ...DEFAULT_EVOLUTION, generations: 2, variants: 2, elite: 2, patience: 5, concurrency: 2 },
    };
    const evolutionRuns = await record(client, 'evolution', await start(evolutionRun, 'evolve-replay', [evolution]));
    if (evolutionRuns.length < 2) throw new Error('the evolution run did not continue as new; the replay tests need both executions');

    const library: LibraryInput = {
      ...LIBRARY_DEFAULTS,
      name: 'replay',
      categories: selectCategories(DEFAULT_TAXONOMY, ['momentum', 'volatility'], 1),
      concurrency: 2,
      budget: {},
      reprocess: false,
      source: 'crossref',
      settings,
      childrenPerExecution: 1,
    };
    await record(client, 'library', await start(libraryBuild, 'library-replay', [library]));

    const auto: AutonomousInput = {
      ...AUTONOMOUS_DEFAULTS,
      query: 'volatility targeting',
      maxIterations: 2,
      budget: {},
      revisit: true,
      source: 'crossref',
      settings,
      iterationsPerExecution: 1,
    };
    await record(client, 'autonomous', await start(autonomous, 'auto-replay', [auto]));
    fs.writeFileSync(path.join(OUT, 'index.json'), `${JSON.stringify(workflowIds, null, 2)}\n`);
  } finally {
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
    await nativeConnection.close();
    await client.connection.close();
    await deps.cleanup();
    await sandbox.stop();
    await server.env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
