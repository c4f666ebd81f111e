/**
 * A resynchronising MAVLink 1/2 frame splitter and decoder.
 *
 * node-mavlink's `MavLinkPacketSplitter` skips a frame's whole claimed length when its message id
 * is unknown; behind a burst of line noise that claim is random, so it throws away the real frames
 * that follow (about 27 % of them with 1–8 noise bytes before each frame). This parser never
 * trusts a length it has not verified: on a bad header, an unknown id or a bad CRC it advances ONE
 * byte and rescans for the next magic (0xFD / 0xFE). It keeps at most one partial frame (< 280
 * bytes) between chunks, so garbage never grows memory.
 */
import type { ReceivedFrame } from '../link/types';
import { frameCrc } from './crc';
import type { MessageDefinition, MessageRegistry } from './message-registry';

/** First byte of a MAVLink 1 frame (STX). */
export const MAGIC_V1 = 0xfe;
/** First byte of a MAVLink 2 frame (STX). */
export const MAGIC_V2 = 0xfd;
/** MAVLink 2 incompatibility flag: the frame carries a 13-byte signature. */
export const IFLAG_SIGNED = 0x01;
/** Header bytes before the payload, MAVLink 1 and 2; the signature's length (link id, 6-byte timestamp, 6-byte hash). */
export const HEADER_LENGTH_V1 = 6;
export const HEADER_LENGTH_V2 = 10;
export const SIGNATURE_LENGTH = 13;
/** The longest possible frame: v2 header + 255 payload + CRC + signature. */
export const MAX_FRAME_LENGTH = HEADER_LENGTH_V2 + 255 + 2 + SIGNATURE_LENGTH;

/** Outcome of {@link probeFrame} at one offset. */
export const Probe = {
  OK: 0,
  /** Not enough bytes yet to decide. */
  INCOMPLETE: 1,
  /** Not a magic byte, or a v2 header with unknown incompatibility flags. */
  BAD_HEADER: 2,
  UNKNOWN_ID: 3,
  BAD_CRC: 4,
} as const;
/** One of the {@link Probe} values. */
export type ProbeResult = (typeof Probe)[keyof typeof Probe];

/** Filled by {@link probeFrame}: what it found at the offset (valid for OK, BAD_CRC, UNKNOWN_ID). */
export interface ProbeInfo {
  totalLength: number;
  messageId: number;
  definition: MessageDefinition | undefined;
}

/**
 * Checks whether a complete, known, CRC-valid frame starts at `buf[offset]` (looking no further
 * than `end`). Pure and allocation-free; the stream parser and the tlog reader share it.
 *
 * @example
 * const info = { totalLength: 0, messageId: 0, definition: undefined };
 * if (probeFrame(buf, 0, buf.length, registry, info) === Probe.OK) decodeFrame(buf, 0, info, 0);
 */
export function probeFrame(
  buf: Buffer,
  offset: number,
  end: number,
  registry: MessageRegistry,
  info: ProbeInfo,
): ProbeResult {
  const magic = buf[offset];
  let headerLength: number;
  let payloadLength: number;
  let messageId: number;
  let total: number;
  if (magic === MAGIC_V2) {
    if (end - offset < HEADER_LENGTH_V2) return Probe.INCOMPLETE;
    const incompat = buf[offset + 2]!;
    if ((incompat & ~IFLAG_SIGNED) !== 0) return Probe.BAD_HEADER;
    headerLength = HEADER_LENGTH_V2;
    payloadLength = buf[offset + 1]!;
    messageId = buf[offset + 7]! | (buf[offset + 8]! << 8) | (buf[offset + 9]! << 16);
    total = HEADER_LENGTH_V2 + payloadLength + 2 + (incompat & IFLAG_SIGNED ? SIGNATURE_LENGTH : 0);
  } else if (magic === MAGIC_V1) {
    if (end - offset < HEADER_LENGTH_V1) return Probe.INCOMPLETE;
    headerLength = HEADER_LENGTH_V1;
    payloadLength = buf[offset + 1]!;
    messageId = buf[offset + 5]!;
    total = HEADER_LENGTH_V1 + payloadLength + 2;
  } else {
    return Probe.BAD_HEADER;
  }
  info.totalLength = total;
  info.messageId = messageId;
  const def = registry.byId(messageId);
  info.definition = def;
  if (!def) return Probe.UNKNOWN_ID;
  // MAVLink 1 carries no extensions and is never truncated: a length outside the definition's
  // base..full range is noise. (MAVLink 2 may truncate or, from newer definitions, run longer.)
  if (magic === MAGIC_V1 && (payloadLength < def.baseLength || payloadLength > def.payloadLength)) {
    return Probe.BAD_HEADER;
  }
  if (end - offset < total) return Probe.INCOMPLETE;
  const crcAt = offset + headerLength + payloadLength;
  const crc = frameCrc(buf, offset + 1, crcAt, def.crcExtra);
  if (crc !== (buf[crcAt]! | (buf[crcAt + 1]! << 8))) return Probe.BAD_CRC;
  return Probe.OK;
}

