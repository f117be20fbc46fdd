import { runWithFault } from '../helpers/fault-matrix';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';

/**
 * The service did the work, then the answer was lost (a reset, or silence past the client's
 * timeout). A faithful client finds what it created instead of creating it again: the sandbox's
 * own counters must show one project, one write of main.py, one backtest per article, and no
 * completion billed twice where the provider keeps answers a client can look up.
 */
const LOST = [
  { name: 'connection reset after the work', fault: { kind: 'lost-reset', times: 1 } },
  { name: 'silence past the timeout after the work', fault: { kind: 'lost-hang', times: 1 } },
] as const;

const QUANTCONNECT_ROUTES = ['projects/create', 'files/update', 'compile/create', 'backtests/create'] as const;

describe('lost responses: the service did the work, QuantCoder never heard back', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox({ backtestLatencyMs: 100, compileLatencyMs: 20 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  for (const route of QUANTCONNECT_ROUTES) {
    for (const lost of LOST) {
      const compiles = route === 'compile/create' ? 'two compiles (compiles are free, and QuantConnect offers no way to find one whose answer was lost)' : 'one compile';
      it(`QuantConnect ${route}, ${lost.name}: one project, one file write, one backtest, ${compiles}`, async () => {
        const run = await runWithFault(sandbox, 'quantconnect', route, lost.fault);
        expect(run.faultApplied).toBe(1);
        expect(run.failure).toBeNull();
        const article = run.result!.articles[0]!;
        expect(article.error).toBeNull();
        expect(article.statistics).not.toBeNull();
        expect(run.projectsCreated).toBe(1);
        expect(run.filesWritten).toBe(1);
        expect(run.backtestsCreated).toBe(1);
        expect(run.backtestRows).toBe(1);
        // QuantConnect's API v2 cannot find a compile whose id was lost: compile/read needs the
        // compileId, projects/read's Project has no compile field, there is no compile list, and
        // backtests/create requires a compileId. Compiles are free, so a lost compile/create is
        // compiled once more; every other lost answer costs nothing
        expect(run.compilesCreated).toBe(route === 'compile/create' ? 2 : 1);
        expect(run.llmRepeatedRequests).toBe(0);
      }, 90_000);
    }
  }

  it('never calls files/create for a new project: QuantConnect creates main.py with it', async () => {
    const run = await runWithFault(sandbox, 'quantconnect', 'files/create', LOST[0].fault);
    expect(run.failure).toBeNull();
    expect(run.requests['quantconnect.files/create'] ?? 0).toBe(0);
    expect(run.filesWritten).toBe(1);
  }, 90_000);

  for (const lost of LOST) {
    it(`OpenAI LLM call, ${lost.name}: the retry finds the stored answer, no completion is billed twice`, async () => {
      const run = await runWithFault(sandbox, 'openai', undefined, lost.fault, { llm: { provider: 'openai', timeoutSeconds: 3 } });
      expect(run.faultApplied).toBe(1);
      expect(run.failure).toBeNull();
      expect(run.result!.articles[0]!.error).toBeNull();
      // the retry asked OpenAI for the completion stored under the call's key, and used it
      expect(run.requests['openai.chat/completions:list']).toBeGreaterThanOrEqual(1);
      expect(run.llmRepeatedRequests).toBe(0);
      // every completion OpenAI billed is an answer the run recorded and used
      expect(run.llmCalls).toBe(run.llmCallRows);
      expect(run.summaryRows).toBe(1);
      expect(run.projectsCreated).toBe(1);
      expect(run.compilesCreated).toBe(1);
      expect(run.backtestsCreated).toBe(1);
    }, 90_000);

    it(`Anthropic LLM call, ${lost.name}: the lost answer is paid once more, as Anthropic keeps no answer a client can look up`, async () => {
      const run = await runWithFault(sandbox, 'anthropic', undefined, lost.fault, { llm: { provider: 'anthropic', timeoutSeconds: 3 } });
      expect(run.faultApplied).toBe(1);
      expect(run.failure).toBeNull();
      expect(run.result!.articles[0]!.error).toBeNull();
      expect(run.llmRepeatedRequests).toBe(1);
      expect(run.llmCalls).toBe(run.llmCallRows + 1);
      expect(run.summaryRows).toBe(1);
      expect(run.projectsCreated).toBe(1);
      expect(run.compilesCreated).toBe(1);
      expect(run.backtestsCreated).toBe(1);
    }, 90_000);
  }

  it('OpenAI with openai.recoverLostAnswers off: a lost answer is paid once more', async () => {
    const run = await runWithFault(sandbox, 'openai', undefined, LOST[0].fault, { llm: { provider: 'openai', timeoutSeconds: 3 }, openai: { recoverLostAnswers: false } });
    expect(run.failure).toBeNull();
    expect(run.result!.articles[0]!.error).toBeNull();
    expect(run.requests['openai.chat/completions:list'] ?? 0).toBe(0);
    expect(run.llmRepeatedRequests).toBe(1);
    expect(run.llmCalls).toBe(run.llmCallRows + 1);
  }, 90_000);
});
