import type { ActivityOptions } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { QuantCoderConfig } from '../domain/config';
import { ConfigError } from '../domain/config';
import { runSettings } from '../domain/run-settings';
import { servicePolicies } from '../workflows/policies';

/** Margin between the longest silent activity and the worker's grace, and between the grace and the container's stop timeout. */
export const SHUTDOWN_MARGIN_SECONDS = 15;

/**
 * The longest start-to-close timeout among activities that do not heartbeat. Such an activity cannot
 * be told to stop early, so a worker shutting down must give it this long, or it is cancelled and
 * waits for its timeout before another worker retries it.
 */
export function longestSilentActivitySeconds(config: QuantCoderConfig): number {
  const policies: Record<string, ActivityOptions> = servicePolicies(config.temporal.taskQueue, runSettings(config));
  const silent = Object.values(policies).filter((p) => p.heartbeatTimeout === undefined && p.startToCloseTimeout !== undefined);
  // every activity may heartbeat (then a dead or departing worker's work is retried within seconds): none is silent
  return Math.max(0, ...silent.map((p) => Math.ceil(msToNumber(p.startToCloseTimeout!) / 1000)));
}

/** The worker's shutdown grace: as asked (it must outlast every silent activity), else that longest one plus a margin. */
export function shutdownGraceSeconds(config: QuantCoderConfig, requested?: number): number {
  const longest = longestSilentActivitySeconds(config);
  if (requested === undefined) return longest + SHUTDOWN_MARGIN_SECONDS;
  if (!Number.isFinite(requested) || requested <= longest) {
    throw new ConfigError(
      `A shutdown grace of ${requested} s is too short: activities that do not heartbeat may run for ${longest} s. ` +
        `Set QUANTCODER_SHUTDOWN_GRACE_SECONDS above ${longest} (and the container's stop timeout above that).`,
    );
  }
  return requested;
}
