/**
 * A minimal PDF writer for tests: Helvetica text lines at absolute positions, one content
 * stream per page, a correct xref table. Enough for pdf.js to read real text out of it.
 */
export interface PdfLine {
  text: string;
  size?: number;
  /** From the page's bottom-left corner, in points (US Letter is 612 × 792). */
  x?: number;
  y?: number;
}

export type PdfPage = Array<string | PdfLine>;

function escapePdfString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)');
}

function contentStream(page: PdfPage): string {
  let y = 720;
  const ops: string[] = [];
  for (const item of page) {
    const line: PdfLine = typeof item === 'string' ? { text: item } : item;
    const size = line.size ?? 11;
    const at = line.y ?? y;
    ops.push(`BT /F1 ${size} Tf ${line.x ?? 72} ${at} Td (${escapePdfString(line.text)}) Tj ET`);
    if (line.y === undefined) y -= Math.round(size * 1.5);
  }
  return ops.join('\n');
}

/** Builds a PDF whose pages hold the given lines (latin-1 text). */
export function buildPdf(pages: PdfPage[]): Buffer {
  const objects: string[] = [];
  const pageIds: number[] = [];
  // 1: catalog, 2: pages, 3: font; then per page: page object, content stream.
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  let next = 4;
  for (const page of pages) {
    const pageId = next++;
    const contentId = next++;
    pageIds.push(pageId);
    const stream = contentStream(page);
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
    objects[contentId] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;

  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1');
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
