import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
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
}

/** OpenAI chat completions (and OpenAI-compatible servers), with the SDK's own retries off. */
export class OpenAiLlm implements LlmClient {
  readonly provider = 'openai' as const;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly tokenLimitField: 'max_tokens' | 'max_completion_tokens';

  constructor(private readonly options: OpenAiLlmOptions) {
    this.model = options.model;
    // Temporal owns retries: the SDK must send each request exactly once.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, timeout: options.timeoutMs });
    this.tokenLimitField = options.tokenLimitField ?? (isOpenAiHost(options.baseUrl) ? 'max_completion_tokens' : 'max_tokens');
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
