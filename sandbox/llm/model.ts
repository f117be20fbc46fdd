import { createHash } from 'node:crypto';
import { addUsage } from '../stats';
import { sleep, type SandboxRuntime } from '../service';
import { scriptedAnswer, type ScriptedAnswer } from './answer';
import type { LlmExchange } from './prompt';
import { countUnfaithfulness } from './unfaithful';

/** Rough tokenizer: four characters a token, like the usual rule of thumb. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface ModelResult extends ScriptedAnswer {
  inputTokens: number;
  outputTokens: number;
  /** True when the answer was cut at the request's token limit. */
  truncated: boolean;
}

export interface ModelOptions {
  maxTokens?: number;
  /** OpenAI's JSON mode: a fenced JSON answer is sent bare, as a real model in that mode would. */
  jsonMode?: boolean;
}

/** Runs the scripted model for one request: latency, answer, token limit, and the LLM counters. */
export async function runModel(runtime: SandboxRuntime, exchange: LlmExchange, options: ModelOptions = {}): Promise<ModelResult> {
  const { maxTokens } = options;
  runtime.store.recordLlmRequest({
    receivedAt: Date.now(),
    provider: exchange.provider,
    model: exchange.model,
    system: exchange.system,
    messages: exchange.messages.map((m) => ({ role: m.role, content: m.content })),
  });
  await sleep(runtime.config.llmLatencyMs, runtime.stopping);
  const answer = await scriptedAnswer(exchange, { mistakeRate: runtime.config.mistakeRate, mutationMode: runtime.config.mutationMode, unfaithfulRate: runtime.config.unfaithfulRate, fineDigitRate: runtime.config.fineDigitRate });
  const inputTokens = countTokens(exchange.system + exchange.messages.map((m) => m.content).join(''));
  let text = options.jsonMode ? (/```json\n([\s\S]*?)\n```/.exec(answer.text)?.[1] ?? answer.text) : answer.text;
  let truncated = false;
  if (maxTokens !== undefined && countTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    truncated = true;
  }
  const outputTokens = countTokens(text);
  const llm = runtime.stats.llm;
  llm.calls++;
  llm.inputTokens += inputTokens;
  llm.outputTokens += outputTokens;
  if (answer.mistake) llm.mistakes++;
  const request = createHash('sha256').update(JSON.stringify([exchange.provider, exchange.model, exchange.system, exchange.messages])).digest('hex');
  if (llm.requestHashes.includes(request)) llm.repeatedRequests++;
  else llm.requestHashes.push(request);
  addUsage(llm.byTask, answer.task, inputTokens, outputTokens);
  addUsage(llm.byProvider, exchange.provider, inputTokens, outputTokens);
  runtime.store.saveSoon();
  countUnfaithfulness(runtime.stats.unfaithful, answer);
  return { ...answer, text, inputTokens, outputTokens, truncated };
}

/** Text of a message content that is a string or a list of `{type: "text", text}` parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join('');
  }
  return '';
}
