/**
 * A virtual clock for deterministic runs: time moves only when told to. `run(promise)` jumps
 * from timer to timer (letting promise callbacks settle in between) until the promise settles,
 * so a 30-second protocol timeout costs microseconds of real time.
 */
import type { Clock, TimerHandle } from '../link/types';

interface Entry {
  id: number;
  atMs: number;
  fn: () => void;
}

/**
 * @example
 * const clock = new ManualClock();
 * const outcome = await clock.run(upload.run());
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, Entry>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, atMs: this.nowMs + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  /** Pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Fires every timer due within the next `ms` milliseconds, in time order. */
  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (!next || next.atMs > until) break;
      this.fire(next);
    }
    this.nowMs = until;
    await settle();
  }

  /**
   * Runs timers until `promise` settles; throws when nothing is left to run or `maxMs` of
   * virtual time passes (a stuck protocol).
   */
  async run<T>(promise: Promise<T>, maxMs = 3_600_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    const deadline = this.nowMs + maxMs;
    for (;;) {
      await settle();
      if (settled) return watched;
      const next = this.earliest();
      if (!next)
        throw new Error(
          `ManualClock.run: no timers left at ${this.nowMs} ms and the promise is pending`,
        );
      if (next.atMs > deadline)
        throw new Error(`ManualClock.run: still pending after ${maxMs} ms of virtual time`);
      this.fire(next);
    }
  }

  private earliest(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.timers.values())
      if (!best || e.atMs < best.atMs || (e.atMs === best.atMs && e.id < best.id)) best = e;
    return best;
  }

  private fire(e: Entry): void {
    this.timers.delete(e.id);
    if (e.atMs > this.nowMs) this.nowMs = e.atMs;
    e.fn();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
