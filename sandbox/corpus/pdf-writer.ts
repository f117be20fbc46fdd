import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * A small PDF 1.4 writer for the sandbox corpus: standard Type1 fonts (Helvetica, Helvetica-Bold,
 * Courier) with WinAnsiEncoding, Flate-compressed text streams, a correct xref table. Layout is a
 * single column with greedy line wrapping measured with the fonts' AFM widths.
 */

export type PdfBlock =
  | { kind: 'title'; text: string }
  | { kind: 'byline'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'formula'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; rows: string[][] };

export interface PdfDocument {
  title: string;
  author: string;
  subject?: string;
  keywords?: string;
  blocks: PdfBlock[];
}

type FontKey = 'F1' | 'F2' | 'F3';

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN_X = 72;
const MARGIN_TOP = 72;
const MARGIN_BOTTOM = 72;
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;

// Helvetica AFM advance widths (1/1000 em) for codes 32..126.
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584,
  584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
  278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
  500, 334, 260, 334, 584,
];
// Helvetica-Bold AFM advance widths for codes 32..126.
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584,
  584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333,
  278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556,
  500, 389, 280, 389, 584,
];

// Characters outside ASCII that the corpus may use, mapped to WinAnsiEncoding bytes.
const WIN_ANSI: Record<string, number> = { '\u2013': 0x96, '\u2014': 0x97, '\u2018': 0x91, '\u2019': 0x92, '\u201c': 0x93, '\u201d': 0x94, '\u00d7': 0xd7, '\u00b1': 0xb1, '\u00b5': 0xb5, '\u00e9': 0xe9 };

function encode(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 32 && code <= 126) out.push(code);
    else out.push(WIN_ANSI[ch] ?? 0x3f);
  }
  return out;
}

function charWidth(font: FontKey, code: number): number {
  if (font === 'F3') return 600;
  const table = font === 'F2' ? HELVETICA_BOLD : HELVETICA;
  return code >= 32 && code <= 126 ? table[code - 32]! : 556;
}

function textWidth(text: string, font: FontKey, size: number): number {
  return (encode(text).reduce((w, c) => w + charWidth(font, c), 0) * size) / 1000;
}

/** A PDF string literal: WinAnsi bytes, with the three special characters escaped. */
function pdfString(text: string): string {
  let s = '(';
  for (const code of encode(text)) {
    if (code === 0x28 || code === 0x29 || code === 0x5c) s += '\\' + String.fromCharCode(code);
    else if (code < 0x80) s += String.fromCharCode(code);
    else s += '\\' + code.toString(8).padStart(3, '0');
  }
  return s + ')';
}

function wrap(text: string, font: FontKey, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, font, size) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

interface Placed {
  font: FontKey;
  size: number;
  x: number;
  y: number;
  text: string;
}

