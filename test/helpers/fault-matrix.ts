import { WorkflowFailedError } from '@temporalio/client';
import { researchPipeline } from '../../workflows';
import type { PipelineInput, PipelineResult } from '../../domain/pipeline';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { describeFailure } from '../../cli/temporal';
import { testDeps } from './deps';
import { injectFault, sandboxStats, testSandbox, type SandboxHandle } from './sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from './temporal';

/** Every fault kind the sandbox injects, and whether a faithful client must ride it out. */
export const FAULTS = [
  { name: '500', fault: { kind: 'status', status: 500, times: 1 }, transient: true },
  { name: '429 with Retry-After', fault: { kind: 'status', status: 429, retryAfter: 1, times: 1 }, transient: true },
  { name: 'hang past the timeout', fault: { kind: 'hang', times: 1 }, transient: true },
  { name: 'connection reset', fault: { kind: 'reset', times: 1 }, transient: true },
  { name: 'malformed body', fault: { kind: 'malformed', times: 1 }, transient: true },
  { name: '401', fault: { kind: 'status', status: 401 }, transient: false },
] as const;

/** Timeouts short enough that a hung request is given up on in seconds. */
const FAST_CONFIG = {
  crossref: { timeoutSeconds: 2 },
  download: { timeoutSeconds: 2 },
  llm: { timeoutSeconds: 3 },
  quantconnect: { timeoutSeconds: 2, pollSeconds: 0.05 },
};

export interface FaultRun {
  result: PipelineResult | null;
  failure: { type?: string; message: string } | null;
  seconds: number;
  backtestRows: number;
  summaryRows: number;
  articleRows: number;
  projectsCreated: number;
  filesWritten: number;
  compilesCreated: number;
  backtestsCreated: number;
  llmCalls: number;
  /** LLM calls the run recorded (answers it received and used). */
  llmCallRows: number;
  /** LLM calls the sandbox answered for a request it had answered before (each one paid again). */
  llmRepeatedRequests: number;
  /** Requests per route during the run, from the sandbox's own counters. */
  requests: Record<string, number>;
  /** How many requests the injected fault hit. */
  faultApplied: number;
}

/** Runs a one-article pipeline (with backtest) in the sandbox while `service` suffers `fault`. */
export async function runWithFault(
  sandbox: SandboxHandle,
  service: string,
  route: string | undefined,
  fault: Record<string, unknown>,
  config: Record<string, unknown> = {},
): Promise<FaultRun> {
  const deps = testDeps({ sandboxUrl: sandbox.url, config: { ...FAST_CONFIG, ...config } });
  const client = await testClient();
  const taskQueue = uniqueTaskQueue(`fault-${service}`);
  // fresh counters per run: a request repeated from an earlier test's run is not paid twice by this one
  await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const before = await sandboxStats(sandbox.url);
  await injectFault(sandbox.url, { service, ...(route ? { route } : {}), ...fault });
  const input: PipelineInput = {
    target: { kind: 'topic', query: 'trend following moving average' },
    articles: 1,
    source: 'crossref',
    backtest: true,
    localOnly: false,
    maxAttempts: 3,
    settings: { ...DEFAULT_RUN_SETTINGS, heartbeatTimeoutSeconds: 5, llmTimeoutSeconds: 3, quantconnectTimeoutSeconds: 2, downloadTimeoutSeconds: 2, searchTimeoutSeconds: 2 },
  };
  const started = Date.now();
  try {
    let result: PipelineResult | null = null;
    let failure: FaultRun['failure'] = null;
    await withWorkers(
      deps,
      taskQueue,
      async () => {
        try {
          result = await client.workflow.execute(researchPipeline, { taskQueue, workflowId: `pipeline-${taskQueue}`, args: [input], workflowExecutionTimeout: '2 minutes' });
        } catch (err) {
          if (!(err instanceof WorkflowFailedError)) throw err;
          failure = describeFailure(err);
        }
      },
      deps.settings.config,
    );
    const after = await sandboxStats(sandbox.url);
    const requests: Record<string, number> = {};
    for (const [key, n] of Object.entries(after.requests)) if (n - (before.requests[key] ?? 0) > 0) requests[key] = n - (before.requests[key] ?? 0);
    return {
      result,
      failure,
      seconds: (Date.now() - started) / 1000,
      backtestRows: await deps.prisma.backtest.count(),
      summaryRows: await deps.prisma.summary.count(),
      articleRows: await deps.prisma.article.count(),
      llmCallRows: await deps.prisma.llmCall.count(),
      projectsCreated: after.quantconnect.projectsCreated - before.quantconnect.projectsCreated,
      filesWritten: after.quantconnect.filesWritten - before.quantconnect.filesWritten,
      compilesCreated: after.quantconnect.compilesCreated - before.quantconnect.compilesCreated,
      backtestsCreated: after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated,
      llmCalls: after.llm.calls - before.llm.calls,
      llmRepeatedRequests: after.llm.repeatedRequests - before.llm.repeatedRequests,
      requests,
      faultApplied: after.faults.applied - before.faults.applied,
    };
  } finally {
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    await client.connection.close();
    await deps.cleanup();
  }
}

/** Declares the service × fault matrix for the given services. */
export function faultMatrix(services: Array<{ service: string; route?: string; name: string; authFallback?: boolean }>): void {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox({ backtestLatencyMs: 100, compileLatencyMs: 20 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  for (const { service, route, name, authFallback } of services) {
    describe(name, () => {
      for (const f of FAULTS.filter((x) => x.transient)) {
        it(`rides out a ${f.name}: the run completes with no duplicate rows or QuantConnect objects`, async () => {
          const run = await runWithFault(sandbox, service, route, f.fault);
          expect(run.failure).toBeNull();
          const article = run.result!.articles[0]!;
          expect(article.error).toBeNull();
          expect(article.statistics).not.toBeNull();
          expect(run.backtestRows).toBe(1);
          expect(run.summaryRows).toBe(1);
          expect(run.projectsCreated).toBe(1);
          expect(run.backtestsCreated).toBe(1);
        }, 90_000);
      }
      if (authFallback) {
        it('falls back to the publisher\'s PDF link on a 401, without retrying the refused service', async () => {
          const run = await runWithFault(sandbox, service, route, FAULTS.find((f) => !f.transient)!.fault);
          expect(run.failure).toBeNull();
          expect(run.result!.articles[0]!.error).toBeNull();
          expect(run.seconds).toBeLessThan(30);
        }, 60_000);
        return;
      }
      it('stops quickly on a 401 with a typed error naming the service', async () => {
        const run = await runWithFault(sandbox, service, route, FAULTS.find((f) => !f.transient)!.fault);
        const error = run.failure ?? (run.result?.articles[0] ? { type: run.result.articles[0].errorType ?? undefined, message: run.result.articles[0].error ?? '' } : null);
        expect(error).not.toBeNull();
        expect(error!.type).toBe('AuthenticationError');
        expect(error!.message.toLowerCase()).toContain(service === 'openai' ? 'openai' : service);
        expect(run.seconds).toBeLessThan(30);
        expect(run.backtestsCreated).toBe(0);
      }, 60_000);
    });
  }
}
