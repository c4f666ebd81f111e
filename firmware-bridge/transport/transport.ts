/**
 * One interface over serial lines, UDP and TCP, so a link never knows which it runs on.
 */
import type { Clock, TimerHandle } from '../link/types';
import { backoffDelayMs, type BackoffOptions } from './backoff';

/** `idle` → `connecting` → `open` ⇄ `reconnecting`; `closed` is final. */
export type TransportState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Error codes a transport rejects with (on `TransportError.code`). */
export type TransportErrorCode =
  | 'TRANSPORT_URL_INVALID'
  | 'TRANSPORT_NOT_OPEN'
  | 'TRANSPORT_OPEN_TIMEOUT'
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_WRITE_FAILED'
  | 'TRANSPORT_NO_PEER';

/**
 * What transports reject with; `code` is stable for callers to map.
 *
 * @example
 * await t.write(frame).catch((e) => e instanceof TransportError && e.code === 'TRANSPORT_NOT_OPEN');
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Counters since the transport was created (all reconnections included). */
export interface TransportStats {
  bytesIn: number;
  bytesOut: number;
  chunksIn: number;
  writes: number;
  writeErrors: number;
  /** Writes dropped because a `udpin://` transport has no peer (none heard yet, or all forgotten). */
  writesWithoutPeer: number;
  /**
   * `udpin://` addresses forgotten: systems silent for longer than `peerTimeoutMs`, or the least
   * recently heard one beyond `maxPeers`.
   */
  peersForgotten: number;
  /** Successful (re)connections, the first included. */
  connects: number;
  disconnects: number;
}

/** Passed to `onStateChange` listeners. */
export interface StateChange {
  state: TransportState;
  /** Why the transport left `open`, when it did so on an error. */
  error?: Error;
}

/** Per-write hints; transports that have one peer ignore them. */
export interface WriteOptions {
  /**
   * The MAVLink system the frame is addressed to (its `target_system`; absent or 0 = broadcast).
   * A `udpin://` transport sends it to the address that system was last heard from.
   */
  toSystemId?: number;
}

/** A byte pipe to one peer or device: what `MavLink` runs on. */
export interface Transport {
  /** The URL it was created from (keys and secrets never appear in transport URLs). */
  readonly url: string;
  readonly state: TransportState;
  readonly stats: Readonly<TransportStats>;
  /**
   * Connects (or binds). Resolves once open; keeps retrying with backoff until then; rejects on
   * `close()` or after `openTimeoutMs`.
   */
  open(): Promise<void>;
  /** Resolves when the bytes were handed to the OS; rejects with a {@link TransportError}. */
  write(data: Buffer, options?: WriteOptions): Promise<void>;
  /** Returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  onStateChange(listener: (change: StateChange) => void): () => void;
  close(): Promise<void>;
}

/** Options common to every transport. */
export interface TransportOptions {
  clock?: Clock;
  /** Reconnect backoff (serial and TCP). */
  backoff?: BackoffOptions;
  /** Give up a first `open()` after this long (default: never). */
  openTimeoutMs?: number;
  /** Reconnect after the device or peer goes away (default true). */
  reconnect?: boolean;
  /**
   * `udpin://`: forget the address of a system (and the last sender) not heard for longer than
   * this, on `clock` (default `UDP_PEER_TIMEOUT_MS`, 4 × the vehicle-lost timeout: 14 s).
   */
  peerTimeoutMs?: number;
  /**
   * `udpin://`: remember at most this many systems' addresses; hearing one more forgets the one
   * heard least recently (default `UDP_MAX_PEERS`, 256: every system id).
   */
  maxPeers?: number;
}

/**
 * Shared state machine of the connection-oriented transports: connect, and on loss reconnect with
 * backoff on the injected clock. Subclasses implement `connectOnce` / `disconnect` / `writeRaw`.
 */
export abstract class ConnectingTransport implements Transport {
  readonly url: string;
  readonly stats: TransportStats = {
    bytesIn: 0,
    bytesOut: 0,
    chunksIn: 0,
    writes: 0,
    writeErrors: 0,
    writesWithoutPeer: 0,
    peersForgotten: 0,
    connects: 0,
    disconnects: 0,
  };
  protected readonly clock: Clock;
  #state: TransportState = 'idle';
  readonly #dataListeners = new Set<(chunk: Buffer) => void>();
  readonly #stateListeners = new Set<(change: StateChange) => void>();
  readonly #backoff: BackoffOptions;
  readonly #openTimeoutMs: number;
  readonly #reconnect: boolean;
  #attempt = 0;
  #retryTimer: TimerHandle | undefined;
  #openTimer: TimerHandle | undefined;
  #openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  protected constructor(url: string, clock: Clock, options: TransportOptions) {
    this.url = url;
    this.clock = clock;
    this.#backoff = options.backoff ?? {};
    this.#openTimeoutMs = options.openTimeoutMs ?? Number.POSITIVE_INFINITY;
    this.#reconnect = options.reconnect ?? true;
  }

