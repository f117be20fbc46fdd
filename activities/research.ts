import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@prisma/client';
import { BadRequestError, InvalidInputError } from '../domain/errors';
import type { Paper } from '../domain/papers';
import type { ArtifactStore } from './artifacts';
import type { ArxivClient } from './arxiv';
import { normaliseArxivId } from './arxiv';
import type { CrossrefClient } from './crossref';
import type { PdfDownloader } from './download';
import { extractPdfText } from './pdf-text';
import { articleForResult } from '../store/searches';
import { cancellationSignal, whileHeartbeating } from './context';

export interface ResearchDeps {
  prisma: PrismaClient;
  crossref: CrossrefClient;
  arxiv: ArxivClient;
  downloader: PdfDownloader;
  artifacts: ArtifactStore;
  downloadsDir: string;
}

/** Finding papers and reading them: searches, lookups, PDF download and text extraction. */
export function createResearchActivities(deps: ResearchDeps) {
  return {
    /** Searches arXiv's API for papers matching the query. */
    async searchArxiv(input: { query: string; maxResults: number }): Promise<Paper[]> {
      return deps.arxiv.search(input.query, input.maxResults, { signal: cancellationSignal() });
    },

    /** A paper's metadata by DOI, from CrossRef. */
    async lookupDoi(input: { doi: string }): Promise<Paper> {
      return deps.crossref.work(input.doi, cancellationSignal());
    },

    /** A paper by arXiv id (its metadata when arXiv knows it; the id alone is enough to download it). */
    async lookupArxiv(input: { arxivId: string }): Promise<Paper> {
      const id = normaliseArxivId(input.arxivId);
      const found = await deps.arxiv.search(`id:${id}`, 1, { signal: cancellationSignal() }).catch(() => [] as Paper[]);
      const exact = found.find((p) => p.arxivId === id);
      if (exact) return exact;
      return { source: 'arxiv', externalId: id, arxivId: id, doi: null, title: `arXiv:${id}`, authors: [], year: null, url: `https://arxiv.org/abs/${id}`, abstract: null, pdfUrl: null };
    },

    /** The paper behind result number `n` of the latest search. */
    async paperForResult(input: { n: number }): Promise<Paper> {
      const article = await articleForResult(deps.prisma, input.n);
      if (!article) throw new InvalidInputError(`There is no result number ${input.n} in the latest search; run \`quantcoder search\` first.`);
      return {
        source: article.source === 'arxiv' ? 'arxiv' : 'crossref',
        externalId: article.externalId,
        doi: article.doi,
        arxivId: article.arxivId,
        title: article.title,
        authors: JSON.parse(article.authors) as string[],
        year: article.year,
        url: article.url,
        abstract: article.abstract,
        pdfUrl: null,
      };
    },

    /** Downloads a paper's PDF into the downloads directory (reused when already complete there). */
    async downloadPaper(input: { paper: Paper }): Promise<{ path: string; sha256: string; bytes: number; reused: boolean }> {
      const { paper } = input;
      if (!paper.doi && !paper.arxivId && !paper.pdfUrl) throw new BadRequestError(`"${paper.title}" has no DOI, arXiv id or PDF link to download from`);
      const pdf = await whileHeartbeating(() => deps.downloader.downloadPaper({ doi: paper.doi, arxivId: paper.arxivId, pdfUrl: paper.pdfUrl }, deps.downloadsDir, cancellationSignal()));
      await deps.prisma.article.updateMany({
        where: { source: paper.source, externalId: paper.externalId },
        data: { pdfPath: pdf.path, pdfSha256: pdf.sha256 },
      });
      return { path: pdf.path, sha256: pdf.sha256, bytes: pdf.bytes, reused: pdf.reused };
    },

    /**
     * Extracts, cleans and splits a PDF's text; the text goes to the artifact store (it can be far
     * larger than workflow history should hold) and only its hash and section titles come back.
     */
    async extractPaperText(input: { pdfPath: string; paper?: Paper }): Promise<{ textSha256: string; sections: string[]; chars: number; pages: number }> {
      const resolved = path.resolve(input.pdfPath);
      if (!fs.existsSync(resolved)) throw new InvalidInputError(`No PDF at ${resolved}`);
      const extracted = await extractPdfText(resolved);
      const textSha256 = await deps.artifacts.put(extracted.text);
      if (input.paper) {
        await deps.prisma.article.updateMany({ where: { source: input.paper.source, externalId: input.paper.externalId }, data: { textSha256 } });
      }
      return { textSha256, sections: extracted.sections.map((s) => s.title), chars: extracted.text.length, pages: extracted.pages };
    },
  };
}
