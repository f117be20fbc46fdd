/**
 * Line diffs a prompt shows the model (`- old` / `+ new` lines, no context), and what applying
 * them to a piece of code does. The model uses a diff only by applying it: a diff whose removed
 * lines are not in the code changes nothing, and one that applies changes exactly its lines.
 */

interface DiffLine {
  sign: '-' | '+';
  text: string;
}

const DIFF_LINE = /^([ \t]*)([-+]) (.*)$/;

/**
 * Every diff in the text: a run of consecutive `- …` / `+ …` lines sharing one indentation
 * (a bullet list item at another indentation starts a new run).
 */
export function diffsIn(text: string): DiffLine[][] {
  const diffs: DiffLine[][] = [];
  let current: DiffLine[] = [];
  let indent: string | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = DIFF_LINE.exec(line);
    if (m && m[1] === indent) {
      current.push({ sign: m[2] as '-' | '+', text: m[3]! });
      continue;
    }
    if (current.length > 0) diffs.push(current);
    current = m ? [{ sign: m[2] as '-' | '+', text: m[3]! }] : [];
    indent = m ? m[1]! : null;
  }
  if (current.length > 0) diffs.push(current);
  return diffs.filter((d) => d.some((l) => l.sign === '-'));
}

/**
 * The code with the diff applied, or null when it does not apply. The diff is read as changes in
 * order, each a run of `+` lines then a run of `-` lines (either may be empty): the `-` lines must
 * be found, consecutive and in order, after the previous change, and are replaced by the `+` lines.
 */
export function applyDiff(code: string, diff: DiffLine[]): string | null {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let pos = 0;
  let i = 0;
  while (i < diff.length) {
    const added: string[] = [];
    const removed: string[] = [];
    while (i < diff.length && diff[i]!.sign === '+') added.push(diff[i++]!.text);
    while (i < diff.length && diff[i]!.sign === '-') removed.push(diff[i++]!.text);
    if (removed.length === 0) {
      out.push(...added);
      continue;
    }
    const at = findRun(lines, removed, pos);
    if (at < 0) return null;
    out.push(...lines.slice(pos, at), ...added);
    pos = at + removed.length;
  }
  out.push(...lines.slice(pos));
  return out.join('\n');
}

function findRun(lines: string[], run: string[], from: number): number {
  for (let at = from; at + run.length <= lines.length; at++) {
    if (run.every((r, k) => lines[at + k]!.trimEnd() === r.trimEnd())) return at;
  }
  return -1;
}

/** The code after every diff in `text` that applies to it, in order (unchanged when none does). */
export function applyDiffsFrom(code: string, text: string): string {
  let result = code;
  for (const diff of diffsIn(text)) result = applyDiff(result, diff) ?? result;
  return result;
}
