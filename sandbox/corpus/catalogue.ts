import type { CorpusPaper } from './paper';
import { factorPaper } from './texts/factor';
import { meanReversionPaper } from './texts/mean-reversion';
import { momentumPaper } from './texts/momentum';
import { pairsPaper } from './texts/pairs';
import { trendPaper } from './texts/trend';
import { volatilityPaper } from './texts/volatility';

/** The corpus: one short paper per strategy family, served as real PDFs. */
export const CORPUS_PAPERS: readonly CorpusPaper[] = [momentumPaper, meanReversionPaper, pairsPaper, volatilityPaper, trendPaper, factorPaper];

/**
 * Where Unpaywall's best location sends a downloader, i.e. what `url_for_pdf` points at:
 * - `direct`: the corpus PDF; `redirect`: one 301 hop to it; `arxiv`: the arXiv PDF;
 * - `epdf`: an HTML "PDF viewer" page (the classic trap: a url_for_pdf that answers text/html);
 * - `landing`: no url_for_pdf, only a landing page carrying `citation_pdf_url`;
 * - `corrupt`, `loop`, `oversized`: the download traps; `none`: closed access.
 */
export type PdfRoute = 'direct' | 'redirect' | 'arxiv' | 'epdf' | 'landing' | 'corrupt' | 'loop' | 'oversized' | 'none';

export interface CatalogueAuthor {
  given?: string;
  family: string;
  affiliation?: string;
}

/** A work as CrossRef, Unpaywall and (for corpus papers) arXiv know it. */
export interface CatalogueWork {
  doi: string;
  title: string;
  authors: CatalogueAuthor[];
  journal: string;
  publisher: string;
  published: [number, number, number];
  /** Which CrossRef date fields the record has: real records often lack `published-print`. */
  dateStyle: 'print' | 'online' | 'issued';
  /** The abstract as CrossRef serves it (JATS or plain HTML), or absent. */
  abstract: { style: 'jats' | 'html'; text: string } | null;
  keywords: string[];
  paper?: CorpusPaper;
  oaStatus: 'gold' | 'green' | 'bronze' | 'hybrid' | 'closed';
  pdfRoute: PdfRoute;
  /** Whether CrossRef's `link[]` carries an `application/pdf` link to the corpus PDF. */
  crossrefPdfLink: boolean;
}

function corpusWork(
  paper: CorpusPaper,
  access: Pick<CatalogueWork, 'dateStyle' | 'oaStatus' | 'pdfRoute' | 'crossrefPdfLink'> & { abstract: 'jats' | 'html' | null },
): CatalogueWork {
  return {
    doi: paper.doi,
    title: paper.title,
    authors: paper.authors,
    journal: paper.journal,
    publisher: paper.publisher,
    published: paper.published,
    abstract: access.abstract ? { style: access.abstract, text: paper.abstract } : null,
    keywords: paper.keywords,
    paper,
    dateStyle: access.dateStyle,
    oaStatus: access.oaStatus,
    pdfRoute: access.pdfRoute,
    crossrefPdfLink: access.crossrefPdfLink,
  };
}

