import { evolutionInput, runEvolution } from './baseline';
import { benchDeps, sandboxConfig } from './homes';
import { progress, type Lab } from './lab';
import { summarize, type Summary } from './stats';

type EditFormat = 'search-replace' | 'full';

/** Run i of both edit formats starts with SEEDS[i]: the first generation's parents and mutations are the same. */
const SEEDS = [1, 2, 3];

export const TOKENS_PARAMETERS = {
  runs: SEEDS.length,
  generations: 3,
  variants: 8,
  concurrency: 4,
  /** The evolution defaults otherwise: crossovers (always whole files) are part of the mix in both modes. */
  crossoverRate: 0.2,
  sandbox: { llmLatencyMs: 0, compileLatencyMs: 0, backtestLatencyMs: 0, mistakeRate: 0 },
  worker: { llmConcurrency: 8, quantconnectConcurrency: 4, quantconnectPollSeconds: 0.05 },
  tokenizer: 'the sandbox counts ceil(characters / 4) per prompt and per answer',
  formula:
    'tokens per accepted variant = (input + output tokens of the sandbox\'s mutate, crossover and repair calls in the run) / variants the run evaluated successfully (Variant.status = "evaluated", baseline excluded)',
  seeds: SEEDS,
  seeding: 'run i of both edit formats is started with seeds[i] (`evolve start --seed`): their first generation makes the same choices of parents and mutations; later ones follow from what each format\'s children scored',
};

export interface TokenRun {
  editFormat: EditFormat;
  seed: number;
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  accepted: number;
  variants: number;
  /** Mutations asked as edits that fell back to a full rewrite (edits did not apply). */
  fallbackRewrites: number;
  byTask: Record<string, { calls: number; tokens: number }>;
}

export interface TokenFigures {
  perAcceptedVariant: { edits: Summary; rewrite: Summary };
  outputPerAcceptedVariant: { edits: Summary; rewrite: Summary };
  /** rewrite / edits, per paired run. */
  rewriteOverEdits: Summary;
  runs: TokenRun[];
}

const EVOLUTION_TASKS = ['mutate', 'crossover', 'repair'];

async function oneRun(lab: Lab, editFormat: EditFormat, seed: number): Promise<TokenRun> {
  const p = TOKENS_PARAMETERS;
  lab.resetSandbox(p.sandbox);
  const deps = benchDeps(sandboxConfig(lab.sandbox.url, { llm: { concurrency: p.worker.llmConcurrency }, quantconnect: { concurrency: p.worker.quantconnectConcurrency, pollSeconds: p.worker.quantconnectPollSeconds } }));
  try {
    const record = await lab.withWorkers(deps, (taskQueue) =>
      runEvolution(lab.client, taskQueue, evolutionInput(`tokens-${editFormat}`, { generations: p.generations, variants: p.variants, concurrency: p.concurrency, crossoverRate: p.crossoverRate, editFormat, seed }), `bench-tokens-${editFormat === 'full' ? 'full' : 'edits'}`),
    );
    const byTask = lab.sandbox.stats().llm.byTask;
    const tasks = EVOLUTION_TASKS.map((t) => byTask[t] ?? { calls: 0, inputTokens: 0, outputTokens: 0 });
    const inputTokens = tasks.reduce((s, t) => s + t.inputTokens, 0);
    const outputTokens = tasks.reduce((s, t) => s + t.outputTokens, 0);
    const where = { runId: record.workflowId, mutation: { not: 'baseline' } };
    const accepted = await deps.prisma.variant.count({ where: { ...where, status: 'evaluated' } });
    const variants = await deps.prisma.variant.count({ where });
    const fallbackRewrites = editFormat === 'search-replace' ? await deps.prisma.llmCall.count({ where: { runId: record.workflowId, callKey: { endsWith: ':mutate:full' } } }) : 0;
    if (!accepted) throw new Error(`The ${editFormat} evolution accepted no variant: tokens per accepted variant is undefined`);
    return {
      editFormat,
      seed,
      tokens: inputTokens + outputTokens,
      inputTokens,
      outputTokens,
      accepted,
      variants,
      fallbackRewrites,
      byTask: Object.fromEntries(EVOLUTION_TASKS.map((t, i) => [t, { calls: tasks[i]!.calls, tokens: tasks[i]!.inputTokens + tasks[i]!.outputTokens }])),
    };
  } finally {
    await deps.cleanup();
  }
}

export async function measureTokens(lab: Lab): Promise<TokenFigures> {
  const runs: TokenRun[] = [];
  const per: Record<EditFormat, number[]> = { 'search-replace': [], full: [] };
  const out: Record<EditFormat, number[]> = { 'search-replace': [], full: [] };
  for (let i = 0; i < TOKENS_PARAMETERS.runs; i++) {
    for (const format of ['search-replace', 'full'] as const) {
      const r = await oneRun(lab, format, SEEDS[i]!);
      runs.push(r);
      per[format].push(r.tokens / r.accepted);
      out[format].push(r.outputTokens / r.accepted);
      progress(
        `tokens run ${i + 1}/${TOKENS_PARAMETERS.runs} (seed ${r.seed}), ${format}: ${r.tokens} tokens for ${r.accepted} accepted of ${r.variants} variants → ${Math.round(r.tokens / r.accepted)} per accepted` +
          (format === 'search-replace' ? ` (${r.fallbackRewrites} edit answers fell back to a rewrite)` : ''),
      );
    }
  }
  return {
    perAcceptedVariant: { edits: summarize(per['search-replace'], 0), rewrite: summarize(per.full, 0) },
    outputPerAcceptedVariant: { edits: summarize(out['search-replace'], 0), rewrite: summarize(out.full, 0) },
    rewriteOverEdits: summarize(per.full.map((f, i) => f / per['search-replace'][i]!), 2),
    runs,
  };
}
