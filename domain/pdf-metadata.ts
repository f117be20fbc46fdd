import type { TextItem } from './pdf-sections';

/**
 * What a PDF says about itself: its document information (Title, Author, CreationDate) and its
 * first page (the title in the largest type, the authors under it, a DOI or arXiv id stamp).
 * Document information is often empty or wrong ("Microsoft Word - draft3.docx"), so each field
 * is taken from it only when it looks like the real thing.
 */

export interface SizedLine {
  text: string;
  /** The largest font height on the line. */
  size: number;
}

export interface PdfInfo {
  title?: string | null;
  author?: string | null;
  /** PDF date string, `D:YYYYMMDDHHmmSS…`. */
  creationDate?: string | null;
}

export interface PdfPaperMetadata {
  title: string | null;
  authors: string[];
  year: number | null;
  doi: string | null;
  arxivId: string | null;
}

/** The first page's lines in reading order, each with its type size. */
export function sizedLines(items: TextItem[]): SizedLine[] {
  const lines: SizedLine[] = [];
  let current: { text: string; y: number; size: number; xEnd: number } | null = null;
  const flush = () => {
    const text = current?.text.replace(/\s+/g, ' ').trim();
    if (current && text) lines.push({ text, size: current.size });
    current = null;
  };
  for (const item of items) {
    if (item.str !== '') {
      const h = item.height > 0 ? item.height : 10;
      if (current && Math.abs(item.y - current.y) <= Math.max(1, 0.5 * Math.min(h, current.size))) {
        const needsSpace = item.x - current.xEnd > 0.2 * h && !current.text.endsWith(' ') && !item.str.startsWith(' ');
        current.text += (needsSpace ? ' ' : '') + item.str;
        current.size = Math.max(current.size, h);
      } else {
        flush();
        current = { text: item.str, y: item.y, size: h, xEnd: 0 };
      }
      current.xEnd = item.x + item.width;
    }
    if (item.hasEOL) flush();
  }
  flush();
  return lines;
}

const STAMP = /^(?:arxiv:|preprint|working paper|draft|submitted|accepted|journal of|proceedings|vol\.|volume|page|doi|https?:|www\.|©|\(c\)|copyright)/i;

function meaningfulTitle(t: string | null | undefined): string | null {
  const title = t?.replace(/\s+/g, ' ').trim();
  if (!title || title.length < 8 || title.split(' ').length < 2) return null;
  if (/\.(?:pdf|docx?|tex|dvi|ps|rtf)$/i.test(title) || /^(?:microsoft word|untitled|title|paper|article)\b/i.test(title)) return null;
  return title;
}

/** The title on the first page: the consecutive lines set in the largest type near the top. */
export function titleFromFirstPage(lines: SizedLine[]): { title: string; lastLine: number } | null {
  const top = lines.slice(0, 20).map((l, i) => ({ ...l, i })).filter((l) => !STAMP.test(l.text) && /[a-z]{2}/i.test(l.text));
  if (top.length === 0) return null;
  const largest = Math.max(...top.map((l) => l.size));
  const first = top.find((l) => l.size >= largest * 0.95)!;
  const parts = [first.text];
  let lastLine = first.i;
  for (let i = first.i + 1; i < lines.length && parts.length < 4; i++) {
    if (lines[i]!.size < largest * 0.95) break;
    parts.push(lines[i]!.text);
    lastLine = i;
  }
  const title = meaningfulTitle(parts.join(' ').replace(/\s*[*∗†‡]+$/, ''));
  return title && title.length <= 300 ? { title, lastLine } : null;
}

