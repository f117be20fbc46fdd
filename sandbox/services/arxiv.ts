import { CORPUS_PAPERS, paperByArxivId, queryTerms, relevance } from '../corpus/catalogue';
import type { CorpusPaper } from '../corpus/paper';
import { paperPdf } from '../corpus/render';
import { escapeXml, send, sendHtml, sendText } from '../http';
import type { CannedBody, Exchange, SimulatedService } from '../service';

/**
 * arXiv's export API: `/api/query` answers an Atom feed (entries with versioned abs ids, pdf
 * links, categories), `/pdf/{id}` the corpus PDF, `/abs/{id}` an abstract page.
 */

const ATOM = 'application/atom+xml; charset=utf-8';

function isoDate([y, m, d]: [number, number, number], hour = 17): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${hour}:00:00Z`;
}

/** arXiv wraps summaries in lines of about 80 characters, indented by two spaces. */
function wrapSummary(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > 78) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return `  ${lines.join('\n')}\n`;
}

function entry(paper: CorpusPaper, base: string): string {
  const versioned = `${paper.arxivId}v${paper.arxivVersion}`;
  const [y, m, d] = paper.published;
  const submitted: [number, number, number] = [y, m, Math.max(1, d - 9)];
  const authors = paper.authors
    .map((a, i) => `    <author>\n      <name>${escapeXml(`${a.given} ${a.family}`)}</name>${i === 0 ? `\n      <arxiv:affiliation xmlns:arxiv="http://arxiv.org/schemas/atom">${escapeXml(a.affiliation)}</arxiv:affiliation>` : ''}\n    </author>`)
    .join('\n');
  const [primary, ...others] = paper.arxivCategories;
  return `  <entry>
    <id>${base}/arxiv/abs/${versioned}</id>
    <updated>${isoDate(paper.published, 14)}</updated>
    <published>${isoDate(submitted)}</published>
    <title>${escapeXml(paper.title)}</title>
    <summary>${escapeXml(wrapSummary(paper.abstract))}</summary>
${authors}
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">${paper.doi}</arxiv:doi>
    <link title="doi" href="https://doi.org/${paper.doi}" rel="related"/>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">${2 + (paper.sections.length % 3)} pages, ${paper.sections.filter((s) => s.blocks.some((b) => typeof b === 'object' && 'table' in b)).length} table</arxiv:comment>
    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">${escapeXml(`${paper.journal} (${y})`)}</arxiv:journal_ref>
    <link href="${base}/arxiv/abs/${versioned}" rel="alternate" type="text/html"/>
    <link title="pdf" href="${base}/arxiv/pdf/${versioned}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${primary}" scheme="http://arxiv.org/schemas/atom"/>
