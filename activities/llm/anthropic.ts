import Anthropic, { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { cancellationReason, llmCallContext, llmError, type LlmCallContext } from './errors';
import { fromSdkError, type SdkErrorClasses } from './sdk-errors';
import type { LlmAnswer, LlmClient, LlmRequest } from './types';

const ANTHROPIC_ERRORS: SdkErrorClasses = { base: AnthropicError, APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError };

/** Anthropic requires a token limit; this one fits a whole generated algorithm. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 8192;

export interface AnthropicLlmOptions {
  apiKey: string;
  model: string;
  /** `https://api.anthropic.com` (the SDK adds `/v1/messages`). */
  baseUrl: string;
  timeoutMs: number;
}

/**
 * Anthropic's Messages API, with the SDK's own retries off. The request's `temperature` is ignored
 * (the API deprecated it). The API keeps no answers a client can list or look up, so there is no
 * `findAnswer`: an answer lost after Anthropic billed it is asked for, and paid for, again.
 */
export class AnthropicLlm implements LlmClient {
  readonly provider = 'anthropic' as const;
  readonly model: string;
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicLlmOptions) {
    this.model = options.model;
    // Temporal owns retries: the SDK must send each request exactly once.
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: options.timeoutMs });
  }

  async complete(req: LlmRequest): Promise<LlmAnswer> {
    const ctx = llmCallContext(this, req.task, this.options);
    const body: Anthropic.MessageCreateParamsNonStreaming = {
      model: this.model,
      max_tokens: req.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
      system: req.system,
      messages: [{ role: 'user', content: req.user }],
    };
    // `temperature` is not sent: the Messages API of SDK 1.x no longer takes sampling parameters.
    let message: unknown;
    const started = Date.now();
    try {
      message = await this.client.messages.create(body, { signal: req.signal, maxRetries: 0, timeout: this.options.timeoutMs });
    } catch (err) {
      const cancelled = cancellationReason(req.signal);
      if (cancelled !== undefined) throw cancelled;
      throw fromSdkError(err, ANTHROPIC_ERRORS, { ...ctx, elapsedMs: Date.now() - started });
    }
    return readMessage(message, ctx, this.model);
  }
}

function readMessage(message: unknown, ctx: LlmCallContext, requestedModel: string): LlmAnswer {
  const malformed = (detail: string) => llmError(ctx, { kind: 'malformed', message: detail });
  if (!message || typeof message !== 'object') throw malformed(`expected a JSON object, got ${typeof message === 'string' ? `text "${message.slice(0, 60)}"` : typeof message}`);
  const { content, usage, model, stop_reason } = message as { content?: unknown; usage?: unknown; model?: unknown; stop_reason?: unknown };
  if (!Array.isArray(content)) throw malformed('no content blocks in the message');
  const text = content
    .filter((b): b is { type: 'text'; text: string } => !!b && typeof b === 'object' && (b as { type?: unknown }).type === 'text' && typeof (b as { text?: unknown }).text === 'string')
    .map((b) => b.text)
    .join('');
  if (text === '' && stop_reason === 'refusal') {
    throw llmError(ctx, { kind: 'status', status: 400, headers: undefined, message: 'the model refused to answer' });
  }
  const u = (usage ?? {}) as { input_tokens?: unknown; output_tokens?: unknown };
  return {
    text,
    inputTokens: typeof u.input_tokens === 'number' ? u.input_tokens : 0,
    outputTokens: typeof u.output_tokens === 'number' ? u.output_tokens : 0,
    provider: 'anthropic',
    model: typeof model === 'string' && model ? model : requestedModel,
    stopReason: typeof stop_reason === 'string' ? stop_reason : undefined,
  };
}
