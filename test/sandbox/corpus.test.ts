import { CORPUS_PAPERS } from '../../sandbox/corpus/catalogue';
import { writePdf } from '../../sandbox/corpus/pdf-document';
import { paperPdf } from '../../sandbox/corpus/render';
import { STRATEGY_FAMILIES } from '../../domain/strategy';
import { pdfText } from './helpers';

describe('the sandbox corpus', () => {
  it('has one paper per strategy family', () => {
    const families = CORPUS_PAPERS.map((p) => p.family).sort();
    expect(families).toEqual(STRATEGY_FAMILIES.filter((f) => f !== 'other').sort());
    expect(new Set(CORPUS_PAPERS.map((p) => p.doi)).size).toBe(CORPUS_PAPERS.length);
  });

  it('writes PDFs whose xref table points at every object', () => {
    for (const paper of CORPUS_PAPERS) {
      const pdf = paperPdf(paper);
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-1.4\n')).toBe(true);
      expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
      const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)![1]);
      expect(text.slice(startxref, startxref + 4)).toBe('xref');
      const [, count] = /xref\n0 (\d+)\n/.exec(text.slice(startxref))!;
      const entries = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
      expect(entries[0]).toBe('0000000000 65535 f ');
      entries.slice(1).forEach((entry, i) => {
        expect(entry).toMatch(/^\d{10} 00000 n $/);
        const offset = Number(entry.slice(0, 10));
        expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
      });
    }
  });

  it('renders the same bytes every time', () => {
    const doc = { title: 'T', author: 'A', blocks: [{ kind: 'paragraph' as const, text: 'Same (text) with \\ specials.' }] };
    expect(writePdf(doc).equals(writePdf(doc))).toBe(true);
  });

  it.each(CORPUS_PAPERS.map((p) => [p.family, p] as const))('%s paper is readable by pdfjs-dist, 2-4 pages with its sections', async (_family, paper) => {
    const { pages, text } = await pdfText(paperPdf(paper));
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(4);
    for (const heading of ['Abstract', 'Introduction', 'Trading Rules', 'Risk Management', 'Results', 'Conclusion', 'References']) expect(text).toContain(heading);
    expect(text).toMatch(/\d\. (Methodology|Model)/);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(paper.title.split(':')[0]!.split(' ').slice(0, 3).join(' '));
    expect(flat).toContain(paper.doi);
  });

  it('states concrete numeric parameters in the text', async () => {
    const byFamily = Object.fromEntries(CORPUS_PAPERS.map((p) => [p.family, p]));
    const expectations: Record<string, RegExp[]> = {
      momentum: [/lookback window of 12 months \(252 trading days\)/, /stop-loss of 10%/, /every 21 trading days/],
      mean_reversion: [/20-day period and 2\.0 standard deviations/, /RSI period of 14 days/, /oversold threshold of 30/],
      pairs: [/z-score exceeds 2\.0/, /within 0\.5/, /lookback of 60 trading days/],
      volatility: [/21-day window/, /target annualised volatility of 10%/, /maximum leverage of 2\.0/],
      trend: [/50-day fast moving average and 200-day slow moving average/],
      factor: [/top 20 stocks/, /500 most liquid/],
    };
    for (const [family, patterns] of Object.entries(expectations)) {
      const { text } = await pdfText(paperPdf(byFamily[family]!));
      const flat = text.replace(/\s+/g, ' ');
      for (const p of patterns) expect(flat).toMatch(p);
    }
  });
});