const NAME = /^(?:[A-Z][\p{L}'’.-]*\.?\s+){1,3}[A-Z][\p{L}'’-]+$/u;

function splitNames(text: string): string[] {
  const cleaned = text.replace(/[*∗†‡§¶]|\d+|\s\(.*?\)/g, ' ').replace(/\s+/g, ' ').trim();
  return cleaned.split(/\s*(?:;|,|\band\b|&)\s*/).map((s) => s.trim()).filter(Boolean);
}

/** A line of affiliation marks only (`1`, `2, 6`, `*`): superscripts set on their own baseline. */
const MARKS_ONLY = /^[\d\s,*∗†‡§¶]+$/;

/**
 * The author block starting at line `i`: that line, the lines in the same type that follow it and
 * the superscript affiliation marks between them, which pdf.js puts on lines of their own.
 */
function authorBlock(lines: SizedLine[], i: number): string | null {
  const size = lines[i]!.size;
  const parts = [lines[i]!.text];
  let marks = false;
  for (let j = i + 1; j < Math.min(lines.length, i + 24); j++) {
    const l = lines[j]!;
    const isMarks = MARKS_ONLY.test(l.text);
    if (Math.abs(l.size - size) > size * 0.05 && !isMarks) break;
    marks ||= isMarks;
    parts.push(l.text);
  }
  // Without split-off marks the lines in the same type are more likely a date or an affiliation.
  return marks ? parts.join(' ') : null;
}

/** Names on the line(s) right under the title, when every part of the line reads as a person's name. */
function authorsUnderTitle(lines: SizedLine[], titleLastLine: number): string[] {
  for (let i = titleLastLine + 1; i < Math.min(lines.length, titleLastLine + 4); i++) {
    for (const text of [authorBlock(lines, i), lines[i]!.text]) {
      if (text === null) continue;
      const names = splitNames(text);
      if (names.length > 0 && names.every((n) => NAME.test(n))) return names;
    }
  }
  return [];
}

function authorsFromInfo(author: string | null | undefined): string[] {
  const a = author?.replace(/\s+/g, ' ').trim();
  if (!a) return [];
  const names = (a.includes(';') ? a.split(';') : a.split(/\s*(?:,|\band\b|&)\s*/)).map((s) => s.trim()).filter(Boolean);
  return names.every((n) => NAME.test(n)) ? names : [];
}

const DOI_IN_TEXT = /\b(10\.\d{4,9}\/[^\s"<>]+)/i;
const ARXIV_IN_TEXT = /\barXiv:\s?(\d{4}\.\d{4,5})(?:v\d+)?\b/i;

/** A paper's metadata from its PDF: document information where it is sound, else the first page. */
export function paperMetadataFromPdf(info: PdfInfo, firstPage: SizedLine[]): PdfPaperMetadata {
  const onPage = titleFromFirstPage(firstPage);
  const title = meaningfulTitle(info.title) ?? onPage?.title ?? null;
  const fromInfo = authorsFromInfo(info.author);
  const authors = fromInfo.length ? fromInfo : onPage ? authorsUnderTitle(firstPage, onPage.lastLine) : [];
  const pageText = firstPage.map((l) => l.text).join('\n');
  const found = DOI_IN_TEXT.exec(pageText)?.[1]?.replace(/[.,;:)\]]+$/, '').toLowerCase() ?? null;
  // A review draft prints a placeholder (`10.21105/joss.0XXXX`) where the DOI will go.
  const doi = found && !/x{4,}/.test(found) ? found : null;
  const arxivId = ARXIV_IN_TEXT.exec(pageText)?.[1] ?? null;
  const y = /^D:(\d{4})/.exec(info.creationDate ?? '')?.[1];
  const year = y && Number(y) >= 1900 ? Number(y) : null;
  return { title, authors, year, doi, arxivId };
}

/** How much text a PDF gave, judged before any LLM tokens are spent on it. */
export type TextLayerVerdict = { kind: 'none' } | { kind: 'thin'; warning: string } | { kind: 'ok' };

/** Under this many characters a PDF has no usable text layer (a scan: page numbers and stray marks at most). */
export const MIN_TEXT_CHARS = 200;
/** Under this many characters per page (or in all) the text is too thin to describe a strategy well. */
const THIN_CHARS_PER_PAGE = 400;
const THIN_CHARS = 2000;

export function judgeTextLayer(chars: number, pages: number): TextLayerVerdict {
  if (chars < MIN_TEXT_CHARS) return { kind: 'none' };
  if (chars < THIN_CHARS || chars / Math.max(pages, 1) < THIN_CHARS_PER_PAGE) {
    return {
      kind: 'thin',
      warning: `only ${chars} characters of text in ${pages} page(s); parts of the PDF may be scanned images, so the summary may miss them (OCR it first, e.g. \`ocrmypdf in.pdf out.pdf\`)`,
    };
  }
  return { kind: 'ok' };
}
