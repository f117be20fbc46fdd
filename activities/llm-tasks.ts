import type { PrismaClient } from '@prisma/client';
import { ArtifactNotFoundError, LlmAnswerError } from '../domain/errors';
import { answerIdempotencyKey, extractJson, extractPythonCode } from '../domain/llm-answers';
import type { Paper } from '../domain/papers';
import type { CodeOutcome, CodeProblem, SummaryOutcome, TokenCount } from '../domain/pipeline';
import { generatePrompt, repairPrompt, summarizePrompt, type LearnedContext, type LlmTask, type Prompt } from '../domain/prompts';
import { strategySpecSchema, type StrategySpec } from '../domain/strategy';
import type { ArtifactStore } from './artifacts';
import { activityIdentity, cancellationSignal, whileHeartbeating } from './context';
import { ensureArticle } from '../store/articles';
import type { LlmClient } from './llm';

export interface LlmTaskDeps {
  prisma: PrismaClient;
  artifacts: ArtifactStore;
  /** The configured client for a task (providers and models can differ per task). */
  llmFor(task: LlmTask): LlmClient;
  /** Called after every completed LLM call (metrics). */
  onCall?: (task: LlmTask, tokens: TokenCount) => void;
  /**
   * Extracts the paper's text again into this worker's artifact store and returns its hash: from
   * `pdfPath` when this worker can read it, else from a fresh download. For a worker of a cluster
   * whose text was extracted by another worker, into that worker's store.
   */
  extractAgain?: (paper: Paper, pdfPath: string | undefined) => Promise<string>;
}

export interface LlmCallResult {
  text: string;
  tokens: TokenCount;
  provider: string;
  model: string;
  promptSha256: string;
  reused: boolean;
  /** The answer an earlier attempt paid for but never received, found at the provider. */
  recovered: boolean;
}

/**
 * One LLM call, recorded once per run and call key. Activities run at least once: if this call
 * already completed (the worker died before reporting it), the stored answer is reused instead of
 * paying for it again. A retried attempt cannot know whether the earlier one's request reached
 * the model (a reset or a timeout after sending, a worker that died mid-call), so it first asks a
 * provider that keeps answers for one under the call's idempotency key. Prompt and answer go to
 * the artifact store; token counts to the database.
 */
export async function callLlm(deps: LlmTaskDeps, runId: string, callKey: string, prompt: Prompt): Promise<LlmCallResult> {
  const promptSha256 = await deps.artifacts.put(`${prompt.system}\n\n---\n\n${prompt.user}`);
  const done = await deps.prisma.llmCall.findUnique({ where: { runId_callKey: { runId, callKey } } });
  if (done && done.promptSha256 === promptSha256 && done.answerSha256) {
    const text = (await deps.artifacts.get(done.answerSha256)).toString('utf8');
    return { text, tokens: { input: done.inputTokens, output: done.outputTokens }, provider: done.provider, model: done.model, promptSha256, reused: true, recovered: false };
  }
  const client = deps.llmFor(prompt.task);
  const idempotencyKey = answerIdempotencyKey(runId, callKey, promptSha256);
  const signal = cancellationSignal();
  const retried = (activityIdentity()?.attempt ?? 1) > 1;
  const found = retried && client.findAnswer ? await whileHeartbeating(() => client.findAnswer!({ task: prompt.task, idempotencyKey, signal })) : null;
  const answer = found ?? (await whileHeartbeating(() => client.complete({ task: prompt.task, system: prompt.system, user: prompt.user, signal, idempotencyKey })));
  const answerSha256 = await deps.artifacts.put(answer.text);
  const row = {
    task: prompt.task,
    provider: answer.provider,
    model: answer.model,
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
    promptSha256,
    answerSha256,
  };
  await deps.prisma.llmCall.upsert({ where: { runId_callKey: { runId, callKey } }, create: { runId, callKey, ...row }, update: row });
  const tokens = { input: answer.inputTokens, output: answer.outputTokens };
  deps.onCall?.(prompt.task, tokens);
  return { text: answer.text, tokens, provider: answer.provider, model: answer.model, promptSha256, reused: false, recovered: found !== null };
}

function add(a: TokenCount, b: TokenCount): TokenCount {
  return { input: a.input + b.input, output: a.output + b.output };
}

