/**
 * `npm run bench -- --filter missions/coverage`: quality and speed figures of the coverage side of
 * the planner (area coverage, angle search, corridors).
 */
import { readFileSync } from 'node:fs';
import type { MultiPolygon, Polygon } from 'geojson';
import {
  bruteForceSweepAngle,
  createLocalFrame,
  decomposeSweep,
  DEFAULT_MAPPING_CAMERA,
  frameForCoordinates,
  planCoverage,
  searchSweepAngle,
  sweepLanes,
  sweepObjectiveM,
  type MultiPolygonXY,
} from '../../missions/index';
import { footprintCoverage } from '../missions/coverage/footprint-coverage';
import { CENTRE, CONCAVE, CONVEX, fromMetres } from '../missions/coverage/shapes';
import { interleavedRatio, median, type Benchmark } from './harness';

const frame = createLocalFrame(CENTRE);
const WIDE = {
  sensor: { ...DEFAULT_MAPPING_CAMERA, focalLengthMm: 4.5 },
  altitudeAglM: 120,
  sideOverlapPct: 30,
  frontOverlapPct: 50,
} as const;

/** A lidar: a continuous strip, so lanes reach the area's edges (no photo reach to credit). */
const LIDAR = { sensor: { kind: 'lidar', fovDeg: 60 }, altitudeAglM: 100 } as const;

function forest(name: string): (Polygon | MultiPolygon)[] {
  const json = JSON.parse(
    readFileSync(new URL(`../fixtures/areas/forests/${name}`, import.meta.url), 'utf8'),
  ) as {
    features?: { geometry: Polygon | MultiPolygon }[];
    geometry?: Polygon | MultiPolygon;
  };
  return json.features
    ? json.features.map((f) => f.geometry)
    : json.geometry
      ? [json.geometry]
      : [];
}

function toLocal(g: Polygon | MultiPolygon): MultiPolygonXY {
  const f = frameForCoordinates(g.coordinates);
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((p) => p.map((r) => r.slice(0, -1).map((c) => f.toLocal(c))));
}

function bruteMinWidthM(ring: [number, number][]): number {
  let best = Infinity;
  for (let i = 0; i < 3600; i++) {
    const a = (i * Math.PI) / 3600;
    const proj = ring.map(([x, y]) => -x * Math.sin(a) + y * Math.cos(a));
    best = Math.min(best, Math.max(...proj) - Math.min(...proj));
  }
  return best;
}

