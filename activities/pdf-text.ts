import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CorruptPdfError } from '../domain/errors';
import { InvalidInputError } from '../domain/errors';
import { cleanPdfPages, findSections, linesFromTextItems, type PdfSection, type TextItem } from '../domain/pdf-sections';

export interface PdfText {
  /** Cleaned text: one line per PDF line, no running headers/footers, page numbers, URLs or end-of-line hyphens. */
  text: string;
  sections: PdfSection[];
  pages: number;
}

export interface PdfTextOptions {
  /** Read at most this many pages (default: all). */
  maxPages?: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs', { with: { 'resolution-mode': 'import' } });
let pdfjsModule: Promise<PdfJs> | undefined;

/** pdf.js is ESM-only; TypeScript's node16 mode keeps this a real dynamic import. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

function toTextItems(items: ReadonlyArray<unknown>): TextItem[] {
  const out: TextItem[] = [];
  for (const raw of items) {
    const it = raw as { str?: unknown; transform?: unknown; width?: unknown; height?: unknown; hasEOL?: unknown };
    if (typeof it.str !== 'string') continue; // marked-content markers carry no text
    const t = Array.isArray(it.transform) ? (it.transform as number[]) : [1, 0, 0, 1, 0, 0];
    out.push({
      str: it.str,
      x: Number(t[4]) || 0,
      y: Number(t[5]) || 0,
      width: typeof it.width === 'number' ? it.width : 0,
      height: typeof it.height === 'number' && it.height > 0 ? it.height : Math.abs(Number(t[3])) || 10,
      hasEOL: it.hasEOL === true,
    });
  }
  return out;
}

/**
 * Extracts a PDF's text with pdf.js (legacy build, which runs on Node), cleans it and splits it
 * into sections. A file that is not a readable PDF is a CorruptPdfError naming the file.
 */
export async function extractPdfText(filePath: string, options: PdfTextOptions = {}): Promise<PdfText> {
  const name = path.basename(filePath);
  let data: Buffer;
  try {
    data = await fs.readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidInputError(`PDF file not found: ${filePath}`);
    throw new InvalidInputError(`Cannot read ${filePath}: ${(err as Error).message}`);
  }
  if (data.subarray(0, 1024).indexOf('%PDF-', 0, 'latin1') === -1) {
    throw new CorruptPdfError(`${name} is not a PDF (no %PDF- signature) — ${filePath}`);
  }

  const pdfjs = await loadPdfJs();
  let doc: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  const task = pdfjs.getDocument({
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
  });
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    const e = err as Error;
    const why = e.name === 'PasswordException' ? 'it is encrypted with a password' : e.message;
    throw new CorruptPdfError(`${name} cannot be read as a PDF: ${why} — ${filePath}`, { cause: err });
  }

  try {
    const pageCount = options.maxPages ? Math.min(doc.numPages, options.maxPages) : doc.numPages;
    const pages: string[][] = [];
    let failures = 0;
    let firstError: unknown;
    for (let n = 1; n <= pageCount; n++) {
      try {
        const page = await doc.getPage(n);
        const content = await page.getTextContent();
        pages.push(linesFromTextItems(toTextItems(content.items)));
        page.cleanup();
      } catch (err) {
        // One damaged page should not lose the paper; every page damaged means the file is.
        failures++;
        firstError ??= err;
        pages.push([]);
      }
    }
    if (pageCount > 0 && failures === pageCount) {
      throw new CorruptPdfError(`${name} has no readable page: ${(firstError as Error).message} — ${filePath}`, { cause: firstError });
    }
    const text = cleanPdfPages(pages);
    return { text, sections: findSections(text), pages: doc.numPages };
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}
