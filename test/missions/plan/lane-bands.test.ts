import { describe, expect, it } from 'vitest';
import { planCoverage } from '../../../missions/coverage/index';
import { createLocalFrame } from '../../../missions/frame/index';
import { planLaneBands } from '../../../missions/plan/lane-bands';
import { planSorties, usableTimeS, type DockSite } from '../../../missions/sortie/index';
import {
  DEFAULT_DRONE,
  seededRandom,
  type DroneProfile,
  type WorkPath,
  type XY,
} from '../../../missions/types/index';
import { fromMetres, SLANTED, starForest } from '../coverage/shapes';

const frame = createLocalFrame([119.95, 30.4]);
const at = (xM: number, yM: number): [number, number] => frame.toLonLat([xM, yM]);
const rectangle = (w: number, h: number, cx = 0, cy = 0) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      at(cx - w / 2, cy - h / 2),
      at(cx + w / 2, cy - h / 2),
      at(cx + w / 2, cy + h / 2),
      at(cx - w / 2, cy + h / 2),
      at(cx - w / 2, cy - h / 2),
    ],
  ],
});

const lanesOf = (
  area: ReturnType<typeof rectangle>,
  dock: XY,
  sweepCourseDeg?: number,
): WorkPath[] =>
  planCoverage(area, {
    altitudeAglM: 100,
    frame,
    startLonLat: frame.toLonLat(dock),
    footprints: false,
    ...(sweepCourseDeg !== undefined && { sweepCourseDeg }),
  }).workPaths;

/** The work paths split by planSorties as the patrol plan does (the energy-model oracle). */
const split = (
  workPaths: readonly WorkPath[],
  docks: DockSite[],
  drone: DroneProfile,
  slackPct = 0,
) =>
  planSorties(
    workPaths.map((w, k) => ({
      label: `${w.kind} ${k}`,
      path: w.coordinates.map((q) => frame.toLocal(q)),
      altitudeM: w.altitudeAglM,
    })),
    docks,
    drone,
    { slackPct },
  );

/**
 * Photo positions of the lanes (decimetres, deduplicated): every trigger
 * distance along each lane from where it starts, as the camera fires them.
 */
const photoPositions = (workPaths: readonly WorkPath[]): Set<string> => {
  const out = new Set<string>();
  for (const w of workPaths) {
    if (w.kind !== 'lane' || w.triggerDistanceM === null) continue;
    const [a, b] = w.coordinates.map((q) => frame.toLocal(q)) as [XY, XY];
    const lengthM = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const shots = Math.round(lengthM / w.triggerDistanceM);
    for (let k = 0; k <= shots; k++) {
      const f = k / shots;
      // Decimetres, −0 as 0.
      const dm = (v: number): number => Math.round(v * 10) + 0;
      out.add(`${dm(a[0] + (b[0] - a[0]) * f)},${dm(a[1] + (b[1] - a[1]) * f)}`);
    }
  }
  return out;
};

/** Lane length per offset across the lanes (the sweep is along x or y here), metres. */
const laneLengthByLine = (workPaths: readonly WorkPath[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const w of workPaths) {
    if (w.kind !== 'lane') continue;
    const [a, b] = w.coordinates.map((q) => frame.toLocal(q)) as [XY, XY];
    const alongX = Math.abs(b[0] - a[0]) > Math.abs(b[1] - a[1]);
    const key = (alongX ? a[1] : a[0]).toFixed(1);
    out.set(key, (out.get(key) ?? 0) + Math.hypot(b[0] - a[0], b[1] - a[1]));
  }
  return out;
};

