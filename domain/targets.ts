import type { PipelineTarget } from './pipeline';

const DOI = /^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:)?(10\.\d{4,9}\/\S+)$/i;
const ARXIV = /^(?:arxiv:|https?:\/\/arxiv\.org\/(?:abs|pdf)\/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[a-z]{2})?\/\d{7}(?:v\d+)?)(?:\.pdf)?$/i;

/** Reads what the user asked `run` for: a result number, a DOI, an arXiv id, or else a topic. */
export function parseTarget(text: string): PipelineTarget {
  const t = text.trim();
  if (/^\d{1,3}$/.test(t)) return { kind: 'result', n: Number(t) };
  const doi = DOI.exec(t);
  if (doi) return { kind: 'doi', doi: doi[1]!.toLowerCase() };
  const arxiv = ARXIV.exec(t);
  if (arxiv) return { kind: 'arxiv', arxivId: arxiv[1]!.replace(/v\d+$/, '') };
  return { kind: 'topic', query: t };
}

export function describeTarget(target: PipelineTarget): string {
  switch (target.kind) {
    case 'topic':
      return target.query;
    case 'doi':
      return target.doi;
    case 'arxiv':
      return `arXiv:${target.arxivId}`;
    case 'result':
      return `result ${target.n}`;
  }
}