/**
 * Builds a {@link ReceivedFrame} for a frame {@link probeFrame} accepted. `raw` is a view into
 * `buf` (no copy: transports hand over a fresh buffer per chunk and nothing here writes to it);
 * copy it before mutating. Truncated MAVLink 2 payloads are zero-extended before decoding.
 */
export function decodeFrame(
  buf: Buffer,
  offset: number,
  info: ProbeInfo,
  receivedAtMs: number,
  scratch: Buffer = Buffer.alloc(256),
): ReceivedFrame {
  const def = info.definition!;
  const v2 = buf[offset] === MAGIC_V2;
  const headerLength = v2 ? HEADER_LENGTH_V2 : HEADER_LENGTH_V1;
  const payloadLength = buf[offset + 1]!;
  const payloadStart = offset + headerLength;
  let message;
  if (payloadLength >= def.payloadLength) {
    message = def.decode(buf, payloadStart);
  } else {
    // Plain loops: for payloads this small they beat Buffer#copy/#fill's native-call overhead.
    for (let i = 0; i < payloadLength; i++) scratch[i] = buf[payloadStart + i]!;
    for (let i = payloadLength; i < def.payloadLength; i++) scratch[i] = 0;
    message = def.decode(scratch, 0);
  }
  const raw = buf.subarray(offset, offset + info.totalLength);
  return {
    systemId: v2 ? buf[offset + 5]! : buf[offset + 3]!,
    componentId: v2 ? buf[offset + 6]! : buf[offset + 4]!,
    messageId: def.id,
    seq: v2 ? buf[offset + 4]! : buf[offset + 2]!,
    name: def.name,
    message,
    protocol: v2 ? 2 : 1,
    signed: v2 && (buf[offset + 2]! & IFLAG_SIGNED) !== 0,
    raw,
    receivedAtMs,
  };
}

/** Counters of one parser since it was created. */
export interface ParserStats {
  bytesIn: number;
  framesOk: number;
  /** Candidates with a known id whose CRC did not match (corruption, or noise that looked like a header). */
  badCrc: number;
  /** Candidates whose message id is not in the registry. */
  unknownId: number;
  /** Bytes that were not part of any accepted frame. */
  bytesSkipped: number;
  signedFrames: number;
}

/** What a {@link FrameParser} decodes with and where frames go. */
export interface FrameParserOptions {
  registry: MessageRegistry;
  /** Called synchronously for every accepted frame; should not throw (see `push`). */
  onFrame: (frame: ReceivedFrame) => void;
}

/**
 * Splits a byte stream into decoded frames.
 *
 * @example
 * const parser = new FrameParser({ registry: createMessageRegistry(), onFrame: (f) => console.log(f.name) });
 * socket.on('message', (chunk) => parser.push(chunk, Date.now()));
 */
