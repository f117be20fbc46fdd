import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractPdfText } from '../../activities/pdf-text';
import { CorruptPdfError } from '../../domain/errors';
import { InvalidInputError } from '../../domain/errors';
import { cleanPdfPages, findSections, linesFromTextItems, sectionText } from '../../domain/pdf-sections';
import { buildPdf, type PdfPage } from './helpers/pdf';
import { rejectionOf } from './helpers/server';

const header = { text: 'Journal of Quantitative Testing, Vol. 3 (2024)', size: 9, y: 760 };
const pageNumber = (n: number) => ({ text: String(n), size: 9, x: 300, y: 40 });

const PAPER: PdfPage[] = [
  [
    header,
    { text: 'Time-Series Momentum in Tests', size: 16 },
    'Jane Doe and John Roe',
    { text: 'Abstract', size: 12 },
    'We study mo-',
    'mentum strategies across futures markets.',
    'Data are available at https://example.org/data.csv for replication.',
    { text: '1 Introduction', size: 12 },
    'Trend following has a long history in futures markets.',
    pageNumber(1),
  ],
  [
    header,
    { text: '2 Data and Methodology', size: 12 },
    'We use daily prices from 1990 to 2020.',
    { text: '2.1 Signal Construction', size: 12 },
    'The signal is the sign of the 12-month return.',
    '1 2 3 4',
    pageNumber(2),
  ],
  [
    header,
    { text: '3 Results', size: 12 },
    'The strategy earns a Sharpe ratio of 1.2 after costs.',
    { text: '4 Conclusion', size: 12 },
    'Momentum works in this sample.',
    { text: 'References', size: 12 },
    'Doe, J. (2020). Momentum. Journal of Tests.',
    pageNumber(3),
  ],
];

describe('PDF text extraction', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'qc-pdftext-'));
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  it('extracts clean text from a real PDF and splits it into sections', async () => {
    const file = path.join(tmp, 'paper.pdf');
    await fs.writeFile(file, buildPdf(PAPER));
    const { text, sections, pages } = await extractPdfText(file);

    expect(pages).toBe(3);
    expect(text).not.toContain('Journal of Quantitative Testing'); // running header
    expect(text.split('\n')).not.toContain('2'); // page number
    expect(text).not.toContain('https://');
    expect(text).toContain('We study momentum');
    expect(text).toContain('strategies across futures markets.');
    expect(text.startsWith('Time-Series Momentum in Tests')).toBe(true);

    expect(sections.map((s) => [s.number ?? '', s.title])).toEqual([
      ['', 'Abstract'],
      ['1', 'Introduction'],
      ['2', 'Data and Methodology'],
      ['2.1', 'Signal Construction'],
      ['3', 'Results'],
      ['4', 'Conclusion'],
      ['', 'References'],
    ]);
    const intro = sections.find((s) => s.title === 'Introduction')!;
    expect(sectionText(text, intro)).toBe('1 Introduction\nTrend following has a long history in futures markets.');
    const refs = sections[sections.length - 1]!;
    expect(refs.end).toBe(text.length);
    for (let i = 1; i < sections.length; i++) expect(sections[i]!.start).toBe(sections[i - 1]!.end);
  });

  it('reports a damaged PDF as corrupt, naming the file', async () => {
    const file = path.join(tmp, 'damaged.pdf');
    await fs.writeFile(file, '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage\n%%EOF\n');
    const err = await rejectionOf(extractPdfText(file));
    expect(err).toBeInstanceOf(CorruptPdfError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('damaged.pdf');
  });

  it('reports an HTML page saved as .pdf as corrupt, and a missing file as invalid input', async () => {
    const file = path.join(tmp, 'landing.pdf');
    await fs.writeFile(file, '<!DOCTYPE html><html><body>Sign in</body></html>');
    const err = await rejectionOf(extractPdfText(file));
    expect(err).toBeInstanceOf(CorruptPdfError);
    expect(err.message).toContain('landing.pdf');
    expect(await rejectionOf(extractPdfText(path.join(tmp, 'missing.pdf')))).toBeInstanceOf(InvalidInputError);
  });
});

describe('PDF text cleaning and sections', () => {
  it('joins text items on one baseline and breaks lines where the baseline moves', () => {
    const item = (str: string, x: number, y: number, hasEOL = false) => ({ str, x, y, width: str.length * 5, height: 10, hasEOL });
    expect(linesFromTextItems([item('Sharpe', 72, 700), item('ratio', 110, 700), item('of', 72, 686), item('1.2', 90, 686, true), item('next', 72, 672)])).toEqual([
      'Sharpe ratio',
      'of 1.2',
      'next',
    ]);
  });

  it('removes running headers whose page numbers change, and footers like "Page 2 of 9"', () => {
    const pages = [1, 2, 3].map((n) => [`Working Paper No. ${n}`, `Body text ${'x'.repeat(n)}`, `Page ${n} of 3`]);
    expect(cleanPdfPages(pages)).toBe('Body text x\nBody text xx\nBody text xxx');
  });

  it('does not take sentences, table rows or backward numbers for headings', () => {
    const text = ['1 Introduction', 'Some text.', '3 Results are robust to costs, as shown below.', '2 3 4 5', '2 Data', '1 Momentum', 'ABSTRACT', 'II. THE MODEL'].join('\n');
    expect(findSections(text).map((s) => s.title)).toEqual(['Introduction', 'Data', 'ABSTRACT', 'THE MODEL']);
  });

  it('treats "Abstract:" followed by text as the Abstract heading', () => {
    const sections = findSections('Title\nAbstract: We study momentum.\n1 Introduction\nText');
    expect(sections[0]).toMatchObject({ title: 'Abstract', start: 6 });
  });
});
