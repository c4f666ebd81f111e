/**
 * What to do after each webhook delivery attempt: delivered, retry later (with backoff),
 * dead-letter (attempts exhausted or permanent failure), or disable the endpoint (410 Gone,
 * as Standard Webhooks asks).
 */

/** Delay before attempt n + 1 after attempt n failed (attempt 1 is immediate). */
export const WEBHOOK_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const;
/** Total attempts including the first. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;
/** Per-attempt timeout: a receiver must answer quickly and process later. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** Jitter applied to each delay, as a fraction (±). */
export const WEBHOOK_JITTER = 0.1;

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterS?: number | undefined }
  | { kind: 'network_error'; message: string }
  | { kind: 'timeout' };

export type NextStep =
  | { step: 'delivered' }
  | { step: 'retry'; delayMs: number; reason: string }
  | { step: 'dead_letter'; reason: string }
  | { step: 'disable_endpoint'; reason: string };

/**
 * Decides the next step after attempt number `attempt` (1-based). `random` (0..1) drives the
 * jitter so tests can pin it.
 *
 * @example
 * nextDeliveryStep(1, { kind: 'response', status: 503 }, () => 0.5); // { step: 'retry', delayMs: 5000, … }
 * nextDeliveryStep(2, { kind: 'response', status: 410 });            // { step: 'disable_endpoint', … }
 */
export function nextDeliveryStep(
  attempt: number,
  result: AttemptResult,
  random: () => number = Math.random,
): NextStep {
  if (result.kind === 'response') {
    if (result.status >= 200 && result.status < 300) return { step: 'delivered' };
    if (result.status === 410)
      return { step: 'disable_endpoint', reason: 'receiver answered 410 Gone' };
  }
  const reason =
    result.kind === 'response'
      ? `HTTP ${result.status}`
      : result.kind === 'timeout'
        ? 'timed out'
        : result.message;
  if (attempt >= WEBHOOK_MAX_ATTEMPTS)
    return { step: 'dead_letter', reason: `${reason} after ${attempt} attempts` };
  const base: number =
    WEBHOOK_RETRY_DELAYS_MS[Math.min(attempt, WEBHOOK_RETRY_DELAYS_MS.length) - 1] ?? 0;
  const jittered = Math.round(base * (1 + WEBHOOK_JITTER * (2 * random() - 1)));
  const retryAfterMs =
    result.kind === 'response' && result.retryAfterS !== undefined ? result.retryAfterS * 1000 : 0;
  return { step: 'retry', delayMs: Math.max(jittered, retryAfterMs), reason };
}
