import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PdfDownloader } from '../../activities/download';
import { extractPdfText } from '../../activities/pdf-text';
import { NotAPdfError, PathSecurityError, CorruptPdfError } from '../../domain/errors';
import { pdfLinkFromLandingPage } from '../../domain/landing-page';
import { judgeTextLayer, paperMetadataFromPdf, titleFromFirstPage } from '../../domain/pdf-metadata';
import { cleanPdfPages, findSections } from '../../domain/pdf-sections';
import { describeTarget, parseTarget } from '../../domain/targets';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'papers');

describe('targets that are files or links', () => {
  it.each([
    ['paper.pdf', { kind: 'file', path: 'paper.pdf' }],
    ['./downloads/Jegadeesh Titman 1993.PDF', { kind: 'file', path: './downloads/Jegadeesh Titman 1993.PDF' }],
    ['/home/me/papers/draft', { kind: 'file', path: '/home/me/papers/draft' }],
    ['~/papers/x.pdf', { kind: 'file', path: '~/papers/x.pdf' }],
    ['papers/2101.00001.pdf', { kind: 'file', path: 'papers/2101.00001.pdf' }],
    ['https://papers.ssrn.com/sol3/papers.cfm?abstract_id=299107', { kind: 'url', url: 'https://papers.ssrn.com/sol3/papers.cfm?abstract_id=299107' }],
    ['http://example.org/paper.pdf', { kind: 'url', url: 'http://example.org/paper.pdf' }],
  ])('%s is read as %j', (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it.each([
    ['https://doi.org/10.1016/j.jfineco.2011.11.003', { kind: 'doi', doi: '10.1016/j.jfineco.2011.11.003' }],
    ['https://arxiv.org/pdf/2101.00001', { kind: 'arxiv', arxivId: '2101.00001' }],
    ['2101.00001.pdf', { kind: 'arxiv', arxivId: '2101.00001' }],
    ['momentum crashes', { kind: 'topic', query: 'momentum crashes' }],
    ['3', { kind: 'result', n: 3 }],
  ])('%s keeps its meaning (%j)', (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it('names runs after the file or the link, not the whole path', () => {
    expect(describeTarget({ kind: 'file', path: '/home/me/My Paper.pdf' })).toBe('My Paper');
    expect(describeTarget({ kind: 'url', url: 'https://example.org/papers/landing/vol-managed' })).toBe('example.org/papers/landing/vol-managed');
  });
});

describe('landing pages', () => {
  const page = 'https://publisher.example/article/123';
  it('follow citation_pdf_url, relative or absolute, before any link', () => {
    const html = `<html><head><meta content="/pdf/123.pdf" name="citation_pdf_url"></head><body><a href="/other.pdf">x</a><a href="/third.pdf">y</a></body></html>`;
    expect(pdfLinkFromLandingPage(html, page)).toBe('https://publisher.example/pdf/123.pdf');
  });
  it('without the meta tag, take the single PDF link', () => {
    expect(pdfLinkFromLandingPage(`<a href='download/paper.pdf?x=1&amp;y=2'>PDF</a><a href="/about">About</a>`, page)).toBe('https://publisher.example/article/download/paper.pdf?x=1&y=2');
  });
  it('several different PDF links and no meta tag are ambiguous; none at all is nothing', () => {
    expect(pdfLinkFromLandingPage('<a href="/a.pdf">A</a><a href="/b.pdf">B</a>', page)).toBeNull();
    expect(pdfLinkFromLandingPage('<p>Purchase this article</p><a href="javascript:buy()">Buy</a>', page)).toBeNull();
  });
});

describe('what a PDF says about itself', () => {
  it('document information that names a file is ignored for the first page’s title in the largest type', () => {
    const lines = [
      { text: 'arXiv:2101.00001v2 [q-fin.PM] 3 Jan 2021', size: 20 },
      { text: 'Betting Against Beta', size: 17 },
      { text: 'in Twelve Markets', size: 17 },
      { text: 'Andrea Frazzini and Lasse H. Pedersen*', size: 11 },
      { text: 'Abstract', size: 10 },
    ];
    expect(titleFromFirstPage(lines)).toEqual({ title: 'Betting Against Beta in Twelve Markets', lastLine: 2 });
    const meta = paperMetadataFromPdf({ title: 'Microsoft Word - bab_final.docx', author: '', creationDate: 'D:20130102' }, [...lines, { text: 'DOI: 10.1016/j.jfineco.2013.10.005.', size: 9 }]);
    expect(meta).toEqual({ title: 'Betting Against Beta in Twelve Markets', authors: ['Andrea Frazzini', 'Lasse H. Pedersen'], year: 2013, doi: '10.1016/j.jfineco.2013.10.005', arxivId: '2101.00001' });
  });

  it('authors whose affiliation marks sit on lines of their own are read as one list; a date under the name is not a name', () => {
    const title = { text: 'Pairs Trading with Copulas', size: 17 };
    const split = [title, { text: 'Ana B. Costa', size: 12 }, { text: '1', size: 8 }, { text: ', Wei', size: 12 }, { text: 'Zhang', size: 12 }, { text: '2, 3', size: 8 }, { text: ', and Lena Ott', size: 12 }, { text: '1', size: 8 }, { text: '1 University of Porto', size: 9 }];
    expect(paperMetadataFromPdf({ title: null, author: null, creationDate: null }, split).authors).toEqual(['Ana B. Costa', 'Wei Zhang', 'Lena Ott']);
    const dated = [title, { text: 'Ana B. Costa', size: 12 }, { text: 'March 3, 2021', size: 12 }, { text: 'Abstract', size: 10 }];
    expect(paperMetadataFromPdf({ title: null, author: null, creationDate: null }, dated).authors).toEqual(['Ana B. Costa']);
  });

  it('a line of numbered affiliations is not a numbered heading; a numbered heading still is', () => {
    const text = 'Title\nAna Costa\n1 University of Porto 2 Bank of Portugal\nAbstract\nWe study pairs.\n1 Introduction\nText.\n2 Data 3 Sources\n2 Data\nMore.';
    expect(findSections(text).map((s) => [s.number ?? '', s.title])).toEqual([['', 'Abstract'], ['1', 'Introduction'], ['2', 'Data']]);
  });

  it('a placeholder DOI printed on a review draft is no DOI', () => {
    const lines = [{ text: 'Pairs Trading with Copulas', size: 17 }, { text: 'DOI: 10.21105/joss.0XXXX', size: 9 }];
    expect(paperMetadataFromPdf({ title: null, author: null, creationDate: null }, lines).doi).toBeNull();
    expect(paperMetadataFromPdf({ title: null, author: null, creationDate: null }, [lines[0]!, { text: 'DOI: 10.21105/joss.01234', size: 9 }]).doi).toBe('10.21105/joss.01234');
  });

  it('numbers counting up at the ends of most lines are a draft’s line numbers; a column of years is not', () => {
    const numbered = ['Momentum in Bonds1', 'Summary2', 'We study returns of3', 'government bonds in 24 markets4', 'from 1990 to 2020.5', 'Data6', 'Prices come from7', 'the central banks8', 'of each country.9'];
    expect(cleanPdfPages([numbered])).toBe('Momentum in Bonds\nSummary\nWe study returns of\ngovernment bonds in 24 markets\nfrom 1990 to 2020.\nData\nPrices come from\nthe central banks\nof each country.');
    const years = ['Table 1: Crises', 'Asia 1997', 'Russia 1998', 'Brazil 1999', 'Turkey 2000', 'Argentina 2001', 'Uruguay 2002', 'Dominica 2003', 'Grenada 2004', 'Belize 2005'];
    expect(cleanPdfPages([years])).toBe(years.join('\n'));
    const few = ['Summary1', 'Text2', 'More3'];
    expect(cleanPdfPages([few])).toBe(few.join('\n'));
  });

  it('text is judged before any LLM sees it: none, thin (with a warning) or enough', () => {
    expect(judgeTextLayer(0, 12)).toEqual({ kind: 'none' });
    expect(judgeTextLayer(1500, 12)).toMatchObject({ kind: 'thin', warning: expect.stringMatching(/ocrmypdf/) });
    expect(judgeTextLayer(60_000, 20)).toEqual({ kind: 'ok' });
  });
});

describe('real papers nobody here wrote', () => {
  it('Schlömer (2018, CC BY): title, author, year, sections and the paper’s own numbers come through', async () => {
    const pdf = await extractPdfText(path.join(FIXTURES, 'schlomer-2018-cam16.pdf'));
    expect(pdf.pages).toBe(7);
    expect(pdf.metadata).toMatchObject({ title: 'Algorithmic improvements for the CIECAM02 and CAM16 color appearance models', authors: ['Nico Schlömer'], year: 2018 });
    const sections = pdf.sections.map((s) => s.title);
    expect(sections).toEqual(expect.arrayContaining(['Introduction', 'Flaws and fixes', 'References']));
    expect(pdf.text).toMatch(/CIECAM02/);
    // the model's constants and the table of round-trip errors survive extraction
    expect(pdf.text).toMatch(/27\.13/);
    expect(pdf.text).toMatch(/1\.64 − 0\.29/);
    expect(pdf.text).toMatch(/3\.258e-22/);
    expect(pdf.text.length).toBeGreaterThan(10_000);
    expect(judgeTextLayer(pdf.text.length, pdf.pages).kind).toBe('ok');
  });

  it('Ward et al. (2026, CC BY, JOSS layout): six authors split by affiliation marks, sections and the benchmark tables come through', async () => {
    const pdf = await extractPdfText(path.join(FIXTURES, 'ward-2026-fastpca.pdf'));
    expect(pdf.pages).toBe(6);
    // the first page sets each author's affiliation numbers as superscripts on a baseline of their own
    expect(pdf.metadata).toEqual({
      title: 'FastPCA: An R package for fast singular value decomposition',
      authors: ['Kimberly R. Ward', 'Mitchell Hayes', 'Lauren C Peres', 'Brooke L Fridley', 'Steven Eschrich', 'Alex C Soupir'],
      year: 2026,
      doi: null,
      arxivId: null,
    });
    const sections = pdf.sections.map((s) => s.title);
    expect(sections).toEqual(['Summary', 'Statement of Need', 'Conclusion', 'Acknowledgements', 'References']);
    // the side column's licence note stays in the text but is not taken for a heading
    expect(pdf.text).toMatch(/Creative\nCommons Attribution 4\.0 International/);
    // the dataset, the benchmark table's rows and the reconstruction errors survive extraction
    expect(pdf.text).toMatch(/978 probes \(959 genes, 19 negative control probes\)\nin 199,112 cells/);
    expect(pdf.text).toMatch(/^FastPCA \(rSVD\) 8\.35s 8\.43s 8\.46s 8\.79s$/m);
    expect(pdf.text).toMatch(/^irlba 413\.15s 423\.73s 429\.99s 466\.80s$/m);
    expect(pdf.text).toMatch(/^FastPCA \(rSVD\) 1\.003191$/m);
    expect(pdf.text).toMatch(/method is 2\.11e-09\. Relative error/);
    expect(pdf.text).toMatch(/1\.51e-13/);
    const conclusion = pdf.sections.find((s) => s.title === 'Conclusion')!;
    expect(pdf.text.slice(conclusion.start, conclusion.end)).toMatch(/8\.5 s mean runtime/);
    expect(judgeTextLayer(pdf.text.length, pdf.pages).kind).toBe('ok');
  });

  it('Campopiano and Cork (2021, CC BY, Open Journals review draft): no heading made of affiliations, no placeholder DOI', async () => {
    const pdf = await extractPdfText(path.join(FIXTURES, 'campopiano-2021-openquestion.pdf'));
    expect(pdf.pages).toBe(4);
    expect(pdf.metadata).toEqual({
      title: 'OpenQuestion: A survey building and reporting platform written in Python',
      authors: ['Allan Campopiano', 'Stu Cork'],
      year: 2021,
      doi: null, // the draft prints "DOI: 10.21105/jose.0XXXX"
      arxivId: null,
    });
    // "1 Halton Catholic District School Board 2 Anvil" under the authors is not section 1
    expect(pdf.sections.map((s) => s.title)).toEqual(['Summary', 'Statement of need', 'Acknowledgements', 'References']);
    expect(pdf.text).toMatch(/^1 Halton Catholic District School Board 2 Anvil$/m);
    expect(pdf.text).toMatch(/DOI: 10\.21105\/jose\.0XXXX/);
    const need = pdf.sections.find((s) => s.title === 'Statement of need')!;
    expect(pdf.text.slice(need.start, need.end)).toMatch(/Surveys and report designs are stored as a Python dict\/JSON/);
    expect(pdf.text).toMatch(/Journal of\nBiomedical Informatics, 42\(2\), 377–381\./);
    expect(judgeTextLayer(pdf.text.length, pdf.pages).kind).toBe('ok');
  });

  it('Senellart et al. (2025, CC BY, JOSS review draft with numbered lines): the margin numbers are gone, headings and words whole', async () => {
    const pdf = await extractPdfText(path.join(FIXTURES, 'senellart-2025-multivae-draft.pdf'));
    expect(pdf.pages).toBe(5);
    expect(pdf.metadata).toMatchObject({
      title: 'MultiVae: A Python package for Multimodal Variational Autoencoders on Partial Datasets.',
      authors: ['Agathe Senellart', 'Clément Chadebec', 'Stéphanie Allassonnière'],
      doi: null,
    });
    // pdf.js glues each margin number to its line: "Summary5", "represen-6"
    expect(pdf.sections.map((s) => s.title)).toEqual(['Summary', 'Statement of Need', 'Acknowledgements', 'References']);
    expect(pdf.text).toMatch(/^Multimodal Variational Autoencoders$/m);
    expect(pdf.text).toMatch(/significant growth, especially in representation\nlearning and data generation/);
    expect(pdf.text).toMatch(/unit-tested with 94% coverage\. We provide tutorials either as\n/);
    expect(pdf.text).toMatch(/Intelligence, 45\(3\), 2879–2896\.\n/);
    expect(pdf.text).toMatch(/ERC Synergy Grant 101071601\.\n/);
    expect(pdf.text).toMatch(/^MVAE \(Wu & Goodman, 2018\) ✓\* ✓ ✓ ✓$/m);
    expect(judgeTextLayer(pdf.text.length, pdf.pages).kind).toBe('ok');
  });

  it('the image-only fixture has no text layer at all', async () => {
    const pdf = await extractPdfText(path.join(FIXTURES, 'scanned-image-only.pdf'));
    expect(pdf.text.trim()).toBe('');
    expect(judgeTextLayer(pdf.text.length, pdf.pages)).toEqual({ kind: 'none' });
  });
});

describe('importing a PDF the user has', () => {
  let tmp: string;
  let allowed: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'qc-import-'));
    allowed = path.join(tmp, 'home');
    await fs.mkdir(allowed);
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  it('copies it, by content, into the downloads directory and leaves the original alone', async () => {
    const source = path.join(tmp, 'mine.pdf');
    await fs.copyFile(path.join(FIXTURES, 'schlomer-2018-cam16.pdf'), source);
    const downloader = new PdfDownloader({ allowedDirs: [allowed], timeoutMs: 5000 });
    const pdf = await downloader.importFile(source, path.join(allowed, 'downloads'));
    expect(path.dirname(pdf.path)).toBe(await fs.realpath(path.join(allowed, 'downloads')));
    expect(path.basename(pdf.path)).toBe(`file-${pdf.sha256.slice(0, 16)}.pdf`);
    expect(await fs.readFile(pdf.path)).toEqual(await fs.readFile(source));
    expect((await downloader.importFile(source, path.join(allowed, 'downloads'))).reused).toBe(true);
  });

  it('refuses a downloads directory that is a symlink out of the allowed folders', async () => {
    const outside = path.join(tmp, 'elsewhere');
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(allowed, 'downloads'));
    const downloader = new PdfDownloader({ allowedDirs: [allowed], timeoutMs: 5000 });
    await expect(downloader.importFile(path.join(FIXTURES, 'schlomer-2018-cam16.pdf'), path.join(allowed, 'downloads'))).rejects.toBeInstanceOf(PathSecurityError);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('refuses a saved web page and a truncated PDF with typed errors', async () => {
    const downloader = new PdfDownloader({ allowedDirs: [allowed], timeoutMs: 5000 });
    const html = path.join(tmp, 'paper.pdf');
    await fs.writeFile(html, '<!DOCTYPE html><html><head><title>SSRN</title></head><body>Download</body></html>');
    await expect(downloader.importFile(html, allowed)).rejects.toThrow(NotAPdfError);
    await expect(downloader.importFile(html, allowed)).rejects.toThrow(/saved web page/);
    const cut = path.join(tmp, 'cut.pdf');
    const full = await fs.readFile(path.join(FIXTURES, 'schlomer-2018-cam16.pdf'));
    await fs.writeFile(cut, full.subarray(0, full.length / 2));
    await expect(downloader.importFile(cut, allowed)).rejects.toBeInstanceOf(CorruptPdfError);
    expect((await fs.readdir(allowed)).filter((f) => f.endsWith('.pdf') || f.endsWith('.part'))).toEqual([]);
  });
});
