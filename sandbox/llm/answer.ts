import { STRATEGY_FAMILIES, type StrategyFamily } from '../../domain/strategy';
import { LANDSCAPES } from '../landscape';
import { createHash } from 'node:crypto';
import { crossoverCode, MUTATION_KINDS, mutationEdits, renderSearchReplace, applyEdits, type LineEdit, type MutationKind, type MutationMode } from './edits';
import { applyDiffsFrom } from './learned';
import { injectSyntaxError, pickMistake, proseAround, toPascalCase, type MistakeKind } from './mistakes';
import { exchangeHash, fencedBlockAfter, fencedBlocks, lastUserMessage, lineValue, pick, recogniseTask, seededRandom, type LlmExchange, type LlmTask } from './prompt';
import { repairCode } from './repair';
import { detectPaperFamily, summarizePaper } from './summarize';
import { planParameters, renderAlgorithm } from './templates';
import { plantUnfaithfulness, repairNamedItems, type PlantedMistake } from './unfaithful';

export interface ScriptedAnswer {
  task: LlmTask;
  taskSource: 'header' | 'keywords' | 'none';
  text: string;
  mistake: MistakeKind | null;
  /** Departures from the specification planted in a generated algorithm. */
  planted?: PlantedMistake[];
  /** Items a repair request named that this answer changed. */
  itemsRepaired?: number;
}

export interface ModelBehaviour {
  /** Share (0..1) of answers that carry a typical mistake. */
  mistakeRate: number;
  /** How parameter steps of `mutate` choose their direction. */
  mutationMode: MutationMode;
  /** Share (0..1) of generated algorithms that depart from their specification (a changed value, a dropped rule). */
  unfaithfulRate?: number;
  /** In `random` mode, the share of tuned values written with precise-looking digits (default 0.2). */
  fineDigitRate?: number;
}

/**
 * The scripted model: recognises the task and answers it in the prompt contract's format.
 * Deterministic: the same request always gets the same answer (mistakes included). Writing and
 * repairing code, its slips are a function of the code it writes (the same draft, the same slip);
 * a diff shown in the prompt changes its answer only by applying to that code.
 */
