import { z } from 'zod';
import { MUTATION_MODES, type MutationMode } from './llm/edits';

/** The services the sandbox simulates; fault injection and stats are keyed by these names. */
export const SERVICE_NAMES = ['crossref', 'arxiv', 'unpaywall', 'papers', 'openai', 'anthropic', 'quantconnect'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Knobs a test or the CLI can turn while the sandbox runs (`POST /__sandbox/config`). */
export interface SandboxConfig {
  /** Delay before every LLM answer. */
  llmLatencyMs: number;
  /** How long a QuantConnect compile stays `InQueue`. */
  compileLatencyMs: number;
  /** How long a QuantConnect backtest takes from `In Queue...` to `Completed.`. */
  backtestLatencyMs: number;
  /** Share (0..1) of LLM answers that carry a typical mistake; chosen deterministically per request. */
  mistakeRate: number;
  /**
   * Share (0..1) of generated algorithms that depart from their specification (a parameter's value
   * changed, a parameter written inline, a rule left unmarked); chosen deterministically per request.
   */
  unfaithfulRate: number;
  /** The download cap the sandbox's oversized PDF exceeds (QuantCoder's `download.maxBytes`). */
  maxPdfBytes: number;
  /** QuantConnect rejects a `Timestamp` further than this from the server clock, either way. */
  timestampToleranceSeconds: number;
  /**
   * How the scripted model's parameter steps choose a direction: `random` (it cannot know the
   * optimum; only selection makes evolution climb) or `biased-toward-optimum` (60 % of steps go
   * toward the landscape's optimum).
   */
  mutationMode: MutationMode;
  /**
   * In `random` mode, the share (0..1) of tuned values and entry edits the scripted model writes
   * with precise-looking digits, which the landscape's overfitting trap rewards on one period only.
   */
  fineDigitRate: number;
  /** Backtesting nodes of the account: one more backtest while this many run is refused; 0 = unlimited. */
  backtestNodes: number;
  /** `backtests/chart/read` answers "loading" this many times per backtest before it sends the chart. */
  chartLoadingReads: number;
  /**
   * And for this long from the first read after the backtest ended: QuantConnect generates a chart
   * when it is first asked for, and the "loading" answers' progress grows with the time it takes.
   */
  chartLoadingMs: number;
}

export const DEFAULT_SANDBOX_CONFIG: SandboxConfig = {
  llmLatencyMs: 0,
  compileLatencyMs: 500,
  backtestLatencyMs: 2000,
  mistakeRate: 0,
  unfaithfulRate: 0,
  maxPdfBytes: 50 * 1024 * 1024,
  timestampToleranceSeconds: 7200,
  mutationMode: 'random',
  fineDigitRate: 0.2,
  backtestNodes: 0,
  chartLoadingReads: 1,
  chartLoadingMs: 0,
};

const ms = z.number().int().min(0).max(600_000);

export const sandboxConfigPatchSchema = z
  .object({
    llmLatencyMs: ms,
    compileLatencyMs: ms,
    backtestLatencyMs: ms,
    mistakeRate: z.number().min(0).max(1),
    unfaithfulRate: z.number().min(0).max(1),
    maxPdfBytes: z.number().int().min(1024).max(2 ** 40),
    timestampToleranceSeconds: z.number().int().min(1).max(10 ** 7),
    mutationMode: z.enum(MUTATION_MODES),
    fineDigitRate: z.number().min(0).max(1),
    backtestNodes: z.number().int().min(0).max(1000),
    chartLoadingReads: z.number().int().min(0).max(1000),
    chartLoadingMs: ms,
  })
  .strict()
  .partial();
