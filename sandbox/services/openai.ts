import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { parseJson, sendJson } from '../http';
import { contentText, runModel } from '../llm/model';
import type { CannedBody, Exchange, SimulatedService } from '../service';

/**
 * OpenAI's Chat Completions API (`/v1/chat/completions`, `/v1/models`) with Bearer auth and
 * OpenAI's error shape `{error: {message, type, param, code}}`. No streaming. Completions created
 * with `store: true` are kept with their `metadata` and can be listed (`GET /v1/chat/completions`,
 * filtered by `metadata[key]=value` and `model`, paged by `after`/`limit`/`order`) and retrieved
 * (`GET /v1/chat/completions/{id}`), as OpenAI's stored completions are.
 */

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini'];

function openaiError(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function fail(ex: Exchange, status: number, message: string, type = 'invalid_request_error', code: string | null = null, param: string | null = null): void {
  sendJson(ex.res, status, openaiError(message, type, code, param), { 'x-request-id': `req_${randomBytes(12).toString('hex')}` });
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks `Authorization: Bearer <key>`; answers the 401 itself and returns false when wrong. */
function authorised(ex: Exchange): boolean {
  const header = ex.req.headers.authorization;
  const key = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!key) {
    fail(ex, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    return false;
  }
  if (!sameSecret(key, SANDBOX_CREDENTIALS.openaiApiKey)) {
    const masked = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : '*****';
    fail(ex, 401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    return false;
  }
  return true;
}

/** A completion created with `store: true`: the object as created, plus what it was stored with. */
interface StoredCompletion {
  completion: Record<string, unknown>;
  metadata: Record<string, string>;
}

/** OpenAI keeps stored completions for weeks; the sandbox keeps the latest ones, in memory. */
const STORED_LIMIT = 5_000;
const storedByRuntime = new WeakMap<object, StoredCompletion[]>();

function storedCompletions(ex: Exchange): StoredCompletion[] {
  let list = storedByRuntime.get(ex.runtime.store);
  if (!list) storedByRuntime.set(ex.runtime.store, (list = []));
  return list;
}

/** OpenAI's limits on `metadata`: at most 16 pairs, keys up to 64 characters, string values up to 512. */
function readMetadata(value: unknown): { ok: true; metadata: Record<string, string> } | { ok: false; message: string } {
  if (value === undefined || value === null) return { ok: true, metadata: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: "Invalid type for 'metadata': expected an object, but got " + (Array.isArray(value) ? 'an array' : typeof value) + ' instead.' };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 16) return { ok: false, message: `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${entries.length} properties instead.` };
  for (const [k, v] of entries) {
    if (k.length > 64) return { ok: false, message: `Invalid 'metadata': string too long. Expected a string with maximum length 64, but got a string with length ${k.length} instead.` };
    if (typeof v !== 'string') return { ok: false, message: `Invalid type for 'metadata.${k}': expected a string, but got ${typeof v} instead.` };
    if (v.length > 512) return { ok: false, message: `Invalid 'metadata.${k}': string too long. Expected a string with maximum length 512, but got a string with length ${v.length} instead.` };
  }
  return { ok: true, metadata: Object.fromEntries(entries) as Record<string, string> };
}

function storedView(s: StoredCompletion): Record<string, unknown> {
  return { ...s.completion, metadata: s.metadata };
}

/** `GET /v1/chat/completions`: the stored completions matching every `metadata[key]=value` (and `model`). */
function listCompletions(ex: Exchange): void {
  if (!authorised(ex)) return;
  const q = ex.url.searchParams;
  const wanted: Array<[string, string]> = [];
  for (const [name, value] of q) {
    const m = /^metadata\[(.+)\]$/.exec(name);
    if (m) wanted.push([m[1]!, value]);
  }
  const limitRaw = q.get('limit');
  const limit = limitRaw === null ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail(ex, 400, `Invalid 'limit': expected an integer between 1 and 100, got '${limitRaw}'.`, 'invalid_request_error', 'invalid_value', 'limit');
  const order = q.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') return fail(ex, 400, `Invalid 'order': expected one of 'asc', 'desc', got '${order}'.`, 'invalid_request_error', 'invalid_value', 'order');
  const model = q.get('model');
  let matching = storedCompletions(ex).filter((s) => wanted.every(([k, v]) => s.metadata[k] === v) && (model === null || s.completion.model === model));
  if (order === 'desc') matching = [...matching].reverse();
  const after = q.get('after');
  if (after !== null) {
    const at = matching.findIndex((s) => s.completion.id === after);
    matching = at === -1 ? [] : matching.slice(at + 1);
  }
  const page = matching.slice(0, limit).map(storedView);
  sendJson(ex.res, 200, {
    object: 'list',
    data: page,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
    has_more: matching.length > limit,
  });
}

/** `GET /v1/chat/completions/{id}`: one stored completion. */
function retrieveCompletion(ex: Exchange, id: string): void {
  if (!authorised(ex)) return;
  const found = storedCompletions(ex).find((s) => s.completion.id === id);
  if (!found) return fail(ex, 404, `No chat completion found with id '${id}'.`, 'invalid_request_error', null, null);
  sendJson(ex.res, 200, storedView(found));
}

async function chatCompletions(ex: Exchange): Promise<void> {
  if (!authorised(ex)) return;
  const parsed = parseJson(await ex.body());
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object') {
    return fail(ex, 400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)');
  }
  const body = parsed.value as Record<string, unknown>;
  if (typeof body.model !== 'string' || !body.model) return fail(ex, 400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
  if (!Array.isArray(body.messages)) return fail(ex, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
  if (body.messages.length === 0) return fail(ex, 400, "Invalid 'messages': empty array. Expected an array with minimum length 1.", 'invalid_request_error', 'empty_array', 'messages');
  if (body.stream === true) return fail(ex, 400, 'Streaming is not supported by the QuantCoder sandbox; send "stream": false.', 'invalid_request_error', 'unsupported_value', 'stream');
  if (body.store !== undefined && typeof body.store !== 'boolean') return fail(ex, 400, `Invalid type for 'store': expected a boolean, but got ${typeof body.store} instead.`, 'invalid_request_error', 'invalid_type', 'store');
  const metadata = readMetadata(body.metadata);
  if (!metadata.ok) return fail(ex, 400, metadata.message, 'invalid_request_error', 'invalid_value', 'metadata');
  const system: string[] = [];
  const messages: Array<{ role: string; content: string }> = [];
  for (const m of body.messages as Array<{ role?: unknown; content?: unknown }>) {
    const role = typeof m?.role === 'string' ? m.role : '';
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(role)) {
      return fail(ex, 400, `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, 'invalid_request_error', 'invalid_value', 'messages.role');
    }
    if (role === 'system' || role === 'developer') system.push(contentText(m.content));
    else messages.push({ role, content: contentText(m.content) });
  }
  const limit = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === 'number' && v > 0);
  const n = typeof body.n === 'number' && body.n >= 1 ? Math.min(Math.floor(body.n), 8) : 1;
  const started = Date.now();
  const format = (body.response_format as { type?: unknown } | undefined)?.type;
  const jsonMode = format === 'json_object' || format === 'json_schema';
  const result = await runModel(ex.runtime, { provider: 'openai', model: body.model, system: system.join('\n\n'), messages }, { maxTokens: limit, jsonMode });
  const completionTokens = result.outputTokens * n;
  const completion: Record<string, unknown> = {
    id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      message: { role: 'assistant', content: result.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: result.truncated ? 'length' : 'stop',
    })),
    usage: {
      prompt_tokens: result.inputTokens,
      completion_tokens: completionTokens,
      total_tokens: result.inputTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_quantcoder_sandbox',
  };
  // stored as soon as it is made: an answer lost on the way back is still there to be listed
  if (body.store === true) {
    const stored = storedCompletions(ex);
    stored.push({ completion, metadata: metadata.metadata });
    if (stored.length > STORED_LIMIT) stored.splice(0, stored.length - STORED_LIMIT);
  }
  // the create answer does not echo `metadata`; only listed and retrieved completions carry it
  sendJson(ex.res, 200, completion, { 'x-request-id': `req_${randomBytes(12).toString('hex')}`, 'openai-processing-ms': Date.now() - started, 'openai-version': '2020-10-01' });
}

function model(id: string) {
  return { id, object: 'model', created: 1715367049, owned_by: 'system' };
}

export const openaiService: SimulatedService = {
  name: 'openai',
  route(method, path) {
    const p = path.replace(/^v1\//, '');
    if (p === 'chat/completions') {
      if (method === 'POST') return { key: 'chat/completions', handle: chatCompletions };
      if (method === 'GET') return { key: 'chat/completions:list', handle: listCompletions };
      return { key: 'chat/completions', handle: (ex) => fail(ex, 405, `Invalid method for URL (${method} /v1/chat/completions)`) };
    }
    if (/^chat\/completions\/[^/]+$/.test(p) && method === 'GET') {
      const id = decodeURIComponent(p.slice('chat/completions/'.length));
      return { key: 'chat/completions/{id}', handle: (ex) => retrieveCompletion(ex, id) };
    }
    if (p === 'models' && method === 'GET') {
      return {
        key: 'models',
        handle: (ex) => {
          if (authorised(ex)) sendJson(ex.res, 200, { object: 'list', data: MODELS.map(model) });
        },
      };
    }
    if (p.startsWith('models/') && method === 'GET') {
      const id = decodeURIComponent(p.slice('models/'.length));
      return {
        key: 'models/{id}',
        handle: (ex) => {
          if (!authorised(ex)) return;
          if (MODELS.includes(id)) sendJson(ex.res, 200, model(id));
          else fail(ex, 404, `The model '${id}' does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
        },
      };
    }
    return { key: 'unknown', handle: (ex) => fail(ex, 404, `Invalid URL (${method} /v1/${p})`) };
  },
  errorBody(status, message): CannedBody {
    const [type, code, text] =
      status === 429
        ? ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again later.']
        : status === 401
          ? ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.']
          : status >= 500
            ? ['server_error', null, status === 503 ? 'The engine is currently overloaded, please try again later.' : 'The server had an error while processing your request. Sorry about that!']
            : ['invalid_request_error', null, message];
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(openaiError(text, type, code)) };
  },
  malformedBody(): CannedBody {
    return { contentType: 'application/json', body: '{"id":"chatcmpl-sandbox","object":"chat.completion","created":1704164645,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"```python\\nfrom Algorithm' };
  },
};
