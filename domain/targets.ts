import type { PipelineTarget } from './pipeline';

const DOI = /^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:)?(10\.\d{4,9}\/\S+)$/i;
const ARXIV = /^(?:arxiv:|https?:\/\/arxiv\.org\/(?:abs|pdf)\/)?(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[a-z]{2})?\/\d{7}(?:v\d+)?)(?:\.pdf)?$/i;
const URL_TARGET = /^https?:\/\/\S+$/i;
/** A path the user typed: explicitly relative or absolute, or any name ending in `.pdf`. */
const FILE_TARGET = /^(?:\.{1,2}[\\/]|[\\/]|~[\\/]|[a-z]:[\\/])|\.pdf$/i;

/**
 * Reads what the user asked `run` for: a result number, a DOI, an arXiv id, an http(s) link, a PDF
 * file, or else a topic. A file path is returned as typed; the caller makes it absolute.
 */
export function parseTarget(text: string): PipelineTarget {
  const t = text.trim();
  if (/^\d{1,3}$/.test(t)) return { kind: 'result', n: Number(t) };
  const doi = DOI.exec(t);
  if (doi) return { kind: 'doi', doi: doi[1]!.toLowerCase() };
  // `2101.00001.pdf` is an arXiv id; `papers/2101.00001.pdf` is a file
  const arxiv = /[\\/]/.test(t) && !/^(?:arxiv:|https?:)/i.test(t) ? null : ARXIV.exec(t);
  if (arxiv) return { kind: 'arxiv', arxivId: arxiv[1]!.replace(/v\d+$/, '') };
  if (URL_TARGET.test(t)) return { kind: 'url', url: t };
  if (FILE_TARGET.test(t)) return { kind: 'file', path: t };
  return { kind: 'topic', query: t };
}

/** The last part of a path, whichever separator it uses. */
function baseName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
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
    case 'file':
      return 'artifact' in target ? target.name : baseName(target.path).replace(/\.pdf$/i, '');
    case 'url': {
      try {
        const u = new URL(target.url);
        return `${u.hostname}${u.pathname === '/' ? '' : u.pathname}`.replace(/\.pdf$/i, '');
      } catch {
        return target.url;
      }
    }
  }
}
