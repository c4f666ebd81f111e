/**
 * The contract every part of the bridge codes against: a frame as received, an endpoint that
 * sends and subscribes, and an injected clock so protocol state machines never read real time.
 */
import type { MavLinkData } from 'node-mavlink';

export interface ReceivedFrame {
  systemId: number;
  componentId: number;
  messageId: number;
  seq: number;
  /** The MAVLink message name as the spec writes it, e.g. `GLOBAL_POSITION_INT`. */
  name: string;
  /** The decoded message: a node-mavlink / mavlink-mappings class instance. */
  message: MavLinkData;
  protocol: 1 | 2;
  signed: boolean;
  /** The whole frame as it arrived (header, payload, checksum, signature). */
  raw: Buffer;
  /** Receive time in ms on the link's clock. */
  receivedAtMs: number;
}

/** One MAVLink identity on one link: what protocols and the simulator talk through. */
export interface MavEndpoint {
  readonly systemId: number;
  readonly componentId: number;
  send(message: MavLinkData): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (frame: ReceivedFrame) => void): () => void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

/** Injected time. `systemClock` for production; tests pass a fake. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
