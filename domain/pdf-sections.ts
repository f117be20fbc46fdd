/**
 * Turning a PDF's positioned text into clean text with sections. Pure: activities/pdf-text.ts
 * feeds it pdf.js text items; tests feed it arrays.
 */

/** The part of a pdf.js text item this module needs (x, y from its transform). */
export interface TextItem {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
  hasEOL: boolean;
}

export interface PdfSection {
  /** The heading without its number (`Introduction`, `Data and Methodology`). */
  title: string;
  /** `2`, `3.1`, `IV` or `A` when the heading was numbered. */
  number?: string;
  /** 1 for top-level headings, 2 for `3.1`, 3 for `3.1.2`. */
  level: number;
  /** Character offsets into the cleaned text: the heading line starts at `start`; `end` is exclusive. */
  start: number;
  end: number;
}

/**
 * Groups text items into lines in content order: a new line starts at an explicit end of line or
 * when the baseline moves by more than half a glyph height. Gaps wider than a fifth of the font
 * size become spaces.
 */
export function linesFromTextItems(items: TextItem[]): string[] {
  const lines: string[] = [];
  let text = '';
  let y = 0;
  let xEnd = 0;
  let height = 0;
  let open = false;
  const flush = () => {
    const t = text.replace(/\s+/g, ' ').trim();
    if (open && t) lines.push(t);
    open = false;
    text = '';
  };
  for (const item of items) {
    if (item.str !== '') {
      const h = item.height > 0 ? item.height : 10;
      if (open && Math.abs(item.y - y) <= Math.max(1, 0.5 * Math.min(h, height))) {
        const needsSpace = item.x - xEnd > 0.2 * h && !text.endsWith(' ') && !item.str.startsWith(' ');
        text += (needsSpace ? ' ' : '') + item.str;
      } else {
        flush();
        open = true;
        text = item.str;
        y = item.y;
        height = h;
      }
      xEnd = item.x + item.width;
    }
    if (item.hasEOL) flush();
  }
  flush();
  return lines;
}

const EDGE_LINES = 3;
const PAGE_NUMBER = /^(?:page\s*)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-–—]?(?:\s*(?:of|\/)\s*\d{1,4})?$/i;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>()[\]{}"]+/gi;

