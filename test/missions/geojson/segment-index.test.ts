import { kinks, polygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { validateArea, type Position } from '../../../missions/index';
import { seededRandom as mulberry32 } from '../../../missions/index';

/** A star-shaped ring (never self-intersecting) with `n` vertices around [120, 30.4]. */
function star(n: number, random: () => number, jitter = 1): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    const r = 0.01 * (1 + jitter * (random() - 0.5));
    ring.push([120 + r * Math.cos(angle), 30.4 + r * Math.sin(angle)]);
  }
  ring.push(ring[0]!);
  return ring;
}

/** A random ring of `n` vertices in a square: usually self-intersecting. */
function scribble(n: number, random: () => number): Position[] {
  const ring: Position[] = Array.from({ length: n }, () => [
    120 + random() * 0.01,
    30.4 + random() * 0.01,
  ]);
  ring.push(ring[0]!);
  return ring;
}

describe('self-intersection search (flatbush index)', () => {
  it('agrees with @turf/kinks on 300 random rings about whether a ring crosses itself', () => {
    const random = mulberry32(7);
    let crossing = 0;
    for (let k = 0; k < 300; k++) {
      const n = 4 + Math.floor(random() * 12);
      const ring = k % 2 === 0 ? star(n, random) : scribble(n, random);
      const turfSays = kinks(polygon([ring])).features.length > 0;
      const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
      const weSay = !result.ok && result.issues.some((i) => i.code === 'RING_SELF_INTERSECTION');
      expect(weSay, JSON.stringify(ring)).toBe(turfSays);
      if (weSay) crossing++;
    }
    // The sample must exercise both answers.
    expect(crossing).toBeGreaterThan(50);
    expect(crossing).toBeLessThan(250);
  });

  it('reports the same first crossing point as @turf/kinks finds among its kinks', () => {
    const random = mulberry32(11);
    for (let k = 0; k < 50; k++) {
      const ring = scribble(8, random);
      const turfPoints = kinks(polygon([ring])).features.map((f) => f.geometry.coordinates);
      const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
      if (result.ok) {
        expect(turfPoints).toEqual([]);
        continue;
      }
      const match = /at \[(-?[\d.]+), (-?[\d.]+)\]/.exec(result.issues[0]!.message);
      expect(match).not.toBeNull();
      const [lon, lat] = [Number(match![1]), Number(match![2])];
      expect(
        turfPoints.some((p) => Math.abs(p[0]! - lon) < 1e-6 && Math.abs(p[1]! - lat) < 1e-6),
      ).toBe(true);
    }
  });

  it('finds a single crossing planted in a 20,000-vertex ring, naming both segments', () => {
    const random = mulberry32(3);
    // A coastline-like ring: radius jitter of ±0.5 %.
    const ring = star(20_000, random, 0.01);
    // Swap two neighbouring vertices far apart on the ring: segments 9999 and 10001 cross.
    const a = ring[10_000]!;
    ring[10_000] = ring[10_001]!;
    ring[10_001] = a;
    const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.code)).toEqual(['RING_SELF_INTERSECTION']);
    expect(result.issues[0]?.path).toBe('/coordinates/0/9999');
    expect(result.issues[0]?.message).toMatch(/segment 9999 crosses segment 10001 at \[/);
  });

  it('gives up with GEOMETRY_TOO_COMPLEX on a hostile ring whose 20,000 segment boxes all overlap', () => {
    // An accordion of nearly parallel diagonal strokes: no two strokes cross, but every pair of
    // bounding boxes overlaps, so any box-based search meets n² candidate pairs.
    const n = 10_000;
    const e = 1e-5;
    const ring: Position[] = [];
    for (let i = 0; i < n; i++) ring.push([i * e, 0], [0.5 + i * e, 0.5]);
    ring.push([n * e, 0], [n * e, -0.1], [0, -0.1], [0, 0]);
    const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['GEOMETRY_TOO_COMPLEX']);
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/simplify/);
  });

  it('treats a hole touching its shell at one vertex as valid, and an overlapping edge as not', () => {
    const shell: Position[] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ];
    const touching: Position[] = [
      [0, 5],
      [5, 6],
      [5, 4],
      [0, 5],
    ];
    const sharing: Position[] = [
      [0, 4],
      [3, 5],
      [0, 6],
      [0, 4],
    ];
    expect(
      validateArea({ type: 'Polygon', coordinates: [shell, touching] }, { kind: 'forest' }).ok,
    ).toBe(true);
    const shared = validateArea(
      { type: 'Polygon', coordinates: [shell, sharing] },
      { kind: 'forest' },
    );
    expect(shared.ok ? [] : shared.issues.map((i) => i.code)).toEqual(['RINGS_CROSS']);
    expect(shared.ok ? '' : shared.issues[0]?.message).toContain('overlaps');
  });

  describe('touches at a vertex (as snapping editors draw them)', () => {
    // Small integer sketches placed near Yuhang: [x, y] → [120 + x/1000, 30 + y/1000].
    const at = (ps: [number, number][]): Position[] =>
      ps.map(([x, y]) => [120 + x / 1000, 30 + y / 1000]);
    const shell = at([
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ]);

    it('refuses a figure-eight whose two passes cross at a shared vertex', () => {
      const ring = at([
        [0, 0],
        [1, 1],
        [2, 2],
        [2, 0],
        [1, 1],
        [0, 2],
        [0, 0],
      ]);
      const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
      expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['RING_SELF_INTERSECTION']);
      expect(result.ok ? '' : result.issues[0]?.message).toContain(
        'segment 1 crosses segment 4 at [120.001, 30.001]',
      );
    });

    it('accepts two lobes that only touch at a shared vertex', () => {
      const ring = at([
        [0, 0],
        [1, 1],
        [2, 0],
        [2, 2],
        [1, 1],
        [0, 2],
        [0, 0],
      ]);
      expect(validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' }).ok).toBe(
        true,
      );
    });

    it('refuses a hole that leaves and re-enters its shell through two vertices on a shell edge', () => {
      const hole = at([
        [5, 4],
        [0, 4],
        [-2, 5],
        [0, 6],
        [5, 6],
        [5, 4],
      ]);
      const result = validateArea(
        { type: 'Polygon', coordinates: [shell, hole] },
        { kind: 'forest' },
      );
      expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path])).toEqual([
        ['RINGS_CROSS', '/coordinates/0/3'],
      ]);
      expect(result.ok ? '' : result.issues[0]?.message).toContain('at [120, 30.004]');
    });

    it('accepts a hole that touches a shell edge with one vertex from inside', () => {
      const hole = at([
        [5, 4],
        [0, 5],
        [5, 6],
        [5, 4],
      ]);
      expect(
        validateArea({ type: 'Polygon', coordinates: [shell, hole] }, { kind: 'forest' }).ok,
      ).toBe(true);
    });
  });

  it('ignores repeated consecutive positions instead of calling them crossings', () => {
    const ring: Position[] = [
      [0, 0],
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 1],
      [0, 0],
    ];
    expect(validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' }).ok).toBe(
      true,
    );
  });
});

