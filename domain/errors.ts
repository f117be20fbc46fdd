/**
 * QuantCoder's typed errors. Activities throw these; the activity boundary maps each once to a
 * Temporal ApplicationFailure (its `type` is the class name, `nonRetryable` from `retryable`),
 * and the CLI maps each once to a one-line message.
 */
export abstract class QuantCoderError extends Error {
  /** Whether trying again later may succeed (rate limits, 5xx, timeouts, resets). */
  abstract readonly retryable: boolean;
  /** The external service the error came from, when there is one. */
  readonly service?: string;
  /** How long the service asked us to wait before trying again (HTTP Retry-After). */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { service?: string; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.service = options.service;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A transient failure: 5xx, a reset connection, a timeout. */
export class ServiceUnavailableError extends QuantCoderError {
  readonly retryable = true;
}

/** HTTP 429: retry after the delay the service gave. */
export class RateLimitedError extends QuantCoderError {
  readonly retryable = true;
}

/**
 * QuantConnect refused to start a backtest because every backtest node of the account is busy
 * (HTTP 200, `success: false`). Nothing is wrong with the request: wait for a node and try again.
 */
export class BacktestNodesBusyError extends QuantCoderError {
  readonly retryable = true;
}

/** The service answered something that is not what its API promises (malformed JSON, wrong shape). */
export class MalformedResponseError extends QuantCoderError {
  readonly retryable = true;
}

/** Credentials missing, wrong or refused (401/403, QuantConnect "Hash doesn't match."). */
export class AuthenticationError extends QuantCoderError {
  readonly retryable = false;
}

/** The request itself is wrong (400, 404, 422): repeating it cannot help. */
export class BadRequestError extends QuantCoderError {
  readonly retryable = false;
}

/** Something the user gave is invalid (a path, a flag, a file). */
export class InvalidInputError extends QuantCoderError {
  readonly retryable = false;
}

/** A path that resolves outside the directories QuantCoder may write to. */
export class PathSecurityError extends QuantCoderError {
  readonly retryable = false;
}

/** The learning database cannot be opened or migrated. */
export class DatabaseError extends QuantCoderError {
  readonly retryable = false;
}

/** The LLM kept answering something unusable (not JSON, not code) even after being told why. */
export class LlmAnswerError extends QuantCoderError {
  readonly retryable = false;
}

/** No Temporal server answers at the configured address. */
export class TemporalUnavailableError extends QuantCoderError {
  readonly retryable = true;
  constructor(readonly address: string, detail?: string) {
    super(
      `No Temporal server answers at ${address}${detail ? ` (${detail})` : ''}. ` +
        'Start one with `quantcoder dev`, or point QuantCoder at yours with --address or TEMPORAL_ADDRESS.',
      { service: 'temporal' },
    );
  }
}

// ── Getting a paper's PDF and reading it: none of these is cured by trying again ──────────────────

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

/** A taxonomy file (the categories a library build covers) is missing or invalid. */
export class TaxonomyError extends InvalidInputError {}