${[primary, ...others].map((c) => `    <category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
  </entry>`;
}

function feed(base: string, search: URLSearchParams, entries: string[], total: number, start: number, perPage: number): string {
  const query = `search_query=${search.get('search_query') ?? ''}&id_list=${search.get('id_list') ?? ''}&start=${start}&max_results=${perPage}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="${escapeXml(`${base}/arxiv/api/query?${search.toString()}`)}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: ${escapeXml(query)}</title>
  <id>${base}/arxiv/api/${Buffer.from(query).toString('base64url').slice(0, 27)}</id>
  <updated>2024-01-02T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${perPage}</opensearch:itemsPerPage>
${entries.join('\n')}
</feed>
`;
}

function errorFeed(base: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: error</title>
  <id>${base}/arxiv/api/errors</id>
  <updated>2024-01-02T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:itemsPerPage>
  <entry>
    <id>${base}/arxiv/api/errors#${escapeXml(message.replace(/\s+/g, '_'))}</id>
    <title>Error</title>
    <summary>${escapeXml(message)}</summary>
    <updated>2024-01-02T00:00:00-05:00</updated>
    <link href="${base}/arxiv/api/errors" rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
`;
}

/** Terms of an arXiv query: field prefixes (`ti:`, `all:`), booleans and brackets removed. */
function searchTerms(searchQuery: string): string[] {
  const stripped = searchQuery.replace(/\b(ti|abs|au|all|cat|co|jr|rn|id):/gi, ' ').replace(/\b(AND|OR|ANDNOT)\b/g, ' ').replace(/[()"+]/g, ' ');
  return queryTerms(stripped);
}

function query(ex: Exchange): void {
  const q = ex.url.searchParams;
  const startRaw = q.get('start') ?? '0';
  const maxRaw = q.get('max_results') ?? '10';
  if (!/^\d+$/.test(startRaw)) return send(ex.res, 400, ATOM, errorFeed(ex.base, 'start must be an integer'));
  if (!/^\d+$/.test(maxRaw)) return send(ex.res, 400, ATOM, errorFeed(ex.base, 'max_results must be an integer'));
  const start = Number(startRaw);
  const max = Math.min(Number(maxRaw), 2000);
  const idList = (q.get('id_list') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let papers: CorpusPaper[];
  if (idList.length > 0) {
    const bad = idList.find((id) => !/^\d{4}\.\d{4,5}(v\d+)?$/.test(id));
    if (bad) return send(ex.res, 400, ATOM, errorFeed(ex.base, `incorrect id format for ${bad}`));
    papers = idList.map(paperByArxivId).filter((p): p is CorpusPaper => p !== undefined);
  } else {
    const raw = q.get('search_query') ?? '';
    const terms = searchTerms(raw);
    papers = CORPUS_PAPERS.map((p, index) => ({
      p,
      index,
      score: relevance({ title: p.title, keywords: [...p.keywords, ...p.authors.map((a) => a.family), ...p.arxivCategories], abstract: p.abstract }, terms, ''),
    }))
      .filter((r) => raw.trim() !== '' && r.score > 0)
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map((r) => r.p);
  }
  const page = papers.slice(start, start + max);
  send(ex.res, 200, ATOM, feed(ex.base, q, page.map((p) => entry(p, ex.base)), papers.length, start, page.length));
}

function pdf(ex: Exchange, id: string): void {
  const paper = paperByArxivId(id.replace(/\.pdf$/, ''));
  if (!paper) return sendText(ex.res, 404, `Article ${id} not found`);
  const bytes = paperPdf(paper);
  if (ex.req.method === 'HEAD') {
    ex.res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': bytes.length });
    return void ex.res.end();
  }
  send(ex.res, 200, 'application/pdf', bytes, { 'last-modified': 'Tue, 02 Jan 2024 00:00:00 GMT' });
}

function abs(ex: Exchange, id: string): void {
  const paper = paperByArxivId(id);
  if (!paper) return sendText(ex.res, 404, `Article ${id} not found`);
  sendHtml(
    ex.res,
    200,
    `<!DOCTYPE html><html><head><title>[${paper.arxivId}] ${escapeXml(paper.title)}</title>` +
      `<meta name="citation_title" content="${escapeXml(paper.title)}"/><meta name="citation_arxiv_id" content="${paper.arxivId}"/>` +
      `<meta name="citation_pdf_url" content="${ex.base}/arxiv/pdf/${paper.arxivId}v${paper.arxivVersion}"/></head>` +
      `<body><h1 class="title">${escapeXml(paper.title)}</h1><blockquote class="abstract">${escapeXml(paper.abstract)}</blockquote>` +
      `<a href="${ex.base}/arxiv/pdf/${paper.arxivId}v${paper.arxivVersion}">View PDF</a></body></html>`,
  );
}

export const arxivService: SimulatedService = {
  name: 'arxiv',
  route(method, path) {
    if (method !== 'GET' && method !== 'HEAD') return { key: 'unsupported', handle: (ex) => sendText(ex.res, 405, 'Method not allowed') };
    if (path === 'api/query') return { key: 'api/query', handle: query };
    if (path.startsWith('pdf/')) return { key: 'pdf', handle: (ex) => pdf(ex, decodeURIComponent(path.slice(4))) };
    if (path.startsWith('abs/')) return { key: 'abs', handle: (ex) => abs(ex, decodeURIComponent(path.slice(4))) };
    return { key: 'unknown', handle: (ex) => sendText(ex.res, 404, 'Not Found') };
  },
  errorBody(status, message): CannedBody {
    return { contentType: 'text/plain; charset=utf-8', body: status === 429 ? 'Rate exceeded.' : status === 503 ? 'Service Unavailable: please retry later.' : message };
  },
  malformedBody(key): CannedBody {
    if (key === 'pdf') return { contentType: 'application/pdf', body: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pa', 'latin1') };
    return {
      contentType: ATOM,
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <entry>\n    <id>http://arxiv.org/abs/2103.04117v2</id>\n    <title>Time-Series Mom',
    };
  },
};
