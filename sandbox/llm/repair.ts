import { camelToSnake, checkPythonSyntax, simulateRuntime } from '../lean';
import { applyDiffsFrom } from './learned';
import { fencedBlocks } from './prompt';

/**
 * The scripted `repair`, a model that has to be told what is wrong. It fixes a defect only when
 * the prompt (outside the code) carries that defect's actual error message, as CPython or the
 * simulated LEAN runtime words it: a syntax error is fixed when CPython's message for it is
 * there, the PascalCase API and planted runtime failures when LEAN's runtime error is there.
 * Diffs shown in the prompt are applied first, when they apply. Prose around the code always goes.
 */
export async function repairCode(code: string, context: string): Promise<string> {
  let fixed = applyDiffsFrom(stripProse(code), context);
  const syntax = await checkPythonSyntax(fixed);
  if (!syntax.ok && context.includes(syntax.message)) fixed = fixSyntax(fixed);
  const failure = simulateRuntime(fixed);
  if (failure && context.includes(runtimeMessage(failure.error))) {
    fixed = removeFailingLines(toSnakeCase(fixed));
  }
  if (!/^\s*from AlgorithmImports import \*/m.test(fixed)) fixed = `from AlgorithmImports import *\n${fixed}`;
  return fixed.replace(/\s+$/, '') + '\n';
}

/** The exception line of a LEAN runtime error (`AttributeError : 'X' object has no attribute 'SetCash'`). */
export function runtimeMessage(error: string): string {
  const first = error.split('\n')[0]!;
  const marker = 'the following exception has occurred: ';
  return first.includes(marker) ? first.slice(first.indexOf(marker) + marker.length) : first;
}

const PYTHON_START = /^(from |import |#|class |@|def |"""|''')/;

/** Keeps only the code: the first fence's body if there is one, else the lines from the first Python line to the last. */
export function stripProse(text: string): string {
  const fences = fencedBlocks(text).filter((f) => /class\s+\w+\s*\(/.test(f.body) || f.lang === 'python' || f.lang === 'py');
  if (fences.length > 0) text = fences[0]!.body;
  const lines = text.split('\n').filter((l) => !/^\s*(`{3,}|~{3,})\s*\w*\s*$/.test(l));
  const first = lines.findIndex((l) => PYTHON_START.test(l));
  let last = lines.length - 1;
  // trailing prose: unindented lines that read like sentences
  while (last > first && (lines[last]!.trim() === '' || (/^[A-Z][^=()]*[.!:]\s*$/.test(lines[last]!) && !PYTHON_START.test(lines[last]!)))) last--;
  return lines.slice(Math.max(first, 0), last + 1).join('\n');
}

const ENUM_OWNERS = /\b(Resolution|MovingAverageType|Universe|OrderStatus|OrderDirection|DataNormalizationMode)\.([A-Z][a-z]\w*)\b/g;
const MODULES = new Set(['np', 'pd', 'math', 'datetime', 'timedelta', 'json', 're', 'os', 'sys', 'Resolution', 'MovingAverageType', 'Universe']);

/** PascalCase LEAN members and enum values back to the snake_case API (`.IsReady` → `.is_ready`, `Resolution.Daily` → `Resolution.DAILY`). */
export function toSnakeCase(code: string): string {
  let out = code
    .replace(/\bdef ([A-Z]\w*)\(/g, (_, name: string) => `def ${camelToSnake(name)}(`)
    .replace(ENUM_OWNERS, (_, owner: string, member: string) => `${owner}.${camelToSnake(member).toUpperCase()}`);
  // chains such as `self.Securities[s].Price` need one pass per link
  for (let pass = 0; pass < 4; pass++) {
    const before = out;
    out = out
      .replace(/\b(\w+)((?:\[[^\]]*\])?)\.([A-Z][A-Za-z0-9]*)\b/g, (m, owner: string, index: string, member: string) =>
        MODULES.has(owner) || /^[A-Z]/.test(owner) ? m : `${owner}${index}.${camelToSnake(member)}`,
      )
      .replace(/([)\]])\.([A-Z][A-Za-z0-9]*)\b/g, (_, close: string, member: string) => `${close}.${camelToSnake(member)}`);
    if (out === before) break;
  }
  return out;
}

const BLOCK_HEADER = /^\s*(def|class|if|elif|else|for|while|with|try|except|finally)\b/;

function bracketBalance(line: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') break;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  return depth;
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

/** Closes brackets left open at the end of a statement and adds missing colons to block headers. */
export function fixSyntax(code: string): string {
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const header = BLOCK_HEADER.test(line);
    const balance = bracketBalance(line);
    const next = lines.slice(i + 1).find((l) => l.trim() !== '');
    // open brackets continue on the next line only if it is indented deeper or closes them;
    // a block header's body is always deeper, so headers are never "fixed" this way
    const continues = next !== undefined && (indentOf(next) > indentOf(line) || /^\s*[)\]}]/.test(next));
    if (balance > 0 && !header && !continues) lines[i] = line.replace(/\s*$/, '') + ')'.repeat(balance);
    const statement = lines[i]!.replace(/#.*$/, '').trimEnd();
    if (header && bracketBalance(statement) === 0 && !statement.endsWith(':') && !statement.endsWith('\\')) lines[i] = `${statement}:`;
  }
  return lines.join('\n');
}

/** Drops statements that can only fail at run time; an emptied block gets `pass`. */
function removeFailingLines(code: string): string {
  const lines = code.split('\n');
  const out: string[] = [];
  let inInitialize: number | null = null;
  for (const line of lines) {
    const def = /^(\s*)def\s+(\w+)\s*\(/.exec(line);
    if (def) inInitialize = def[2] === 'initialize' ? def[1]!.length : null;
    const isRaise = inInitialize !== null && /^\s*raise\b/.test(line) && indentOf(line) === inInitialize + 4;
    if (isRaise || /\bself\.undefined\w*/.test(line)) continue;
    out.push(line);
  }
  // a block header whose body vanished needs a body
  for (let i = 0; i < out.length; i++) {
    if (!/:\s*$/.test(out[i]!.replace(/#.*$/, '')) || !BLOCK_HEADER.test(out[i]!)) continue;
    const next = out.slice(i + 1).find((l) => l.trim() !== '');
    if (next === undefined || indentOf(next) <= indentOf(out[i]!)) out.splice(i + 1, 0, `${' '.repeat(indentOf(out[i]!) + 4)}pass`);
  }
  return out.join('\n');
}