export class FrameParser {
  readonly #registry: MessageRegistry;
  readonly #onFrame: (frame: ReceivedFrame) => void;
  /** Unconsumed tail of the previous chunk: at most MAX_FRAME_LENGTH - 1 bytes. */
  #pending: Buffer = Buffer.alloc(0);
  readonly #info: ProbeInfo = { totalLength: 0, messageId: 0, definition: undefined };
  readonly #lookInfo: ProbeInfo = { totalLength: 0, messageId: 0, definition: undefined };
  readonly #scratch = Buffer.alloc(256);
  readonly #stats: ParserStats = {
    bytesIn: 0,
    framesOk: 0,
    badCrc: 0,
    unknownId: 0,
    bytesSkipped: 0,
    signedFrames: 0,
  };

  constructor(options: FrameParserOptions) {
    this.#registry = options.registry;
    this.#onFrame = options.onFrame;
  }

  /** A snapshot of the counters. */
  get stats(): ParserStats {
    return { ...this.#stats };
  }

  /** Bytes held back waiting for the rest of a frame (always < {@link MAX_FRAME_LENGTH}). */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /**
   * Feeds bytes; emits every complete frame they finish. `receivedAtMs` is stamped on each. If
   * `onFrame` throws, the error propagates and the rest of this chunk is dropped.
   */
  push(chunk: Buffer, receivedAtMs = 0): void {
    const stats = this.#stats;
    stats.bytesIn += chunk.length;
    const buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    // Cleared up front so that an `onFrame` that throws leaves a consistent parser (the rest of
    // this chunk is lost, nothing is delivered twice).
    this.#pending = EMPTY;
    const end = buf.length;
    const registry = this.#registry;
    const info = this.#info;
    let i = 0;
    while (i < end) {
      let j = i;
      while (j < end) {
        const b = buf[j];
        if (b === MAGIC_V2 || b === MAGIC_V1) break;
        j++;
      }
      stats.bytesSkipped += j - i;
      i = j;
      if (i >= end) break;
      const result = probeFrame(buf, i, end, registry, info);
      if (result === Probe.OK) {
        const frame = decodeFrame(buf, i, info, receivedAtMs, this.#scratch);
        stats.framesOk++;
        if (frame.signed) stats.signedFrames++;
        i += info.totalLength;
        this.#onFrame(frame);
        continue;
      }
      if (result === Probe.INCOMPLETE) {
        const next = this.#completeFrameAfter(buf, i, end);
        if (next < 0) {
          // Keep the partial frame (bounded: an incomplete candidate is < MAX_FRAME_LENGTH bytes).
          this.#pending = Buffer.from(buf.subarray(i, end));
          return;
        }
        // A complete valid frame starts inside the claimed extent: the head was noise. Jumping
        // now (instead of waiting for the claimed length) keeps quiet links responsive.
        stats.bytesSkipped += next - i;
        i = next;
        continue;
      }
      if (result === Probe.BAD_CRC) stats.badCrc++;
      else if (result === Probe.UNKNOWN_ID) stats.unknownId++;
      stats.bytesSkipped++;
      i++;
    }
    this.#pending = EMPTY;
  }

  /** Drops any partial frame (e.g. after a reconnect), counting it as skipped. */
  reset(): void {
    this.#stats.bytesSkipped += this.#pending.length;
    this.#pending = EMPTY;
  }

  #completeFrameAfter(buf: Buffer, from: number, end: number): number {
    for (let k = from + 1; k < end; k++) {
      const b = buf[k];
      if (b !== MAGIC_V2 && b !== MAGIC_V1) continue;
      if (probeFrame(buf, k, end, this.#registry, this.#lookInfo) === Probe.OK) return k;
    }
    return -1;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Decodes every frame in a buffer at once (tests, tools).
 *
 * @example
 * const { frames, stats } = parseFrames(bytes, createMessageRegistry());
 */
export function parseFrames(
  bytes: Buffer,
  registry: MessageRegistry,
  receivedAtMs = 0,
): { frames: ReceivedFrame[]; stats: ParserStats } {
  const frames: ReceivedFrame[] = [];
  const parser = new FrameParser({ registry, onFrame: (f) => frames.push(f) });
  parser.push(bytes, receivedAtMs);
  return { frames, stats: parser.stats };
}
