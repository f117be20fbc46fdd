/** The LLM providers QuantCoder speaks to (an OpenAI-compatible server such as Ollama or vLLM counts as `openai`). */
export type LlmProvider = 'openai' | 'anthropic';

export interface LlmRequest {
  /** The prompt-contract task (`summarize`, `generate`, `repair`, `mutate`, `crossover`); named in errors. */
  task: string;
  system: string;
  user: string;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /**
   * The same for every attempt at this one call, and for no other call: a provider that keeps its
   * answers under a key lets a retry find an answer that was paid for but lost on the way back.
   */
  idempotencyKey?: string;
}

export interface LlmAnswer {
  text: string;
  inputTokens: number;
  outputTokens: number;
  provider: string;
  model: string;
  /** Why the model stopped (`stop`, `end_turn`, `length`, `max_tokens`, …), when the provider said. */
  stopReason?: string;
}

/** One chat completion: a system prompt and one user message in, text and token counts out. */
export interface LlmClient {
  readonly provider: LlmProvider;
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmAnswer>;
  /**
   * The answer an earlier attempt with this idempotency key was given, when the provider kept it;
   * null when it did not, or cannot say. Absent for providers that keep no answers (Anthropic).
   */
  findAnswer?(lookup: { task: string; idempotencyKey: string; signal?: AbortSignal }): Promise<LlmAnswer | null>;
}
