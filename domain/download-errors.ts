import { QuantCoderError } from './errors';

/**
 * Permanent failures of getting a paper's PDF and reading it. None of them can be cured by
 * trying again, so all are non-retryable (their names belong in NON_RETRYABLE_TYPES).
 */

/** The URL answered something that is not a PDF (an HTML landing page, a paywall, a login form). */
export class NotAPdfError extends QuantCoderError {
  readonly retryable = false;
}

/** The PDF is larger than the configured cap; the download was stopped. */
export class PdfTooLargeError extends QuantCoderError {
  readonly retryable = false;
}

/** Redirects went round in a loop, or there were more than the allowed number of them. */
export class RedirectLoopError extends QuantCoderError {
  readonly retryable = false;
}

/** Unpaywall knows no open-access PDF for the DOI (closed access). */
export class NoOpenAccessError extends QuantCoderError {
  readonly retryable = false;
}

/** The file starts like a PDF but cannot be read as one (truncated, damaged, encrypted). */
export class CorruptPdfError extends QuantCoderError {
  readonly retryable = false;
}

/** The artifact store has no artifact with the requested hash. */
export class ArtifactNotFoundError extends QuantCoderError {
  readonly retryable = false;
}

/** A stored artifact's content no longer hashes to its name (damaged on disk). */
export class ArtifactCorruptError extends QuantCoderError {
  readonly retryable = false;
}

/** The names to add to NON_RETRYABLE_TYPES in domain/errors.ts. */
export const DOWNLOAD_NON_RETRYABLE_TYPES = [
  'NotAPdfError',
  'PdfTooLargeError',
  'RedirectLoopError',
  'NoOpenAccessError',
  'CorruptPdfError',
  'ArtifactNotFoundError',
  'ArtifactCorruptError',
] as const;
