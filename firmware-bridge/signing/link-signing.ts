/**
 * MAVLink 2 message signing for one link (https://mavlink.io/en/guide/message_signing.html).
 *
 * - Outgoing: every frame carries (link id, 48-bit timestamp in 10 µs since 2015-01-01, the first
 *   6 bytes of SHA-256(key ‖ header ‖ payload ‖ CRC ‖ link id ‖ timestamp)). Timestamps strictly
 *   increase across the whole link (so per stream too) and survive restarts: the signer persists a
 *   high-water mark one minute ahead of what it has used and never starts below it.
 * - Incoming: the signature is compared in constant time (`crypto.timingSafeEqual`); then, per
 *   stream (system, component, link id), a timestamp not above the last accepted one is a replay,
 *   and one more than 60 s behind our clock is stale. Only a valid frame advances the state, so
 *   forgeries cannot poison it.
 * - Unsigned frames are rejected, except what `acceptUnsigned` allows: by default RADIO_STATUS
 *   (id 109), because SiK telemetry radios inject it unsigned into the stream and it carries no
 *   command, only link quality.
 * - The key lives only in this object's private field; it is never logged, serialised (toJSON and
 *   inspect show a redacted form) or written to tlogs (tlogs carry frames, which hold signatures,
 *   never the key).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { SIGNATURE_LENGTH } from '../codec/frame-parser';
import type { FrameSigner } from '../codec/frame-encoder';
import { systemClock, type Clock, type ReceivedFrame } from '../link/types';

/** 2015-01-01T00:00:00Z, the signing epoch. */
export const SIGNING_EPOCH_MS = Date.UTC(2015, 0, 1);
/** Signing timestamps count 10 µs units: 100 per millisecond. */
export const SIGNING_UNITS_PER_MS = 100n;
/** Streams more than this far behind our clock are rejected (spec: one minute). */
export const SIGNING_MAX_LAG_MS = 60_000;
/** How far ahead of use the persisted high-water mark runs (so we save about once a minute). */
export const SIGNING_RESERVE_MS = 60_000;
/** RADIO_STATUS, the one message accepted unsigned by default (SiK radios inject it). */
export const RADIO_STATUS_ID = 109;

/** Where the outgoing timestamp high-water mark survives restarts. */
export interface TimestampStore {
  /** The last saved value, or undefined on first use. */
  load(): bigint | undefined;
  save(timestamp: bigint): void;
}

/** Outcome of {@link LinkSigning.verify}; only `ok` and `unsigned-accepted` are delivered. */
export type SignatureCheck =
  'ok' | 'unsigned-accepted' | 'unsigned' | 'bad-signature' | 'replay' | 'stale';

/** Signing counters of one link. */
export interface SigningStats {
  signedOut: number;
  accepted: number;
  unsignedAccepted: number;
  rejectedUnsigned: number;
  rejectedBadSignature: number;
  rejectedReplay: number;
  rejectedStale: number;
}

/** Key, link id and timestamp persistence for one signed link. */
export interface LinkSigningOptions {
  /** The 32-byte secret key. */
  key: Buffer;
  /** This link's id in outgoing signatures (0..255). */
  linkId: number;
  store: TimestampStore;
  clock?: Clock;
  /** Which unsigned frames to let through anyway (default: RADIO_STATUS only). */
  acceptUnsigned?: (frame: ReceivedFrame) => boolean;
  /** Streams remembered for replay protection; the least recently used is forgotten (default 256). */
  maxStreams?: number;
}

/**
 * Derives a 32-byte key from a passphrase the way Mission Planner and QGroundControl do
 * (SHA-256 of the UTF-8 text).
 *
 * @example
 * const key = signingKeyFromPassphrase('correct horse battery staple');
 */
export function signingKeyFromPassphrase(passphrase: string): Buffer {
  return createHash('sha256').update(passphrase, 'utf8').digest();
}

/**
 * @example
 * const signing = new LinkSigning({ key, linkId: 1, store: new FileTimestampStore('data/signing-ts') });
 * const link = new MavLink({ transport: 'udpin://0.0.0.0:14550', signing });
 */
export class LinkSigning implements FrameSigner {
  readonly linkId: number;
  readonly stats: SigningStats = {
    signedOut: 0,
    accepted: 0,
    unsignedAccepted: 0,
    rejectedUnsigned: 0,
    rejectedBadSignature: 0,
    rejectedReplay: 0,
    rejectedStale: 0,
  };
  readonly #key: Buffer;
  readonly #store: TimestampStore;
  readonly #clock: Clock;
  readonly #acceptUnsigned: (frame: ReceivedFrame) => boolean;
  readonly #maxStreams: number;
  #lastOut: bigint;
  #reservedUntil: bigint;
  /** Stream key → last accepted timestamp; Map order doubles as LRU order. */
  readonly #streams = new Map<number, bigint>();

