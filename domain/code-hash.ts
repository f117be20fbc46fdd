/**
 * Normalises Python source so that two programs differing only in comments, blank lines,
 * trailing whitespace or spacing inside a line get the same key. String literals are kept
 * verbatim (a `#` inside a string is not a comment). Indentation is kept: it is Python syntax.
 */
export function normalizePython(code: string): string {
  const out: string[] = [];
  for (const rawLine of code.replace(/\r\n?/g, '\n').split('\n')) {
    const line = stripComment(rawLine);
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ');
    out.push(indent + collapseOutsideStrings(line.trim()));
  }
  return out.join('\n');
}

/** Removes a trailing `# comment`, respecting quotes on the same line. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** Removes spaces around operators and punctuation outside string literals: `a = b(1, 2)` ≡ `a=b(1,2)`. */
function collapseOutsideStrings(line: string): string {
  let result = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      result += c;
      if (c === '\\' && i + 1 < line.length) result += line[++i];
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      result += c;
    } else if (c === ' ' || c === '\t') {
      const prev = result[result.length - 1] ?? '';
      let j = i;
      while (j < line.length && (line[j] === ' ' || line[j] === '\t')) j++;
      const next = line[j] ?? '';
      // a space is meaningful only between two word characters (`return x`, `not in`)
      if (/\w/.test(prev) && /\w/.test(next)) result += ' ';
      i = j - 1;
    } else result += c;
  }
  return result;
}