function runningKey(line: string): string {
  return line.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/** Fewer numbered lines than this on a page are not taken for a review draft's line numbers. */
const MIN_NUMBERED_LINES = 8;
/** Lines without a number (an unnumbered figure line, a number lost to the text before it) skipped between two numbered ones. */
const MAX_NUMBER_STEP = 3;

/** The line number glued to the end of `line` when it continues the count after `previous`. */
function lineNumberAt(line: string, previous: number): { n: number; rest: string } | null {
  const digits = /(\d+)$/.exec(line)?.[1];
  if (!digits) return null;
  // `…10.3394`: the number may be glued to digits of the text itself, so try each tail.
  for (let k = Math.min(4, digits.length); k >= 1; k--) {
    const n = Number(digits.slice(-k));
    // Glued to the text: a number after a space is the text's own (a table cell, a year).
    const glued = !/\s/.test(line.charAt(line.length - k - 1));
    if (glued && n > previous && n <= previous + MAX_NUMBER_STEP && (previous >= 0 || k === digits.length)) {
      return { n, rest: line.slice(0, -k).trim() };
    }
  }
  return null;
}

/**
 * A review draft numbers its lines in the margin, and pdf.js glues each number to the end of its
 * line (`Summary5`, `…and their8`). Numbers that count up, line after line, over most of a page
 * are removed; a page without such a count is left alone.
 */
function withoutLineNumbers(lines: string[]): string[] {
  const out = [...lines];
  let previous = -1;
  let found = 0;
  lines.forEach((line, i) => {
    const at = lineNumberAt(line, previous);
    if (!at) {
      // A count starts at any number on its own terms: restart from a plain trailing integer.
      const m = /[^\d\s](\d{1,4})$/.exec(line);
      if (m && found < 2) {
        previous = Number(m[1]);
        found = 1;
        out[i] = line.slice(0, -m[1]!.length).trim();
      }
      return;
    }
    previous = at.n;
    found++;
    out[i] = at.rest;
  });
  const numbered = lines.filter((l) => /\d$/.test(l)).length;
  if (found < MIN_NUMBERED_LINES || found < numbered * 0.6) return lines;
  return out.filter((l) => l !== '');
}

/**
 * Joins pages' lines into clean text: running headers and footers (the same line, digits aside,
 * at the top or bottom of most pages), page numbers, URLs and end-of-line hyphenation removed;
 * ligatures and soft hyphens normalised.
 */
export function cleanPdfPages(pages: string[][]): string {
  const normalised = pages.map((lines) => withoutLineNumbers(lines.map((l) => l.normalize('NFKC').replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim()).filter((l) => l !== '')));
  const edge = (lines: string[], i: number) => i < EDGE_LINES || i >= lines.length - EDGE_LINES;

  // A line repeated at the edge of most pages is a running header or footer.
  const seenOn = new Map<string, number>();
  for (const lines of normalised) {
    const keys = new Set(lines.filter((_, i) => edge(lines, i)).map(runningKey));
    for (const k of keys) seenOn.set(k, (seenOn.get(k) ?? 0) + 1);
  }
  const threshold = Math.max(2, Math.ceil(pages.length * 0.6));
  const running = new Set([...seenOn].filter(([, n]) => pages.length >= 2 && n >= threshold).map(([k]) => k));

  const kept: string[] = [];
  for (const lines of normalised) {
    lines.forEach((line, i) => {
      if (edge(lines, i) && (running.has(runningKey(line)) || PAGE_NUMBER.test(line))) return;
      const withoutUrls = line.replace(URL, '').replace(/\s+/g, ' ').trim();
      if (withoutUrls !== '') kept.push(withoutUrls);
    });
  }

  // "mo-" + "mentum strategies" → "momentum" + "strategies".
  for (let i = 0; i + 1 < kept.length; i++) {
    const line = kept[i]!;
    const next = kept[i + 1]!;
    if (/[A-Za-z]{2}-$/.test(line) && /^[a-z]/.test(next)) {
      const [word, ...rest] = next.split(' ');
      kept[i] = line.slice(0, -1) + word;
      const remainder = rest.join(' ');
      if (remainder) kept[i + 1] = remainder;
      else kept.splice(i + 1, 1);
      i--; // the joined line may end in another hyphen
    }
  }
  return kept.join('\n');
}

const KNOWN_HEADINGS = [
  'abstract',
  'introduction',
  'literature review',
  'related work',
  'related literature',
  'background',
  'motivation',
  'statement of need',
  'data',
  'data and methodology',
  'data and methods',
  'data description',
  'methodology',
  'methods',
  'method',
  'model',
  'the model',
  'theoretical framework',
  'empirical analysis',
  'empirical results',
  'empirical framework',
  'results',
  'main results',
  'trading strategy',
  'strategy',
  'portfolio construction',
  'backtest',
  'backtesting',
  'performance',
  'robustness',
  'robustness checks',
  'discussion',
  'conclusion',
  'conclusions',
  'concluding remarks',
  'summary',
  'acknowledgements',
  'acknowledgments',
  'references',
  'bibliography',
  'appendix',
  'appendices',
];
const KNOWN_SET = new Set(KNOWN_HEADINGS);
const NUMBERED = /^(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)$/;
const ROMAN = /^([IVX]{1,5})\.\s+(\S.*)$/;
const LETTERED = /^(?:appendix\s+)?([A-H])[.:]?\s+(\S.*)$/i;

function cleanTitle(t: string): string {
  return t.replace(/[.:]\s*$/, '').trim();
}

function isKnown(title: string): boolean {
  return KNOWN_SET.has(cleanTitle(title).toLowerCase());
}

/** A numbered heading's title: short, capitalised, not a sentence, not a row of numbers. */
function plausibleTitle(title: string): boolean {
  const t = cleanTitle(title);
  if (t.length < 3 || t.length > 90) return false;
  if (!/^[A-Z]/.test(t)) return false;
  if (/[.,;]$/.test(title.trim()) && !isKnown(title)) return false;
  const words = t.split(/\s+/);
  if (words.length > 10) return false;
  if (!words.some((w) => /^[A-Za-z][A-Za-z'’-]{2,}/.test(w))) return false;
  const letters = (t.match(/[A-Za-z]/g) ?? []).length;
  return letters / t.replace(/\s/g, '').length > 0.7;
}

interface HeadingMatch {
  title: string;
  number?: string;
  level: number;
}

/**
 * Finds section headings in cleaned text: well-known names (Abstract, Introduction, Data, …,
 * References, Appendix), with or without a number, and numbered headings (`2 Data`, `3.1 Signal`,
 * `IV. RESULTS`) whose top-level numbers never go backwards. `Abstract:` followed by text on the
 * same line counts as the Abstract heading.
 */
export function findSections(text: string): PdfSection[] {
  const headings: Array<HeadingMatch & { start: number }> = [];
  let lastTop = 0;
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const l = line.trim();
    if (l === '' || l.length > 100) continue;
    const match = matchHeading(l, lastTop);
    if (!match) continue;
    if (match.number && /^\d/.test(match.number)) lastTop = Math.max(lastTop, Number(match.number.split('.')[0]));
    headings.push({ ...match, start });
  }
  return headings.map((h, i) => ({
    title: h.title,
    ...(h.number ? { number: h.number } : {}),
    level: h.level,
    start: h.start,
    end: i + 1 < headings.length ? headings[i + 1]!.start : text.length,
  }));
}

function matchHeading(line: string, lastTop: number): HeadingMatch | null {
  if (/^abstract\b\s*[:.—–-]?\s*\S/i.test(line) && !isKnown(line)) {
    return /^abstract\s*[:.—–-]/i.test(line) || /^abstract\s+[A-Z]/.test(line) ? { title: 'Abstract', level: 1 } : null;
  }
  if (isKnown(line)) return { title: cleanTitle(line), level: 1 };
  const numbered = NUMBERED.exec(line);
  if (numbered) {
    const number = numbered[1]!;
    const title = numbered[2]!;
    const parts = number.split('.').map(Number);
    const top = parts[0]!;
    if (top < 1 || top > 30 || !plausibleTitle(title)) return null;
    // `1 University of X 2 Bank of Y`: numbered affiliations under the authors, not a heading.
    if (new RegExp(`\\s${top + 1}\\s+[A-Z]`).test(title)) return null;
    const level = parts.length;
    // Numbers only move forward, so a table row "1 Momentum" after section 4 is not a heading.
    // A well-known name may follow any number; another top-level heading is the next number (one
    // missed heading tolerated); a subsection belongs to the current section or the next one.
    if (level === 1) {
      if (isKnown(title) ? top < lastTop : top <= lastTop || top > lastTop + 2) return null;
    } else if (top !== lastTop && top !== lastTop + 1) {
      return null;
    }
    return { title: cleanTitle(title), number, level };
  }
  const roman = ROMAN.exec(line);
  if (roman && plausibleTitle(roman[2]!)) return { title: cleanTitle(roman[2]!), number: roman[1]!, level: 1 };
  const lettered = LETTERED.exec(line);
  if (lettered && /^appendix/i.test(line) && plausibleTitle(lettered[2]!)) {
    return { title: `Appendix ${lettered[1]!.toUpperCase()}: ${cleanTitle(lettered[2]!)}`, number: lettered[1]!.toUpperCase(), level: 1 };
  }
  return null;
}

/** The text of one section, heading line included. */
export function sectionText(text: string, section: PdfSection): string {
  return text.slice(section.start, section.end).trim();
}