export async function scriptedAnswer(exchange: LlmExchange, behaviour: ModelBehaviour): Promise<ScriptedAnswer> {
  const { mistakeRate, mutationMode, unfaithfulRate = 0, fineDigitRate = 0.2 } = behaviour;
  const user = lastUserMessage(exchange);
  const { task, source } = recogniseTask(exchange.system, user);
  const hash = exchangeHash(exchange);
  const rng = seededRandom(hash);
  const mistake = task === 'unknown' ? null : pickMistake(hash, mistakeRate);
  const answer = (text: string, m: MistakeKind | null = mistake): ScriptedAnswer => ({ task, taskSource: source, text, mistake: m });

  switch (task) {
    case 'summarize': {
      const paper = fencedBlockAfter(user, 'Paper:') ?? fencedBlocks(user).find((f) => f.lang === 'text')?.body ?? user.replace(/^.*QuantCoder task:.*$/m, '');
      return answer(specAnswer(summarizePaper(paper, user), mistake));
    }
    case 'generate': {
      const spec = readSpec(user);
      // departures are drawn from the specification alone, so learned text in the prompt does not move them
      const specKey = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
      const unfaithful = plantUnfaithfulness(renderAlgorithm(planFromSpec(spec, user)), specKey, unfaithfulRate, { parameters: specParameters(spec) });
      return { ...answer(...writeCode(unfaithful.code, user, mistakeRate, 'generate')), planted: unfaithful.planted };
    }
    case 'repair': {
      const code = codeAfter(user, 'Code:');
      if (code === undefined) return answer('The message has no ```python block after `Code:`, so there is nothing to repair.', null);
      // what the model is told: the prompt without the code it is asked to repair
      const context = [exchange.system, user.replace(code, '')].join('\n');
      const named = repairNamedItems(await repairCode(code, context), fencedBlockAfter(user, 'Error:') ?? '');
      // repairs err half as often, or a mistake-prone model could never fix anything; a repair's
      // slip depends on what it was given too, so repairing its own slip does not slip the same way
      return { ...answer(...writeCode(named.code, context, mistakeRate / 2, `repair\0${code}`)), itemsRepaired: named.repaired };
    }
    case 'mutate': {
      const code = codeAfter(user, 'Code:');
      if (code === undefined) return answer('The message has no ```python block after `Code:`, so there is nothing to mutate.', null);
      const asked = (lineValue(user, 'Mutation') ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_');
      const kind = (MUTATION_KINDS as readonly string[]).includes(asked) ? (asked as MutationKind) : pick(rng, MUTATION_KINDS);
      const { edits, lines } = mutationEdits(code, kind, rng, mutationMode, fineDigitRate);
      const format = /search/i.test(lineValue(user, 'Edit format') ?? '') ? 'search-replace' : 'full';
      if (format === 'full') return answer(codeAnswer(applyEdits(lines, edits).join('\n'), mistake, rng));
      if (edits.length === 0) return answer('The algorithm already reflects this kind of change; I found nothing to edit.', null);
      const flawed = mistake === 'prose' ? edits : edits.map((e) => flawEdit(e, mistake, rng));
      const blocks = renderSearchReplace(lines, flawed);
      return answer(mistake === 'prose' ? `Here are the changes to make:\n\n${blocks}\n\nApply these edits and re-run the backtest.` : blocks);
    }
    case 'crossover': {
      const a = codeAfter(user, 'Parent A:');
      const b = codeAfter(user, 'Parent B:');
      if (a === undefined || b === undefined) return answer('Both parents are needed: ```python blocks after `Parent A:` and `Parent B:`.', null);
      return answer(codeAnswer(crossoverCode(a, b, rng).code, mistake, rng));
    }
    default:
      return answer(
        'I am the QuantCoder sandbox model. I answer the tasks summarize, generate, repair, mutate and crossover; ' +
          'start the user message with a line `QuantCoder task: <task>`.',
        null,
      );
  }
}

function codeAfter(user: string, label: string): string | undefined {
  return fencedBlockAfter(user, label, 'python') ?? fencedBlockAfter(user, label);
}

function fence(lang: string, body: string): string {
  return `\`\`\`${lang}\n${body.replace(/\s+$/, '')}\n\`\`\``;
}

/**
 * The answer for code the model means to write: its slip (drawn from the code itself, so the same
 * draft always slips the same way), then every diff shown in the prompt that applies to what it
 * wrote. A diff helps only if applying it undoes the slip; the reported mistake is what remains.
 */
function writeCode(intended: string, prompt: string, rate: number, situation: string): [string, MistakeKind | null] {
  const key = createHash('sha256').update(situation).update('\0').update(intended).digest('hex');
  const drawn = pickMistake(key, rate);
  if (drawn === null) return [codeAnswer(intended, drawn, seededRandom(key)), drawn];
  // prose around the code is a slip like the others: a diff that removes its lines undoes it
  const slipped = drawn === 'prose' ? `${proseAround(intended)}\n` : slipCode(intended, drawn, seededRandom(key));
  const written = applyDiffsFrom(slipped, prompt);
  const undone = written.trimEnd() === intended.trimEnd();
  if (drawn === 'prose' && !undone) return [written, drawn];
  return [fence('python', written), undone ? null : drawn];
}

function slipCode(code: string, mistake: 'pascal_case' | 'syntax_error', rng: () => number): string {
  return mistake === 'pascal_case' ? toPascalCase(code) : injectSyntaxError(code, rng);
}

function codeAnswer(code: string, mistake: MistakeKind | null, rng: () => number): string {
  switch (mistake) {
    case 'pascal_case':
      return fence('python', toPascalCase(code));
    case 'syntax_error':
      return fence('python', injectSyntaxError(code, rng));
    case 'prose':
      return proseAround(code);
    default:
      return fence('python', code);
  }
}

function specAnswer(spec: object, mistake: MistakeKind | null): string {
  const json = JSON.stringify(spec, null, 2);
  switch (mistake) {
    case 'prose':
      return `Here is the strategy specification extracted from the paper:\n\n${fence('json', json)}\n\nLet me know if you want me to adjust any parameter.`;
    case 'syntax_error':
      // a trailing comma: the JSON no longer parses
      return fence('json', json.replace(/\n}$/, ',\n}'));
    case 'pascal_case': {
      const { exitRules: _dropped, ...rest } = spec as Record<string, unknown>;
      return fence('json', JSON.stringify(rest, null, 2));
    }
    default:
      return fence('json', json);
  }
}