/** Every work the sandbox's CrossRef knows, in catalogue order (the tie-break of relevance). */
export const CATALOGUE: readonly CatalogueWork[] = [
  corpusWork(momentumPaper, { dateStyle: 'print', oaStatus: 'gold', pdfRoute: 'direct', crossrefPdfLink: true, abstract: 'jats' }),
  corpusWork(meanReversionPaper, { dateStyle: 'online', oaStatus: 'green', pdfRoute: 'arxiv', crossrefPdfLink: false, abstract: 'jats' }),
  corpusWork(pairsPaper, { dateStyle: 'issued', oaStatus: 'hybrid', pdfRoute: 'epdf', crossrefPdfLink: false, abstract: 'html' }),
  corpusWork(volatilityPaper, { dateStyle: 'online', oaStatus: 'bronze', pdfRoute: 'landing', crossrefPdfLink: true, abstract: null }),
  corpusWork(trendPaper, { dateStyle: 'print', oaStatus: 'gold', pdfRoute: 'redirect', crossrefPdfLink: true, abstract: 'jats' }),
  corpusWork(factorPaper, { dateStyle: 'issued', oaStatus: 'green', pdfRoute: 'arxiv', crossrefPdfLink: false, abstract: null }),
  {
    doi: '10.5555/jef.2020.0455',
    title: 'Momentum Crashes and Volatility Timing in Emerging Equity Markets',
    authors: [{ given: 'Rafael', family: 'Montenegro', affiliation: 'Northgate Business School' }, { given: 'Sun-Hee', family: 'Park' }],
    journal: 'Journal of Emerging Financial Markets',
    publisher: 'Northgate University Press',
    published: [2020, 9, 1],
    dateStyle: 'print',
    abstract: {
      style: 'jats',
      text:
        'Momentum strategies in emerging markets experience infrequent but severe crashes after market rebounds. ' +
        'Scaling the momentum portfolio by its own forecast volatility roughly doubles its Sharpe ratio and removes most crash risk.',
    },
    keywords: ['momentum', 'crash', 'emerging markets', 'volatility timing'],
    oaStatus: 'closed',
    pdfRoute: 'none',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/mms.2017.0128',
    title: 'Intraday Liquidity Provision and the Reversal of Order Imbalances',
    authors: [{ given: 'Claire', family: 'Dubois' }, { given: 'Henrik', family: 'Aalto', affiliation: 'Halvorsen Capital Research' }],
    journal: 'Market Microstructure Studies',
    publisher: 'Halvorsen Scientific',
    published: [2017, 4, 12],
    dateStyle: 'online',
    abstract: null,
    keywords: ['mean reversion', 'liquidity', 'order imbalance', 'intraday', 'reversal'],
    oaStatus: 'closed',
    pdfRoute: 'none',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/jcm.2016.0044',
    title: 'Seasonality and Term-Structure Signals in Commodity Futures Returns',
    authors: [{ given: 'Oskar', family: 'Lindgren' }, { given: 'Maya', family: 'Castellano', affiliation: 'Caldwell University' }],
    journal: 'Journal of Commodity Markets Research',
    publisher: 'Meridian Academic Press',
    published: [2016, 8, 30],
    dateStyle: 'issued',
    abstract: {
      style: 'jats',
      text: 'Commodity futures returns display strong calendar seasonality that interacts with the slope of the futures curve. A long-short strategy sorting on both signals earns 9 percent per year.',
    },
    keywords: ['commodities', 'seasonality', 'term structure', 'futures', 'carry'],
    oaStatus: 'green',
    pdfRoute: 'corrupt',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/jbf.2021.0871',
    title: 'Overnight Returns and Firm-Specific Investor Sentiment',
    authors: [{ given: 'Aiden', family: 'Kowalczyk' }, { given: 'Fatima', family: 'Haddad' }],
    journal: 'Journal of Behavioral Finance Research',
    publisher: 'Halvorsen Scientific',
    published: [2021, 12, 2],
    dateStyle: 'online',
    abstract: {
      style: 'jats',
      text: 'Stocks with persistently high overnight returns are favoured by sentiment-driven investors and subsequently underperform during the trading day. The overnight-intraday reversal is strongest among small, hard-to-value firms.',
    },
    keywords: ['overnight returns', 'sentiment', 'intraday', 'reversal', 'anomaly'],
    oaStatus: 'bronze',
    pdfRoute: 'loop',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/ml.2022.0530',
    title: 'Machine Learning and the Cross-Section of Expected Stock Returns: A Survey',
    authors: [{ given: 'Beatriz', family: 'Salgado', affiliation: 'Meridian Institute of Finance' }, { given: 'Ethan', family: 'Whitfield' }],
    journal: 'Annual Review of Quantitative Finance',
    publisher: 'Meridian Academic Press',
    published: [2022, 5, 20],
    dateStyle: 'print',
    abstract: {
      style: 'jats',
      text: 'We survey tree ensembles, neural networks and regularised regressions applied to predicting the cross-section of stock returns with hundreds of firm characteristics, and discuss overfitting, transaction costs and interpretability.',
    },
    keywords: ['machine learning', 'cross-section', 'factor', 'neural networks', 'survey'],
    oaStatus: 'gold',
    pdfRoute: 'oversized',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/rfs.2019.1204',
    title: 'Option-Implied Skewness and Future Equity Returns',
    authors: [{ given: 'Nikolai', family: 'Petrov' }, { given: 'Grace', family: 'Adeyemi', affiliation: 'Northgate Business School' }],
    journal: 'Review of Derivatives Research Letters',
    publisher: 'Northgate University Press',
    published: [2019, 2, 11],
    dateStyle: 'print',
    abstract: {
      style: 'jats',
      text: 'Stocks with the most negative option-implied skewness earn lower subsequent returns. The implied volatility smirk predicts returns for up to six months.',
    },
    keywords: ['options', 'implied volatility', 'skewness', 'volatility', 'cross-section'],
    oaStatus: 'closed',
    pdfRoute: 'none',
    crossrefPdfLink: false,
  },
  {
    doi: '10.5555/jif.2018.0367',
    title: 'Carry and Trend in Currency Markets Revisited',
    authors: [{ given: 'Lucas', family: 'Ferreira' }],
    journal: 'Journal of International Finance Studies',
    publisher: 'Meridian Academic Press',
    published: [2018, 10, 8],
    dateStyle: 'online',
    abstract: {
      style: 'html',
      text: 'Currency carry trades earn a premium that is exposed to crash risk. Combining carry with a moving-average trend filter halves the drawdowns of the carry trade without reducing its average return.',
    },
    keywords: ['currency', 'carry trade', 'trend following', 'moving average', 'foreign exchange'],
    oaStatus: 'closed',
    pdfRoute: 'none',
    crossrefPdfLink: false,
  },
];