  constructor(options: LinkSigningOptions) {
    if (!Buffer.isBuffer(options.key) || options.key.length !== 32) {
      throw new RangeError(
        `signing key must be a 32-byte Buffer, got ${Buffer.isBuffer(options.key) ? options.key.length : typeof options.key} bytes`,
      );
    }
    if (!Number.isInteger(options.linkId) || options.linkId < 0 || options.linkId > 255) {
      throw new RangeError(`signing linkId ${options.linkId} is not an integer in 0..255`);
    }
    this.#key = Buffer.from(options.key);
    this.linkId = options.linkId;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#acceptUnsigned = options.acceptUnsigned ?? ((f) => f.messageId === RADIO_STATUS_ID);
    this.#maxStreams = options.maxStreams ?? 256;
    const saved = this.#store.load() ?? 0n;
    this.#lastOut = saved;
    this.#reservedUntil = saved;
  }

  /** Our clock as a signing timestamp (10 µs units since 2015). */
  nowTimestamp(): bigint {
    return (
      BigInt(Math.max(0, Math.floor(this.#clock.now() - SIGNING_EPOCH_MS))) * SIGNING_UNITS_PER_MS
    );
  }

  /** The next outgoing timestamp: now, or one more than the last used, whichever is larger. */
  nextTimestamp(): bigint {
    const now = this.nowTimestamp();
    const ts = now > this.#lastOut ? now : this.#lastOut + 1n;
    this.#lastOut = ts;
    if (ts >= this.#reservedUntil) {
      this.#reservedUntil = ts + BigInt(SIGNING_RESERVE_MS) * SIGNING_UNITS_PER_MS;
      this.#store.save(this.#reservedUntil);
    }
    return ts;
  }

  /** {@link FrameSigner}: writes link id, timestamp and signature after the CRC. */
  signInto(frame: Buffer, signatureOffset: number): void {
    frame[signatureOffset] = this.linkId;
    frame.writeUIntLE(Number(this.nextTimestamp()), signatureOffset + 1, 6);
    const digest = createHash('sha256')
      .update(this.#key)
      .update(frame.subarray(0, signatureOffset + 7))
      .digest();
    digest.copy(frame, signatureOffset + 7, 0, 6);
    this.stats.signedOut++;
  }

  /** Checks one received frame; only `ok` and `unsigned-accepted` may be delivered. */
  verify(frame: ReceivedFrame): SignatureCheck {
    if (!frame.signed) {
      if (this.#acceptUnsigned(frame)) {
        this.stats.unsignedAccepted++;
        return 'unsigned-accepted';
      }
      this.stats.rejectedUnsigned++;
      return 'unsigned';
    }
    const raw = frame.raw;
    const sigAt = raw.length - SIGNATURE_LENGTH;
    const expected = createHash('sha256')
      .update(this.#key)
      .update(raw.subarray(0, sigAt + 7))
      .digest()
      .subarray(0, 6);
    if (!timingSafeEqual(expected, raw.subarray(sigAt + 7, sigAt + 13))) {
      this.stats.rejectedBadSignature++;
      return 'bad-signature';
    }
    const linkId = raw[sigAt]!;
    const ts = BigInt(raw.readUIntLE(sigAt + 1, 6));
    const key = (frame.systemId << 16) | (frame.componentId << 8) | linkId;
    const last = this.#streams.get(key);
    if (last !== undefined && ts <= last) {
      this.stats.rejectedReplay++;
      return 'replay';
    }
    const localNow = this.nowTimestamp();
    if (ts + BigInt(SIGNING_MAX_LAG_MS) * SIGNING_UNITS_PER_MS < localNow) {
      this.stats.rejectedStale++;
      return 'stale';
    }
    this.#streams.delete(key);
    this.#streams.set(key, ts);
    if (this.#streams.size > this.#maxStreams) {
      const oldest = this.#streams.keys().next().value;
      if (oldest !== undefined) this.#streams.delete(oldest);
    }
    this.stats.accepted++;
    return 'ok';
  }

  toJSON(): object {
    return { linkId: this.linkId, key: '[redacted]', stats: this.stats };
  }

  [inspect.custom](): string {
    return `LinkSigning { linkId: ${this.linkId}, key: [redacted] }`;
  }
}
