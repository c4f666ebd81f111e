import { readFileSync } from 'node:fs';
import { booleanPointInPolygon, buffer } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  createLocalFrame,
  DEFAULT_MAPPING_CAMERA,
  MissionInputError,
  planCoverage,
  type CoveragePlan,
  type LocalFrame,
} from '../../../missions/index';
import { footprintCoverage } from './footprint-coverage';
import { CENTRE, CONCAVE, CONVEX, fromMetres, multiFromMetres, rectangle } from './shapes';

const frame = createLocalFrame(CENTRE);

/** Minimum width by brute force over 0.05° steps (independent of the planner's calipers). */
function bruteMinWidthM(ring: [number, number][]): number {
  let best = Infinity;
  for (let i = 0; i < 3600; i++) {
    const a = (i * Math.PI) / 3600;
    const proj = ring.map(([x, y]) => -x * Math.sin(a) + y * Math.cos(a));
    best = Math.min(best, Math.max(...proj) - Math.min(...proj));
  }
  return best;
}

function polygonAreaM2(ring: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** Turns in 90° units: accumulated absolute course change along the flown path / 90°, in a local frame. */
function countTurns(plan: CoveragePlan, f: LocalFrame): number {
  const pts = plan.workPaths.flatMap((w) => w.coordinates.map((c) => f.toLocal(c)));
  let total = 0;
  let heading: number | null = null;
  for (let i = 1; i < pts.length; i++) {
    const dx = pts[i]![0] - pts[i - 1]![0];
    const dy = pts[i]![1] - pts[i - 1]![1];
    if (Math.hypot(dx, dy) < 1e-3) continue;
    const h = Math.atan2(dy, dx);
    if (heading !== null) {
      let d = Math.abs(h - heading);
      if (d > Math.PI) d = 2 * Math.PI - d;
      total += d;
    }
    heading = h;
  }
  return Math.round(total / (Math.PI / 2));
}

function pathLengthM(plan: CoveragePlan, f: LocalFrame): number {
  let sum = 0;
  for (const w of plan.workPaths) {
    const pts = w.coordinates.map((c) => f.toLocal(c));
    for (let i = 1; i < pts.length; i++)
      sum += Math.hypot(pts[i]![0] - pts[i - 1]![0], pts[i]![1] - pts[i - 1]![1]);
  }
  return sum;
}

function readForest(name: string): (Polygon | MultiPolygon)[] {
  const json = JSON.parse(
    readFileSync(new URL(`../../fixtures/areas/forests/${name}`, import.meta.url), 'utf8'),
  ) as {
    type: string;
    features?: { geometry: Polygon | MultiPolygon }[];
    geometry?: Polygon | MultiPolygon;
  };
  if (json.features) return json.features.map((f) => f.geometry);
  return json.geometry ? [json.geometry] : [];
}

/** A wide-angle camera at 120 m so that real forests of hundreds of km² stay fast to check. */
const WIDE = {
  sensor: { ...DEFAULT_MAPPING_CAMERA, focalLengthMm: 4.5 },
  altitudeAglM: 120,
  sideOverlapPct: 30,
  frontOverlapPct: 50,
  footprints: true,
} as const;

describe('planCoverage on convex areas', () => {
  for (const [name, ring] of Object.entries(CONVEX)) {
    it(`flies ${name} within 1.03 × (A/w + W_min − w) with 2(⌈W_min/w⌉ − 1) turns`, () => {
      const area = fromMetres([ring]);
      const plan = planCoverage(area, { altitudeAglM: 100, frame });
      const w = plan.stats.laneSpacingM;
      const wMin = bruteMinWidthM(ring);
      const bound = polygonAreaM2(ring) / w + wMin - w;
      const length = pathLengthM(plan, frame);
      expect(length).toBeCloseTo(plan.stats.lengthM, 3);
      expect(length).toBeLessThanOrEqual(1.03 * bound);
      expect(countTurns(plan, frame)).toBe(2 * (Math.ceil(wMin / w) - 1));
      expect(plan.stats.turns).toBe(2 * (Math.ceil(wMin / w) - 1));
      expect(plan.stats.cells).toBe(1);
      expect(footprintCoverage(area, plan.footprints).fraction).toBeGreaterThanOrEqual(0.995);
    });
  }

  it('with a lidar (no footprint beyond the lane ends) a rectangle still meets the bound', () => {
    const ring = rectangle(0, 0, 2000, 45 * 20, 25);
    const area = fromMetres([ring]);
    const plan = planCoverage(area, {
      sensor: { kind: 'lidar', fovDeg: 70 },
      altitudeAglM: 80,
      laneSpacingM: 45,
      frame,
    });
    const bound = (2000 * 900) / 45 + 900 - 45;
    expect(plan.stats.lengthM).toBeLessThanOrEqual(1.03 * bound);
    expect(plan.stats.turns).toBe(2 * (20 - 1));
    expect(plan.footprints).toHaveLength(20);
    expect(footprintCoverage(area, plan.footprints).fraction).toBeGreaterThanOrEqual(0.995);
  });
});

describe('planCoverage on concave areas, holes and no-fly zones', () => {
  for (const [name, rings] of Object.entries(CONCAVE)) {
    it(`covers ${name} to ≥ 99.5 % with footprints`, () => {
      const area = fromMetres(rings);
      const plan = planCoverage(area, { altitudeAglM: 100, frame });
      const check = footprintCoverage(area, plan.footprints, { samples: 30_000 });
      expect(check.fraction).toBeGreaterThanOrEqual(0.995);
      expect(plan.workPaths[0]?.kind).toBe('lane');
      expect(plan.workPaths.filter((w) => w.kind === 'lane')).toHaveLength(plan.stats.laneCount);
    });
  }

  it('gives the cells of a U shape their own directions and beats one direction', () => {
    const area = fromMetres(CONCAVE['U shape']!);
    const plan = planCoverage(area, { frame });
    const courses = new Set(plan.cells.map((c) => Math.round(c.sweepCourseDeg)));
    expect(plan.cells.length).toBeGreaterThanOrEqual(3);
    expect(courses.size).toBeGreaterThanOrEqual(2);
    const single = Math.min(
      ...[0, 90].map(
        (c) =>
          planCoverage(area, { frame, sweepCourseDeg: c, footprints: false }).stats.flightCostM,
      ),
    );
    expect(plan.stats.flightCostM).toBeLessThan(single);
  });

  it('never puts a lane or a transit inside a no-fly zone (plus margin) and still covers the rest', () => {
    const area = fromMetres([rectangle(0, 0, 3000, 2000)]);
    const noFly = [
      fromMetres([rectangle(-300, 100, 500, 600, 30)]),
      fromMetres([rectangle(900, -500, 300, 300)]),
    ];
    const plan = planCoverage(area, { frame, noFlyZones: noFly, noFlyMarginM: 15 });
    const inflated = noFly.map((z) => buffer(z, 14, { units: 'meters' })!);
    for (const w of plan.workPaths) {
      const pts = w.coordinates.map((c) => frame.toLocal(c));
      for (let i = 1; i < pts.length; i++) {
        const a = pts[i - 1]!;
        const b = pts[i]!;
        const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 5));
        for (let k = 0; k <= n; k++) {
          const p = frame.toLonLat([
            a[0] + ((b[0] - a[0]) * k) / n,
            a[1] + ((b[1] - a[1]) * k) / n,
          ]);
          for (const z of inflated) expect(booleanPointInPolygon(p, z)).toBe(false);
        }
      }
    }
    const check = footprintCoverage(area, plan.footprints, { noFlyZones: noFly, samples: 30_000 });
    expect(check.fraction).toBeGreaterThanOrEqual(0.995);
  });

  it('routes the transit between two fields around a no-fly zone between them instead of failing', () => {
    const area = multiFromMetres([[rectangle(-1500, 0, 800, 800)], [rectangle(1500, 0, 800, 800)]]);
    const wall = fromMetres([rectangle(0, 0, 300, 3000)]);
    const plan = planCoverage(area, { frame, noFlyZones: [wall] });
    const transits = plan.workPaths.filter((w) => w.kind === 'transit');
    const long = transits.filter((t) => {
      const a = frame.toLocal(t.coordinates[0]!);
      const b = frame.toLocal(t.coordinates[t.coordinates.length - 1]!);
      return Math.sign(a[0]) !== Math.sign(b[0]);
    });
    expect(long).toHaveLength(1);
    const path = long[0]!.coordinates.map((c) => frame.toLocal(c));
    expect(path.length).toBeGreaterThan(2);
    expect(Math.max(...path.map((p) => Math.abs(p[1])))).toBeGreaterThanOrEqual(1500);
    const inflated = buffer(wall, 9, { units: 'meters' })!;
    for (let i = 1; i < path.length; i++) {
      for (let k = 0; k <= 50; k++) {
        const a = path[i - 1]!;
        const b = path[i]!;
        const p = frame.toLonLat([
          a[0] + ((b[0] - a[0]) * k) / 50,
          a[1] + ((b[1] - a[1]) * k) / 50,
        ]);
        expect(booleanPointInPolygon(p, inflated)).toBe(false);
      }
    }
  });

  it('starts next to the given dock', () => {
    const area = multiFromMetres([[rectangle(-2000, 0, 600, 600)], [rectangle(2000, 0, 600, 600)]]);
    const east = planCoverage(area, { frame, startLonLat: frame.toLonLat([3000, 0]) });
    const west = planCoverage(area, { frame, startLonLat: frame.toLonLat([-3000, 0]) });
    expect(frame.toLocal(east.workPaths[0]!.coordinates[0]!)[0]).toBeGreaterThan(0);
    expect(frame.toLocal(west.workPaths[0]!.coordinates[0]!)[0]).toBeLessThan(0);
  });

  it('is deterministic: the same input gives the same plan', () => {
    const area = fromMetres(CONCAVE['square with two holes']!);
    const noFly = [fromMetres([rectangle(900, 900, 200, 200)])];
    const a = planCoverage(area, { noFlyZones: noFly });
    const b = planCoverage(area, { noFlyZones: noFly });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('sets a trigger distance on lanes only, never above the nominal one', () => {
    const plan = planCoverage(fromMetres([rectangle(0, 0, 1000, 600)]), { frame });
    for (const w of plan.workPaths) {
      if (w.kind === 'lane') {
        expect(w.triggerDistanceM).not.toBeNull();
        expect(w.triggerDistanceM!).toBeLessThanOrEqual(plan.stats.triggerDistanceM! + 1e-9);
      } else expect(w.triggerDistanceM).toBeNull();
      expect(w.altitudeAglM).toBe(100);
    }
    expect(plan.stats.photoCount).toBe(plan.footprints.length);
  });
});

describe('planCoverage margins and edge cases', () => {
  it('keeps lanes within half a lane spacing of the area', () => {
    for (const rings of Object.values(CONCAVE)) {
      const area = fromMetres(rings);
      const plan = planCoverage(area, { frame, turnaroundM: 0 });
      const grown = buffer(area, plan.stats.laneSpacingM / 2 + 1, { units: 'meters' })!;
      for (const w of plan.workPaths.filter((x) => x.kind === 'lane'))
        for (const c of w.coordinates) expect(booleanPointInPolygon(c, grown)).toBe(true);
    }
  });

  it('covers the area grown by the margin', () => {
    const area = fromMetres([rectangle(0, 0, 1500, 900, 10)]);
    const plain = planCoverage(area, { frame });
    const withMargin = planCoverage(area, { frame, marginM: 60 });
    expect(withMargin.stats.areaM2).toBeGreaterThan(
      plain.stats.areaM2 + 60 * 2 * (1500 + 900) * 0.95,
    );
    const grown = buffer(area, 60, { units: 'meters' })!.geometry as Polygon;
    expect(footprintCoverage(grown, withMargin.footprints).fraction).toBeGreaterThanOrEqual(0.995);
  });

  it('returns an empty plan, not an error, when no-fly zones cover the whole area', () => {
    const area = fromMetres([rectangle(0, 0, 500, 500)]);
    const plan = planCoverage(area, {
      frame,
      noFlyZones: [fromMetres([rectangle(0, 0, 800, 800)])],
    });
    expect(plan.workPaths).toEqual([]);
    expect(plan.stats.areaM2).toBe(0);
  });
});

describe('planCoverage on the real forests', () => {
  it('covers every feature of Amador and Dillon to ≥ 99.5 %', () => {
    for (const name of ['amador_ranger_district.geojson', 'dillon_ranger_district.geojson']) {
      for (const geometry of readForest(name)) {
        const plan = planCoverage(geometry, WIDE);
        const check = footprintCoverage(geometry, plan.footprints, { samples: 8_000 });
        expect(check.total).toBeGreaterThan(1000);
        expect(check.fraction, name).toBeGreaterThanOrEqual(0.995);
      }
    }
  });

  it('covers the islands of Admiralty to ≥ 99.5 %', () => {
    const [geometry] = readForest('admiralty_national_monument.geojson');
    const multi = geometry as MultiPolygon;
    // The 120 largest islands by vertex count: the mainland and the archipelago's many islets.
    const parts = [...multi.coordinates]
      .sort((a, b) => (b[0]?.length ?? 0) - (a[0]?.length ?? 0))
      .slice(0, 120);
    const subset: MultiPolygon = { type: 'MultiPolygon', coordinates: parts };
    const plan = planCoverage(subset, WIDE);
    const check = footprintCoverage(subset, plan.footprints, { samples: 12_000 });
    expect(check.total).toBeGreaterThan(1000);
    expect(check.fraction).toBeGreaterThanOrEqual(0.995);
    // About 10 s alone (as before the corner checks); more on a loaded machine.
  }, 60_000);
});

describe('planCoverage input checks', () => {
  it('rejects a non-polygon area naming it', () => {
    const line = {
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
      ],
    } as unknown as Polygon;
    expect(() => planCoverage(line)).toThrowError(MissionInputError);
    expect(() => planCoverage(line)).toThrowError(
      /area must be a GeoJSON Polygon or MultiPolygon, got LineString/,
    );
  });

  it('rejects a bad position naming its path', () => {
    const bad: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 200],
          [0, 0],
        ],
      ],
    };
    expect(() => planCoverage(bad)).toThrowError(/area\.coordinates\[0\]\[2\]/);
  });

  it('rejects a lane spacing wider than the swath', () => {
    expect(() =>
      planCoverage(fromMetres([rectangle(0, 0, 500, 500)]), { laneSpacingM: 1000 }),
    ).toThrowError(/options\.laneSpacingM.*1000/);
  });
});
