import { createHash } from 'node:crypto';

/**
 * QuantConnect API v2 authentication headers. The hash binds the token to the timestamp, so the
 * headers are built afresh for every request (a stale timestamp answers "Hash doesn't match.").
 */
export function quantconnectAuthHeaders(userId: string, apiToken: string, nowMs: number = Date.now()): { Timestamp: string; Authorization: string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  const hash = createHash('sha256').update(`${apiToken}:${timestamp}`).digest('hex');
  return {
    Timestamp: timestamp,
    Authorization: `Basic ${Buffer.from(`${userId}:${hash}`).toString('base64')}`,
  };
}
