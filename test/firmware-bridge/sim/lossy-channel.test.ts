import { describe, expect, it } from 'vitest';
import { LossyChannel, ManualClock, radioBytesPerSecond } from '../../../firmware-bridge/sim/index';

function run(seed: number, options: ConstructorParameters<typeof LossyChannel>[0], chunks = 2000) {
  const clock = new ManualClock();
  const out: { atMs: number; data: Buffer }[] = [];
  const ch = new LossyChannel(options, {
    clock,
    seed,
    deliver: (data) => out.push({ atMs: clock.now(), data }),
  });
  for (let i = 0; i < chunks; i++) {
    const b = Buffer.alloc(40);
    b.writeUInt32LE(i, 0);
    ch.push(b);
  }
  return { clock, out, ch };
}

describe('seeded lossy channel', () => {
  it('drops, duplicates, reorders and corrupts at the configured rates, the same way for a seed', async () => {
    const opts = {
      dropRate: 0.1,
      duplicateRate: 0.05,
      reorderRate: 0.05,
      corruptRate: 0.02,
      latencyMs: 10,
    };
    const a = run(7, opts);
    await a.clock.advance(1000);
    const b = run(7, opts);
    await b.clock.advance(1000);
    expect(a.out.map((x) => x.data.toString('hex'))).toEqual(
      b.out.map((x) => x.data.toString('hex')),
    );
    const s = a.ch.stats;
    expect(s.dropped / 2000).toBeCloseTo(0.1, 1);
    expect(s.duplicated / 2000).toBeCloseTo(0.05, 1);
    expect(s.corrupted).toBeGreaterThan(10);
    expect(s.delivered).toBe(2000 - s.dropped + s.duplicated);
    const order = a.out.map((x) => x.data.readUInt32LE(0));
    expect(order.some((v, i) => i > 0 && v < order[i - 1]!)).toBe(true);
    const c = run(8, opts);
    await c.clock.advance(1000);
    expect(c.out.length).not.toBe(a.out.length);
  });

  it('limits bytes per second like a 57600-baud radio and adds latency', async () => {
    const { clock, out } = run(
      1,
      { bytesPerSecond: radioBytesPerSecond(57600), latencyMs: 25 },
      144,
    );
    await clock.advance(2000);
    // 144 × 40 B = 5760 B = one second of air time, plus 25 ms latency.
    expect(out).toHaveLength(144);
    expect(out[0]!.atMs).toBeCloseTo(1000 * (40 / 5760) + 25, 6);
    expect(out.at(-1)!.atMs).toBeCloseTo(1025, 6);
  });
});
