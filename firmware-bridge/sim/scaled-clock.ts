/** Real time sped up by a factor, for running the simulator (and its clients) faster than life. */
import type { Clock, TimerHandle } from '../link/types';

/**
 * A clock whose milliseconds pass `factor` times faster than real ones. Give the simulator and
 * its clients the same factor, or their timeouts disagree.
 *
 * @example
 * const clock = scaledClock(10); // a 1500 ms protocol timeout fires after 150 real ms
 */
export function scaledClock(factor: number): Clock {
  if (!(factor > 0)) throw new RangeError(`time scale ${factor} must be > 0`);
  const originReal = Date.now();
  return {
    now: () => originReal + (Date.now() - originReal) * factor,
    setTimeout: (fn, ms) => setTimeout(fn, ms / factor) as TimerHandle,
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}
