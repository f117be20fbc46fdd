/**
 * A light, pure reading of Python source: which characters are code, string or comment, where
 * logical lines begin, and which `class`/`def` blocks contain which offsets. Enough for lint rules
 * to rewrite LEAN API names without touching strings, comments or user code; it is not a parser
 * (the syntax check is done by CPython or tree-sitter outside the domain).
 */

/** Character kinds in {@link PythonSource.mask}. */
export const CODE = 0;
export const STRING = 1;
export const COMMENT = 2;

export interface LogicalLine {
  /** Offset of the first character of its first physical line. */
  start: number;
  /** Offset just past its last character (the final newline excluded). */
  end: number;
  /** 1-based number of its first physical line. */
  line: number;
  /** Width of the leading whitespace of its first physical line (a tab counts to the next multiple of 8). */
  indent: number;
  /** Only whitespace and comments. */
  blank: boolean;
}

export interface Scope {
  kind: 'class' | 'def';
  name: string;
  indent: number;
  /** Offset of the header line's start (decorators excluded). */
  start: number;
  /** Offset just past the body (the start of the next statement at the same or a lower indent). */
  end: number;
  /** 1-based line of the header. */
  line: number;
  /** Parameter names of a `def`, in order (`*args` → `args`). */
  params: string[];
  /** Base-class expressions of a `class`. */
  bases: string[];
  parent?: Scope;
}

export interface PythonSource {
  code: string;
  /** One of CODE, STRING, COMMENT per UTF-16 unit of `code`. */
  mask: Uint8Array;
  /** Offset of each physical line's first character. */
  lineStarts: number[];
  logicalLines: LogicalLine[];
  scopes: Scope[];
  /** Classes deriving from `QCAlgorithm`, in source order. */
  algorithmClasses: Scope[];
}

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);

const cache = new Map<string, PythonSource>();

/** Reads the source (memoised on the text: rules and fixes re-read the same code many times). */
export function analyzePython(code: string): PythonSource {
  const hit = cache.get(code);
  if (hit) return hit;
  const src = analyze(code);
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(code, src);
  return src;
}

