import PDFDocument from 'pdfkit';

/**
 * Corpus papers as PDF, laid out by PDFKit with the standard fonts it bundles (Helvetica,
 * Helvetica-Bold, Courier: nothing to download, nothing embedded): a single column, US Letter,
 * one-inch margins, the way a working paper looks to a text extractor.
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

const MARGIN = 72;
/** A fixed date keeps the bytes (and the file id PDFKit derives from the metadata) reproducible. */
const CREATED = new Date(Date.UTC(2024, 0, 2));

/** Renders a document to PDF bytes; the same document always gives the same bytes. */
export function writePdf(doc: PdfDocument): Buffer {
  const pdf = new PDFDocument({
    size: 'LETTER',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    pdfVersion: '1.4',
    compress: true,
    info: {
      Title: doc.title,
      Author: doc.author,
      ...(doc.subject ? { Subject: doc.subject } : {}),
      ...(doc.keywords ? { Keywords: doc.keywords } : {}),
      Creator: 'QuantCoder sandbox corpus',
      CreationDate: CREATED,
    },
  });
  const width = pdf.page.width - 2 * MARGIN;
  const bottom = () => pdf.page.height - MARGIN;
  const text = (font: string, size: number, value: string, options: PDFKit.Mixins.TextOptions = {}) =>
    pdf.font(font).fontSize(size).text(value, MARGIN + (options.indent ?? 0), undefined, { width: width - (options.indent ?? 0), ...options, indent: 0 });

  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'title':
        text('Helvetica-Bold', 16, block.text, { align: 'center', lineGap: 5 });
        pdf.moveDown(0.4);
        break;
      case 'byline':
        text('Helvetica', 11, block.text, { align: 'center', lineGap: 3 });
        break;
      case 'note':
        text('Helvetica', 9, block.text, { align: 'center', lineGap: 2 });
        break;
      case 'heading':
        // keep a heading with at least two lines of what follows
        if (pdf.y + 60 > bottom()) pdf.addPage();
        pdf.moveDown(0.8);
        text('Helvetica-Bold', 12, block.text);
        pdf.moveDown(0.2);
        break;
      case 'paragraph':
        text('Helvetica', 10.5, block.text, { lineGap: 2.5 });
        pdf.moveDown(0.5);
        break;
      case 'formula':
        text('Courier', 9.5, block.text, { indent: 36, lineGap: 2 });
        pdf.moveDown(0.7);
        break;
      case 'list':
        for (const item of block.items) text('Helvetica', 10.5, `- ${item}`, { indent: 6, lineGap: 2.5 });
        pdf.moveDown(0.5);
        break;
      case 'table': {
        const columns = Math.max(...block.rows.map((r) => r.length));
        const column = width / columns;
        block.rows.forEach((row, r) => {
          pdf.font(r === 0 ? 'Helvetica-Bold' : 'Helvetica').fontSize(9.5);
          if (pdf.y + 14 > bottom()) pdf.addPage();
          const y = pdf.y;
          // every cell on the row's baseline, each in its own column
          row.forEach((cell, c) => pdf.text(cell, MARGIN + c * column, y, { width: column - 6, lineBreak: false }));
          pdf.x = MARGIN;
          pdf.y = y + 13;
        });
        pdf.moveDown(0.7);
        break;
      }
    }
  }
  pdf.end();
  // PDFKit writes the whole file into its readable buffer synchronously while `end()` runs
  const chunks: Buffer[] = [];
  for (let chunk: Buffer | null = pdf.read() as Buffer | null; chunk; chunk = pdf.read() as Buffer | null) chunks.push(chunk);
  return Buffer.concat(chunks);
}
