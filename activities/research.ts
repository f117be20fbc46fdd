import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@prisma/client';
import { BadRequestError, InvalidInputError, NoTextLayerError } from '../domain/errors';
import { judgeTextLayer, type PdfPaperMetadata } from '../domain/pdf-metadata';
import type { Paper } from '../domain/papers';
import { sha256Hex, type ArtifactStore } from './artifacts';
import type { ArxivClient } from './arxiv';
import { normaliseArxivId } from './arxiv';
import type { CrossrefClient } from './crossref';
import { resolveAllowedDir, type DownloadedPdf, type PdfDownloader } from './download';
import { extractPdfText } from './pdf-text';
import { articleForResult } from '../store/searches';
import { cancellationSignal, warn, whileHeartbeating } from './context';

/** A PDF the user handed over, now in the downloads directory. */
export interface ImportedPdf {
  path: string;
  sha256: string;
  bytes: number;
  /** The file or link's own name, without `.pdf`: the title of last resort. */
  name: string;
  /** Where the PDF finally came from (after redirects and a landing page), for links. */
  finalUrl: string;
  landingPage: string | null;
}

function nameOf(location: string): string {
  let last = location;
  try {
    last = decodeURIComponent(new URL(location).pathname);
  } catch {
    // a file path
  }
  return path.basename(last).replace(/\.pdf$/i, '') || location;
}

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
  /** A user's PDF is also kept in the artifact store, content-addressed like every other input. */
  const storeCopy = async (pdf: DownloadedPdf) => {
    await deps.artifacts.put(await fs.promises.readFile(pdf.path));
  };
  /**
   * A PDF from workflow input: a name within the downloads directory, or (older runs) an absolute
   * path; accepted only inside the downloads directory, symlinks resolved.
   */
  const pdfInDownloads = async (pdfPath: string): Promise<string> => {
    const dir = await resolveAllowedDir(path.dirname(path.resolve(deps.downloadsDir, pdfPath)), [deps.downloadsDir]);
    const file = path.join(dir, path.basename(pdfPath));
    if (!fs.existsSync(file)) throw new InvalidInputError(`No PDF at ${file}`);
    return file;
  };
  return {
    /** Searches arXiv's API for papers matching the query. */
    async searchArxiv(input: { query: string; maxResults: number }): Promise<Paper[]> {
      return deps.arxiv.search(input.query, input.maxResults, { signal: cancellationSignal() });
    },

    /** A paper's metadata by DOI, from CrossRef. */
    async lookupDoi(input: { doi: string }): Promise<Paper> {
      return deps.crossref.work(input.doi, cancellationSignal());
    },

    /**
     * A paper by arXiv id, with the title, authors, year and abstract arXiv has for it (`id_list`);
     * an id arXiv does not list still names a PDF to download. Failures to reach arXiv are retried.
     */
    async lookupArxiv(input: { arxivId: string }): Promise<Paper> {
      const id = normaliseArxivId(input.arxivId);
      const found = await deps.arxiv.byIds([id], { signal: cancellationSignal() });
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

    /**
     * Brings a PDF the user has into the downloads directory: from the artifact store, where the CLI
     * put it (`artifact`, its SHA-256, checked on read), or, for runs started before that, from the
     * path they gave. Only the file's name within the downloads directory comes back, no machine path.
     */
    async importPdfFile(input: { artifact: string; name: string } | { path: string }): Promise<ImportedPdf> {
      if ('artifact' in input) {
        const content = await deps.artifacts.get(input.artifact);
        const pdf = await deps.downloader.importContent(content, `${input.name}.pdf`, deps.downloadsDir);
        return { path: path.basename(pdf.path), sha256: pdf.sha256, bytes: pdf.bytes, name: input.name, finalUrl: '', landingPage: null };
      }
      const pdf = await deps.downloader.importFile(input.path, deps.downloadsDir);
      await storeCopy(pdf);
      return { path: pdf.path, sha256: pdf.sha256, bytes: pdf.bytes, name: nameOf(input.path), finalUrl: '', landingPage: null };
    },

    /** Downloads a link the user gave (a PDF, or a landing page that links one) into the downloads directory. */
    async downloadPdfLink(input: { url: string }): Promise<ImportedPdf> {
      const pdf = await whileHeartbeating(() => deps.downloader.downloadLink(input.url, deps.downloadsDir, cancellationSignal()));
      await storeCopy(pdf);
      return { path: path.basename(pdf.path), sha256: pdf.sha256, bytes: pdf.bytes, name: nameOf(pdf.finalUrl || input.url), finalUrl: pdf.finalUrl, landingPage: pdf.landingPage };
    },

    /** Title, authors, year, DOI and arXiv id as a PDF gives them (document information and first page). */
    async describePdf(input: { pdfPath: string }): Promise<PdfPaperMetadata> {
      return (await extractPdfText(await pdfInDownloads(input.pdfPath), { maxPages: 1 })).metadata;
    },

    /** Downloads a paper's PDF into the downloads directory (reused when already complete there). */
    async downloadPaper(input: { paper: Paper }): Promise<{ path: string; sha256: string; bytes: number; reused: boolean }> {
      const { paper } = input;
      if (paper.pdfPath) {
        const file = await pdfInDownloads(paper.pdfPath);
        const bytes = await fs.promises.readFile(file);
        // the reference it was given, not the machine path it resolves to
        return { path: paper.pdfPath, sha256: sha256Hex(bytes), bytes: bytes.length, reused: true };
      }
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
    async extractPaperText(input: { pdfPath: string; paper?: Paper }): Promise<{ textSha256: string; sections: string[]; chars: number; pages: number; warning?: string }> {
      const resolved = path.isAbsolute(input.pdfPath) ? input.pdfPath : await pdfInDownloads(input.pdfPath);
      if (!fs.existsSync(resolved)) throw new InvalidInputError(`No PDF at ${resolved}`);
      const extracted = await extractPdfText(resolved);
      // judged here, before the text reaches any LLM: a scan costs tokens and yields nothing
      const verdict = judgeTextLayer(extracted.text.length, extracted.pages);
      const name = input.paper?.title ?? path.basename(resolved);
      if (verdict.kind === 'none') {
        throw new NoTextLayerError(
          `"${name}" has no text layer (${extracted.text.length} characters in ${extracted.pages} page(s)): it looks like a scanned or image-only PDF. ` +
            'Run OCR on it first, for example `ocrmypdf paper.pdf paper-ocr.pdf`, and pass the OCR\'d file.',
        );
      }
      const warning = verdict.kind === 'thin' ? `"${name}": ${verdict.warning}` : undefined;
      if (warning) warn(warning);
      const textSha256 = await deps.artifacts.put(extracted.text);
      if (input.paper) {
        await deps.prisma.article.updateMany({ where: { source: input.paper.source, externalId: input.paper.externalId }, data: { textSha256 } });
      }
      return { textSha256, sections: extracted.sections.map((s) => s.title), chars: extracted.text.length, pages: extracted.pages, ...(warning ? { warning } : {}) };
    },
  };
}
