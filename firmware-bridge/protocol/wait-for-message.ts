/** Waiting for one matching frame on an endpoint, with an injected-clock deadline. */
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { isFrom } from './target';
import type { Target } from './target';

export interface WaitForMessageOptions<T> {
  endpoint: MavEndpoint;
  clock: Clock;
  /** Only frames from this system/component (component 0 = any). */
  from?: Target;
  /** Returns the value to resolve with, or undefined to keep waiting. */
  match: (frame: ReceivedFrame) => T | undefined;
  timeoutMs: number;
  /** What we wait for, for the timeout reason (e.g. `HOME_POSITION`). */
  what: string;
  signal?: AbortSignal;
}

/**
 * Resolves with the first matching frame's value, or `timeout` / `cancelled`.
 *
 * @example
 * const hb = await waitForMessage({ endpoint, clock, what: 'HEARTBEAT', timeoutMs: 3000,
 *   match: (f) => (f.name === 'HEARTBEAT' ? f : undefined) });
 */
export function waitForMessage<T>(options: WaitForMessageOptions<T>): Promise<Outcome<T>> {
  const { endpoint, clock, from, match, timeoutMs, what, signal } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(fail('cancelled', `waiting for ${what} cancelled`));
    let done = false;
    const finish = (o: Outcome<T>): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const onAbort = (): void => finish(fail('cancelled', `waiting for ${what} cancelled`));
    const timer = clock.setTimeout(
      () => finish(fail('timeout', `no ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const unsubscribe = endpoint.subscribe((frame) => {
      if (from && !isFrom(frame, from)) return;
      const value = match(frame);
      if (value !== undefined) finish(succeed(value));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