/** A search-replace edit carrying the mistake in its replacement lines. */
function flawEdit(edit: LineEdit, mistake: MistakeKind | null, rng: () => number): LineEdit {
  if (mistake === 'pascal_case') return { ...edit, replacement: edit.replacement.map(toPascalCase) };
  if (mistake === 'syntax_error' && edit.replacement.length > 0) {
    const broken = injectSyntaxError(edit.replacement.join('\n'), rng);
    // a plain assignment has no bracket or colon to lose: give it a stray one instead
    return { ...edit, replacement: broken !== edit.replacement.join('\n') ? broken.split('\n') : [...edit.replacement.slice(0, -1), `${edit.replacement.at(-1)!})`] };
  }
  return edit;
}

interface SpecLike {
  title?: unknown;
  family?: unknown;
  parameters?: unknown;
  universe?: { assets?: unknown };
  execution?: { resolution?: unknown };
  entryRules?: unknown;
  exitRules?: unknown;
  riskManagement?: unknown;
}

function specParameters(spec: SpecLike): Array<{ name: string; value: number }> {
  if (!Array.isArray(spec.parameters)) return [];
  return (spec.parameters as Array<{ name?: unknown; value?: unknown }>)
    .filter((p): p is { name: string; value: number } => typeof p?.name === 'string' && typeof p.value === 'number' && Number.isFinite(p.value))
    .map(({ name, value }) => ({ name, value }));
}

function readSpec(user: string): SpecLike {
  const candidates = [fencedBlockAfter(user, 'Specification:', 'json'), fencedBlockAfter(user, 'Specification:'), ...fencedBlocks(user).filter((f) => f.lang === 'json').map((f) => f.body)];
  for (const text of candidates) {
    if (!text) continue;
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === 'object') return value as SpecLike;
    } catch {
      // a later candidate may parse
    }
  }
  return {};
}

const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);

function planFromSpec(spec: SpecLike, user: string) {
  const title = typeof spec.title === 'string' && spec.title.trim() ? spec.title.trim() : 'Generated Strategy';
  const family: StrategyFamily =
    typeof spec.family === 'string' && (STRATEGY_FAMILIES as readonly string[]).includes(spec.family) ? (spec.family as StrategyFamily) : detectPaperFamily(title, user);
  const given: Record<string, number> = {};
  const extras: Array<{ name: string; value: number; description: string }> = [];
  const known = new Set(LANDSCAPES[family].params.flatMap((s) => [s.name, ...s.aliases]));
  if (Array.isArray(spec.parameters)) {
    for (const p of spec.parameters as Array<{ name?: unknown; value?: unknown; description?: unknown }>) {
      if (typeof p?.name !== 'string' || typeof p.value !== 'number' || !Number.isFinite(p.value)) continue;
      given[p.name] = p.value;
      if (!known.has(p.name)) extras.push({ name: p.name, value: p.value, description: typeof p.description === 'string' ? p.description : '' });
    }
  }
  const assets = Array.isArray(spec.universe?.assets) ? (spec.universe.assets as unknown[]).filter((a): a is string => typeof a === 'string') : [];
  const resolution = spec.execution?.resolution === 'minute' || spec.execution?.resolution === 'hour' ? spec.execution.resolution : 'daily';
  // `Backtest period: set_start_date 2015-01-01, set_end_date 2020-12-31.` (the generate prompt)
  const date = (call: string): [number, number, number] | undefined => {
    const m = new RegExp(`${call}\\s*\\(?\\s*(\\d{4})[-, ]+(\\d{1,2})[-, ]+(\\d{1,2})`).exec(user);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
  };
  return {
    family,
    title,
    parameters: planParameters(family, given),
    extraParameters: extras,
    tickers: assets.map((a) => a.trim().toUpperCase()),
    // the prompt asks for a `# rule:` marker per rule of each list
    rules: { entry: count(spec.entryRules), exit: count(spec.exitRules), risk: count(spec.riskManagement) },
    resolution,
    start: date('set_start_date'),
    end: date('set_end_date'),
  } as const;
}