/** Lays blocks out into pages of positioned lines. */
function layout(blocks: PdfBlock[]): Placed[][] {
  const pages: Placed[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN_TOP;
  const place = (font: FontKey, size: number, leading: number, text: string, x = MARGIN_X) => {
    if (y - leading < MARGIN_BOTTOM) {
      pages.push([]);
      y = PAGE_HEIGHT - MARGIN_TOP;
    }
    y -= leading;
    pages[pages.length - 1]!.push({ font, size, x, y, text });
  };
  const gap = (points: number) => {
    y -= points;
  };
  const centred = (font: FontKey, size: number, leading: number, text: string) => {
    for (const line of wrap(text, font, size, TEXT_WIDTH - 40)) place(font, size, leading, line, MARGIN_X + (TEXT_WIDTH - textWidth(line, font, size)) / 2);
  };

  for (const block of blocks) {
    switch (block.kind) {
      case 'title':
        centred('F2', 16, 21, block.text);
        gap(6);
        break;
      case 'byline':
        centred('F1', 11, 15, block.text);
        break;
      case 'note':
        centred('F1', 9, 12, block.text);
        break;
      case 'heading':
        // keep a heading with at least two lines of what follows
        if (y - 60 < MARGIN_BOTTOM) y = MARGIN_BOTTOM;
        gap(10);
        place('F2', 12, 16, block.text);
        gap(2);
        break;
      case 'paragraph':
        for (const line of wrap(block.text, 'F1', 10.5, TEXT_WIDTH)) place('F1', 10.5, 14, line);
        gap(6);
        break;
      case 'formula':
        gap(2);
        for (const line of wrap(block.text, 'F3', 9.5, TEXT_WIDTH - 36)) place('F3', 9.5, 13, line, MARGIN_X + 36);
        gap(8);
        break;
      case 'list':
        for (const item of block.items) {
          wrap(item, 'F1', 10.5, TEXT_WIDTH - 18).forEach((line, i) => place('F1', 10.5, 14, i === 0 ? `- ${line}` : line, MARGIN_X + (i === 0 ? 6 : 18)));
        }
        gap(6);
        break;
      case 'table': {
        const columns = Math.max(...block.rows.map((r) => r.length));
        const colWidth = TEXT_WIDTH / columns;
        block.rows.forEach((row, r) => {
          const font: FontKey = r === 0 ? 'F2' : 'F1';
          // one placed item per cell on the same baseline: the first cell moves down a line
          row.forEach((cell, c) => {
            if (c === 0) place(font, 9.5, 13, cell);
            else pages[pages.length - 1]!.push({ font, size: 9.5, x: MARGIN_X + c * colWidth, y, text: cell });
          });
        });
        gap(8);
        break;
      }
    }
  }
  return pages.filter((p) => p.length > 0);
}

function contentStream(lines: Placed[]): string {
  const ops: string[] = ['BT'];
  let font: string | null = null;
  for (const l of lines) {
    const f = `/${l.font} ${l.size} Tf`;
    if (f !== font) ops.push((font = f));
    ops.push(`1 0 0 1 ${l.x.toFixed(2)} ${l.y.toFixed(2)} Tm`, `${pdfString(l.text)} Tj`);
  }
  ops.push('ET');
  return ops.join('\n') + '\n';
}

/** Renders a document to PDF bytes; the same document always gives the same bytes. */
export function writePdf(doc: PdfDocument): Buffer {
  const pages = layout(doc.blocks);
  const objects: Buffer[] = [];
  const FIRST_PAGE = 7;
  const pageRefs = pages.map((_, i) => `${FIRST_PAGE + 2 * i} 0 R`);
  const dict = (s: string) => Buffer.from(s, 'latin1');
  const font = (base: string) => dict(`<< /Type /Font /Subtype /Type1 /BaseFont /${base} /Encoding /WinAnsiEncoding >>`);

  objects.push(dict('<< /Type /Catalog /Pages 2 0 R >>'));
  objects.push(dict(`<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${pages.length} >>`));
  objects.push(font('Helvetica'));
  objects.push(font('Helvetica-Bold'));
  objects.push(font('Courier'));
  const info = [`/Title ${pdfString(doc.title)}`, `/Author ${pdfString(doc.author)}`];
  if (doc.subject) info.push(`/Subject ${pdfString(doc.subject)}`);
  if (doc.keywords) info.push(`/Keywords ${pdfString(doc.keywords)}`);
  // a fixed date keeps the bytes reproducible
  info.push('/Creator (QuantCoder sandbox corpus)', '/Producer (QuantCoder sandbox PDF writer)', "/CreationDate (D:20240102000000Z)");
  objects.push(dict(`<< ${info.join(' ')} >>`));
  for (const [i, lines] of pages.entries()) {
    const contentRef = FIRST_PAGE + 2 * i + 1;
    objects.push(
      dict(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
          `/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> /ProcSet [/PDF /Text] >> /Contents ${contentRef} 0 R >>`,
      ),
    );
    const data = deflateSync(Buffer.from(contentStream(lines), 'latin1'), { level: 9 });
    objects.push(Buffer.concat([dict(`<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`), data, dict('\nendstream')]));
  }

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const chunk = Buffer.concat([dict(`${i + 1} 0 obj\n`), body, dict('\nendobj\n')]);
    offsets.push(offset);
    parts.push(chunk);
    offset += chunk.length;
  });
  const xrefAt = offset;
  // each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, type, space, LF
  const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)].join('\n') + '\n';
  const id = createHash('md5').update(Buffer.concat(parts)).digest('hex');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  parts.push(dict(xref + trailer));
  return Buffer.concat(parts);
}