function ringAreaM2(ring: [number, number][]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** The best single direction for the whole input: every 5° for small areas, every 15° for large ones. */
function bestSingleDirection(area: Polygon | MultiPolygon, options: object, stepDeg: number) {
  let best = { lengthM: Infinity, flightCostM: Infinity, courseDeg: 0 };
  for (let c = 0; c < 180; c += stepDeg) {
    const s = planCoverage(area, { ...options, sweepCourseDeg: c, footprints: false }).stats;
    if (s.flightCostM < best.flightCostM)
      best = { lengthM: s.lengthM, flightCostM: s.flightCostM, courseDeg: c };
  }
  return best;
}

/**
 * The classic single-direction planner: one direction for the whole input, no decomposition; each
 * sweep line's intervals are flown in turn (crossing holes and gaps on the line), lines alternate.
 * Its best direction (every 5°) by the same objective: length + 40 m per 90° turn.
 */
function scanlineSingleDirection(
  area: Polygon | MultiPolygon,
  spacingM: number,
  alongReachM: number,
) {
  const local = toLocal(area);
  let best = { lengthM: Infinity, flightCostM: Infinity };
  for (let c = 0; c < 180; c += 5) {
    const sweep = sweepLanes(local, (c * Math.PI) / 180, spacingM, { alongReachM });
    let lengthM = 0;
    let turns = 0;
    let last: [number, number] | null = null;
    let right = true;
    for (const line of sweep.lines) {
      if (line.intervals.length === 0) continue;
      const ivs = right ? line.intervals : [...line.intervals].reverse();
      for (const iv of ivs) {
        const from: [number, number] = [right ? iv.startM : iv.endM, line.yM];
        const to: [number, number] = [right ? iv.endM : iv.startM, line.yM];
        if (last) {
          const changeLine = last[1] !== from[1];
          lengthM += Math.hypot(from[0] - last[0], from[1] - last[1]) + (changeLine ? 20 : 0);
          if (changeLine) turns += 2;
        }
        lengthM += Math.abs(to[0] - from[0]);
        last = to;
      }
      right = !right;
    }
    const flightCostM = lengthM + 40 * turns;
    if (flightCostM < best.flightCostM) best = { lengthM, flightCostM };
  }
  return best;
}

const benchmarks: Benchmark[] = [
  {
    group: 'missions',
    name: 'coverage/convex-length-over-bound',
    run() {
      const figures: Record<string, number | string> = {};
      const ratios: number[] = [];
      let turnsExact = 0;
      for (const [name, ring] of Object.entries(CONVEX)) {
        const plan = planCoverage(fromMetres([ring]), {
          altitudeAglM: 100,
          frame,
          footprints: false,
        });
        const w = plan.stats.laneSpacingM;
        const wMin = bruteMinWidthM(ring);
        const bound = ringAreaM2(ring) / w + wMin - w;
        const ratio = plan.stats.lengthM / bound;
        ratios.push(ratio);
        figures[`${name}.lengthOverBound`] = ratio;
        // The same plan with lanes reaching the band ends (no credit for the photo's reach).
        const untrimmed =
          (plan.stats.lengthM + plan.stats.laneCount * (plan.sensor.footprintAlongM ?? 0)) / bound;
        figures[`${name}.untrimmedOverBound`] = untrimmed;
        if (plan.stats.turns === 2 * (Math.ceil(wMin / w) - 1)) turnsExact++;
      }
      figures.maxLengthOverBound = Math.max(...ratios);
      figures.turnsEqualFormula = `${turnsExact}/${Object.keys(CONVEX).length}`;
      return {
        figures,
        notes: [
          'bound = A/w + W_min − w; lanes stop where the last photo reaches the edge, so lengthOverBound can be < 1',
          'untrimmedOverBound adds back one footprint length per lane (lanes to the band ends)',
        ],
      };
    },
  },
  {
    group: 'missions',
    name: 'coverage/real-forests-coverage',
    run() {
      const figures: Record<string, number> = {};
      for (const name of [
        'amador_ranger_district.geojson',
        'dillon_ranger_district.geojson',
        'admiralty_national_monument.geojson',
      ]) {
        for (const [i, g] of forest(name).entries()) {
          const t0 = performance.now();
          const plan = planCoverage(g, WIDE);
          const ms = performance.now() - t0;
          const check = footprintCoverage(g, plan.footprints, { samples: 20_000 });
          const key = `${name.replace('.geojson', '')}#${i}`;
          figures[`${key}.coveragePct`] = 100 * check.fraction;
          figures[`${key}.areaKm2`] = plan.stats.areaM2 / 1e6;
          figures[`${key}.cells`] = plan.stats.cells;
          figures[`${key}.lengthOverBound`] = plan.stats.lengthM / plan.stats.lowerBoundM;
          figures[`${key}.planMs`] = Math.round(ms);
        }
      }
      return {
        figures,
        notes: ['camera 13.2 mm sensor, 4.5 mm lens, 120 m AGL, 30 % side / 50 % front overlap'],
      };
    },
  },
  {
    group: 'missions',
    name: 'coverage/holes-vs-single-direction',
    run() {
      const figures: Record<string, number> = {};
      const cases: [string, Polygon | MultiPolygon, object, number][] = [
        ['square with two holes', fromMetres(CONCAVE['square with two holes']!), { frame }, 5],
        ['U shape', fromMetres(CONCAVE['U shape']!), { frame }, 5],
        ['comb', fromMetres(CONCAVE.comb!), { frame }, 5],
        [
          'square with two holes (lidar)',
          fromMetres(CONCAVE['square with two holes']!),
          { frame, ...LIDAR },
          5,
        ],
        ['U shape (lidar)', fromMetres(CONCAVE['U shape']!), { frame, ...LIDAR }, 5],
        ['comb (lidar)', fromMetres(CONCAVE.comb!), { frame, ...LIDAR }, 5],
        ['amador (holes)', forest('amador_ranger_district.geojson')[0]!, WIDE, 15],
        ['dillon#0 (hole)', forest('dillon_ranger_district.geojson')[0]!, WIDE, 15],
      ];
      const lengthRatios: number[] = [];
      const costRatios: number[] = [];
      const scanRatios: number[] = [];
      for (const [name, area, options, step] of cases) {
        const plan = planCoverage(area, { ...options, footprints: false });
        const mine = plan.stats;
        const single = bestSingleDirection(area, options, step);
        const scan = scanlineSingleDirection(
          area,
          mine.laneSpacingM,
          (plan.sensor.footprintAlongM ?? 0) / 2,
        );
        lengthRatios.push(mine.lengthM / single.lengthM);
        costRatios.push(mine.flightCostM / single.flightCostM);
        scanRatios.push(mine.lengthM / scan.lengthM);
        figures[`${name}.lengthRatio`] = mine.lengthM / single.lengthM;
        figures[`${name}.flightCostRatio`] = mine.flightCostM / single.flightCostM;
        figures[`${name}.lengthRatioVsScanline`] = mine.lengthM / scan.lengthM;
        figures[`${name}.flightCostRatioVsScanline`] = mine.flightCostM / scan.flightCostM;
      }
      figures.medianLengthRatioVsScanline = median(scanRatios);
      figures.medianLengthRatio = median(lengthRatios);
      figures.medianFlightCostRatio = median(costRatios);
      return {
        figures,
        notes: [
          'lengthRatio: vs the same planner forced to its best single direction (every 5°, 15° on real forests): same decomposition and ordering',
          'lengthRatioVsScanline: vs a classic scanline planner (one best direction, no decomposition, flies across holes on each line)',
          'flightCost = length + 40 m per 90° turn (the objective); goal lengthRatio ≤ 0.94',
        ],
      };
    },
  },
  {
    group: 'missions',
    name: 'coverage/angle-search-vs-brute-force-180',
    run() {
      const figures: Record<string, number> = {};
      const costs = { turnCostM: 40, turnaroundM: 10 };
      const areas: [string, MultiPolygonXY][] = [
        ...Object.entries(CONVEX).map(
          ([n, r]) => [n, toLocal(fromMetres([r]))] as [string, MultiPolygonXY],
        ),
        ...Object.entries(CONCAVE).map(
          ([n, r]) => [n, toLocal(fromMetres(r))] as [string, MultiPolygonXY],
        ),
        ['amador', toLocal(forest('amador_ranger_district.geojson')[0]!)],
      ];
      const speed: number[] = [];
      const quality: number[] = [];
      for (const [name, area] of areas) {
        const w = name === 'amador' ? 246 : 45;
        const objective = (a: number): number =>
          sweepObjectiveM(decomposeSweep(sweepLanes(area, a, w, { alongReachM: 50 })), costs);
        const found = searchSweepAngle(area, objective);
        const brute = bruteForceSweepAngle(objective, 180);
        quality.push(found.costM / brute.costM);
        figures[`${name}.objectiveRatio`] = found.costM / brute.costM;
        const r = interleavedRatio(
          () => bruteForceSweepAngle(objective, 180),
          () => searchSweepAngle(area, objective),
          { rounds: 3, minMs: 100 },
        );
        speed.push(r.ratio);
        figures[`${name}.speedup`] = r.ratio;
      }
      figures.medianSpeedup = median(speed);
      figures.worstObjectiveRatio = Math.max(...quality);
      figures.bestObjectiveRatio = Math.min(...quality);
      return {
        figures,
        notes: [
          'speedup = search ops/s ÷ 180-step brute force ops/s; objectiveRatio < 1 means the search beat the 1° grid',
        ],
      };
    },
  },
];

export default benchmarks;
