import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { getJson, getText, postJson, qc } from './helpers';

let sandbox: SandboxHandle;
let openai: OpenAI;
beforeAll(async () => {
  sandbox = await startSandbox();
  openai = new OpenAI({ baseURL: `${sandbox.url}/openai/v1`, apiKey: SANDBOX_CREDENTIALS.openaiApiKey, maxRetries: 0 });
});
afterAll(() => sandbox.stop());
afterEach(async () => {
  await request(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' }).then((r) => r.body.dump());
});

const fault = (spec: Record<string, unknown>) => postJson(`${sandbox.url}/__sandbox/faults`, spec);
const chat = () => openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'QuantCoder task: summarize\n\nPaper:\n```text\nMomentum.\n```' }] });

describe('fault injection', () => {
  it('answers an injected 500 in the service’s own shape, only as many times as asked', async () => {
    expect((await fault({ service: 'crossref', route: 'works', kind: 'status', status: 500, times: 1 })).status).toBe(201);
    const failed = await getText(`${sandbox.url}/crossref/works?query=momentum`);
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toMatch(/^text\/plain/);
    const next = await getJson(`${sandbox.url}/crossref/works?query=momentum`);
    expect(next.status).toBe(200);
    expect(next.json.status).toBe('ok');
  });

  it('sends 429 with Retry-After in OpenAI’s error shape (seen through the SDK)', async () => {
    await fault({ service: 'openai', route: 'chat/completions', kind: 'status', status: 429, retryAfter: 2, times: 1 });
    const err = await chat().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rate = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rate.status).toBe(429);
    expect(rate.headers?.get('retry-after')).toBe('2');
    expect(rate.code).toBe('rate_limit_exceeded');
    expect((await chat()).choices[0]!.message.content).toContain('```json');
  });

  it('sends 529 overloaded in Anthropic’s error shape', async () => {
    await fault({ service: 'anthropic', route: '/v1/messages', kind: 'status', status: 529, times: 1 });
    const anthropic = new Anthropic({ baseURL: `${sandbox.url}/anthropic`, apiKey: SANDBOX_CREDENTIALS.anthropicApiKey, maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('loses the answer after the work: a project created behind a reset connection exists afterwards', async () => {
    await fault({ service: 'quantconnect', route: 'projects/create', kind: 'lost-reset', times: 1 });
    const name = `lost-${Date.now()}`;
    const err = await qc(sandbox.url, 'projects/create', { name, language: 'Py' }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNRESET');
    const listed = await qc(sandbox.url, 'projects/read', {});
    expect(listed.json.projects.filter((p: { name: string }) => p.name === name)).toHaveLength(1);
  });

  it('bills a lost LLM answer, and counts the same request asked again as paid twice', async () => {
    const before = (await getJson(`${sandbox.url}/__sandbox/stats`)).json.llm;
    await fault({ service: 'openai', kind: 'lost-hang', times: 1 });
    const lostBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'QuantCoder task: summarize\n\nPaper:\n```text\nLost.\n```' }] };
    const err = await request(`${sandbox.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.openaiApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(lostBody),
      headersTimeout: 300,
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'QuantCoder task: summarize\n\nPaper:\n```text\nLost.\n```' }] });
    const after = (await getJson(`${sandbox.url}/__sandbox/stats`)).json.llm;
    expect(after.calls - before.calls).toBe(2);
    expect(after.repeatedRequests - before.repeatedRequests).toBe(1);
  });

  it('hangs until the client times out', async () => {
    await fault({ service: 'unpaywall', kind: 'hang' });
    const started = Date.now();
    const err = await request(`${sandbox.url}/unpaywall/v2/10.5555/jstr.2021.0142?email=a@b.org`, { headersTimeout: 300 }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('resets the connection', async () => {
    await fault({ service: 'quantconnect', route: 'backtests/create', kind: 'reset', times: 1 });
    const err = await qc(sandbox.url, 'backtests/create', { projectId: 1 }).catch((e: unknown) => e);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain((err as { code?: string }).code);
    // other routes are untouched
    expect((await qc(sandbox.url, 'authenticate')).json.success).toBe(true);
  });

  it('sends a truncated body with 200 and the right content type', async () => {
    await fault({ service: 'crossref', kind: 'malformed', times: 1 });
    const res = await getText(`${sandbox.url}/crossref/works?query=momentum`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.text)).toThrow();
    await fault({ service: 'openai', kind: 'malformed', times: 1 });
    await expect(chat()).rejects.toThrow();
  });

  it('delays answers by the injected latency', async () => {
    await fault({ service: 'arxiv', kind: 'latency', latencyMs: 300, times: 1 });
    const started = Date.now();
    const res = await getText(`${sandbox.url}/arxiv/api/query?search_query=all:momentum`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives QuantConnect a 401 only by injection', async () => {
    await fault({ service: 'quantconnect', kind: 'status', status: 401, times: 1 });
    expect(await qc(sandbox.url, 'authenticate')).toEqual({ status: 401, json: { success: false, errors: ['Unauthorized'] } });
    expect(await qc(sandbox.url, 'authenticate')).toEqual({ status: 200, json: { success: true, errors: [] } });
  });

  it('keeps unlimited faults until deleted, lists them, and validates new ones', async () => {
    const added = await fault({ service: 'papers', kind: 'status', status: 503 });
    expect(added.json).toMatchObject({ id: expect.stringMatching(/^fault-/), service: 'papers', remaining: null });
    for (let i = 0; i < 3; i++) expect((await getText(`${sandbox.url}/papers/time-series-momentum-etfs.pdf`)).status).toBe(503);
    const listed = await getJson(`${sandbox.url}/__sandbox/faults`);
    expect(listed.json.faults).toHaveLength(1);
    expect(listed.json.faults[0].applied).toBe(3);
    await postJson(`${sandbox.url}/__sandbox/faults`, {}, 'DELETE');
    expect((await getText(`${sandbox.url}/papers/time-series-momentum-etfs.pdf`)).status).toBe(200);
    expect((await fault({ service: 'nowhere', kind: 'status', status: 500 })).status).toBe(400);
    expect((await fault({ service: 'openai', kind: 'status' })).status).toBe(400);
    expect((await fault({ service: 'openai', kind: 'explode' })).status).toBe(400);
  });
});

describe('control API', () => {
  it('reads and validates configuration', async () => {
    const set = await postJson(`${sandbox.url}/__sandbox/config`, { llmLatencyMs: 5, mistakeRate: 0.25 });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ llmLatencyMs: 5, mistakeRate: 0.25 });
    expect((await getJson(`${sandbox.url}/__sandbox/config`)).json.mistakeRate).toBe(0.25);
    expect((await postJson(`${sandbox.url}/__sandbox/config`, { mistakeRate: 3 })).status).toBe(400);
    expect((await postJson(`${sandbox.url}/__sandbox/config`, { unknownKnob: 1 })).status).toBe(400);
    await postJson(`${sandbox.url}/__sandbox/config`, { llmLatencyMs: 0, mistakeRate: 0 });
  });

  it('describes the services and the corpus', async () => {
    const index = await getJson(`${sandbox.url}/__sandbox`);
    expect(index.json.services.openai).toBe(`${sandbox.url}/openai/v1`);
    expect(index.json.services.quantconnect).toBe(`${sandbox.url}/quantconnect/api/v2`);
    const corpus = await getJson(`${sandbox.url}/__sandbox/corpus`);
    expect(corpus.json.papers).toHaveLength(6);
    expect((await getText(corpus.json.papers[0].pdfUrl)).status).toBe(200);
  });
});
