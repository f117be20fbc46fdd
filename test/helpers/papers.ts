import type { Paper } from '../../domain/papers';

/** A CrossRef search result, numbered: `testPaper(1, 'x')` has the DOI 10.1/x1. */
export function testPaper(i: number, prefix = 'x'): Paper {
  return {
    source: 'crossref',
    externalId: `10.1/${prefix}${i}`,
    doi: `10.1/${prefix}${i}`,
    arxivId: null,
    title: `Paper ${i}`,
    authors: ['A B'],
    year: 2020,
    url: null,
    abstract: null,
    pdfUrl: null,
  };
}