export function workByDoi(doi: string): CatalogueWork | undefined {
  const wanted = doi.trim().toLowerCase();
  return CATALOGUE.find((w) => w.doi.toLowerCase() === wanted);
}

export function paperBySlug(slug: string): CorpusPaper | undefined {
  return CORPUS_PAPERS.find((p) => p.slug === slug);
}

/** The paper with this arXiv id; a version suffix (`v2`) is accepted and ignored. */
export function paperByArxivId(id: string): CorpusPaper | undefined {
  const bare = id.replace(/v\d+$/, '');
  return CORPUS_PAPERS.find((p) => p.arxivId === bare);
}

const STOP_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'in', 'on', 'for', 'with', 'to', 'by', 'from', 'at', 'as', 'is', 'are', 'or', 'its', 'all', 'using', 'based']);

/** Lower-cased words of a query, without stop words; `mean-reversion` gives `mean` and `reversion`. */
export function queryTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1 && !STOP_WORDS.has(t));
}

/** Crude stemming so `trading` meets `trade` and `pairs` meets `pair`. */
function stem(word: string): string {
  return word.replace(/(ing|ed|es|s)$/, '') || word;
}

/**
 * Relevance of a work to query terms: title words weigh most, then keywords, then the
 * abstract; the full phrase appearing in the title adds a bonus. Zero means no match.
 */
export function relevance(work: { title: string; keywords: string[]; abstract: string }, terms: string[], phrase: string): number {
  if (terms.length === 0) return 1;
  const words = (text: string) => new Set(queryTerms(text).map(stem));
  const title = words(work.title);
  const keywords = words(work.keywords.join(' '));
  const abstract = words(work.abstract);
  let score = 0;
  for (const t of terms.map(stem)) {
    if (title.has(t)) score += 3;
    if (keywords.has(t)) score += 2;
    if (abstract.has(t)) score += 1;
  }
  if (phrase.length > 3 && work.title.toLowerCase().includes(phrase.toLowerCase())) score += 5;
  return score;
}
