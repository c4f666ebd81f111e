/**
 * A seeded, lossy, slow channel for byte chunks (datagrams or serial writes): drop, duplicate,
 * reorder, corrupt bytes, add latency and jitter, and limit bytes per second like a radio
 * (57600 baud ≈ 5760 B/s with 8N1 framing). Deterministic for a seed and a clock.
 */
import type { Clock, TimerHandle } from '../link/types';

export interface LossOptions {
  /** Probability a chunk is lost. */
  dropRate?: number;
  /** Probability a chunk arrives twice. */
  duplicateRate?: number;
  /** Probability a chunk is held back so later ones overtake it. */
  reorderRate?: number;
  /** Probability one byte of a chunk is flipped. */
  corruptRate?: number;
  /** One-way delay added to every chunk, in ms. */
  latencyMs?: number;
  /** Uniform extra delay 0..jitterMs. */
  jitterMs?: number;
  /** Air rate; chunks queue behind each other. Undefined = unlimited. */
  bytesPerSecond?: number;
}

export interface LossStats {
  chunksIn: number;
  bytesIn: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  delivered: number;
}

/** Bytes per second of a serial radio at `baud` with 8N1 framing (10 bits per byte). */
export function radioBytesPerSecond(baud: number): number {
  return baud / 10;
}

/**
 * mulberry32: a small seeded PRNG, uniform in [0, 1).
 *
 * @example
 * const random = seededRandom(42); random(); // 0.6011…
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @example
 * const ch = new LossyChannel({ dropRate: 0.05, latencyMs: 20, bytesPerSecond: 5760 }, { clock, seed: 1, deliver: (c) => out.push(c) });
 * ch.push(frame);
 */
export class LossyChannel {
  readonly stats: LossStats = {
    chunksIn: 0,
    bytesIn: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    corrupted: 0,
    delivered: 0,
  };
  private readonly random: () => number;
  private busyUntilMs = 0;
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(
    private readonly options: LossOptions,
    private readonly env: { clock: Clock; seed: number; deliver: (chunk: Buffer) => void },
  ) {
    this.random = seededRandom(env.seed);
  }

  push(chunk: Buffer): void {
    if (this.closed) return;
    const o = this.options;
    const now = this.env.clock.now();
    this.stats.chunksIn++;
    this.stats.bytesIn += chunk.length;
    let readyMs = now;
    if (o.bytesPerSecond) {
      const start = Math.max(now, this.busyUntilMs);
      this.busyUntilMs = start + (chunk.length * 1000) / o.bytesPerSecond;
      readyMs = this.busyUntilMs;
    }
    // Draw every random number each time so one knob does not shift another's sequence.
    const rDrop = this.random();
    const rDup = this.random();
    const rReorder = this.random();
    const rCorrupt = this.random();
    const rJitter = this.random();
    const rByte = this.random();
    const rBit = this.random();
    if (rDrop < (o.dropRate ?? 0)) {
      this.stats.dropped++;
      return;
    }
    let data = chunk;
    if (rCorrupt < (o.corruptRate ?? 0) && chunk.length > 0) {
      data = Buffer.from(chunk);
      const i = Math.floor(rByte * data.length);
      data[i] = data[i]! ^ (1 + Math.floor(rBit * 255));
      this.stats.corrupted++;
    }
    let delayMs = readyMs - now + (o.latencyMs ?? 0) + rJitter * (o.jitterMs ?? 0);
    if (rReorder < (o.reorderRate ?? 0)) {
      delayMs += Math.max(5, 2 * (o.latencyMs ?? 0));
      this.stats.reordered++;
    }
    this.schedule(data, delayMs);
    if (rDup < (o.duplicateRate ?? 0)) {
      this.stats.duplicated++;
      this.schedule(data, delayMs);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.env.clock.clearTimeout(t);
    this.timers.clear();
  }

  private schedule(data: Buffer, delayMs: number): void {
    const h = this.env.clock.setTimeout(
      () => {
        this.timers.delete(h);
        if (this.closed) return;
        this.stats.delivered++;
        this.env.deliver(data);
      },
      Math.max(0, delayMs),
    );
    this.timers.add(h);
  }
}
