import type { CorpusPaper } from './paper';
import { writePdf, type PdfBlock, type PdfDocument } from './pdf-document';

function byline(paper: CorpusPaper): string {
  return paper.authors.map((a) => `${a.given} ${a.family}`).join(', ');
}

function affiliations(paper: CorpusPaper): string {
  return [...new Set(paper.authors.map((a) => a.affiliation))].join('; ');
}

export function paperDocument(paper: CorpusPaper): PdfDocument {
  const [year, month, day] = paper.published;
  const blocks: PdfBlock[] = [
    { kind: 'title', text: paper.title },
    { kind: 'byline', text: byline(paper) },
    { kind: 'note', text: affiliations(paper) },
    { kind: 'note', text: `${paper.journal}, ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}. DOI ${paper.doi}. arXiv:${paper.arxivId}` },
    { kind: 'heading', text: 'Abstract' },
    { kind: 'paragraph', text: paper.abstract },
  ];
  for (const section of paper.sections) {
    blocks.push({ kind: 'heading', text: section.heading });
    for (const b of section.blocks) {
      if (typeof b === 'string') blocks.push({ kind: 'paragraph', text: b });
      else if ('formula' in b) blocks.push({ kind: 'formula', text: b.formula });
      else if ('list' in b) blocks.push({ kind: 'list', items: b.list });
      else blocks.push({ kind: 'table', rows: b.table });
    }
  }
  blocks.push({ kind: 'heading', text: 'References' }, { kind: 'list', items: paper.references });
  return { title: paper.title, author: byline(paper), subject: paper.journal, keywords: paper.keywords.join(', '), blocks };
}

const pdfCache = new Map<string, Buffer>();

/** The paper as PDF bytes (rendered once per process; deterministic). */
export function paperPdf(paper: CorpusPaper): Buffer {
  let pdf = pdfCache.get(paper.slug);
  if (!pdf) pdfCache.set(paper.slug, (pdf = writePdf(paperDocument(paper))));
  return pdf;
}

/** The paper as plain text, section by section, as a PDF text extractor would roughly see it. */
export function paperText(paper: CorpusPaper): string {
  const out = [paper.title, byline(paper), affiliations(paper), '', 'Abstract', paper.abstract, ''];
  for (const section of paper.sections) {
    out.push(section.heading);
    for (const b of section.blocks) {
      if (typeof b === 'string') out.push(b);
      else if ('formula' in b) out.push(b.formula);
      else if ('list' in b) out.push(...b.list.map((i) => `- ${i}`));
      else out.push(...b.table.map((r) => r.join('  ')));
    }
    out.push('');
  }
  out.push('References', ...paper.references);
  return out.join('\n');
}
