/**
 * What every GCS-side exchange in this folder shares, as MAVSDK's
 * `MavlinkMissionTransferClient::WorkItem` is shared by its upload, download and clear: it runs
 * once, listens on the endpoint while it runs, honours an AbortSignal, keeps one re-armable timer
 * on the injected clock, turns a send the link refuses into `link-down`, and finishes exactly
 * once, releasing the timer, the subscription and the abort listener. The states in between are
 * each subclass's own.
 *
 * Finishing is final even when it happens in the middle of a subclass's step: a caller's callback
 * (`onProgress`) may abort the signal, so the exchange is cancelled there and then, and the rest of
 * that step runs after `finish`. So once done, `send` sends nothing, the timer cannot be armed
 * again and `stateName` stays `done` — each step need not check after every callback.
 */
import type { MavLinkData } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import { fail } from './outcome';
import type { Outcome } from './outcome';
import { OneShotTimer } from './timing';

/** The part of an exchange's options the shared lifecycle reads. */
export interface ExchangeIo {
  endpoint: MavEndpoint;
  clock: Clock;
  signal?: AbortSignal;
}

/**
 * Base of one protocol exchange. A subclass calls {@link ProtocolExchange.start} from its `run()`,
 * moves `stateName` between its own states and ends with {@link ProtocolExchange.finish}.
 *
 * @example
 * class Ping extends ProtocolExchange<'idle' | 'awaiting-pong' | 'done', null> {
 *   run() { return this.start('ping cancelled before start', () => this.send(ping)); }
 *   protected onFrame(f: ReceivedFrame) { if (f.name === 'PONG') this.finish(succeed(null)); }
 *   protected onCancel() { this.finish(fail('cancelled', 'ping cancelled')); }
 * }
 */
export abstract class ProtocolExchange<State extends string, Report> {
  protected readonly timer: OneShotTimer;
  private current: State | 'idle' | 'done' = 'idle';
  private startedAtMs = 0;
  private unsubscribe: (() => void) | undefined;
  private resolve: ((o: Outcome<Report>) => void) | undefined;

  protected constructor(private readonly io: ExchangeIo) {
    this.timer = new OneShotTimer(io.clock);
  }

  get state(): State | 'idle' | 'done' {
    return this.current;
  }

  /** The subclass's current state; once `done`, setting another one is ignored. */
  protected get stateName(): State | 'idle' | 'done' {
    return this.current;
  }

  protected set stateName(next: State | 'idle' | 'done') {
    if (this.current !== 'done') this.current = next;
  }

  /** Clock milliseconds since `run()` was called. */
  protected get elapsedMs(): number {
    return this.io.clock.now() - this.startedAtMs;
  }

  /**
   * Starts the exchange once: subscribes to the endpoint and the signal, then calls `begin` to
   * send the first message. An already aborted signal ends it at once as `cancelled`.
   */
  protected start(cancelledBeforeStart: string, begin: () => void): Promise<Outcome<Report>> {
    if (this.stateName !== 'idle')
      throw new Error(
        `${this.constructor.name}.run called in state ${this.stateName}, expected idle`,
      );
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.startedAtMs = this.io.clock.now();
      const { signal } = this.io;
      if (signal?.aborted) return this.finish(fail('cancelled', cancelledBeforeStart));
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.unsubscribe = this.io.endpoint.subscribe((f) => this.onFrame(f));
      begin();
    });
  }

  /** Every frame received while the exchange runs (and after it is done: check `stateName`). */
  protected abstract onFrame(frame: ReceivedFrame): void;

  /** The signal was aborted while running: tell the vehicle where the protocol says so, then finish. */
  protected abstract onCancel(): void;

  private readonly onAbort = (): void => {
    if (this.stateName !== 'done') this.onCancel();
  };

  /**
   * Sends `msg`; a send the link refuses ends the exchange as `link-down`, naming `what`. Once
   * the exchange is done, sends nothing (the rest of a step a callback cancelled).
   */
  protected send(msg: MavLinkData, what: string = msg.constructor.name): void {
    if (this.current === 'done') return;
    this.io.endpoint.send(msg).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      this.finish(fail('link-down', `sending ${what} failed: ${reason}`));
    });
  }

  /** Ends the exchange with `outcome`; later calls do nothing. */
  protected finish(outcome: Outcome<Report>): void {
    if (this.current === 'done') return;
    this.current = 'done';
    this.timer.close();
    this.unsubscribe?.();
    this.io.signal?.removeEventListener('abort', this.onAbort);
    this.resolve?.(outcome);
  }
}