describe('planLaneBands', () => {
  const drone30 = { ...DEFAULT_DRONE, enduranceS: 30 * 60 };

  /**
   * Split in order the lanes need `count` sorties; in bands one fewer, and the patrol plan's split
   * of the bands finds them again, with the same time by the model.
   */
  const expectBandsSaveASortie = (
    workPaths: readonly WorkPath[],
    docks: DockSite[],
    count: number,
  ) => {
    const before = split(workPaths, docks, drone30);
    if (!before.ok) throw new Error(before.message);
    expect(before.sorties.length).toBe(count);
    const bands = planLaneBands(workPaths, docks, drone30, frame)!;
    expect(bands.sorties).toBe(count - 1);
    const after = split(bands.workPaths, docks, drone30);
    if (!after.ok) throw new Error(after.message);
    expect(after.sorties.length).toBe(count - 1);
    expect(after.totalTimeS).toBeLessThanOrEqual(bands.timeS + 1e-6);
    return { before, bands, after };
  };

  it('flies 900 × 1920 m beside its dock in 5 sorties where the lanes split in order need 6', () => {
    const dock: XY = [500, 0];
    const docks = [{ id: 'd', xy: dock }];
    const workPaths = lanesOf(rectangle(900, 1920), dock, 90);
    const { before, after } = expectBandsSaveASortie(workPaths, docks, 6);
    expect(after.totalTimeS).toBeLessThan(before.totalTimeS);
    for (const s of after.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone30));
  });

  it('keeps every photo position and flies every lane exactly once, in pieces', () => {
    const dock: XY = [500, 0];
    const workPaths = lanesOf(rectangle(900, 1920), dock, 90);
    const bands = planLaneBands(workPaths, [{ id: 'd', xy: dock }], drone30, frame)!;
    expect([...photoPositions(bands.workPaths)].sort()).toEqual(
      [...photoPositions(workPaths)].sort(),
    );
    const before = laneLengthByLine(workPaths);
    const after = laneLengthByLine(bands.workPaths);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [line, lengthM] of before) expect(after.get(line)!).toBeCloseTo(lengthM, 3);
    // Some sorties hand over along a pair of lanes cut at a photo position.
    expect(bands.workPaths.filter((w) => w.kind === 'lane').length).toBeGreaterThan(before.size);
  });

  it('flies the single-photo corner lanes of a triangle swept obliquely, keeping every photo', () => {
    const ring: XY[] = [
      [-900, -700],
      [900, -700],
      [0, 900],
      [-900, -700],
    ];
    const area = { type: 'Polygon' as const, coordinates: [ring.map(([x, y]) => at(x, y))] };
    const dock: XY = [0, -800];
    const docks = [{ id: 'd', xy: dock }];
    const workPaths = planCoverage(area, {
      altitudeAglM: 100,
      frame,
      startLonLat: frame.toLonLat(dock),
      footprints: false,
      sweepCourseDeg: 45,
    }).workPaths;
    // The sweep leaves lanes of one photo at the corners.
    const pointLanes = workPaths.filter((w) => {
      const [a, b] = w.coordinates.map((q) => frame.toLocal(q)) as [XY, XY];
      return w.kind === 'lane' && Math.hypot(b[0] - a[0], b[1] - a[1]) < 1e-3;
    });
    expect(pointLanes.length).toBeGreaterThan(0);
    const { bands } = expectBandsSaveASortie(workPaths, docks, 6);
    expect([...photoPositions(bands.workPaths)].sort()).toEqual(
      [...photoPositions(workPaths)].sort(),
    );
  });

  it('is deterministic', () => {
    const dock: XY = [500, 0];
    const workPaths = lanesOf(rectangle(900, 1920), dock, 90);
    const docks = [{ id: 'd', xy: dock }];
    expect(planLaneBands(workPaths, docks, drone30, frame)).toEqual(
      planLaneBands(workPaths, docks, drone30, frame),
    );
  });

  it('keeps every sortie of seeded rectangles, docks and batteries within the reserve (energy-model oracle)', () => {
    const rand = seededRandom(7);
    let planned = 0;
    for (let trial = 0; trial < 12; trial++) {
      const w = 300 + Math.round(rand() * 900);
      const h = 300 + Math.round(rand() * 1500);
      const drone = {
        ...DEFAULT_DRONE,
        enduranceS: (20 + Math.round(rand() * 20)) * 60,
        reservePct: 20 + Math.round(rand() * 10),
      };
      const docks: DockSite[] = Array.from({ length: 1 + Math.floor(rand() * 2) }, (_, i) => ({
        id: `d${i}`,
        xy: [(rand() - 0.5) * (w + 400), (rand() - 0.5) * (h + 400)],
      }));
      const workPaths = lanesOf(rectangle(w, h), docks[0]!.xy, rand() < 0.5 ? 0 : 90);
      const slackPct = rand() < 0.3 ? 2 : 0;
      const bands = planLaneBands(workPaths, docks, drone, frame, { slackPct });
      if (!bands) continue;
      planned++;
      const result = split(bands.workPaths, docks, drone, slackPct);
      if (!result.ok) throw new Error(result.message);
      expect(result.sorties.length, `trial ${trial}`).toBeLessThanOrEqual(bands.sorties);
      for (const s of result.sorties)
        expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) * (1 - slackPct / 100) + 1e-6);
      // The band split is one of the splits planSorties weighs, with the model's own times
      // (with two docks planSorties then moves sorties between them to balance their loads).
      if (result.sorties.length === bands.sorties && docks.length === 1)
        expect(result.totalTimeS).toBeLessThanOrEqual(bands.timeS + 1e-6);
      expect([...photoPositions(bands.workPaths)].sort()).toEqual(
        [...photoPositions(workPaths)].sort(),
      );
    }
    expect(planned).toBeGreaterThanOrEqual(8);
  });

  it('gives up on work that is not one block of parallel lanes, or cannot beat a given count', () => {
    const dock: XY = [500, 0];
    const docks = [{ id: 'd', xy: dock }];
    // Two blocks at right angles: an L of two rectangles planned in their own courses.
    const a = lanesOf(rectangle(900, 400, 0, -300), dock, 90);
    const b = lanesOf(rectangle(400, 900, -250, 350), dock, 0);
    expect(planLaneBands([...a, ...b], docks, drone30, frame)).toBeNull();
    // Lanes that need more than 5 batteries' worth of flying cannot be flown in fewer than 5.
    const workPaths = lanesOf(rectangle(900, 1920), dock, 90);
    expect(planLaneBands(workPaths, docks, drone30, frame, { fewerThan: 4 })).toBeNull();
    // Pruning the splits that cannot end below the count loses none that can.
    expect(planLaneBands(workPaths, docks, drone30, frame, { fewerThan: 6 })).toEqual(
      planLaneBands(workPaths, docks, drone30, frame),
    );
    expect(planLaneBands(workPaths, docks, drone30, frame, { fewerThan: 5 })).toBeNull();
  });
});

