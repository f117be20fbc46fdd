import { faithfulnessContractText } from './faithfulness';
import type { StrategySpec } from './strategy';

/**
 * Prompt builders for every LLM task, following domain/prompt-contract.md: the user message starts
 * with `QuantCoder task: <task>`, and inputs travel in fenced blocks after a labelled line.
 */
export interface Prompt {
  task: LlmTask;
  system: string;
  user: string;
}

export type LlmTask = 'summarize' | 'generate' | 'repair' | 'mutate' | 'crossover';

/** What the learning database knows that may help this prompt. */
export interface LearnedContext {
  /** Repairs that made an error go away before, most relevant first. */
  fixes: Array<{ signature: string; diff: string; successes: number; failures: number }>;
  /** The errors met most often for this strategy family. */
  frequentErrors: Array<{ signature: string; count: number }>;
  /** One line per strategy family: what backtests of it have shown. */
  familyResults: string[];
}

export const EMPTY_LEARNED: LearnedContext = { fixes: [], frequentErrors: [], familyResults: [] };

const LEAN_RULES = [
  'Write Python for QuantConnect LEAN using the modern snake_case API: `initialize`, `on_data`, `self.set_start_date`,',
  '`self.set_end_date`, `self.set_cash`, `self.add_equity(...).symbol`, indicators such as `self.sma(symbol, period, Resolution.DAILY)`,',
  '`indicator.is_ready`, `indicator.current.value`, `self.portfolio[symbol].invested`, `self.set_holdings`, `self.liquidate`.',
  'Enums are upper case (`Resolution.DAILY`). Start with `from AlgorithmImports import *`. Define exactly one class deriving',
  'from `QCAlgorithm`. Warm indicators up with `self.set_warm_up`. Never call `self.history` inside `on_data`.',
  'Keep every tunable number as an attribute set in `initialize` (e.g. `self.lookback = 126`).',
].join('\n');

const TOKENS_PER_CHAR = 0.25;

/** A rough token count (about four characters a token), for prompt budgets. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length * TOKENS_PER_CHAR);
}

/** Cuts text to a token budget at a paragraph boundary when one is near. */
export function fitToBudget(text: string, maxTokens: number): string {
  const maxChars = Math.floor(maxTokens / TOKENS_PER_CHAR);
  if (text.length <= maxChars) return text;
  const cut = text.lastIndexOf('\n\n', maxChars);
  return `${text.slice(0, cut > maxChars * 0.8 ? cut : maxChars)}\n[… text truncated to fit the prompt budget …]`;
}

function fence(label: string, lang: string, body: string): string {
  return `${label}\n\`\`\`${lang}\n${body.replace(/```/g, "'''")}\n\`\`\``;
}

