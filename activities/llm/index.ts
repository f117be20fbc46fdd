import { AuthenticationError, InvalidInputError } from '../../domain/errors';
import { AnthropicLlm } from './anthropic';
import { OpenAiLlm } from './openai';
import type { LlmClient, LlmProvider } from './types';

export { AnthropicLlm, DEFAULT_ANTHROPIC_MAX_TOKENS, type AnthropicLlmOptions } from './anthropic';
export { ANSWER_KEY_METADATA, OpenAiLlm, type OpenAiLlmOptions } from './openai';
export { llmError, redactSecrets, retryAfterFromHeaders, type LlmCallContext, type LlmFailure } from './errors';
export type { LlmAnswer, LlmClient, LlmProvider, LlmRequest } from './types';

export interface LlmClientConfig {
  provider: LlmProvider;
  model: string;
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** OpenAI only: see {@link OpenAiLlmOptions.recoverLostAnswers}; Anthropic keeps no answers to look up. */
  recoverLostAnswers?: boolean;
}

const KEY_HINT: Record<LlmProvider, string> = {
  openai: 'set OPENAI_API_KEY or run `quantcoder config set openai.apiKey <key>` (for a local OpenAI-compatible server such as Ollama, any non-empty key will do)',
  anthropic: 'set ANTHROPIC_API_KEY or run `quantcoder config set anthropic.apiKey <key>`',
};

/** Builds the client for a provider; a missing key fails here, before any paid work starts. */
export function createLlmClient(config: LlmClientConfig): LlmClient {
  const apiKey = config.apiKey?.trim();
  if (!apiKey) {
    throw new AuthenticationError(`No ${config.provider} API key is configured: ${KEY_HINT[config.provider] ?? 'configure one'}`, { service: config.provider });
  }
  switch (config.provider) {
    case 'openai':
      return new OpenAiLlm({ apiKey, model: config.model, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, recoverLostAnswers: config.recoverLostAnswers });
    case 'anthropic':
      return new AnthropicLlm({ apiKey, model: config.model, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs });
    default:
      throw new InvalidInputError(`Unknown LLM provider "${String(config.provider)}" (valid: openai, anthropic)`);
  }
}
