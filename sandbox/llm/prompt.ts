import { createHash } from 'node:crypto';

/** The prompt-contract tasks (domain/prompt-contract.md), plus `unknown` for anything else. */
export const LLM_TASKS = ['summarize', 'generate', 'repair', 'mutate', 'crossover'] as const;
export type LlmTask = (typeof LLM_TASKS)[number] | 'unknown';

/** One request to the scripted model, whichever provider's API carried it. */
export interface LlmExchange {
  provider: 'openai' | 'anthropic';
  model: string;
  system: string;
  /** Conversation turns; the last user turn carries the task. */
  messages: Array<{ role: string; content: string }>;
}

export function lastUserMessage(exchange: LlmExchange): string {
  return [...exchange.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** A stable key of the whole request: scripted answers and mistakes are functions of it. */
export function exchangeHash(exchange: LlmExchange): string {
  const h = createHash('sha256').update(exchange.system).update('\0');
  for (const m of exchange.messages) h.update(m.role).update('\0').update(m.content).update('\0');
  return h.digest('hex');
}

const TASK_LINE = /^[ \t]*QuantCoder task:[ \t]*([A-Za-z_-]+)/m;

/**
 * The task: from the `QuantCoder task: <task>` line (the user message's first line by contract,
 * accepted anywhere in it or in the system prompt), else from keywords.
 */
export function recogniseTask(system: string, user: string): { task: LlmTask; source: 'header' | 'keywords' | 'none' } {
  for (const text of [user, system]) {
    const named = TASK_LINE.exec(text)?.[1]?.toLowerCase().replace(/-/g, '_');
    if (named) {
      const task = named === 'summarise' ? 'summarize' : named;
      if ((LLM_TASKS as readonly string[]).includes(task)) return { task: task as LlmTask, source: 'header' };
    }
  }
  const text = `${system}\n${user}`;
  const lower = text.toLowerCase();
  if (/^parent a:/im.test(text) && /^parent b:/im.test(text)) return { task: 'crossover', source: 'keywords' };
  if (/^mutation:/im.test(text) || /search\/replace|<<<<<<< search|\bmutat/.test(lower)) return { task: 'mutate', source: 'keywords' };
  if (/^error:/im.test(text) || /\b(repair|fix the (code|error|algorithm))\b/.test(lower)) return { task: 'repair', source: 'keywords' };
  if (/^paper:/im.test(text) || /\bsummari[sz]e\b/.test(lower)) return { task: 'summarize', source: 'keywords' };
  if (/^specification:/im.test(text) || /\b(generate|write)\b.*\b(algorithm|qcalgorithm|lean)\b/.test(lower)) return { task: 'generate', source: 'keywords' };
  return { task: 'unknown', source: 'none' };
}

interface Fence {
  lang: string;
  body: string;
  /** Offset of the opening fence line. */
  start: number;
}

/** Every fenced block (``` or ~~~, three or more), closed by a bare fence at least as long. */
export function fencedBlocks(text: string): Fence[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Fence[] = [];
  let offset = 0;
  const offsets = lines.map((l) => {
    const o = offset;
    offset += l.length + 1;
    return o;
  });
  for (let i = 0; i < lines.length; i++) {
    const open = /^[ \t]*(`{3,}|~{3,})[ \t]*([\w+-]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const marker = open[1]!;
    const close = new RegExp(`^[ \\t]*${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j]!)) j++;
    out.push({ lang: open[2]!.toLowerCase(), body: lines.slice(i + 1, j).join('\n'), start: offsets[i]! });
    i = j;
  }
  return out;
}

/** The first fenced block after a line starting with `label` (e.g. `Code:`), optionally of a language. */
export function fencedBlockAfter(text: string, label: string, lang?: string): string | undefined {
  const normal = text.replace(/\r\n?/g, '\n');
  const re = new RegExp(`^[ \\t]*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*$`, 'im');
  const at = re.exec(normal)?.index;
  if (at === undefined) {
    // the label may share its line with text (`Code: (main.py)`)
    const loose = new RegExp(`^[ \\t]*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im').exec(normal)?.index;
    if (loose === undefined) return undefined;
    return fencedBlocks(normal).find((f) => f.start > loose && (!lang || f.lang === lang || f.lang === ''))?.body;
  }
  return fencedBlocks(normal).find((f) => f.start > at && (!lang || f.lang === lang || f.lang === ''))?.body;
}

/** The value of a `Label: value` line. */
export function lineValue(text: string, label: string): string | undefined {
  const m = new RegExp(`^[ \\t]*${label}[ \\t]*:[ \\t]*(.+?)[ \\t]*$`, 'im').exec(text);
  return m?.[1];
}

/** A small deterministic generator seeded from a hex hash (mulberry32). */
export function seededRandom(hash: string, salt = ''): () => number {
  let state = parseInt(createHash('sha256').update(hash).update(salt).digest('hex').slice(0, 8), 16) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length) % items.length]!;
}
