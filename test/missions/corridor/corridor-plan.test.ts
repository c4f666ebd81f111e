import { readFileSync } from 'node:fs';
import {
  booleanPointInPolygon,
  buffer,
  length as turfLength,
  lineSliceAlong,
  lineString,
  nearestPointOnLine,
} from '@turf/turf';
import type { LineString, MultiLineString, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  createLocalFrame,
  MissionInputError,
  offsetPolyline,
  planCorridor,
  polylineSelfCrosses,
  type CameraFootprint,
} from '../../../missions/index';
import type { XY } from '../../../missions/types/index';
import { pointsAlongPaths } from '../path-samples';

function river(name: string): MultiLineString | LineString {
  const json = JSON.parse(
    readFileSync(
      new URL(
        '../../fixtures/areas/rivers/ne_50m_rivers_lake_centerlines.geojson',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as { features: { properties: { name?: string }; geometry: MultiLineString | LineString }[] };
  const f = json.features.find((x) => x.properties.name === name);
  if (!f) throw new Error(`river ${name} not in the fixture`);
  return f.geometry;
}

/** The first `km` kilometres of the longest line of a river. */
function riverSection(name: string, km: number): LineString {
  const g = river(name);
  const lines = g.type === 'LineString' ? [g.coordinates] : g.coordinates;
  const longest = [...lines].sort((a, b) => b.length - a.length)[0]!;
  return lineSliceAlong(lineString(longest), 0, km, { units: 'kilometers' }).geometry;
}

/**
 * Independent corridor coverage check: sample points on cross-sections of the centre line every
 * `stepM`, at offsets in [−W/2, W/2], and count those inside a footprint quadrilateral.
 */
function corridorCoverage(
  centre: LineString,
  widthM: number,
  footprints: readonly CameraFootprint[],
): number {
  const frame = createLocalFrame(centre.coordinates[0]!);
  const quads = footprints.map((f) => f.corners.map((c) => frame.toLocal(c)));
  const inQuad = (q: XY[], p: XY): boolean => {
    let sign = 0;
    for (let i = 0; i < 4; i++) {
      const a = q[i]!;
      const b = q[(i + 1) % 4]!;
      const c = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
      const s = Math.sign(c);
      if (s === 0) continue;
      if (sign === 0) sign = s;
      else if (s !== sign) return false;
    }
    return true;
  };
  const cell = 200;
  const grid = new Map<string, number[]>();
  for (const [i, q] of quads.entries()) {
    const xs = q.map((c) => c[0]);
    const ys = q.map((c) => c[1]);
    for (
      let gx = Math.floor(Math.min(...xs) / cell);
      gx <= Math.floor(Math.max(...xs) / cell);
      gx++
    )
      for (
        let gy = Math.floor(Math.min(...ys) / cell);
        gy <= Math.floor(Math.max(...ys) / cell);
        gy++
      ) {
        const list = grid.get(`${gx},${gy}`) ?? [];
        list.push(i);
        grid.set(`${gx},${gy}`, list);
      }
  }
  let total = 0;
  let covered = 0;
  const totalLengthM = turfLength(lineString(centre.coordinates), { units: 'meters' });
  for (let s = 50; s < totalLengthM - 50; s += 25) {
    const at = lineSliceAlong(centre, 0, s, { units: 'meters' }).geometry.coordinates;
    const p = frame.toLocal(at[at.length - 1]!);
    const q = frame.toLocal(at[at.length - 2]!);
    const l = Math.hypot(p[0] - q[0], p[1] - q[1]) || 1;
    const n: XY = [-(p[1] - q[1]) / l, (p[0] - q[0]) / l];
    for (let o = -widthM / 2; o <= widthM / 2 + 1e-9; o += widthM / 10) {
      const x: XY = [p[0] + n[0] * o, p[1] + n[1] * o];
      // Count only points whose nearest centre-line point is this cross-section (not another bend).
      const back = frame.toLonLat(x);
      const near = nearestPointOnLine(centre, back, { units: 'meters' });
      if ((near.properties.dist ?? 0) < widthM / 2 - 1) {
        total++;
        const list = grid.get(`${Math.floor(x[0] / cell)},${Math.floor(x[1] / cell)}`) ?? [];
        if (list.some((i) => inQuad(quads[i]!, x))) covered++;
      }
    }
  }
  expect(total).toBeGreaterThan(100);
  return covered / total;
}

describe('offsetPolyline', () => {
  it('cuts the inner corner of a right-angle bend', () => {
    expect(
      offsetPolyline(
        [
          [0, 0],
          [100, 0],
          [100, 100],
        ],
        20,
      ),
    ).toEqual([
      [0, 20],
      [80, 20],
      [80, 100],
    ]);
  });

  it('rounds the outer side of a bend', () => {
    const out = offsetPolyline(
      [
        [0, 0],
        [100, 0],
        [100, 100],
      ],
      -20,
    );
    for (const p of out.slice(1, -1)) {
      const d = Math.hypot(p[0] - 100, p[1] - 0);
      if (p[0] > 100 && p[1] < 0) expect(d).toBeCloseTo(20, 6);
    }
    expect(polylineSelfCrosses(out)).toBe(false);
  });

  it('never crosses itself on a hairpin tighter than the offset', () => {
    const hairpin: XY[] = [];
    for (let i = 0; i <= 40; i++) hairpin.push([i * 10, 0]);
    for (let i = 0; i <= 36; i++) {
      const a = -Math.PI / 2 + (Math.PI * i) / 36;
      hairpin.push([400 + 30 * Math.cos(a), 30 + 30 * Math.sin(a)]);
    }
    for (let i = 40; i >= 0; i--) hairpin.push([i * 10, 60]);
    for (const d of [-150, -60, -20, 20, 60, 150]) {
      const out = offsetPolyline(hairpin, d);
      expect(polylineSelfCrosses(out), `offset ${d}`).toBe(false);
      expect(out.length).toBeGreaterThan(2);
    }
  });
});

describe('planCorridor', () => {
  it('flies the passes a 400 m corridor of the Seine needs, without self-crossing, covering it', () => {
    const centre = riverSection('Seine', 30);
    const plan = planCorridor(centre, { widthM: 400, altitudeAglM: 100 });
    const a = plan.sensor.footprintAcrossM;
    const expectedPasses = Math.ceil((400 + 20 - a) / plan.sensor.laneSpacingM) + 1;
    expect(plan.stats.passesAcross).toBe(expectedPasses);
    expect(plan.stats.passSpacingM).toBeLessThanOrEqual(plan.sensor.laneSpacingM + 1e-9);
    expect(plan.passes).toHaveLength(expectedPasses * plan.stats.segments);
    const frame = createLocalFrame(centre.coordinates[0]!);
    for (const pass of plan.passes)
      expect(polylineSelfCrosses(pass.coordinates.map((c) => frame.toLocal(c)))).toBe(false);
    const kinds = plan.workPaths.map((w) => w.kind);
    expect(kinds[0]).toBe('pass');
    expect(kinds.filter((k) => k === 'pass')).toHaveLength(plan.passes.length);
    expect(corridorCoverage(centre, 400, plan.footprints)).toBeGreaterThanOrEqual(0.995);
  });

  it('splits a long river into segments, each with its own frame, and keeps covering', () => {
    const centre = riverSection('Thames', 60);
    const plan = planCorridor(centre, { widthM: 200, altitudeAglM: 80, maxSegmentM: 25_000 });
    expect(plan.stats.segments).toBe(3);
    expect(corridorCoverage(centre, 200, plan.footprints)).toBeGreaterThanOrEqual(0.995);
  });

  it('cuts passes at a no-fly zone over the river and flies around it', () => {
    const centre = riverSection('Seine', 12);
    const frame = createLocalFrame(centre.coordinates[0]!);
    const mid = lineSliceAlong(lineString(centre.coordinates), 0, 6, { units: 'kilometers' })
      .geometry.coordinates;
    const m = frame.toLocal(mid[mid.length - 1]!);
    const zone: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [m[0] - 250, m[1] - 250],
          [m[0] + 250, m[1] - 250],
          [m[0] + 250, m[1] + 250],
          [m[0] - 250, m[1] + 250],
          [m[0] - 250, m[1] - 250],
        ].map((p) => frame.toLonLat(p)),
      ],
    };
    const plan = planCorridor(centre, { widthM: 300, noFlyZones: [zone], noFlyMarginM: 20 });
    const without = planCorridor(centre, { widthM: 300 });
    expect(plan.passes.length).toBeGreaterThan(without.passes.length);
    const inflated = buffer(zone, 19, { units: 'meters' })!;
    for (const p of pointsAlongPaths(plan.workPaths, frame))
      expect(booleanPointInPolygon(p, inflated)).toBe(false);
  });

  it('starts at the end nearest to the dock', () => {
    const centre = riverSection('Seine', 10);
    const end = centre.coordinates[centre.coordinates.length - 1]! as [number, number];
    const plan = planCorridor(centre, { widthM: 150, startLonLat: end });
    const first = plan.workPaths[0]!.coordinates[0]!;
    const frame = createLocalFrame(end);
    const [x, y] = frame.toLocal(first);
    expect(Math.hypot(x, y)).toBeLessThan(200);
  });

  it('covers a river polygon as an area, as passes', () => {
    const frame = createLocalFrame([120, 30]);
    const ring: XY[] = [];
    for (let i = 0; i <= 40; i++) ring.push([i * 100, 300 * Math.sin(i / 6)]);
    for (let i = 40; i >= 0; i--) ring.push([i * 100, 300 * Math.sin(i / 6) + 250]);
    const poly: Polygon = {
      type: 'Polygon',
      coordinates: [[...ring, ring[0]!].map((p) => frame.toLonLat(p))],
    };
    const plan = planCorridor(poly, { altitudeAglM: 100 });
    expect(plan.workPaths.some((w) => w.kind === 'pass')).toBe(true);
    expect(plan.workPaths.some((w) => w.kind === 'lane')).toBe(false);
    let inside = 0;
    let total = 0;
    for (let x = 50; x < 4000; x += 97) {
      for (let t = 0.05; t < 1; t += 0.1) {
        const p = frame.toLonLat([x, 300 * Math.sin(x / 600) + 250 * t]);
        if (!booleanPointInPolygon(p, poly)) continue;
        total++;
        if (
          plan.footprints.some((f) =>
            booleanPointInPolygon(p, {
              type: 'Polygon',
              coordinates: [[...f.corners, f.corners[0]!]],
            }),
          )
        )
          inside++;
      }
    }
    expect(total).toBeGreaterThan(100);
    expect(inside / total).toBeGreaterThanOrEqual(0.995);
  });

  it('rejects a missing width and a point geometry, naming them', () => {
    const centre = riverSection('Seine', 5);
    expect(() => planCorridor(centre, {})).toThrowError(MissionInputError);
    expect(() => planCorridor(centre, { widthM: -3 })).toThrowError(/options\.widthM.*-3/);
    expect(() =>
      planCorridor({ type: 'Point', coordinates: [0, 0] } as unknown as LineString),
    ).toThrowError(/got Point/);
  });
});
