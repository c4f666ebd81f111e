/** Reconnect backoff: exponential, capped, deterministic (time comes from the injected clock). */
export interface BackoffOptions {
  /** First retry delay (default 250 ms). */
  initialMs?: number;
  /** Upper bound (default 5000 ms): a returning USB adapter is picked up within this. */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
}

/**
 * Delay before retry number `attempt` (0-based).
 *
 * @example
 * backoffDelayMs(0); // 250
 * backoffDelayMs(3); // 2000
 * backoffDelayMs(10); // 5000 (capped)
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const initialMs = options.initialMs ?? 250;
  const maxMs = options.maxMs ?? 5000;
  const factor = options.factor ?? 2;
  return Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
}
