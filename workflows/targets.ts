import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Paper } from '../domain/papers';
import type { PipelineTarget } from '../domain/pipeline';

type PdfTarget = Extract<PipelineTarget, { kind: 'file' | 'url' }> | (Extract<PipelineTarget, { kind: 'doi' }> & ({ pdfArtifact: string } | { pdfPath: string }));

export function isPdfTarget(target: PipelineTarget): target is PdfTarget {
  return target.kind === 'file' || target.kind === 'url' || (target.kind === 'doi' && !!(target.pdfArtifact ?? target.pdfPath));
}

/** Which user's PDF to import: its artifact-store key, or (runs started before keys) its path. */
function importInput(target: Exclude<PdfTarget, { kind: 'url' }>): { artifact: string; name: string } | { path: string } {
  if (target.kind === 'file') return 'artifact' in target ? { artifact: target.artifact, name: target.name } : { path: target.path };
  return 'pdfArtifact' in target && target.pdfArtifact ? { artifact: target.pdfArtifact, name: target.doi } : { path: target.pdfPath! };
}

/** The activity proxies the resolution needs, each with its own service's policy. */
export interface TargetProxies {
  crossref: Pick<Activities, 'lookupDoi'>;
  download: Pick<Activities, 'importPdfFile' | 'downloadPdfLink'>;
  local: Pick<Activities, 'describePdf'>;
}

/**
 * A paper the user handed over as a PDF (a file, a link, or a DOI with its file): the PDF is copied
 * or downloaded into the downloads directory first, so every later step reads the same bytes.
 * Metadata comes from CrossRef when a DOI is known (given, or printed on the first page and known to
 * CrossRef), else from the PDF itself.
 */
export async function resolvePdfTarget(target: PdfTarget, p: TargetProxies): Promise<Paper> {
  const pdf = target.kind === 'url' ? await p.download.downloadPdfLink({ url: target.url }) : await p.download.importPdfFile(importInput(target));
  if (target.kind === 'doi') return { ...(await p.crossref.lookupDoi({ doi: target.doi })), pdfPath: pdf.path };

  const meta = await p.local.describePdf({ pdfPath: pdf.path });
  if (meta.doi) {
    try {
      return { ...(await p.crossref.lookupDoi({ doi: meta.doi })), pdfPath: pdf.path };
    } catch (err) {
      // a DOI printed in the PDF that CrossRef does not know: the PDF's own metadata will do
      if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)) throw err;
    }
  }
  return {
    source: 'pdf',
    externalId: `sha256:${pdf.sha256.slice(0, 16)}`,
    title: meta.title ?? pdf.name,
    authors: meta.authors,
    year: meta.year,
    doi: meta.doi,
    arxivId: meta.arxivId,
    url: target.kind === 'url' ? target.url : null,
    abstract: null,
    pdfUrl: target.kind === 'url' ? pdf.finalUrl || null : null,
    pdfPath: pdf.path,
  };
}
