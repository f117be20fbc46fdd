import { randomBytes } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { parseJson, sendJson } from '../http';
import { contentText, countTokens, runModel } from '../llm/model';
import type { CannedBody, Exchange, SimulatedService } from '../service';
import { sameSecret } from './openai';

/**
 * Anthropic's Messages API (`/v1/messages`): the API key and `anthropic-version` headers, the
 * system prompt as a top-level field, errors as `{type: "error", error: {type, message}}`.
 */

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function errorJson(status: number, message: string) {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
}

function requestId(): string {
  return `req_${randomBytes(12).toString('base64url')}`;
}

function fail(ex: Exchange, status: number, message: string): void {
  sendJson(ex.res, status, errorJson(status, message), { 'request-id': requestId() });
}

/**
 * The key comes as `x-api-key` (the classic header) or as `Authorization: Bearer` (what
 * @anthropic-ai/sdk 1.x sends for an apiKey); both are accepted, like the real API does.
 */
function authorised(ex: Exchange): boolean {
  const header = ex.req.headers['x-api-key'];
  const bearer = /^Bearer\s+(.+)$/i.exec(ex.req.headers.authorization ?? '')?.[1]?.trim();
  const given = (Array.isArray(header) ? header[0] : header) ?? bearer;
  if (!given) {
    fail(ex, 401, 'x-api-key header is required');
    return false;
  }
  if (!sameSecret(given, SANDBOX_CREDENTIALS.anthropicApiKey)) {
    fail(ex, 401, 'invalid x-api-key');
    return false;
  }
  if (!ex.req.headers['anthropic-version']) {
    fail(ex, 400, 'anthropic-version: header is required');
    return false;
  }
  return true;
}

/** The request body, checked like the API does; answers the 400 itself and returns null when invalid. */
async function readRequest(ex: Exchange, needsMaxTokens: boolean): Promise<{ model: string; system: string; messages: Array<{ role: string; content: string }>; maxTokens?: number } | null> {
  const parsed = parseJson(await ex.body());
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object') {
    fail(ex, 400, 'There was an issue with your request body: invalid JSON');
    return null;
  }
  const body = parsed.value as Record<string, unknown>;
  if (typeof body.model !== 'string' || !body.model) return fail(ex, 400, 'model: Field required'), null;
  if (needsMaxTokens && (typeof body.max_tokens !== 'number' || body.max_tokens < 1)) return fail(ex, 400, 'max_tokens: Field required'), null;
  if (!Array.isArray(body.messages) || body.messages.length === 0) return fail(ex, 400, 'messages: at least one message is required'), null;
  if (body.stream === true) return fail(ex, 400, 'stream: streaming is not supported by the QuantCoder sandbox; send "stream": false'), null;
  const messages: Array<{ role: string; content: string }> = [];
  for (const m of body.messages as Array<{ role?: unknown; content?: unknown }>) {
    if (m?.role !== 'user' && m?.role !== 'assistant') return fail(ex, 400, `messages: Input tag '${String(m?.role)}' found using 'role' does not match any of the expected tags: 'user', 'assistant'`), null;
    messages.push({ role: m.role, content: contentText(m.content) });
  }
  if (messages[0]!.role !== 'user') return fail(ex, 400, 'messages: first message must use the "user" role'), null;
  return { model: body.model, system: contentText(body.system), messages, maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined };
}

async function messagesCreate(ex: Exchange): Promise<void> {
  if (!authorised(ex)) return;
  const request = await readRequest(ex, true);
  if (!request) return;
  const result = await runModel(ex.runtime, { provider: 'anthropic', model: request.model, system: request.system, messages: request.messages }, { maxTokens: request.maxTokens });
  sendJson(
    ex.res,
    200,
    {
      id: `msg_${randomBytes(18).toString('base64url')}`,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [{ type: 'text', text: result.text }],
      stop_reason: result.truncated ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: result.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: result.outputTokens, service_tier: 'standard' },
    },
    { 'request-id': requestId(), 'anthropic-organization-id': 'sandbox-org' },
  );
}

async function countTokensRoute(ex: Exchange): Promise<void> {
  if (!authorised(ex)) return;
  const request = await readRequest(ex, false);
  if (!request) return;
  sendJson(ex.res, 200, { input_tokens: countTokens(request.system + request.messages.map((m) => m.content).join('')) });
}

export const anthropicService: SimulatedService = {
  name: 'anthropic',
  route(method, path) {
    const p = path.replace(/^v1\//, '');
    if (p === 'messages' && method === 'POST') return { key: 'messages', handle: messagesCreate };
    if (p === 'messages/count_tokens' && method === 'POST') return { key: 'messages/count_tokens', handle: countTokensRoute };
    if (p === 'models' && method === 'GET') {
      return {
        key: 'models',
        handle: (ex) => {
          if (!authorised(ex)) return;
          sendJson(ex.res, 200, {
            data: ['claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5'].map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
            has_more: false,
            first_id: 'claude-sonnet-4-6',
            last_id: 'claude-haiku-4-5',
          });
        },
      };
    }
    return { key: 'unknown', handle: (ex) => fail(ex, 404, `Not found: ${method} /v1/${p}`) };
  },
  errorBody(status, message): CannedBody {
    const text = status === 429 ? 'Number of request tokens has exceeded your per-minute rate limit' : status === 529 ? 'Overloaded' : status >= 500 ? 'Internal server error' : message;
    return { contentType: 'application/json', body: JSON.stringify(errorJson(status, text)), headers: { 'request-id': requestId() } };
  },
  malformedBody(): CannedBody {
    return { contentType: 'application/json', body: '{"id":"msg_sandbox","type":"message","role":"assistant","content":[{"type":"text","text":"```python\\nfrom Algo' };
  },
};
