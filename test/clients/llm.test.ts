import type http from 'node:http';
import { AnthropicLlm, createLlmClient, OpenAiLlm, type LlmClient } from '../../activities/llm';
import { AuthenticationError, BadRequestError, MalformedResponseError, RateLimitedError, ServiceUnavailableError } from '../../domain/errors';
import { rejectionOf, sendJson, startServer, type RecordedRequest, type TestServer } from './helpers/server';

const OPENAI_KEY = 'sk-test-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-test-0123456789abcdef';
const REQUEST = { task: 'summarize', system: 'You are QuantCoder.', user: 'QuantCoder task: summarize\nPaper:\n```text\nmomentum\n```', maxTokens: 500 };

type Answer = (res: http.ServerResponse, raw: http.IncomingMessage) => void;

const openAiCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: '{"title":"Momentum"}', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 120, completion_tokens: 34, total_tokens: 154 },
};

const anthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [
    { type: 'text', text: '```python\nclass A:' },
    { type: 'text', text: '\n    pass\n```' },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 200, output_tokens: 60 },
};

const openAiError = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });
const anthropicError = (message: string, type: string) => ({ type: 'error', error: { type, message } });

interface Provider {
  name: 'openai' | 'anthropic';
  path: string;
  key: string;
  make: (server: TestServer, timeoutMs?: number) => LlmClient;
  ok: unknown;
  error: (message: string, type: string) => unknown;
}

const PROVIDERS: Provider[] = [
  {
    name: 'openai',
    path: '/v1/chat/completions',
    key: OPENAI_KEY,
    make: (s, timeoutMs = 2000) => new OpenAiLlm({ apiKey: OPENAI_KEY, model: 'gpt-4o', baseUrl: `${s.url}/v1`, timeoutMs }),
    ok: openAiCompletion,
    error: openAiError,
  },
  {
    name: 'anthropic',
    path: '/v1/messages',
    key: ANTHROPIC_KEY,
    make: (s, timeoutMs = 2000) => new AnthropicLlm({ apiKey: ANTHROPIC_KEY, model: 'claude-sonnet-4-6', baseUrl: s.url, timeoutMs }),
    ok: anthropicMessage,
    error: anthropicError,
  },
];

