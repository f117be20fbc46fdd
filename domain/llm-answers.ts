import { createHash } from 'node:crypto';

/**
 * Reading LLM answers under the prompt contract (domain/prompt-contract.md): code in a ```python
 * fence, JSON bare or fenced, and SEARCH/REPLACE edit blocks. Pure functions; nothing throws.
 */

/**
 * The idempotency key of one LLM call: the run, the call's recorded key and the prompt, hashed
 * (32 hex characters, within every provider's metadata limits). Each attempt at the call computes
 * the same key; another call, or the same call with a different prompt, never does.
 */
export function answerIdempotencyKey(runId: string, callKey: string, promptSha256: string): string {
  return createHash('sha256').update(JSON.stringify([runId, callKey, promptSha256])).digest('hex').slice(0, 32);
}

interface Fence {
  lang: string;
  body: string;
  closed: boolean;
}

const FENCE_OPEN = /^\s*(`{3,}|~{3,})\s*([\w+#.-]*)[^`]*$/;

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Every fenced block, in order; a fence left open at the end (a truncated answer) counts too. */
export function fencedBlocks(answer: string): Fence[] {
  const lines = normaliseNewlines(answer).split('\n');
  const blocks: Fence[] = [];
  let open: { marker: string; lang: string; body: string[] } | null = null;
  for (const line of lines) {
    if (!open) {
      const m = FENCE_OPEN.exec(line);
      if (m) open = { marker: m[1]!, lang: m[2]!.toLowerCase(), body: [] };
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.length >= open.marker.length && trimmed[0] === open.marker[0] && new RegExp(`^\\${open.marker[0]}{${open.marker.length},}$`).test(trimmed)) {
      blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: true });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open) blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: false });
  return blocks;
}

const PYTHON_LANGS = new Set(['python', 'py', 'python3', 'py3']);
const CODE_LINE = /^(from\s+\S+\s+import\b|import\s+\w|class\s+\w|def\s+\w|@\w|#\s?region\b)/;

function looksLikePython(text: string): boolean {
  return /^(from\s+\S+\s+import\b|import\s+\w|class\s+\w+.*:|def\s+\w+\s*\()/m.test(text);
}

function tidyCode(code: string): string {
  const trimmed = code.replace(/^\s*\n/, '').replace(/\s+$/, '');
  return trimmed === '' ? '' : `${trimmed}\n`;
}

/**
 * The Python code in an answer: the largest ```python block; else the largest unlabelled block
 * that looks like Python; else, with no fences at all, the text from the first line that starts
 * code (`import`, `from`, `class`, `def`, a decorator). Null when there is no code.
 */
export function extractPythonCode(answer: string): string | null {
  const blocks = fencedBlocks(answer);
  const largest = (list: Fence[]) => list.reduce<Fence | null>((best, b) => (!best || b.body.length > best.body.length ? b : best), null);
  const python = largest(blocks.filter((b) => PYTHON_LANGS.has(b.lang) && b.body.trim() !== ''));
  if (python) return tidyCode(python.body);
  const unlabelled = largest(blocks.filter((b) => b.lang === '' && looksLikePython(b.body)));
  if (unlabelled) return tidyCode(unlabelled.body);
  if (blocks.length > 0) return null;
  const lines = normaliseNewlines(answer).split('\n');
  const first = lines.findIndex((l) => CODE_LINE.test(l));
  if (first === -1 || !looksLikePython(answer)) return null;
  return tidyCode(lines.slice(first).join('\n')) || null;
}

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; reason: string };

/** Candidate `{…}` spans, balanced with string awareness, from each opening brace at depth 0. */
function balancedObjects(text: string): string[] {
  const out: string[] = [];
  let attempts = 0;
  for (let start = text.indexOf('{'); start !== -1 && attempts < 50; start = text.indexOf('{', start + 1), attempts++) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        out.push(text.slice(start, i + 1));
        start = i; // continue after this object
        break;
      }
    }
  }
  return out;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // LLMs like trailing commas; forgive them once.
    const relaxed = text.replace(/,(\s*[}\]])/g, '$1');
    if (relaxed !== text) {
      try {
        return { ok: true, value: JSON.parse(relaxed) };
      } catch {
        // fall through to the original error
      }
    }
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * The JSON object in an answer: a ```json block, any other fenced block, the bare answer, or the
 * first balanced `{…}` in the prose around it, whichever parses first.
 */
export function extractJson(answer: string): JsonExtraction {
  const text = normaliseNewlines(answer);
  const blocks = fencedBlocks(text);
  const candidates = [
    ...blocks.filter((b) => b.lang === 'json' || b.lang === 'jsonc').map((b) => b.body),
    ...blocks.filter((b) => b.lang !== 'json' && b.lang !== 'jsonc').map((b) => b.body),
    text.trim(),
    ...balancedObjects(text),
  ];
  let firstError: string | null = null;
  for (const candidate of candidates) {
    if (!candidate.trim().startsWith('{') && !candidate.trim().startsWith('[')) continue;
    const parsed = tryParse(candidate.trim());
    if (parsed.ok) return parsed;
    firstError ??= parsed.error;
  }
  return { ok: false, reason: firstError ? `the JSON in the answer does not parse: ${firstError}` : 'the answer contains no JSON object' };
}

export interface EditBlock {
  /** 1-based position of the block in the answer. */
  index: number;
  search: string;
  replace: string;
}

export type EditParse = { ok: true; blocks: EditBlock[] } | { ok: false; reason: string };

const SEARCH_MARK = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER_MARK = /^\s*={5,9}\s*$/;
const REPLACE_MARK = /^\s*>{5,9}\s*REPLACE\s*$/;

/** Parses `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks (fences and prose around them are ignored). */
export function parseSearchReplaceBlocks(answer: string): EditParse {
  const lines = normaliseNewlines(answer).split('\n');
  const blocks: EditBlock[] = [];
  let state: 'outside' | 'search' | 'replace' = 'outside';
  let search: string[] = [];
  let replace: string[] = [];
  for (const [n, line] of lines.entries()) {
    if (state === 'outside') {
      if (SEARCH_MARK.test(line)) {
        state = 'search';
        search = [];
        replace = [];
      } else if (DIVIDER_MARK.test(line) || REPLACE_MARK.test(line)) {
        return { ok: false, reason: `line ${n + 1}: "${line.trim()}" outside a SEARCH/REPLACE block` };
      }
    } else if (state === 'search') {
      if (DIVIDER_MARK.test(line)) state = 'replace';
      else if (SEARCH_MARK.test(line) || REPLACE_MARK.test(line)) {
        return { ok: false, reason: `block ${blocks.length + 1} has no ======= divider (line ${n + 1})` };
      } else search.push(line);
    } else if (REPLACE_MARK.test(line)) {
      blocks.push({ index: blocks.length + 1, search: search.join('\n'), replace: replace.join('\n') });
      state = 'outside';
    } else if (SEARCH_MARK.test(line)) {
      return { ok: false, reason: `block ${blocks.length + 1} is not closed with >>>>>>> REPLACE (line ${n + 1})` };
    } else replace.push(line);
  }
  if (state !== 'outside') return { ok: false, reason: `block ${blocks.length + 1} is not closed with >>>>>>> REPLACE (the answer ends inside it)` };
  if (blocks.length === 0) return { ok: false, reason: 'the answer contains no SEARCH/REPLACE blocks' };
  return { ok: true, blocks };
}

