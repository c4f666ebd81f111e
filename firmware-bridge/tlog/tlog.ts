/**
 * Telemetry logs (`.tlog`), the format QGroundControl and Mission Planner write and open: each
 * record is an 8-byte big-endian timestamp (microseconds since the Unix epoch) followed by one raw
 * MAVLink frame, exactly as it was on the wire (signature included; the signing key never is).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeFrame, Probe, probeFrame, type ProbeInfo } from '../codec/frame-parser';
import type { MessageRegistry } from '../codec/message-registry';
import type { FrameRecorder } from '../link/mav-link';
import { systemClock, type Clock, type ReceivedFrame } from '../link/types';
import type { FrameSource } from '../telemetry/telemetry';

/** Bytes of the big-endian microsecond timestamp before each frame. */
export const TLOG_TIMESTAMP_LENGTH = 8;

/**
 * Encodes one tlog record.
 *
 * @example
 * fs.appendFileSync('x.tlog', tlogRecord(frame, BigInt(Date.now()) * 1000n));
 */
export function tlogRecord(raw: Buffer, timestampUs: bigint): Buffer {
  const out = Buffer.allocUnsafe(TLOG_TIMESTAMP_LENGTH + raw.length);
  out.writeBigUInt64BE(timestampUs, 0);
  raw.copy(out, TLOG_TIMESTAMP_LENGTH);
  return out;
}

/**
 * Appends frames to a tlog file. Usable as a link's `recorder`.
 *
 * @example
 * const tlog = new TlogWriter('flights/2026-11-23-drone1.tlog');
 * const link = new MavLink({ transport: url, recorder: tlog });
 * // …
 * await tlog.close();
 */
export class TlogWriter implements FrameRecorder {
  readonly path: string;
  #stream: WriteStream;
  #records = 0;
  #droppedAfterClose = 0;
  #closing = false;
  #error: Error | undefined;