describe.each(PROVIDERS)('the $name client', (provider) => {
  let server: TestServer;
  let answer: Answer;

  beforeEach(async () => {
    answer = (res) => sendJson(res, 200, provider.ok);
    server = await startServer((_req: RecordedRequest, res, raw) => answer(res, raw));
  });
  afterEach(() => server.close());

  const only = () => {
    expect(server.requests).toHaveLength(1); // the SDK's own retries are off
    expect(server.requests[0]!.path).toBe(provider.path);
    return server.requests[0]!;
  };

  it('sends the system prompt and user message and returns text with token counts', async () => {
    const result = await provider.make(server).complete(REQUEST);
    const sent = JSON.parse(only().body) as Record<string, unknown>;
    if (provider.name === 'openai') {
      expect(result).toMatchObject({ text: '{"title":"Momentum"}', inputTokens: 120, outputTokens: 34, provider: 'openai', model: 'gpt-4o-2024-08-06', stopReason: 'stop' });
      expect(sent.messages).toEqual([
        { role: 'system', content: REQUEST.system },
        { role: 'user', content: REQUEST.user },
      ]);
      expect(sent.max_tokens).toBe(500); // not api.openai.com: the field compatible servers know
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    } else {
      expect(result).toMatchObject({ text: '```python\nclass A:\n    pass\n```', inputTokens: 200, outputTokens: 60, provider: 'anthropic', model: 'claude-sonnet-4-6' });
      expect(sent.system).toBe(REQUEST.system);
      expect(sent.messages).toEqual([{ role: 'user', content: REQUEST.user }]);
      expect(sent.max_tokens).toBe(500);
      // SDK 1.x sends the key as a bearer token; older ones used x-api-key.
      const { authorization } = server.requests[0]!.headers;
      expect(authorization === `Bearer ${ANTHROPIC_KEY}` || server.requests[0]!.headers['x-api-key'] === ANTHROPIC_KEY).toBe(true);
    }
  });

  it('surfaces 429 Retry-After as retryAfterMs, after exactly one request', async () => {
    answer = (res) => sendJson(res, 429, provider.error('Rate limit reached for requests', 'rate_limit_error'), { 'retry-after': '3' });
    const err = await rejectionOf(provider.make(server).complete(REQUEST));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBe(3000);
    expect(err.message).toContain(provider.name);
    expect(err.message).toContain('summarize');
    only();
  });

  it('prefers the retry-after-ms header when the service sends it', async () => {
    answer = (res) => sendJson(res, 429, provider.error('slow down', 'rate_limit_error'), { 'retry-after-ms': '1500', 'retry-after': '9' });
    expect((await rejectionOf(provider.make(server).complete(REQUEST))).retryAfterMs).toBe(1500);
    only();
  });

  it('reports a refused key as a non-retryable authentication error that does not repeat the key', async () => {
    answer = (res) => sendJson(res, 401, provider.error(`Incorrect API key provided: ${provider.key}`, 'authentication_error'));
    const err = await rejectionOf(provider.make(server).complete(REQUEST));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(provider.name);
    expect(err.message).not.toContain(provider.key);
    expect(err.message).not.toContain(provider.key.slice(-12));
    only();
  });

  it.each([
    [400, BadRequestError],
    [404, BadRequestError],
    [422, BadRequestError],
    [403, AuthenticationError],
    [500, ServiceUnavailableError],
    [503, ServiceUnavailableError],
    [529, ServiceUnavailableError],
  ])('maps HTTP %d to its typed error without retrying inside the SDK', async (status, type) => {
    answer = (res) => sendJson(res, status, provider.error(`status ${status}`, 'api_error'));
    const err = await rejectionOf(provider.make(server).complete(REQUEST));
    expect(err).toBeInstanceOf(type);
    expect(err.message).toContain(`HTTP ${status}`);
    only();
  });

  it('treats a body that is not JSON, or not the promised shape, as a malformed response', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ {"message": ');
    };
    const err = await rejectionOf(provider.make(server).complete(REQUEST));
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.message).toContain(provider.name);

    answer = (res) => sendJson(res, 200, { hello: 'world' });
    expect(await rejectionOf(provider.make(server).complete(REQUEST))).toBeInstanceOf(MalformedResponseError);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a timeout as a retryable service error after one attempt', async () => {
    answer = () => undefined; // never answers
    const err = await rejectionOf(provider.make(server, 200).complete(REQUEST));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.message).toMatch(/timed out/);
    only();
  });

  it('reports a reset connection as a retryable service error after one attempt', async () => {
    answer = (_res, raw) => raw.socket.destroy();
    const err = await rejectionOf(provider.make(server).complete(REQUEST));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.message).toContain(provider.name);
    only();
  });

  it('rethrows the caller\'s cancellation reason instead of a service error', async () => {
    answer = () => undefined;
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(provider.make(server).complete({ ...REQUEST, signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('the OpenAI request body', () => {
  it('uses max_completion_tokens where OpenAI wants it and passes temperature through', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, openAiCompletion));
    try {
      const llm = new OpenAiLlm({ apiKey: OPENAI_KEY, model: 'gpt-4o', baseUrl: `${server.url}/v1`, timeoutMs: 2000, tokenLimitField: 'max_completion_tokens' });
      await llm.complete({ ...REQUEST, temperature: 0.2 });
      const sent = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
      expect(sent).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 500, temperature: 0.2 });
      expect(sent).not.toHaveProperty('max_tokens');
    } finally {
      await server.close();
    }
  });
});