function analyze(code: string): PythonSource {
  const n = code.length;
  const mask = new Uint8Array(n);
  const lineStarts = [0];
  for (let i = 0; i < n; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  const logicalStart = new Uint8Array(lineStarts.length);
  logicalStart[0] = 1;

  let depth = 0;
  let line = 0;
  let i = 0;
  while (i < n) {
    const c = code[i]!;
    if (c === '#') {
      while (i < n && code[i] !== '\n') mask[i++] = COMMENT;
      continue;
    }
    if (c === '\n') {
      line++;
      let k = i - 1;
      if (code[k] === '\r') k--;
      const continued = code[k] === '\\' && mask[k] === CODE;
      if (depth === 0 && !continued) logicalStart[line] = 1;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = scanString(code, i, i, mask, '');
      line += countNewlines(code, i, end);
      i = end;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(code[j]!)) j++;
      const word = code.slice(i, j);
      if ((code[j] === '"' || code[j] === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
        const end = scanString(code, i, j, mask, word);
        line += countNewlines(code, i, end);
        i = end;
        continue;
      }
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    i++;
  }

  const logicalLines = buildLogicalLines(code, mask, lineStarts, logicalStart);
  const scopes = buildScopes(code, mask, logicalLines);
  const algorithmClasses = scopes.filter(
    (s) => s.kind === 'class' && s.bases.some((b) => /(^|\.)QCAlgorithm$/.test(b.trim())),
  );
  return { code, mask, lineStarts, logicalLines, scopes, algorithmClasses };
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

function countNewlines(code: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) if (code[k] === '\n') count++;
  return count;
}

/**
 * Marks a string literal (prefix at `from`, opening quote at `quoteAt`) and returns the offset just
 * past it. Replacement fields of f-strings stay CODE: `f"{self.Time}"` holds real code.
 */
function scanString(code: string, from: number, quoteAt: number, mask: Uint8Array, prefix: string): number {
  const n = code.length;
  const q = code[quoteAt]!;
  const triple = code.startsWith(q + q + q, quoteAt);
  const isF = /f/i.test(prefix);
  let j = quoteAt + (triple ? 3 : 1);
  mask.fill(STRING, from, j);
  while (j < n) {
    const c = code[j]!;
    if (c === '\\') {
      mask.fill(STRING, j, Math.min(j + 2, n));
      j += 2;
      continue;
    }
    if (!triple && c === '\n') return j; // unterminated: the newline belongs to the code
    if (triple ? code.startsWith(q + q + q, j) : c === q) {
      const end = j + (triple ? 3 : 1);
      mask.fill(STRING, j, end);
      return end;
    }
    if (isF && c === '{') {
      if (code[j + 1] === '{') {
        mask.fill(STRING, j, j + 2);
        j += 2;
        continue;
      }
      mask[j] = STRING;
      j = scanFieldExpression(code, j + 1, mask);
      continue;
    }
    mask[j] = STRING;
    j++;
  }
  return n;
}

/** Scans an f-string replacement field's expression (left as CODE); returns the offset after its `}`. */
function scanFieldExpression(code: string, from: number, mask: Uint8Array): number {
  const n = code.length;
  let depth = 0;
  let j = from;
  while (j < n) {
    const c = code[j]!;
    if (c === '"' || c === "'") {
      j = scanString(code, j, j, mask, '');
      continue;
    }
    if (isIdentStart(c)) {
      let k = j + 1;
      while (k < n && isIdentPart(code[k]!)) k++;
      const word = code.slice(j, k);
      if ((code[k] === '"' || code[k] === "'") && STRING_PREFIXES.has(word.toLowerCase())) j = scanString(code, j, k, mask, word);
      else j = k;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '}') {
      if (depth === 0) {
        mask[j] = STRING;
        return j + 1;
      }
      depth--;
    } else if (depth === 0 && (c === ':' || (c === '!' && code[j + 1] !== '='))) {
      // conversion or format spec: literal text up to the field's closing brace
      let k = j;
      let nested = 0;
      while (k < n) {
        if (code[k] === '{') nested++;
        else if (code[k] === '}') {
          if (nested === 0) break;
          nested--;
        }
        mask[k++] = STRING;
      }
      if (k < n) mask[k] = STRING;
      return k + 1;
    } else if (c === '\n' && depth === 0) return j;
    j++;
  }
  return n;
}

function buildLogicalLines(code: string, mask: Uint8Array, lineStarts: number[], logicalStart: Uint8Array): LogicalLine[] {
  const out: LogicalLine[] = [];
  for (let k = 0; k < lineStarts.length; k++) {
    if (!logicalStart[k]) continue;
    let next = k + 1;
    while (next < lineStarts.length && !logicalStart[next]) next++;
    const start = lineStarts[k]!;
    let end = next < lineStarts.length ? lineStarts[next]! - 1 : code.length;
    if (code[end - 1] === '\r') end--;
    let indent = 0;
    let p = start;
    for (; p < end; p++) {
      if (code[p] === ' ') indent++;
      else if (code[p] === '\t') indent = (Math.floor(indent / 8) + 1) * 8;
      else if (code[p] !== '\f') break;
    }
    let blank = true;
    for (let q = p; q < end; q++) {
      if (mask[q] !== COMMENT && !/\s/.test(code[q]!)) {
        blank = false;
        break;
      }
    }
    out.push({ start, end, line: k + 1, indent, blank });
  }
  return out;
}

function buildScopes(code: string, mask: Uint8Array, lines: LogicalLine[]): Scope[] {
  const scopes: Scope[] = [];
  const open: Scope[] = [];
  for (let k = 0; k < lines.length; k++) {
    const ll = lines[k]!;
    if (ll.blank) continue;
    const text = code.slice(ll.start, ll.end);
    const header = /^\s*(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)\s*/.exec(text);
    if (!header) continue;
    let end = code.length;
    for (let m = k + 1; m < lines.length; m++) {
      const next = lines[m]!;
      if (!next.blank && next.indent <= ll.indent) {
        end = next.start;
        break;
      }
    }
    while (open.length && open[open.length - 1]!.end <= ll.start) open.pop();
    const paren = ll.start + header[0].length;
    const inner = code[paren] === '(' ? bracketContents(code, mask, paren) : [];
    const kind = header[1] as 'def' | 'class';
    const scope: Scope = {
      kind,
      name: header[2]!,
      indent: ll.indent,
      start: ll.start,
      end,
      line: ll.line,
      params: kind === 'def' ? inner.map(paramName).filter((p) => p !== '') : [],
      bases: kind === 'class' ? inner.map((a) => a.text.trim()) : [],
      parent: open[open.length - 1],
    };
    scopes.push(scope);
    open.push(scope);
  }
  return scopes;
}

function paramName(arg: { text: string }): string {
  const m = /^\s*\*{0,2}\s*([A-Za-z_]\w*)/.exec(arg.text);
  return m ? m[1]! : '';
}

export interface Argument {
  start: number;
  end: number;
  /** The argument's source with comments removed. */
  text: string;
}

/**
 * The comma-separated items inside the bracket that opens at `open` (strings, comments and nested
 * brackets respected). Returns [] when the bracket never closes.
 */
export function bracketContents(code: string, mask: Uint8Array, open: number): Argument[] {
  const close = matchingBracket(code, mask, open);
  if (close < 0) return [];
  const args: Argument[] = [];
  let depth = 0;
  let itemStart = open + 1;
  for (let i = open + 1; i <= close; i++) {
    if (mask[i] !== CODE) continue;
    const c = code[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && i !== close) depth--;
    else if ((c === ',' && depth === 0) || i === close) {
      let text = '';
      for (let k = itemStart; k < i; k++) if (mask[k] !== COMMENT) text += code[k];
      if (text.trim() !== '') args.push({ start: itemStart, end: i, text });
      itemStart = i + 1;
    }
  }
  return args;
}

/** Offset of the bracket closing the one at `open`, or -1. */
export function matchingBracket(code: string, mask: Uint8Array, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (mask[i] !== CODE) continue;
    const c = code[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** 1-based line number of an offset. */
export function lineAt(src: PythonSource, offset: number): number {
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (src.lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The logical line containing an offset. */
export function logicalLineAt(src: PythonSource, offset: number): LogicalLine | undefined {
  let found: LogicalLine | undefined;
  for (const ll of src.logicalLines) {
    if (ll.start > offset) break;
    found = ll;
  }
  return found;
}

/** The innermost `def` or `class` whose block contains the offset. */
export function scopeAt(src: PythonSource, offset: number): Scope | undefined {
  let found: Scope | undefined;
  for (const s of src.scopes) {
    if (s.start > offset) break;
    if (offset < s.end) found = s;
  }
  return found;
}

/** The innermost function containing the offset, and the class it is a method of (if any). */
export function functionAt(src: PythonSource, offset: number): { fn?: Scope; cls?: Scope } {
  let s = scopeAt(src, offset);
  while (s && s.kind !== 'def') s = s.parent;
  if (!s) return {};
  return { fn: s, cls: s.parent?.kind === 'class' ? s.parent : undefined };
}

/** Whether the offset lies in a QCAlgorithm subclass. */
export function inAlgorithmClass(src: PythonSource, offset: number): boolean {
  return src.algorithmClasses.some((c) => c.start <= offset && offset < c.end);
}

/**
 * Matches of `regex` (which must have the `g` flag) that start in code, not in a string or a
 * comment.
 */
export function codeMatches(src: PythonSource, regex: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  regex.lastIndex = 0;
  for (let m = regex.exec(src.code); m; m = regex.exec(src.code)) {
    if (m[0].length === 0) regex.lastIndex++;
    if (src.mask[m.index] === CODE) out.push(m);
  }
  return out;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (later ones overlapping an earlier one are dropped). */
export function applyEdits(code: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += code.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + code.slice(pos);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The identifier chain ending just before offset `dot` (a `.`), e.g. `np.random` → `np`; '' if none. */
export function receiverRoot(code: string, dot: number): string {
  let k = dot - 1;
  while (k >= 0 && (code[k] === ' ' || code[k] === '\t')) k--;
  let end = k + 1;
  while (k >= 0 && /[\w.]/.test(code[k]!)) k--;
  const chain = code.slice(k + 1, end);
  if (!/^[A-Za-z_]/.test(chain)) return '';
  return chain.split('.')[0]!;
}