describe('containment search on hostile nesting', () => {
  it('gives up with GEOMETRY_TOO_COMPLEX on 1,000 concentric parts, each an island in the lake of the one around it', () => {
    const square = (r: number): Position[] =>
      (
        [
          [-r, -r],
          [r, -r],
          [r, r],
          [-r, r],
          [-r, -r],
        ] as const
      ).map(([x, y]) => [100 + x * 1e-4, 10 + y * 1e-4]);
    const n = 1000;
    const parts = Array.from({ length: n }, (_, i) => [
      square(4 * (n - i) + 2),
      square(4 * (n - i) + 1).reverse(),
    ]);
    const result = validateArea({ type: 'MultiPolygon', coordinates: parts }, { kind: 'forest' });
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['GEOMETRY_TOO_COMPLEX']);
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/nest too deeply/);
  });

  it('accepts the same nesting three levels deep', () => {
    const square = (r: number): Position[] =>
      (
        [
          [-r, -r],
          [r, -r],
          [r, r],
          [-r, r],
          [-r, -r],
        ] as const
      ).map(([x, y]) => [100 + x * 1e-4, 10 + y * 1e-4]);
    const parts = [0, 1, 2].map((i) => [
      square(4 * (3 - i) + 2),
      square(4 * (3 - i) + 1).reverse(),
    ]);
    const result = validateArea({ type: 'MultiPolygon', coordinates: parts }, { kind: 'forest' });
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});
