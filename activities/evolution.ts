import type { PrismaClient } from '@prisma/client';
import { LlmAnswerError } from '../domain/errors';
import { applySearchReplace, parseSearchReplaceBlocks } from '../domain/llm-answers';
import type { RecordedBacktest, TokenCount } from '../domain/pipeline';
import type { VariantRecord } from '../domain/evolution';
import { crossoverPrompt, mutatePrompt, type MutationKind } from '../domain/prompts';
import { findBacktestedCode } from '../store/records';
import { recordVariant } from '../store/variants';
import { callLlm, requestCode, type LlmTaskDeps } from './llm-tasks';

export interface ProposeInput {
  runId: string;
  variantId: string;
  kind: MutationKind | 'crossover';
  parents: Array<{ code: string; metrics?: string }>;
  /** Ask for SEARCH/REPLACE edits (cheaper) or a whole new file. */
  editFormat: 'search-replace' | 'full';
}

export interface ProposeOutcome {
  code: string;
  tokens: TokenCount;
  /** How the child was made: targeted edits applied, or a full rewrite (asked for, or the fallback). */
  via: 'edits' | 'rewrite';
  provider: string;
  model: string;
}

export type { VariantRecord } from '../domain/evolution';

/** Evolution's own activities: proposing variants, deduplicating by code hash, recording lineage. */
export function createEvolutionActivities(deps: LlmTaskDeps & { prisma: PrismaClient }) {
  return {
    /**
     * Asks the LLM for a child of the parent(s). Mutations come as targeted SEARCH/REPLACE edits
     * when asked; if the edits do not apply to the parent, a full rewrite is requested instead.
     */
    async proposeVariant(input: ProposeInput): Promise<ProposeOutcome> {
      const [a, b] = input.parents;
      if (!a) throw new LlmAnswerError('A variant needs at least one parent');
      if (input.kind === 'crossover') {
        if (!b) throw new LlmAnswerError('A crossover needs two parents');
        const out = await requestCode(deps, input.runId, `${input.variantId}:crossover`, crossoverPrompt({ parentA: a.code, parentB: b.code, variant: input.variantId, metricsA: a.metrics, metricsB: b.metrics }));
        return { code: out.code, tokens: out.tokens, via: 'rewrite', provider: out.provider, model: out.model };
      }
      if (input.editFormat === 'search-replace') {
        const prompt = mutatePrompt({ code: a.code, kind: input.kind, variant: input.variantId, editFormat: 'search-replace', metrics: a.metrics });
        const call = await callLlm(deps, input.runId, `${input.variantId}:mutate`, prompt);
        const parsed = parseSearchReplaceBlocks(call.text);
        if (parsed.ok) {
          const applied = applySearchReplace(a.code, parsed.blocks);
          if (applied.ok) return { code: applied.code, tokens: call.tokens, via: 'edits', provider: call.provider, model: call.model };
        }
        const full = await requestCode(deps, input.runId, `${input.variantId}:mutate:full`, mutatePrompt({ code: a.code, kind: input.kind, variant: input.variantId, editFormat: 'full', metrics: a.metrics }));
        return { code: full.code, tokens: { input: call.tokens.input + full.tokens.input, output: call.tokens.output + full.tokens.output }, via: 'rewrite', provider: full.provider, model: full.model };
      }
      const full = await requestCode(deps, input.runId, `${input.variantId}:mutate:full`, mutatePrompt({ code: a.code, kind: input.kind, variant: input.variantId, editFormat: 'full', metrics: a.metrics }));
      return { code: full.code, tokens: full.tokens, via: 'rewrite', provider: full.provider, model: full.model };
    },

    /**
     * A backtest already made of this exact program (same normalised code hash and period), in
     * this run or any earlier one: its statistics are reused instead of paying for another.
     */
    async findBacktestedCode(input: { codeHash: string; start?: string; end?: string }): Promise<RecordedBacktest | null> {
      return findBacktestedCode(deps.prisma, input);
    },

    /**
     * Clears the lineage recorded under a run id, before a restarted run of the same name records
     * its own: the run's views then never mix two runs' variants.
     */
    async forgetVariants(input: { runId: string }): Promise<{ forgotten: number }> {
      const { count } = await deps.prisma.variant.deleteMany({ where: { runId: input.runId } });
      return { forgotten: count };
    },

    /** Records a variant and its lineage as it happens (idempotent on run + variant id). */
    async recordVariant(v: VariantRecord): Promise<void> {
      await recordVariant(deps.prisma, v);
    },
  };
}