  get state(): TransportState {
    return this.#state;
  }

  /** One connection attempt; resolves when open. */
  protected abstract connectOnce(): Promise<void>;
  /** Tears the current connection down (idempotent). */
  protected abstract disconnect(): Promise<void>;
  /** Resolves with the number of bytes actually sent (0 when dropped). */
  protected abstract writeRaw(data: Buffer, options?: WriteOptions): Promise<number>;

  open(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state === 'closed') {
      return Promise.reject(new TransportError('TRANSPORT_CLOSED', `${this.url} is closed`));
    }
    const waiter = new Promise<void>((resolve, reject) =>
      this.#openWaiters.push({ resolve, reject }),
    );
    if (this.#state === 'idle') {
      if (Number.isFinite(this.#openTimeoutMs)) {
        this.#openTimer = this.clock.setTimeout(() => {
          this.#openTimer = undefined;
          if (this.#state === 'open') return;
          const err = new TransportError(
            'TRANSPORT_OPEN_TIMEOUT',
            `${this.url} did not open within ${this.#openTimeoutMs} ms`,
          );
          void this.#shutdown(err);
        }, this.#openTimeoutMs);
      }
      this.#setState({ state: 'connecting' });
      void this.#attemptConnect();
    }
    return waiter;
  }

  async write(data: Buffer, options?: WriteOptions): Promise<void> {
    if (this.#state !== 'open') {
      this.stats.writeErrors++;
      throw new TransportError('TRANSPORT_NOT_OPEN', `${this.url} is ${this.#state}`);
    }
    this.stats.writes++;
    try {
      this.stats.bytesOut += await this.writeRaw(data, options);
    } catch (err) {
      this.stats.writeErrors++;
      if (err instanceof TransportError) throw err;
      throw new TransportError('TRANSPORT_WRITE_FAILED', `write to ${this.url} failed`, {
        cause: err,
      });
    }
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.#dataListeners.add(listener);
    return () => this.#dataListeners.delete(listener);
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.#shutdown(new TransportError('TRANSPORT_CLOSED', `${this.url} was closed`));
  }

  /** Subclasses call this for every received chunk. */
  protected emitData(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    this.stats.chunksIn++;
    for (const l of this.#dataListeners) l(chunk);
  }

  /** Subclasses call this when the device or peer went away on its own. */
  protected connectionLost(error: Error): void {
    if (this.#state !== 'open') return;
    this.stats.disconnects++;
    if (!this.#reconnect) {
      void this.#shutdown(error);
      return;
    }
    this.#setState({ state: 'reconnecting', error });
    void this.disconnect().then(
      () => this.#scheduleRetry(),
      (cause: unknown) => {
        this.#setState({
          state: 'reconnecting',
          error: new Error(`cleanup of ${this.url} failed`, { cause }),
        });
        this.#scheduleRetry();
      },
    );
  }

  async #attemptConnect(): Promise<void> {
    try {
      await this.connectOnce();
    } catch (err) {
      if (this.#state === 'closed') return;
      const error = err instanceof Error ? err : new Error(String(err));
      await this.disconnect().catch((cause: unknown) => {
        error.message += ` (cleanup also failed: ${String(cause)})`;
      });
      this.#setState({
        state: this.#state === 'connecting' ? 'connecting' : 'reconnecting',
        error,
      });
      this.#scheduleRetry();
      return;
    }
    if (this.#state === 'closed') {
      await this.disconnect();
      return;
    }
    this.#attempt = 0;
    this.stats.connects++;
    if (this.#openTimer !== undefined) this.clock.clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
    this.#setState({ state: 'open' });
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const w of waiters) w.resolve();
  }

  #scheduleRetry(): void {
    if (this.#state === 'closed') return;
    const delayMs = backoffDelayMs(this.#attempt++, this.#backoff);
    this.#retryTimer = this.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#attemptConnect();
    }, delayMs);
  }

  async #shutdown(reason: Error): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#setState({ state: 'closed', ...(wasOpen ? {} : { error: reason }) });
    if (this.#retryTimer !== undefined) this.clock.clearTimeout(this.#retryTimer);
    if (this.#openTimer !== undefined) this.clock.clearTimeout(this.#openTimer);
    this.#retryTimer = undefined;
    this.#openTimer = undefined;
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const w of waiters) w.reject(reason);
    await this.disconnect();
  }

  #setState(change: StateChange): void {
    this.#state = change.state;
    for (const l of this.#stateListeners) l(change);
  }
}
