/**
 * Wraps any {@link Transport} in seeded {@link LossyChannel}s, one per direction, so a real
 * socket or pseudo-terminal carries a radio-like link: use on the simulator's side, the
 * service's side, or both.
 */
import type { Clock } from '../link/types';
import { systemClock } from '../link/types';
import type { StateChange, Transport, TransportStats } from '../transport/transport';
import { LossyChannel } from './lossy-channel';
import type { LossOptions, LossStats } from './lossy-channel';

export interface LossyTransportOptions {
  /** Applied to bytes we write. */
  outbound?: LossOptions;
  /** Applied to bytes we receive. */
  inbound?: LossOptions;
  seed?: number;
  clock?: Clock;
  /** Called when the inner transport refuses a delayed write (a lost chunk, as on air). */
  onWriteError?: (error: Error) => void;
}

/** A {@link Transport} plus the loss statistics of both directions. */
export interface LossyTransport extends Transport {
  readonly loss: { outbound: LossStats; inbound: LossStats };
}

/**
 * @example
 * const t = lossyTransport(createTransport('udpout://127.0.0.1:14550'), {
 *   outbound: { dropRate: 0.2 }, inbound: { dropRate: 0.2 }, seed: 7 });
 * const link = new MavLink({ transport: t });
 */
export function lossyTransport(
  inner: Transport,
  options: LossyTransportOptions = {},
): LossyTransport {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const listeners = new Set<(chunk: Buffer) => void>();
  const out = new LossyChannel(options.outbound ?? {}, {
    clock,
    seed,
    deliver: (chunk) => {
      inner.write(chunk).catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        if (options.onWriteError) options.onWriteError(error);
        else process.emitWarning(error, { code: 'LOSSY_TRANSPORT_WRITE' });
      });
    },
  });
  const inn = new LossyChannel(options.inbound ?? {}, {
    clock,
    seed: (seed * 0x9e3779b1) >>> 0,
    deliver: (chunk) => {
      for (const l of listeners) l(chunk);
    },
  });
  inner.onData((chunk) => inn.push(chunk));
  return {
    get url() {
      return inner.url;
    },
    get state() {
      return inner.state;
    },
    get stats(): Readonly<TransportStats> {
      return inner.stats;
    },
    loss: { outbound: out.stats, inbound: inn.stats },
    open: () => inner.open(),
    write: (data: Buffer) => {
      if (inner.state !== 'open') return inner.write(data);
      out.push(data);
      return Promise.resolve();
    },
    onData: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onStateChange: (listener: (c: StateChange) => void) => inner.onStateChange(listener),
    close: async () => {
      out.close();
      inn.close();
      await inner.close();
    },
  };
}