/** Renders learned fixes and frequent errors within a token budget; empty when nothing is known. */
export function learnedSection(learned: LearnedContext, maxTokens = 800): string {
  const parts: string[] = [];
  if (learned.fixes.length) {
    parts.push('Fixes that worked before for errors like these (error signature, then the change that fixed it):');
    for (const f of learned.fixes) parts.push(`- ${f.signature} (worked ${f.successes}×, failed ${f.failures}×)\n${indent(f.diff)}`);
  }
  if (learned.frequentErrors.length) {
    parts.push('Errors generated code for this kind of strategy often had; avoid them:');
    for (const e of learned.frequentErrors) parts.push(`- ${e.signature} (${e.count}×)`);
  }
  if (learned.familyResults.length) {
    parts.push('What backtests of strategy families have shown so far:');
    for (const r of learned.familyResults) parts.push(`- ${r}`);
  }
  if (!parts.length) return '';
  let text = `Learned from earlier runs:\n${parts.join('\n')}`;
  while (estimateTokens(text) > maxTokens && parts.length > 1) {
    parts.pop();
    text = `Learned from earlier runs:\n${parts.join('\n')}`;
  }
  return fitToBudget(text, maxTokens);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export function summarizePrompt(input: { title: string; text: string; maxTextTokens?: number; validationError?: string }): Prompt {
  const system =
    'You are a quantitative researcher. You read finance papers and write precise, implementable trading-strategy ' +
    'specifications. Answer with one JSON object only.';
  const schemaHint = [
    'Answer with a JSON object with these keys:',
    '{ "title": string, "family": "momentum"|"mean_reversion"|"pairs"|"volatility"|"trend"|"factor"|"other",',
    '  "overview": string, "mathematicalModel": string, "signals": [string], "entryRules": [string], "exitRules": [string],',
    '  "riskManagement": [string], "universe": { "assets": [ticker], "description": string },',
    '  "execution": { "resolution": "minute"|"hour"|"daily", "rebalance": string },',
    '  "parameters": [ { "name": snake_case, "value": number, "description": string,',
    '                   "derived"?: { "value": number, "how": string } } ] }',
    "Take every number from the paper; quote the paper's own rules where you can.",
    'When the paper states a parameter in another unit than a daily algorithm uses (months, years, percent), keep the',
    'paper\'s number in "value" and add "derived" with the converted value and how (e.g. 12 months: "derived": { "value": 252,',
    '"how": "12 months x 21 trading days" }).',
  ].join('\n');
  const parts = [
    'QuantCoder task: summarize',
    `Title: ${input.title}`,
    schemaHint,
    fence('Paper:', 'text', fitToBudget(input.text, input.maxTextTokens ?? 12_000)),
  ];
  if (input.validationError) parts.push(fence('Your previous answer was rejected. Error:', 'text', input.validationError));
  return { task: 'summarize', system, user: parts.join('\n\n') };
}

export function generatePrompt(input: { spec: StrategySpec; start?: string; end?: string; learned?: LearnedContext }): Prompt {
  const system = `You are an expert QuantConnect developer. ${LEAN_RULES}\nAnswer with the complete algorithm in one python code block.`;
  const dates = input.start && input.end ? `Backtest period: set_start_date ${input.start}, set_end_date ${input.end}.` : '';
  const learned = learnedSection(input.learned ?? EMPTY_LEARNED);
  const parts = [
    'QuantCoder task: generate',
    `Implement this strategy as a LEAN QCAlgorithm. Family: ${input.spec.family}.`,
    dates,
    fence('Specification:', 'json', JSON.stringify(input.spec, null, 2)),
    faithfulnessContractText(input.spec),
    learned,
  ].filter(Boolean);
  return { task: 'generate', system, user: parts.join('\n\n') };
}

export function repairPrompt(input: { code: string; error: string; family?: string; learned?: LearnedContext }): Prompt {
  const system = `You are an expert QuantConnect developer fixing an algorithm. ${LEAN_RULES}\nAnswer with the complete corrected algorithm in one python code block.`;
  const learned = learnedSection(input.learned ?? EMPTY_LEARNED);
  const parts = [
    'QuantCoder task: repair',
    `Fix the error below and change nothing else; keep every \`# rule: <id>\` comment and every parameter attribute in initialize.${input.family ? ` Family: ${input.family}.` : ''}`,
    fence('Error:', 'text', input.error),
    fence('Code:', 'python', input.code),
    learned,
  ].filter(Boolean);
  return { task: 'repair', system, user: parts.join('\n\n') };
}

export const MUTATION_KINDS = ['indicator_change', 'entry_exit', 'risk_management', 'universe', 'timeframe', 'add_filter', 'parameter_tune'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

const MUTATION_HINT: Record<MutationKind, string> = {
  indicator_change: 'Replace or re-parameterise one indicator the signal depends on.',
  entry_exit: 'Change the entry or exit logic (thresholds, confirmation, holding period).',
  risk_management: 'Change position sizing, stop-loss or take-profit rules.',
  universe: 'Change which securities the strategy trades.',
  timeframe: 'Change the lookback windows or the rebalancing frequency.',
  add_filter: 'Add a filter (trend, volatility or volume) that must hold before entering.',
  parameter_tune: 'Tune one or two numeric parameters to values you expect to do better.',
};

export function mutatePrompt(input: {
  code: string;
  kind: MutationKind;
  variant: string;
  editFormat: 'search-replace' | 'full';
  metrics?: string;
  learned?: LearnedContext;
}): Prompt {
  const format =
    input.editFormat === 'search-replace'
      ? 'Answer only with SEARCH/REPLACE blocks:\n<<<<<<< SEARCH\nexact lines from the code\n=======\nreplacement lines\n>>>>>>> REPLACE'
      : 'Answer with the complete new algorithm in one python code block.';
  const system = `You are an expert quantitative developer improving a QuantConnect algorithm by small, testable changes. ${LEAN_RULES}`;
  const parts = [
    'QuantCoder task: mutate',
    `Mutation: ${input.kind}`,
    `Edit format: ${input.editFormat}`,
    `Variant: ${input.variant}`,
    MUTATION_HINT[input.kind],
    input.metrics ? `Current backtest: ${input.metrics}` : '',
    format,
    fence('Code:', 'python', input.code),
    learnedSection(input.learned ?? EMPTY_LEARNED, 400),
  ].filter(Boolean);
  return { task: 'mutate', system, user: parts.join('\n\n') };
}

export function crossoverPrompt(input: { parentA: string; parentB: string; variant: string; metricsA?: string; metricsB?: string }): Prompt {
  const system = `You are an expert quantitative developer combining two QuantConnect algorithms. ${LEAN_RULES}\nAnswer with the complete algorithm in one python code block.`;
  const parts = [
    'QuantCoder task: crossover',
    `Variant: ${input.variant}`,
    'Combine the strongest ideas of both parents into one algorithm (signals of one, risk rules of the other, or a blend of parameters).',
    input.metricsA ? `Parent A backtest: ${input.metricsA}` : '',
    fence('Parent A:', 'python', input.parentA),
    input.metricsB ? `Parent B backtest: ${input.metricsB}` : '',
    fence('Parent B:', 'python', input.parentB),
  ].filter(Boolean);
  return { task: 'crossover', system, user: parts.join('\n\n') };
}