/** Photo positions along every lane path, bends included (decimetres): as the camera fires them. */
const photoPositionsAlong = (workPaths: readonly WorkPath[]): string[] => {
  const out: string[] = [];
  for (const w of workPaths) {
    if (w.kind !== 'lane' || w.triggerDistanceM === null) continue;
    const pts = w.coordinates.map((q) => frame.toLocal(q));
    const legs = pts.slice(1).map((b, k) => Math.hypot(b[0] - pts[k]![0], b[1] - pts[k]![1]));
    const totalM = legs.reduce((s, m) => s + m, 0);
    const shots = Math.round(totalM / w.triggerDistanceM);
    for (let k = 0; k <= shots; k++) {
      // Walk to k / shots of the way along the polyline.
      let left = shots > 0 ? (totalM * k) / shots : 0;
      let i = 0;
      while (i < legs.length - 1 && left > legs[i]!) left -= legs[i++]!;
      const a = pts[i]!;
      const b = pts[i + 1] ?? a;
      const f = legs[i]! > 0 ? Math.min(1, left / legs[i]!) : 0;
      const dm = (v: number): number => Math.round(v * 10) + 0;
      out.push(`${dm(a[0] + (b[0] - a[0]) * f)},${dm(a[1] + (b[1] - a[1]) * f)}`);
    }
  }
  return [...new Set(out)].sort();
};

/** A lane path as an undirected key (either direction), with its trigger distance. */
const pathKey = (w: WorkPath): string => {
  const key = (c: typeof w.coordinates): string => c.map((q) => q.join(' ')).join(';');
  return `${[key(w.coordinates), key([...w.coordinates].reverse())].sort()[0]}@${w.triggerDistanceM}`;
};

