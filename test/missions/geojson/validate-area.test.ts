import { describe, expect, it } from 'vitest';
import {
  AREA_ISSUE_CODES,
  DEFAULT_MAX_VERTICES,
  validateArea,
  wgs84ToGcj02,
  type AreaGeometry,
  type Position,
} from '../../../missions/index';

const cw: Position[] = [
  [120.0, 30.4],
  [120.0, 30.41],
  [120.01, 30.41],
  [120.01, 30.4],
  [120.0, 30.4],
];
const ccwHole: Position[] = [
  [120.002, 30.402],
  [120.004, 30.402],
  [120.004, 30.404],
  [120.002, 30.404],
  [120.002, 30.402],
];
const signedArea = (ring: readonly Position[]): number => {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  }
  return s / 2;
};
const rings = (g: AreaGeometry | undefined): Position[][] => {
  if (g?.type !== 'Polygon') throw new Error(`expected a Polygon, got ${g?.type}`);
  return g.coordinates;
};

describe('validateArea: normalization', () => {
  it('rewinds a clockwise shell and a counter-clockwise hole to the right-hand rule', () => {
    const input = { type: 'Polygon', coordinates: [cw, ccwHole] };
    const before = JSON.stringify(input);
    const result = validateArea(input, { kind: 'forest' });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const [shell, hole] = rings(result.value.featureCollection.features[0]?.geometry);
    expect(signedArea(shell!)).toBeGreaterThan(0);
    expect(signedArea(hole!)).toBeLessThan(0);
    expect(shell).toEqual([...cw].reverse());
    expect(result.value.rewoundRings).toEqual(['/coordinates/0', '/coordinates/1']);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('leaves rings that already follow the right-hand rule untouched', () => {
    const shell = [...cw].reverse();
    const hole = [...ccwHole].reverse();
    const result = validateArea(
      { type: 'Polygon', coordinates: [shell, hole] },
      { kind: 'no_fly' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(rings(result.value.featureCollection.features[0]?.geometry)).toEqual([shell, hole]);
    expect(result.value.rewoundRings).toEqual([]);
  });

  it('measures a hole as a subtraction, whatever the input winding', () => {
    const solid = validateArea({ type: 'Polygon', coordinates: [cw] }, { kind: 'forest' });
    const holed = validateArea({ type: 'Polygon', coordinates: [cw, ccwHole] }, { kind: 'forest' });
    if (!solid.ok || !holed.ok) throw new Error('expected valid polygons');
    // 0.01° × 0.01° at 30.4° N ≈ 1109 m × 961 m; the hole is a 0.002° square, 1/25 of it.
    expect(solid.value.measures.areaM2).toBeGreaterThan(1.05e6);
    expect(solid.value.measures.areaM2).toBeLessThan(1.08e6);
    expect(holed.value.measures.areaM2 / solid.value.measures.areaM2).toBeCloseTo(24 / 25, 3);
  });

  it('wraps a bare geometry and a single Feature in a FeatureCollection, keeping id and properties', () => {
    const feature = {
      type: 'Feature',
      id: 'p-7',
      properties: { name: 'lookout', hoverS: 20, photo: true, gimbalPitchDeg: -45, headingDeg: 90 },
      geometry: { type: 'Point', coordinates: [120.001, 30.401, 35] },
    };
    const result = validateArea(feature, { kind: 'points' });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.value.featureCollection).toEqual({
      type: 'FeatureCollection',
      features: [feature],
    });
    expect(result.value.measures).toEqual({
      areaM2: 0,
      lengthM: 0,
      bbox: [120.001, 30.401, 120.001, 30.401],
      vertexCount: 1,
    });
  });

  it('keeps the no-fly altitude band and time window', () => {
    const properties = {
      minAltM: 0,
      maxAltM: 120,
      validFrom: '2026-05-01T08:00:00+08:00',
      validTo: '2026-05-01T18:00:00+08:00',
    };
    const result = validateArea(
      { type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [cw] } },
      { kind: 'no_fly' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.value.featureCollection.features[0]?.properties).toEqual(properties);
  });

  it('takes a river corridor width from the feature first, then from the default', () => {
    const line = {
      type: 'LineString',
      coordinates: [
        [120, 30.4],
        [120, 30.41],
      ],
    };
    const result = validateArea(
      {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { corridorWidthM: 80 }, geometry: line },
          { type: 'Feature', properties: null, geometry: line },
        ],
      },
      { kind: 'river', defaultProperties: { corridorWidthM: 30 } },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const widths = result.value.featureCollection.features.map((f) => f.properties.corridorWidthM);
    expect(widths).toEqual([80, 30]);
    // Oracle: meridian radius of curvature M(φ) = a(1−e²)/(1−e² sin²φ)^1.5 at the mid latitude,
    // times the arc (0.01°), for each of the two lines.
    const a = 6_378_137;
    const e2 = 0.00669437999014;
    const sin = Math.sin((30.405 * Math.PI) / 180);
    const meridianM = (a * (1 - e2)) / (1 - e2 * sin * sin) ** 1.5;
    const arcM = meridianM * ((0.01 * Math.PI) / 180);
    expect(Math.abs(result.value.measures.lengthM - 2 * arcM)).toBeLessThan(0.01);
  });

  it('accepts a river Polygon without a corridor width', () => {
    const result = validateArea({ type: 'Polygon', coordinates: [cw] }, { kind: 'river' });
    expect(result.ok).toBe(true);
  });
});

describe('validateArea: GCJ-02 input', () => {
  const wgs: Position[] = [
    [120.0, 30.4],
    [120.01, 30.4],
    [120.01, 30.41],
    [120.0, 30.41],
    [120.0, 30.4],
  ];
  const gcj = wgs.map((p) => wgs84ToGcj02(p) as Position);

  for (const [how, input, options] of [
    ['the crs option', { type: 'Polygon', coordinates: [gcj] }, { crs: 'gcj02' as const }],
    ['a top-level crs member', { type: 'Polygon', crs: 'gcj02', coordinates: [gcj] }, {}],
    [
      'a crs property',
      {
        type: 'Feature',
        properties: { crs: 'GCJ-02' },
        geometry: { type: 'Polygon', coordinates: [gcj] },
      },
      {},
    ],
  ] as const) {
    it(`converts to WGS-84 when told by ${how}, within 0.5 m`, () => {
      const result = validateArea(input, { kind: 'forest', ...options });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.value.sourceCrs).toBe('gcj02');
      const out = rings(result.value.featureCollection.features[0]?.geometry)[0]!;
      expect(out).toHaveLength(wgs.length);
      for (const [i, p] of out.entries()) {
        const dxM = (p[0] - wgs[i]![0]) * 111_320 * Math.cos((30.4 * Math.PI) / 180);
        const dyM = (p[1] - wgs[i]![1]) * 110_850;
        expect(Math.hypot(dxM, dyM)).toBeLessThan(0.5);
      }
      expect(result.value.featureCollection.features[0]?.properties['crs']).toBeUndefined();
    });
  }

  it('moves GCJ-02 input by the datum shift (hundreds of metres) compared with reading it as WGS-84', () => {
    const asGcj = validateArea(
      { type: 'Polygon', coordinates: [gcj] },
      { kind: 'forest', crs: 'gcj02' },
    );
    const asWgs = validateArea({ type: 'Polygon', coordinates: [gcj] }, { kind: 'forest' });
    if (!asGcj.ok || !asWgs.ok) throw new Error('expected valid polygons');
    const shiftDeg = asWgs.value.measures.bbox[0] - asGcj.value.measures.bbox[0];
    expect(shiftDeg * 96_000).toBeGreaterThan(100);
    expect(shiftDeg * 96_000).toBeLessThan(1000);
  });
});

describe('validateArea: issues', () => {
  it('names both segments and the crossing point of a self-intersection', () => {
    const bowtie = [
      [120.0, 30.4],
      [120.01, 30.41],
      [120.01, 30.4],
      [120.0, 30.41],
      [120.0, 30.4],
    ];
    const result = validateArea(
      {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [bowtie] } },
        ],
      },
      { kind: 'forest' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      code: 'RING_SELF_INTERSECTION',
      path: '/features/0/geometry/coordinates/0/0',
    });
    expect(result.issues[0]?.message).toContain('segment 0 crosses segment 2 at [120.005, 30.405]');
  });

  it('says to split at 180° for an antimeridian crossing', () => {
    const result = validateArea(
      { type: 'MultiPoint', coordinates: [[179.9, -16.8]] },
      { kind: 'forest' },
    );
    expect(result.ok).toBe(false);
    const crossing = validateArea(
      {
        type: 'Polygon',
        coordinates: [
          [
            [179.9, -16.8],
            [-179.9, -16.8],
            [-179.9, -16.7],
            [179.9, -16.8],
          ],
        ],
      },
      { kind: 'no_fly' },
    );
    expect(crossing.ok ? '' : crossing.issues[0]?.message).toMatch(
      /antimeridian.*split it at 180°/,
    );
  });

  it('says to wrap a bare array of Features in a FeatureCollection', () => {
    const feature = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: [120, 30] },
    };
    const result = validateArea([feature, feature], { kind: 'points' });
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/wrap it in a FeatureCollection/);
  });

  it('collects every issue, then stops at maxIssues with ISSUES_TRUNCATED', () => {
    const bad = Array.from({ length: 30 }, (_, i) => [200 + i, 30]);
    const input = { type: 'MultiPoint', coordinates: bad };
    const all = validateArea(input, { kind: 'points' });
    expect(all.ok ? 0 : all.issues.length).toBe(30);
    const capped = validateArea(input, { kind: 'points', maxIssues: 5 });
    if (capped.ok) throw new Error('expected issues');
    expect(capped.issues.map((i) => i.code)).toEqual([
      ...Array<string>(5).fill('LONGITUDE_OUT_OF_RANGE'),
      'ISSUES_TRUNCATED',
    ]);
  });

  it('escapes property names in paths as JSON pointers (RFC 6901)', () => {
    const result = validateArea(
      {
        type: 'Feature',
        properties: { hoverS: 'long' },
        geometry: { type: 'Point', coordinates: [120, 30] },
      },
      { kind: 'points' },
    );
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(['/properties/hoverS']);
  });

  it('exports a closed list of unique SCREAMING_SNAKE codes', () => {
    expect(new Set(AREA_ISSUE_CODES).size).toBe(AREA_ISSUE_CODES.length);
    for (const code of AREA_ISSUE_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });
});