export type EditApplication =
  | { ok: true; code: string; applied: number }
  | {
      ok: false;
      /** 1-based index of the block that could not be applied. */
      failedBlock: number;
      reason: 'not_found' | 'ambiguous' | 'empty_search';
      message: string;
    };

function findLines(code: string[], search: string[], same: (a: string, b: string) => boolean): number[] {
  const hits: number[] = [];
  for (let i = 0; i + search.length <= code.length; i++) {
    let match = true;
    for (let j = 0; j < search.length; j++) {
      if (!same(code[i + j]!, search[j]!)) {
        match = false;
        break;
      }
    }
    if (match) hits.push(i);
  }
  return hits;
}

/**
 * Applies edit blocks in order, each to the result of the previous one. A SEARCH must match whole
 * lines of the code exactly, once; if it does not, lines are compared again ignoring trailing
 * spaces only. A block that matches nowhere, or in several places, stops the edit and is reported.
 */
export function applySearchReplace(code: string, blocks: EditBlock[]): EditApplication {
  let lines = normaliseNewlines(code).split('\n');
  for (const block of blocks) {
    const search = normaliseNewlines(block.search).split('\n');
    const replacement = block.replace === '' ? [] : normaliseNewlines(block.replace).split('\n');
    const preview = `"${search.find((l) => l.trim() !== '')?.trim().slice(0, 60) ?? ''}"`;
    if (search.every((l) => l.trim() === '')) {
      return { ok: false, failedBlock: block.index, reason: 'empty_search', message: `SEARCH block ${block.index} of ${blocks.length} is empty` };
    }
    let hits = findLines(lines, search, (a, b) => a === b);
    if (hits.length === 0) hits = findLines(lines, search, (a, b) => a.trimEnd() === b.trimEnd());
    if (hits.length === 0) {
      return {
        ok: false,
        failedBlock: block.index,
        reason: 'not_found',
        message: `SEARCH block ${block.index} of ${blocks.length} (starting ${preview}) does not match the code`,
      };
    }
    if (hits.length > 1) {
      return {
        ok: false,
        failedBlock: block.index,
        reason: 'ambiguous',
        message: `SEARCH block ${block.index} of ${blocks.length} (starting ${preview}) matches ${hits.length} places in the code; include more lines`,
      };
    }
    const at = hits[0]!;
    lines = [...lines.slice(0, at), ...replacement, ...lines.slice(at + search.length)];
  }
  return { ok: true, code: lines.join('\n'), applied: blocks.length };
}