/** Lane paths that are not parallel to the longest lane (the bends), each as a {@link pathKey}. */
const bendKeys = (workPaths: readonly WorkPath[]): string[] => {
  const lanes = workPaths.filter((w) => w.kind === 'lane');
  const pts = lanes.map((w) => w.coordinates.map((q) => frame.toLocal(q)));
  const lengthOf = (p: XY[]): number =>
    p.slice(1).reduce((s, b, k) => s + Math.hypot(b[0] - p[k]![0], b[1] - p[k]![1]), 0);
  const longest = pts.reduce((m, p) => (lengthOf(p) > lengthOf(m) ? p : m));
  const d: XY = [longest[1]![0] - longest[0]![0], longest[1]![1] - longest[0]![1]];
  const out: string[] = [];
  lanes.forEach((w, k) => {
    const p = pts[k]!;
    const v: XY = [p[p.length - 1]![0] - p[0]![0], p[p.length - 1]![1] - p[0]![1]];
    const straight =
      p.length === 2 &&
      Math.abs(d[0] * v[1] - d[1] * v[0]) < 1e-3 * Math.hypot(...d) * Math.hypot(...v);
    if (!straight) out.push(pathKey(w));
  });
  return out.sort();
};

/** Runs of the band work paths flown without a break (a new sortie starts where one jumps). */
const runsOf = (workPaths: readonly WorkPath[]): WorkPath[][] => {
  const out: WorkPath[][] = [];
  let run: WorkPath[] = [];
  for (const w of workPaths) {
    const prev = run[run.length - 1];
    const a = prev?.coordinates.at(-1);
    const b = w.coordinates[0]!;
    if (
      prev &&
      prev.kind !== 'transit' &&
      w.kind !== 'transit' &&
      (a![0] !== b[0] || a![1] !== b[1])
    ) {
      out.push(run);
      run = [];
    }
    run.push(w);
  }
  out.push(run);
  return out;
};