describe('validateArea: limits before any recursive walk', () => {
  it('refuses 10,000 nested arrays with DEPTH_LIMIT_EXCEEDED instead of a RangeError', () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const input = { type: 'Polygon', coordinates: deep };
    const result = validateArea(input, { kind: 'forest' });
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['DEPTH_LIMIT_EXCEEDED']);
    // Even with the limit lifted, the pre-scan is iterative: it must not overflow either.
    expect(() =>
      validateArea(input, { kind: 'forest', maxDepth: 1_000_000, maxVertices: 10 }),
    ).not.toThrow(RangeError);
  });

  it('refuses 10,000 nested objects in properties as well', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const result = validateArea(
      { type: 'Feature', properties: deep, geometry: { type: 'Point', coordinates: [120, 30] } },
      { kind: 'points' },
    );
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['DEPTH_LIMIT_EXCEEDED']);
  });

  it('refuses more positions than maxVertices before looking at any of them', () => {
    // Every position is broken; only the limit is reported, so the walk never ran.
    const positions = Array.from({ length: 1001 }, () => [999, 999]);
    const result = validateArea(
      { type: 'MultiPoint', coordinates: positions },
      { kind: 'points', maxVertices: 1000 },
    );
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['VERTEX_LIMIT_EXCEEDED']);
    const fits = validateArea(
      { type: 'MultiPoint', coordinates: positions.slice(1) },
      { kind: 'points', maxVertices: 1000 },
    );
    expect(fits.ok ? [] : fits.issues[0]?.code).toBe('LONGITUDE_OUT_OF_RANGE');
  });

  it('has a default vertex limit above the largest real fixture', () => {
    expect(DEFAULT_MAX_VERTICES).toBeGreaterThan(25_751);
  });
});