describe('createLlmClient', () => {
  it('refuses to build a client without a key, saying how to configure one', () => {
    for (const provider of ['openai', 'anthropic'] as const) {
      let caught: unknown;
      try {
        createLlmClient({ provider, model: 'm', baseUrl: 'http://127.0.0.1:9', apiKey: '  ', timeoutMs: 1000 });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AuthenticationError);
      expect((caught as Error).message).toContain(provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY');
    }
  });

  it('builds the client of the configured provider', () => {
    expect(createLlmClient({ provider: 'anthropic', model: 'claude-x', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 1000 })).toBeInstanceOf(AnthropicLlm);
    const openai = createLlmClient({ provider: 'openai', model: 'llama3', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'ollama', timeoutMs: 1000 });
    expect(openai).toBeInstanceOf(OpenAiLlm);
    expect(openai.model).toBe('llama3');
  });
});

describe('recovering a lost OpenAI answer from stored completions', () => {
  const KEY = 'call-key-0123456789abcdef';
  const make = (server: TestServer, recoverLostAnswers?: boolean) =>
    new OpenAiLlm({ apiKey: OPENAI_KEY, model: 'gpt-4o', baseUrl: `${server.url}/v1`, timeoutMs: 2000, recoverLostAnswers });

  it('stores each completion with the call key in its metadata when recovery is on', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, openAiCompletion));
    try {
      await make(server, true).complete({ ...REQUEST, idempotencyKey: KEY });
      expect(JSON.parse(server.requests[0]!.body)).toMatchObject({ store: true, metadata: { quantcoder_call: KEY } });
      await make(server, false).complete({ ...REQUEST, idempotencyKey: KEY });
      expect(JSON.parse(server.requests[1]!.body)).not.toHaveProperty('store');
      expect(JSON.parse(server.requests[1]!.body)).not.toHaveProperty('metadata');
    } finally {
      await server.close();
    }
  });

  it('is off by default for an OpenAI-compatible server, on for api.openai.com', () => {
    expect(new OpenAiLlm({ apiKey: OPENAI_KEY, model: 'llama3', baseUrl: 'http://127.0.0.1:11434/v1', timeoutMs: 1000 }).recoversLostAnswers).toBe(false);
    expect(new OpenAiLlm({ apiKey: OPENAI_KEY, model: 'gpt-4o', baseUrl: 'https://api.openai.com/v1', timeoutMs: 1000 }).recoversLostAnswers).toBe(true);
  });

  it('lists stored completions by the call key and returns the one that carries it', async () => {
    const server = await startServer((_req, res) =>
      sendJson(res, 200, { object: 'list', data: [{ ...openAiCompletion, metadata: { quantcoder_call: KEY } }], first_id: 'chatcmpl-1', last_id: 'chatcmpl-1', has_more: false }),
    );
    try {
      const answer = await make(server, true).findAnswer({ task: 'summarize', idempotencyKey: KEY });
      expect(answer).toMatchObject({ text: '{"title":"Momentum"}', inputTokens: 120, outputTokens: 34, provider: 'openai' });
      const sent = server.requests[0]!;
      expect(sent.method).toBe('GET');
      expect(decodeURIComponent(sent.path)).toContain(`/v1/chat/completions?metadata[quantcoder_call]=${KEY}`);
    } finally {
      await server.close();
    }
  });

  it('ignores a listed completion without the key (a server that ignores the filter)', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { object: 'list', data: [openAiCompletion], first_id: 'chatcmpl-1', last_id: 'chatcmpl-1', has_more: false }));
    try {
      expect(await make(server, true).findAnswer({ task: 'summarize', idempotencyKey: KEY })).toBeNull();
    } finally {
      await server.close();
    }
  });

  it.each([400, 403, 404, 405])('turns recovery off for a server that answers the list with %i, and asks it no more', async (status) => {
    const server = await startServer((_req, res) => sendJson(res, status, openAiError('Invalid URL (GET /v1/chat/completions)', 'invalid_request_error')));
    try {
      const llm = make(server, true);
      expect(await llm.findAnswer({ task: 'summarize', idempotencyKey: KEY })).toBeNull();
      expect(await llm.findAnswer({ task: 'summarize', idempotencyKey: KEY })).toBeNull();
      expect(server.requests).toHaveLength(1);
      expect(llm.recoversLostAnswers).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('makes the call again when the list answers with something that is not a list', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[{"id":');
    });
    try {
      const llm = make(server, true);
      expect(await llm.findAnswer({ task: 'summarize', idempotencyKey: KEY })).toBeNull();
      expect(llm.recoversLostAnswers).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('throws a retryable error when the list fails for another reason, rather than paying again blind', async () => {
    const server = await startServer((_req, res) => sendJson(res, 503, openAiError('The engine is currently overloaded', 'server_error')));
    try {
      const err = await rejectionOf(make(server, true).findAnswer({ task: 'summarize', idempotencyKey: KEY }));
      expect(err).toBeInstanceOf(ServiceUnavailableError);
    } finally {
      await server.close();
    }
  });

  it('Anthropic offers no lookup', () => {
    const anthropic: LlmClient = new AnthropicLlm({ apiKey: ANTHROPIC_KEY, model: 'claude-sonnet-4-6', baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
    expect(anthropic.findAnswer).toBeUndefined();
  });
});
