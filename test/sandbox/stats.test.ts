import OpenAI from 'openai';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { eventually, getJson, getText, postJson, qc } from './helpers';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ config: { compileLatencyMs: 0, backtestLatencyMs: 0 } });
});
afterAll(() => sandbox.stop());

const code = renderAlgorithm({ family: 'trend', title: 'Stats', parameters: planParameters('trend', {}), extraParameters: [], tickers: [], resolution: 'daily' });

async function backtest(projectId: number, main: string): Promise<void> {
  await qc(sandbox.url, 'files/update', { projectId, name: 'main.py', content: main });
  const { compileId } = (await qc(sandbox.url, 'compile/create', { projectId })).json;
  await eventually(async () => ((await qc(sandbox.url, 'compile/read', { projectId, compileId })).json.state === 'BuildSuccess' ? true : undefined));
  expect((await qc(sandbox.url, 'backtests/create', { projectId, compileId, backtestName: String(Math.random()) })).json.success).toBe(true);
}

describe('sandbox stats', () => {
  it('count requests per route, QuantConnect work, distinct programs and LLM tokens', async () => {
    await getText(`${sandbox.url}/crossref/works?query=trend`);
    await getText(`${sandbox.url}/crossref/works?query=pairs`);
    await getText(`${sandbox.url}/crossref/works/10.5555/unknown`);
    const projectId = (await qc(sandbox.url, 'projects/create', { name: 'stats', language: 'Py' })).json.projects[0].projectId;
    await backtest(projectId, code);
    await backtest(projectId, `# only a comment differs\n${code.replace('self.fast_period = 50', 'self.fast_period = 50  # fast')}`);
    await backtest(projectId, code.replace('self.fast_period = 50', 'self.fast_period = 40'));
    await qc(sandbox.url, 'authenticate', {}, { token: 'wrong' });

    const before = Date.now();
    const openai = new OpenAI({ baseURL: `${sandbox.url}/openai/v1`, apiKey: SANDBOX_CREDENTIALS.openaiApiKey, maxRetries: 0 });
    const user = 'QuantCoder task: generate\n\nSpecification:\n```json\n{"title":"T","family":"trend","parameters":[]}\n```';
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: user }] });

    const { json: stats } = await getJson(`${sandbox.url}/__sandbox/stats`);
    expect(stats.requests['crossref.works']).toBe(2);
    expect(stats.requests['crossref.works/{doi}']).toBe(1);
    expect(stats.requests['quantconnect.backtests/create']).toBe(3);
    expect(stats.requests['openai.chat/completions']).toBe(1);
    expect(stats.quantconnect).toMatchObject({ projectsCreated: 1, backtestsCreated: 3, uniqueCodeHashesBacktested: 2, compilesCreated: 3, authFailures: 1 });
    expect(stats.llm).toMatchObject({ calls: 1, inputTokens: Math.ceil(('sys' + user).length / 4), outputTokens: completion.usage!.completion_tokens });
    expect(stats.llm.byTask.generate).toEqual({ calls: 1, inputTokens: stats.llm.inputTokens, outputTokens: stats.llm.outputTokens });
    expect(sandbox.stats()).toEqual(stats);
    // the request log, as a provider's would show it: what arrived, and when
    const log = sandbox.llmRequests();
    expect(log).toEqual([{ receivedAt: expect.any(Number), provider: 'openai', model: 'gpt-4o', system: 'sys', messages: [{ role: 'user', content: user }] }]);
    expect(log[0]!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(log[0]!.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('reset clears the counters, and with state: true the QuantConnect projects', async () => {
    await postJson(`${sandbox.url}/__sandbox/reset`, {});
    const { json: cleared } = await getJson(`${sandbox.url}/__sandbox/stats`);
    expect(cleared.requests).toEqual({});
    expect(cleared.quantconnect.backtestsCreated).toBe(0);
    expect(cleared.llm.calls).toBe(0);
    expect(sandbox.llmRequests()).toEqual([]);
    expect((await qc(sandbox.url, 'projects/read', {})).json.projects).toHaveLength(1);
    await postJson(`${sandbox.url}/__sandbox/reset`, { state: true });
    expect((await qc(sandbox.url, 'projects/read', {})).json.projects).toHaveLength(0);
    sandbox.resetStats();
    expect(sandbox.stats().requests).toEqual({});
  });
});
