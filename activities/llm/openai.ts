import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { MalformedResponseError } from '../../domain/errors';
import { cancellationReason, llmCallContext, llmError, type LlmCallContext } from './errors';
import { fromSdkError, type SdkErrorClasses } from './sdk-errors';
import type { LlmAnswer, LlmClient, LlmRequest } from './types';

const OPENAI_ERRORS: SdkErrorClasses = { base: OpenAIError, APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError };

export interface OpenAiLlmOptions {
  apiKey: string;
  model: string;
  /** `https://api.openai.com/v1`, or an OpenAI-compatible server (`http://localhost:11434/v1` for Ollama, vLLM, …). */
  baseUrl: string;
  timeoutMs: number;
  /**
   * Which field carries the token limit. OpenAI's own API wants `max_completion_tokens`
   * (reasoning models reject `max_tokens`); many compatible servers only know `max_tokens`.
   * Default: `max_completion_tokens` for api.openai.com, `max_tokens` elsewhere.
   */
  tokenLimitField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Stores each completion at the provider (`store: true`) with the call's idempotency key in its
   * `metadata`, so a retry lists stored completions by that key and uses an answer that was paid
   * for but lost, instead of paying again. OpenAI then retains the completion under its stored
   * completions policy. Default: on for api.openai.com, off elsewhere (a compatible server may
   * reject the fields); a server without the list endpoint (404/405) just gets no recovery.
   */
  recoverLostAnswers?: boolean;
}

/** The `metadata` key under which a completion carries its call's idempotency key. */
export const ANSWER_KEY_METADATA = 'quantcoder_call';

/**
 * Statuses of a server that does not keep or list completions, or not for this key (a restricted
 * key without the read scope answers 403): recovery is off for it, not an error.
 */
const NO_STORED_COMPLETIONS = new Set([400, 403, 404, 405, 422, 501]);

/** OpenAI chat completions (and OpenAI-compatible servers), with the SDK's own retries off. */
export class OpenAiLlm implements LlmClient {
  readonly provider = 'openai' as const;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly tokenLimitField: 'max_tokens' | 'max_completion_tokens';
  private recoverLostAnswers: boolean;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.model = options.model;
    // Temporal owns retries: the SDK must send each request exactly once.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: options.timeoutMs });
    this.tokenLimitField = options.tokenLimitField ?? (isOpenAiHost(options.baseUrl) ? 'max_completion_tokens' : 'max_tokens');
    this.recoverLostAnswers = options.recoverLostAnswers ?? isOpenAiHost(options.baseUrl);
  }

  /** Whether completions are stored under their idempotency key and looked up on a retry. */
  get recoversLostAnswers(): boolean {
    return this.recoverLostAnswers;
  }

  async complete(req: LlmRequest): Promise<LlmAnswer> {
    const ctx = llmCallContext(this, req.task, this.options);
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: [
        { role: 'system', content: req.system },
        { role: 'user', content: req.user },
      ],
    };
    if (req.maxTokens !== undefined) body[this.tokenLimitField] = req.maxTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (this.recoverLostAnswers && req.idempotencyKey) {
      body.store = true;
      body.metadata = { [ANSWER_KEY_METADATA]: req.idempotencyKey };
    }
    let completion: unknown;
    const started = Date.now();
    try {
      completion = await this.client.chat.completions.create(body, { signal: req.signal, maxRetries: 0 });
    } catch (err) {
      const cancelled = cancellationReason(req.signal);
      if (cancelled !== undefined) throw cancelled;
      throw fromSdkError(err, OPENAI_ERRORS, { ...ctx, elapsedMs: Date.now() - started });
    }
    return readCompletion(completion, ctx, this.model);
  }

  /**
   * Lists stored completions by the call's idempotency key. Only a completion whose own metadata
   * carries the key counts (a server may ignore the filter). A server that does not keep or list
   * completions turns recovery off for this client; a rate limit, a server error or a lost
   * connection is thrown (retried), since paying again without knowing is the costlier mistake.
   */
  async findAnswer(lookup: { task: string; idempotencyKey: string; signal?: AbortSignal }): Promise<LlmAnswer | null> {
    if (!this.recoverLostAnswers) return null;
    const ctx = llmCallContext(this, lookup.task, this.options);
    let page: { data: unknown[] };
    const started = Date.now();
    try {
      page = await this.client.chat.completions.list(
        { metadata: { [ANSWER_KEY_METADATA]: lookup.idempotencyKey }, limit: 10 },
        { signal: lookup.signal, maxRetries: 0, timeout: this.options.timeoutMs },
      );
    } catch (err) {
      const cancelled = cancellationReason(lookup.signal);
      if (cancelled !== undefined) throw cancelled;
      if (err instanceof APIError && typeof err.status === 'number' && NO_STORED_COMPLETIONS.has(err.status)) {
        this.recoverLostAnswers = false;
        return null;
      }
      const typed = fromSdkError(err, OPENAI_ERRORS, { ...ctx, elapsedMs: Date.now() - started });
      // a list that answers, but not with a list, cannot say: the call is made again
      if (typed instanceof MalformedResponseError) return null;
      throw typed;
    }
    if (!page || !Array.isArray((page as { data?: unknown }).data)) return null;
    const found = page.data.find(
      (c) => !!c && typeof c === 'object' && ((c as { metadata?: Record<string, unknown> | null }).metadata ?? {})[ANSWER_KEY_METADATA] === lookup.idempotencyKey,
    );
    return found === undefined ? null : readCompletion(found, ctx, this.model);
  }
}

function isOpenAiHost(baseUrl: string): boolean {
  try {
    return /(^|\.)openai\.com$/i.test(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

/** Checks the chat-completion shape ourselves: a compatible server may answer anything. */
function readCompletion(completion: unknown, ctx: LlmCallContext, requestedModel: string): LlmAnswer {
  const malformed = (message: string) => llmError(ctx, { kind: 'malformed', message });
  if (!completion || typeof completion !== 'object') throw malformed(`expected a JSON object, got ${typeof completion === 'string' ? `text "${completion.slice(0, 60)}"` : typeof completion}`);
  const { choices, usage, model } = completion as { choices?: unknown; usage?: unknown; model?: unknown };
  if (!Array.isArray(choices) || choices.length === 0) throw malformed('no choices in the completion');
  const first = choices[0] as { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown } | null;
  const content = first?.message?.content;
  if (typeof content !== 'string') {
    const refusal = first?.message?.refusal;
    if (typeof refusal === 'string' && refusal) throw llmError(ctx, { kind: 'status', status: 400, headers: undefined, message: `the model refused: ${refusal}` });
    throw malformed('the first choice has no text content');
  }
  const u = (usage ?? {}) as { prompt_tokens?: unknown; completion_tokens?: unknown };
  return {
    text: content,
    inputTokens: typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0,
    outputTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : 0,
    provider: 'openai',
    model: typeof model === 'string' && model ? model : requestedModel,
    stopReason: typeof first?.finish_reason === 'string' ? first.finish_reason : undefined,
  };
}