/** Asks for code; an answer without any code is asked again once, saying why. */
export async function requestCode(deps: LlmTaskDeps, runId: string, callKey: string, prompt: Prompt): Promise<CodeOutcome> {
  const first = await callLlm(deps, runId, callKey, prompt);
  const code = extractPythonCode(first.text);
  if (code) return { code, tokens: first.tokens, provider: first.provider, model: first.model, promptSha256: first.promptSha256 };
  const again = await callLlm(deps, runId, `${callKey}:again`, {
    ...prompt,
    user: `${prompt.user}\n\nYour previous answer contained no Python code. Answer with the complete algorithm in one \`\`\`python block.`,
  });
  const retried = extractPythonCode(again.text);
  if (!retried) throw new LlmAnswerError(`The ${again.provider} model answered the ${prompt.task} task twice without any Python code`, { service: again.provider });
  return { code: retried, tokens: add(first.tokens, again.tokens), provider: again.provider, model: again.model, promptSha256: again.promptSha256 };
}

/** Summarising, generating and repairing: the LLM tasks of the research pipeline. */
export function createLlmTaskActivities(deps: LlmTaskDeps) {
  /**
   * The text the workflow's extract step stored. Each worker keeps its own artifact store, and in a
   * cluster the extract and the summary can run on different workers: one that does not have the
   * text extracts it again (the same PDF gives the same text, and so the same prompt).
   */
  async function paperText(input: { paper: Paper; textSha256: string; pdfPath?: string }): Promise<Buffer> {
    try {
      return await deps.artifacts.get(input.textSha256);
    } catch (err) {
      if (!(err instanceof ArtifactNotFoundError) || !deps.extractAgain) throw err;
      const again = await deps.extractAgain(input.paper, input.pdfPath);
      if (again !== input.textSha256) {
        throw new ArtifactNotFoundError(`The text of "${input.paper.title}" (${input.textSha256}) is not in this worker's store, and extracting the paper again gave other text (${again})`);
      }
      return deps.artifacts.get(again);
    }
  }

  return {
    /**
     * Turns a paper's text into a strategy specification (JSON, schema-validated). A malformed
     * answer gets one retry with the validation error; a second one fails the step.
     */
    async summarizePaper(input: { runId: string; articleKey: string; paper: Paper; textSha256: string; pdfPath?: string }): Promise<SummaryOutcome> {
      const text = (await paperText(input)).toString('utf8');
      let tokens: TokenCount = { input: 0, output: 0 };
      let validationError: string | undefined;
      for (const attempt of [1, 2]) {
        const prompt = summarizePrompt({ title: input.paper.title, text, validationError });
        const call = await callLlm(deps, input.runId, `${input.articleKey}:summarize:${attempt}`, prompt);
        tokens = add(tokens, call.tokens);
        const parsed = parseSpec(call.text);
        if (parsed.ok) {
          const article = await ensureArticle(deps.prisma, input.paper);
          await deps.prisma.summary.upsert({
            where: { runId_articleId: { runId: input.runId, articleId: article.id } },
            create: { runId: input.runId, articleId: article.id, family: parsed.spec.family, spec: JSON.stringify(parsed.spec), provider: call.provider, model: call.model },
            update: { family: parsed.spec.family, spec: JSON.stringify(parsed.spec), provider: call.provider, model: call.model },
          });
          return { spec: parsed.spec, tokens, provider: call.provider, model: call.model };
        }
        validationError = parsed.error;
      }
      throw new LlmAnswerError(`The summary of "${input.paper.title}" was not a valid strategy specification twice: ${validationError}`);
    },

    /**
     * Writes a LEAN algorithm from a specification, with what the learning database knew when the
     * workflow read it (`learned` comes from the workflow's history, never read live here: a retry
     * must build the same prompt, or it would pay for a second answer).
     */
    async generateAlgorithm(input: { runId: string; articleKey: string; spec: StrategySpec; start?: string; end?: string; learned: LearnedContext }): Promise<CodeOutcome> {
      const prompt = generatePrompt({ spec: input.spec, start: input.start, end: input.end, learned: input.learned });
      return requestCode(deps, input.runId, `${input.articleKey}:generate`, prompt);
    },

    /** Sends the exact error back to the LLM with the code, and the fixes the workflow read for it (see generateAlgorithm). */
    async repairAlgorithm(input: { runId: string; articleKey: string; attempt: number; code: string; problem: CodeProblem; family?: string; learned: LearnedContext }): Promise<CodeOutcome> {
      const prompt = repairPrompt({ code: input.code, error: `${input.problem.kind} error: ${input.problem.message}`, family: input.family, learned: input.learned });
      return requestCode(deps, input.runId, `${input.articleKey}:repair:${input.attempt}`, prompt);
    },
  };
}

function parseSpec(text: string): { ok: true; spec: StrategySpec } | { ok: false; error: string } {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, error: `not JSON: ${json.reason}` };
  const parsed = strategySpecSchema.safeParse(json.value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; '),
  };
}
