import { distance } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../../missions/index';
import { seededRandom as mulberry32 } from '../../../missions/index';

const metres = (a: readonly number[], b: readonly number[]): number =>
  distance([a[0]!, a[1]!], [b[0]!, b[1]!], { units: 'meters' });

// Positions across mainland China (GCJ-02 only shifts positions inside China's bounding box).
const random = mulberry32(20260501);
const sample = Array.from({ length: 2000 }, () => [
  98 + random() * 24, // 98–122° E
  22 + random() * 20, // 22–42° N
]) as [number, number][];

describe('GCJ-02 ↔ WGS-84', () => {
  it('shifts positions in China by the datum offset (between 50 and 800 m)', () => {
    for (const p of sample) {
      const shiftM = metres(p, wgs84ToGcj02(p));
      expect(shiftM).toBeGreaterThan(50);
      expect(shiftM).toBeLessThan(800);
    }
  });

  it('round-trips WGS-84 → GCJ-02 → WGS-84 within 0.5 m (2,000 positions)', () => {
    let worstM = 0;
    for (const p of sample) worstM = Math.max(worstM, metres(p, gcj02ToWgs84(wgs84ToGcj02(p))));
    expect(worstM).toBeLessThan(0.5);
  });

  it('round-trips GCJ-02 → WGS-84 → GCJ-02 within 0.5 m (the iterative inverse converges)', () => {
    let worstM = 0;
    for (const p of sample) worstM = Math.max(worstM, metres(p, wgs84ToGcj02(gcj02ToWgs84(p))));
    expect(worstM).toBeLessThan(0.5);
  });

  it('keeps an altitude and leaves positions outside China unchanged', () => {
    const converted = gcj02ToWgs84([119.9, 30.4, 35]);
    expect(converted).toHaveLength(3);
    expect(converted[2]).toBe(35);
    expect(gcj02ToWgs84([-134.4, 57.9])).toEqual([-134.4, 57.9]);
    expect(wgs84ToGcj02([2.35, 48.85])).toEqual([2.35, 48.85]);
  });
});