describe('validateArea: containment', () => {
  const square = (x0: number, y0: number, size: number): Position[] => [
    [x0, y0],
    [x0 + size, y0],
    [x0 + size, y0 + size],
    [x0, y0 + size],
    [x0, y0],
  ];

  it('accepts an island inside a lake inside another part of a MultiPolygon', () => {
    const land = [square(120, 30.4, 0.01), square(120.002, 30.402, 0.006).reverse()];
    const island = [square(120.004, 30.404, 0.001)];
    const result = validateArea(
      { type: 'MultiPolygon', coordinates: [land, island] },
      { kind: 'forest' },
    );
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('accepts two holes side by side', () => {
    const result = validateArea(
      {
        type: 'Polygon',
        coordinates: [
          square(120, 30.4, 0.01),
          square(120.001, 30.401, 0.002),
          square(120.005, 30.405, 0.002),
        ],
      },
      { kind: 'no_fly' },
    );
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe('validateArea: degenerate rings and the antimeridian', () => {
  it('refuses a ring of four positions with fewer than three distinct corners', () => {
    const ring = [
      [120, 30.4],
      [120, 30.4],
      [120.01, 30.4],
      [120, 30.4],
    ];
    const result = validateArea({ type: 'Polygon', coordinates: [ring] }, { kind: 'forest' });
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path])).toEqual([
      ['RING_TOO_SHORT', '/coordinates/0'],
    ]);
    expect(result.ok ? '' : result.issues[0]?.message).toContain('2 distinct positions');
  });

  it('accepts a polygon split at 180° into two parts that meet on the antimeridian', () => {
    const east = [
      [179.9, -16.8],
      [180, -16.8],
      [180, -16.7],
      [179.9, -16.7],
      [179.9, -16.8],
    ];
    const west = [
      [-180, -16.8],
      [-179.9, -16.8],
      [-179.9, -16.7],
      [-180, -16.7],
      [-180, -16.8],
    ];
    const result = validateArea(
      { type: 'MultiPolygon', coordinates: [[east], [west]] },
      { kind: 'no_fly' },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    // Two 0.1° × 0.1° cells at 16.75° S: about 2 × 10.66 km × 11.06 km.
    expect(result.value.measures.areaM2 / 1e6).toBeGreaterThan(2 * 10.6 * 11.0);
    expect(result.value.measures.areaM2 / 1e6).toBeLessThan(2 * 10.7 * 11.1);
  });
});

describe('validateArea: issue cap on property problems', () => {
  it('stops at maxIssues when thousands of points carry a bad action', () => {
    const features = Array.from({ length: 5000 }, () => ({
      type: 'Feature',
      properties: { hoverS: -1 },
      geometry: { type: 'Point', coordinates: [120, 30.4] },
    }));
    const result = validateArea(
      { type: 'FeatureCollection', features },
      { kind: 'points', maxIssues: 10 },
    );
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual([
      ...Array<string>(10).fill('PROPERTY_INVALID'),
      'ISSUES_TRUNCATED',
    ]);
  });
});