  constructor(path: string, options: { append?: boolean } = {}) {
    this.path = path;
    this.#stream = createWriteStream(path, { flags: options.append === false ? 'w' : 'a' });
    this.#stream.on('error', (err) => {
      this.#error = err;
    });
  }

  get records(): number {
    return this.#records;
  }

  /** Frames offered after `close()` began (a link still sending while it shuts down): not written. */
  get droppedAfterClose(): number {
    return this.#droppedAfterClose;
  }

  /** Appends one frame stamped `atMs` (ms since the epoch, fractional allowed). */
  record(raw: Buffer, atMs: number): void {
    if (this.#error) throw new Error(`tlog ${this.path} failed earlier`, { cause: this.#error });
    // Shutdown order is not ours to choose (a heartbeat timer may fire after the file closed):
    // writing to an ended stream would fail the file, so late frames are counted and dropped.
    if (this.#closing) {
      this.#droppedAfterClose++;
      return;
    }
    this.#stream.write(tlogRecord(raw, BigInt(Math.round(atMs * 1000))));
    this.#records++;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#stream.closed) return;
    this.#stream.end();
    await once(this.#stream, 'close');
    if (this.#error) throw new Error(`tlog ${this.path} failed`, { cause: this.#error });
  }
}

/** One decoded record. */
export interface TlogRecord {
  timestampUs: bigint;
  frame: ReceivedFrame;
}

/** Counts over a tlog (what `npm run tlog -- stats` prints). */
export interface TlogStats {
  /** Frames decoded. */
  total: number;
  /** Frames per message name as the spec writes it (`GLOBAL_POSITION_INT`). */
  byName: Record<string, number>;
  /** Records whose frame failed its CRC (corrupted on the wire or on disk). */
  droppedBadCrc: number;
  /** Records whose message id no registered dialect knows. */
  droppedUnknownId: number;
  /** Frames carrying a MAVLink 2 signature. */
  signed: number;
  /** Bytes outside any record (garbage, a truncated tail). */
  bytesSkipped: number;
  firstTimestampUs: bigint | null;
  lastTimestampUs: bigint | null;
}

/** Zeroed counters, to pass to {@link readTlog}. */
export function emptyTlogStats(): TlogStats {
  return {
    total: 0,
    byName: {},
    droppedBadCrc: 0,
    droppedUnknownId: 0,
    signed: 0,
    bytesSkipped: 0,
    firstTimestampUs: null,
    lastTimestampUs: null,
  };
}

/**
 * Walks a tlog record by record. A record with a bad CRC or an unknown id is skipped by its claimed
 * length when the next record lines up behind it (the structure is intact), otherwise the reader
 * resynchronises by scanning for the next position where a timestamp is followed by a valid frame.
 *
 * @example
 * const stats = emptyTlogStats();
 * for (const { timestampUs, frame } of readTlog(bytes, registry, stats)) console.log(timestampUs, frame.name);
 */
export function* readTlog(
  bytes: Buffer,
  registry: MessageRegistry,
  stats: TlogStats = emptyTlogStats(),
): Generator<TlogRecord> {
  const info: ProbeInfo = { totalLength: 0, messageId: 0, definition: undefined };
  const look: ProbeInfo = { totalLength: 0, messageId: 0, definition: undefined };
  const len = bytes.length;
  const validAt = (pos: number): boolean =>
    pos + TLOG_TIMESTAMP_LENGTH < len &&
    probeFrame(bytes, pos + TLOG_TIMESTAMP_LENGTH, len, registry, look) === Probe.OK;
  let pos = 0;
  while (pos + TLOG_TIMESTAMP_LENGTH < len) {
    const at = pos + TLOG_TIMESTAMP_LENGTH;
    const result = probeFrame(bytes, at, len, registry, info);
    if (result === Probe.OK) {
      const timestampUs = bytes.readBigUInt64BE(pos);
      const frame = decodeFrame(bytes, at, info, Number(timestampUs / 1000n));
      stats.total++;
      stats.byName[frame.name] = (stats.byName[frame.name] ?? 0) + 1;
      if (frame.signed) stats.signed++;
      stats.firstTimestampUs ??= timestampUs;
      stats.lastTimestampUs = timestampUs;
      pos = at + info.totalLength;
      yield { timestampUs, frame };
      continue;
    }
    if (result === Probe.INCOMPLETE) break;
    if (result === Probe.BAD_CRC || result === Probe.UNKNOWN_ID) {
      const next = at + info.totalLength;
      if (next === len || (next < len && validAt(next))) {
        if (result === Probe.BAD_CRC) stats.droppedBadCrc++;
        else stats.droppedUnknownId++;
        pos = next;
        continue;
      }
    }
    // Lost the record structure: find the next timestamp + valid frame.
    let k = pos + 1;
    while (k + TLOG_TIMESTAMP_LENGTH < len && !validAt(k)) k++;
    stats.bytesSkipped += Math.min(k, len) - pos;
    pos = k;
  }
  if (pos < len) stats.bytesSkipped += len - pos;
}

/**
 * Decodes a whole tlog file and counts it (what `npm run tlog -- stats FILE` prints).
 *
 * @example
 * const stats = await tlogStats('flight.tlog', createMessageRegistry());
 */
export async function tlogStats(path: string, registry: MessageRegistry): Promise<TlogStats> {
  const bytes = await readFile(path);
  const stats = emptyTlogStats();
  for (const _record of readTlog(bytes, registry, stats)) {
    // counting happens inside readTlog
  }
  return stats;
}

/** Replay pacing. */
export interface ReplayOptions {
  /** 0 (default) replays as fast as possible; 1 at recorded pace; 2 twice as fast… */
  speed?: number;
  clock?: Clock;
}

/**
 * Plays a recorded tlog back through the bridge: every frame goes to subscribers exactly as a live
 * link would deliver it (so `Telemetry`, protocols in listen mode, or `link.sendRaw` for re-emission
 * can consume it). `receivedAtMs` is the recorded time.
 *
 * @example
 * const replay = new TlogReplay(await readFile('flight.tlog'), registry);
 * const telemetry = new Telemetry(replay);
 * telemetry.on('position', (e) => track.push(e.position));
 * await replay.run();
 */
export class TlogReplay implements FrameSource {
  readonly stats: TlogStats = emptyTlogStats();
  readonly #bytes: Buffer;
  readonly #registry: MessageRegistry;
  readonly #listeners = new Set<(frame: ReceivedFrame) => void>();

  constructor(bytes: Buffer, registry: MessageRegistry) {
    this.#bytes = bytes;
    this.#registry = registry;
  }

  subscribe(listener: (frame: ReceivedFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replays every record; resolves with the counts when done. */
  async run(options: ReplayOptions = {}): Promise<TlogStats> {
    const speed = options.speed ?? 0;
    const clock = options.clock ?? systemClock;
    let startUs: bigint | undefined;
    let startMs = 0;
    for (const { timestampUs, frame } of readTlog(this.#bytes, this.#registry, this.stats)) {
      if (speed > 0) {
        if (startUs === undefined) {
          startUs = timestampUs;
          startMs = clock.now();
        }
        const dueMs = startMs + Number(timestampUs - startUs) / 1000 / speed;
        const waitMs = dueMs - clock.now();
        if (waitMs > 0) await sleep(clock, waitMs);
      }
      for (const l of this.#listeners) l(frame);
    }
    return this.stats;
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}