describe('planLaneBands with bent lane ends (low side overlap)', () => {
  const drone30 = { ...DEFAULT_DRONE, enduranceS: 30 * 60 };
  const lowOverlap = (ring: XY[], dock: XY, sideOverlapPct: number): WorkPath[] =>
    planCoverage(fromMetres([ring]), {
      altitudeAglM: 100,
      sideOverlapPct,
      frame,
      startLonLat: frame.toLonLat(dock),
      footprints: false,
    }).workPaths;
  const parallelogram = SLANTED['leaning parallelogram']!;
  // 220 m west of the parallelogram's middle (it spans 0–3 500 m east, 0–500 m north).
  const west: XY = [-220, 250];
  const trapezoid: XY[] = [
    [0, 0],
    [2400, 0],
    [1900, 700],
    [300, 700],
  ];

  it('flies a leaning parallelogram at 30 % side overlap, its lane ends bent along the edges, in 2 sorties (the bound) where the lanes split in order need 3', () => {
    const workPaths = lowOverlap(parallelogram, west, 30);
    expect(bendKeys(workPaths).length).toBeGreaterThan(0);
    const docks = [{ id: 'd', xy: west }];
    const before = split(workPaths, docks, drone30);
    if (!before.ok) throw new Error(before.message);
    expect(before.sorties.length).toBe(3);
    expect(before.lowerBound).toBe(2);
    const bands = planLaneBands(workPaths, docks, drone30, frame);
    expect(bands?.sorties).toBe(2);
    const after = split(bands!.workPaths, docks, drone30);
    if (!after.ok) throw new Error(after.message);
    expect(after.sorties.length).toBe(2);
    expect(after.totalTimeS).toBeLessThanOrEqual(bands!.timeS + 1e-6);
    for (const s of after.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone30));
  });

  it('flies a trapezoid at 10 % side overlap in 2 sorties (the bound) where the lanes split in order need 3', () => {
    const dock: XY = [1200, -220];
    const workPaths = lowOverlap(trapezoid, dock, 10);
    expect(bendKeys(workPaths).length).toBeGreaterThan(0);
    const docks = [{ id: 'd', xy: dock }];
    const before = split(workPaths, docks, drone30);
    if (!before.ok) throw new Error(before.message);
    expect(before.sorties.length).toBe(3);
    const bands = planLaneBands(workPaths, docks, drone30, frame);
    expect(bands?.sorties).toBe(before.lowerBound);
    const after = split(bands!.workPaths, docks, drone30);
    if (!after.ok) throw new Error(after.message);
    expect(after.sorties.length).toBe(2);
  });

  it('carries every bend whole and keeps every photo position and lane metre', () => {
    for (const [ring, dock, side] of [
      [parallelogram, west, 30],
      [parallelogram, [1750, -220], 10],
      [trapezoid, [1200, -220], 10],
    ] as [XY[], XY, number][]) {
      const workPaths = lowOverlap(ring, dock, side);
      const bands = planLaneBands(workPaths, [{ id: 'd', xy: dock }], drone30, frame)!;
      expect(bands).not.toBeNull();
      // The same bends, each once, as given or reversed, with its own trigger distance.
      expect(bendKeys(bands.workPaths)).toEqual(bendKeys(workPaths));
      expect(photoPositionsAlong(bands.workPaths)).toEqual(photoPositionsAlong(workPaths));
      const laneM = (w: readonly WorkPath[]): number =>
        w
          .filter((p) => p.kind === 'lane')
          .reduce((s, p) => {
            const q = p.coordinates.map((c) => frame.toLocal(c));
            return (
              s +
              q.slice(1).reduce((t, b, k) => t + Math.hypot(b[0] - q[k]![0], b[1] - q[k]![1]), 0)
            );
          }, 0);
      expect(laneM(bands.workPaths)).toBeCloseTo(laneM(workPaths), 3);
      // Every bend is flown joined to its lane end, without a transit between them.
      const bends = new Set(bendKeys(bands.workPaths));
      for (const [k, w] of bands.workPaths.entries()) {
        if (w.kind !== 'lane' || !bends.has(pathKey(w))) continue;
        const prev = bands.workPaths[k - 1];
        const next = bands.workPaths[k + 1];
        const joined = (p: WorkPath | undefined, q: WorkPath | undefined): boolean =>
          !!p &&
          !!q &&
          p.kind === 'lane' &&
          q.kind === 'lane' &&
          p.coordinates.at(-1)!.join() === q.coordinates[0]!.join();
        expect(joined(prev, w) || joined(w, next)).toBe(true);
      }
    }
  });

  it("flies the short extra passes beside a star's block as lanes of the bands, keeping all the work", () => {
    // Random star #1009 at 30 % side overlap, lanes forced north–south: one cell with bent lane
    // ends and a one-lane cell (an extra pass) beside it.
    const ring = starForest(seededRandom(1009));
    const dock: XY = [0, Math.min(...ring.map((p) => p[1])) - 220];
    const plan = planCoverage(fromMetres([ring]), {
      altitudeAglM: 100,
      sideOverlapPct: 30,
      frame,
      startLonLat: frame.toLonLat(dock),
      footprints: false,
      sweepCourseDeg: 0,
    });
    expect(plan.cells.length).toBeGreaterThan(1);
    const drone = { ...DEFAULT_DRONE, enduranceS: 20 * 60 };
    const docks = [{ id: 'd', xy: dock }];
    const before = split(plan.workPaths, docks, drone);
    if (!before.ok) throw new Error(before.message);
    const bands = planLaneBands(plan.workPaths, docks, drone, frame);
    expect(bands).not.toBeNull();
    expect(bands!.sorties).toBeLessThan(before.sorties.length);
    const after = split(bands!.workPaths, docks, drone);
    if (!after.ok) throw new Error(after.message);
    expect(after.sorties.length).toBe(bands!.sorties);
    expect(bendKeys(bands!.workPaths)).toEqual(bendKeys(plan.workPaths));
    expect(photoPositionsAlong(bands!.workPaths)).toEqual(photoPositionsAlong(plan.workPaths));
    let sumS = 0;
    for (const run of runsOf(bands!.workPaths)) {
      const alone = split(run, docks, drone);
      if (!alone.ok) throw new Error(alone.message);
      sumS += alone.totalTimeS;
    }
    expect(Math.abs(sumS - bands!.timeS)).toBeLessThan(1e-6);
  });

  it('keeps the work and the reserve of seeded slanted quadrilaterals at low side overlap, timed exactly (energy-model oracle)', () => {
    const rand = seededRandom(31);
    let planned = 0;
    let bent = 0;
    for (let trial = 0; trial < 10; trial++) {
      // A parallelogram or a trapezoid whose slanted sides lean 12–30° off its long edges.
      const widthM = 300 + rand() * 500;
      const leanM = widthM / Math.tan(((12 + rand() * 18) * Math.PI) / 180);
      const trapezoid = rand() < 0.5;
      const lengthM = trapezoid ? 2 * leanM + 400 + rand() * 1500 : 1200 + rand() * 1800;
      const ring: XY[] = trapezoid
        ? [
            [0, 0],
            [lengthM, 0],
            [lengthM - leanM, widthM],
            [leanM, widthM],
          ]
        : [
            [0, 0],
            [lengthM, 0],
            [lengthM + leanM, widthM],
            [leanM, widthM],
          ];
      const dock: XY = [rand() * lengthM, -100 - rand() * 400];
      const side = [0, 10, 30][Math.floor(rand() * 3)]!;
      const drone = { ...DEFAULT_DRONE, enduranceS: (20 + Math.round(rand() * 20)) * 60 };
      const docks = [{ id: 'd', xy: dock }];
      const workPaths = lowOverlap(ring, dock, side);
      const bands = planLaneBands(workPaths, docks, drone, frame);
      if (!bands) continue;
      planned++;
      if (bendKeys(workPaths).length > 0) bent++;
      const label = `trial ${trial} (${side} %)`;
      expect(bendKeys(bands.workPaths), label).toEqual(bendKeys(workPaths));
      expect(photoPositionsAlong(bands.workPaths), label).toEqual(photoPositionsAlong(workPaths));
      const runs = runsOf(bands.workPaths);
      expect(runs.length, label).toBe(bands.sorties);
      let sumS = 0;
      for (const run of runs) {
        const alone = split(run, docks, drone);
        if (!alone.ok) throw new Error(alone.message);
        expect(alone.sorties.length, label).toBe(1);
        expect(alone.totalTimeS, label).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
        sumS += alone.totalTimeS;
      }
      expect(Math.abs(sumS - bands.timeS), label).toBeLessThan(1e-6);
      const again = split(bands.workPaths, docks, drone);
      if (!again.ok) throw new Error(again.message);
      expect(again.sorties.length, label).toBeLessThanOrEqual(bands.sorties);
    }
    // The rest: lanes so long that no sortie holds one with a neighbour's half (null).
    expect(planned).toBeGreaterThanOrEqual(6);
    expect(bent).toBeGreaterThanOrEqual(5);
  });

  it('still refuses several cells of one course side by side', () => {
    // Two rectangles on the same lines with a gap between them: two cells, not one with passes.
    const dock: XY = [0, -500];
    const a = lanesOf(rectangle(600, 400, -500, 0), dock, 90);
    const b = lanesOf(rectangle(600, 400, 500, 0), dock, 90);
    expect(planLaneBands([...a, ...b], [{ id: 'd', xy: dock }], drone30, frame)).toBeNull();
  });

  it('counts the bends, their turns and every sortie exactly as planSorties does (never less)', () => {
    let checked = 0;
    for (const [ring, dock, side, minutes] of [
      [parallelogram, west, 30, 30],
      [parallelogram, [1750, 250], 30, 20],
      [trapezoid, [1200, -220], 10, 30],
      [SLANTED['thin triangle']!, [1000, -220], 0, 20],
    ] as [XY[], XY, number, number][]) {
      const drone = { ...DEFAULT_DRONE, enduranceS: minutes * 60 };
      const docks = [{ id: 'd', xy: dock }];
      const workPaths = lowOverlap(ring, dock, side);
      const bands = planLaneBands(workPaths, docks, drone, frame);
      if (!bands) continue;
      checked++;
      const runs = runsOf(bands.workPaths);
      expect(runs.length).toBe(bands.sorties);
      let sumS = 0;
      for (const run of runs) {
        const alone = split(run, docks, drone);
        if (!alone.ok) throw new Error(alone.message);
        expect(alone.sorties.length).toBe(1);
        expect(alone.totalTimeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
        sumS += alone.totalTimeS;
      }
      expect(Math.abs(sumS - bands.timeS)).toBeLessThan(1e-6);
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
