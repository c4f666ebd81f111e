import { buffer, length as turfLength, lineSliceAlong, lineString } from '@turf/turf';
import type {
  Feature,
  LineString,
  MultiLineString,
  MultiPolygon,
  Polygon,
  Position,
} from 'geojson';
import {
  createObstacleRouter,
  footprintAt,
  planCoverage,
  type CameraFootprint,
  type CoverageOptions,
  type PolygonXY,
} from '../coverage/index';
import { pointInPolygon } from '../coverage/planar-geometry';
import {
  createLocalFrame,
  frameForCoordinates,
  MissionInputError,
  type LocalFrame,
} from '../frame/index';
import {
  DEFAULT_MAPPING_CAMERA,
  sensorCoverage,
  type Sensor,
  type SensorCoverage,
  type SensorCoverageOptions,
} from '../sensor/index';
import type { LonLat, WorkPath, XY } from '../types/index';
import { densify, offsetPolyline, smoothPolyline } from './offset-polyline';

/** Options of {@link planCorridor}. Lengths in metres. */
export interface CorridorOptions {
  /** Total width of the corridor to cover, centred on the centre line (> 0). Ignored for a river polygon. */
  widthM?: number;
  /** How far beyond each corridor edge the outer footprints must reach (bends, smoothing). Default 10 m. */
  edgeMarginM?: number;
  /** No-fly zones: passes are cut where they would enter one and the gap is flown around it. */
  noFlyZones?: readonly (Polygon | MultiPolygon)[];
  /** Distance kept from no-fly zones. Default 10 m. */
  noFlyMarginM?: number;
  /** Default `DEFAULT_MAPPING_CAMERA`. */
  sensor?: Sensor;
  /** Default 100 m. */
  altitudeAglM?: number;
  /** Default 70 %. */
  sideOverlapPct?: number;
  /** Default 80 %. */
  frontOverlapPct?: number;
  /** Smoothing of the centre line before offsetting (moving-average half-window). Default: one lane spacing. */
  smoothingM?: number;
  /** The centre line is planned in pieces of at most this length, each in its own local frame. Default 20 km. */
  maxSegmentM?: number;
  /** Where the drone comes from: the first pass starts at the nearest end. */
  startLonLat?: LonLat;
  /** Extra options for a river polygon, which is covered as an area. */
  area?: Omit<CoverageOptions, 'sensor' | 'altitudeAglM' | 'sideOverlapPct' | 'frontOverlapPct'>;
}

/** One pass along the river at a signed offset from the centre line (positive = left bank side). */
export interface CorridorPass {
  offsetM: number;
  coordinates: LonLat[];
  lengthM: number;
}

/** The result of {@link planCorridor}. */
export interface CorridorPlan {
  /** Passes and transits in flight order (kind `pass` / `transit`). */
  workPaths: WorkPath[];
  passes: CorridorPass[];
  footprints: CameraFootprint[];
  sensor: SensorCoverage;
  stats: {
    corridorWidthM: number;
    /** Passes per segment of the centre line. */
    passesAcross: number;
    /** Spacing between neighbouring passes (≤ the sensor's lane spacing). */
    passSpacingM: number;
    passLengthM: number;
    transitLengthM: number;
    lengthM: number;
    photoCount: number;
    segments: number;
  };
}

function fail(path: string, message: string): never {
  throw new MissionInputError('CORRIDOR_INVALID', path, message);
}

function linesOf(input: unknown): Position[][] | 'area' {
  const g =
    input && typeof input === 'object' && (input as { type?: unknown }).type === 'Feature'
      ? (input as { geometry?: unknown }).geometry
      : input;
  const type = g && typeof g === 'object' ? (g as { type?: unknown }).type : undefined;
  if (type === 'Polygon' || type === 'MultiPolygon') return 'area';
  if (type === 'LineString') return [(g as LineString).coordinates];
  if (type === 'MultiLineString') return (g as MultiLineString).coordinates;
  return fail(
    'river',
    `river must be a GeoJSON LineString, MultiLineString, Polygon or MultiPolygon, got ${String(type)}`,
  );
}

/**
 * Plans a river corridor: the centre line (LineString or MultiLineString) is smoothed, cut into
 * segments of at most `maxSegmentM`, and each segment is flown as back-and-forth passes at the
 * offsets the swath needs to cover `widthM`, following the river; offset lines are built in a
 * local metric frame with round joins and their loops cut out, so they never cross themselves.
 * A river Polygon / MultiPolygon is covered as an area (its lanes become passes).
 *
 * @throws MissionInputError `CORRIDOR_INVALID` naming the bad value, or `SENSOR_INVALID`
 * @example
 * const plan = planCorridor(riverLine, { widthM: 300, altitudeAglM: 100 });
 * plan.stats.passesAcross; // e.g. 3
 */
export function planCorridor(
  river:
    | LineString
    | MultiLineString
    | Polygon
    | MultiPolygon
    | Feature<LineString | MultiLineString | Polygon | MultiPolygon>,
  options: CorridorOptions = {},
): CorridorPlan {
  const lines = linesOf(river);
  const sensorOptions: SensorCoverageOptions = { altitudeAglM: options.altitudeAglM ?? 100 };
  if (options.sideOverlapPct !== undefined) sensorOptions.sideOverlapPct = options.sideOverlapPct;
  if (options.frontOverlapPct !== undefined)
    sensorOptions.frontOverlapPct = options.frontOverlapPct;
  const sensorModel = options.sensor ?? DEFAULT_MAPPING_CAMERA;
  const sensor = sensorCoverage(sensorModel, sensorOptions);
  if (lines === 'area')
    return corridorFromArea(river as Polygon | MultiPolygon, sensorModel, sensorOptions, options);

  const widthM = options.widthM;
  if (widthM === undefined || !Number.isFinite(widthM) || widthM <= 0) {
    fail('options.widthM', `options.widthM must be a corridor width > 0 m, got ${String(widthM)}`);
  }
  const maxSegmentM = options.maxSegmentM ?? 20_000;
  if (!Number.isFinite(maxSegmentM) || maxSegmentM < 100) {
    fail('options.maxSegmentM', `options.maxSegmentM must be ≥ 100 m, got ${String(maxSegmentM)}`);
  }
  for (const [i, line] of lines.entries()) {
    if (!Array.isArray(line) || line.length < 2)
      fail(
        `river.coordinates[${i}]`,
        `river.coordinates[${i}] must hold ≥ 2 positions, got ${Array.isArray(line) ? line.length : typeof line}`,
      );
    for (const [k, p] of line.entries()) {
      if (
        typeof p[0] !== 'number' ||
        typeof p[1] !== 'number' ||
        !(Math.abs(p[0]) <= 180) ||
        !(Math.abs(p[1]) <= 90)
      ) {
        fail(
          `river.coordinates[${i}][${k}]`,
          `river.coordinates[${i}][${k}] must be [lon, lat] in degrees, got ${JSON.stringify(p)}`,
        );
      }
    }
  }

  // Passes: the fewest whose swaths reach both edges, spread evenly (spacing ≤ the lane spacing).
  const across = sensor.footprintAcrossM;
  const edgeMarginM = options.edgeMarginM ?? 10;
  if (!Number.isFinite(edgeMarginM) || edgeMarginM < 0) {
    fail('options.edgeMarginM', `options.edgeMarginM must be ≥ 0 m, got ${String(edgeMarginM)}`);
  }
  const coverWidthM = widthM + 2 * edgeMarginM;
  const passesAcross =
    coverWidthM <= across ? 1 : Math.ceil((coverWidthM - across) / sensor.laneSpacingM - 1e-9) + 1;
  const spacingM = passesAcross > 1 ? (coverWidthM - across) / (passesAcross - 1) : 0;
  const noFly = options.noFlyZones ?? [];
  const noFlyMarginM = options.noFlyMarginM ?? 10;
  if (!Number.isFinite(noFlyMarginM) || noFlyMarginM < 0) {
    fail('options.noFlyMarginM', `options.noFlyMarginM must be ≥ 0 m, got ${String(noFlyMarginM)}`);
  }
  // Passes are cut 1 m outside the routing obstacles so that their ends are clearly outside.
  const routeZones = noFly.map((z) => (noFlyMarginM > 0 ? bufferGeometry(z, noFlyMarginM) : z));
  const cutZones = noFly.map((z) => bufferGeometry(z, noFlyMarginM + 1));
  const offsets = Array.from(
    { length: passesAcross },
    (_, i) => (i - (passesAcross - 1) / 2) * spacingM,
  );
  const smoothingM = options.smoothingM ?? sensor.laneSpacingM;

  // Segments of the centre line, each short enough for one local frame.
  const segments: Position[][] = [];
  for (const line of lines) {
    const lengthM = turfLength(lineString(line), { units: 'meters' });
    const pieces = Math.max(1, Math.ceil(lengthM / maxSegmentM));
    if (pieces === 1) segments.push(line);
    else {
      for (let k = 0; k < pieces; k++) {
        const part = lineSliceAlong(
          lineString(line),
          (lengthM * k) / pieces,
          (lengthM * (k + 1)) / pieces,
          { units: 'meters' },
        );
        segments.push(part.geometry.coordinates);
      }
    }
  }

  const workPaths: WorkPath[] = [];
  const passes: CorridorPass[] = [];
  const footprints: CameraFootprint[] = [];
  let passLengthM = 0;
  let transitLengthM = 0;
  let photoCount = 0;
  let position: LonLat | null = options.startLonLat ?? null;
  const remaining = segments.map((_, i) => i);
  while (remaining.length > 0) {
    // Next segment: the one with an end nearest to where the drone is (the first one without a start).
    let pick = 0;
    let reverseLine = false;
    if (position) {
      let best = Infinity;
      for (const [r, s] of remaining.entries()) {
        const seg = segments[s]!;
        for (const [rev, end] of [
          [false, seg[0]!],
          [true, seg[seg.length - 1]!],
        ] as const) {
          const dM = approxDistanceM(position, end);
          if (dM < best) {
            best = dM;
            pick = r;
            reverseLine = rev;
          }
        }
      }
    }
    const segIndex = remaining.splice(pick, 1)[0]!;
    const seg = segments[segIndex]!;
    const frame = frameForCoordinates(seg);
    const step = Math.min(50, Math.max(5, sensor.laneSpacingM / 2));
    let centre = densify(
      seg.map((p) => frame.toLocal(p)),
      step,
    );
    centre = smoothPolyline(centre, Math.round(smoothingM / step));
    // Offsets ordered from the side nearest the drone; alternate directions (boustrophedon).
    const here = position ? frame.toLocal(position) : null;
    const ordered = [...offsets];
    const startOf = (o: number, rev: boolean): XY => {
      const line = rev ? [...centre].reverse() : centre;
      return offsetPolyline(line.slice(0, 3), rev ? -o : o)[0]!;
    };
    if (here && ordered.length > 1) {
      const first = startOf(ordered[0]!, reverseLine);
      const last = startOf(ordered[ordered.length - 1]!, reverseLine);
      if (dist(here, last) < dist(here, first)) ordered.reverse();
    }
    const routeObstacles = routeZones.flatMap((z) => polygonsToLocal(z, frame));
    const cutObstacles = cutZones.flatMap((z) => polygonsToLocal(z, frame));
    const router = createObstacleRouter(routeObstacles);
    let prevEnd: XY | null = here && workPaths.length > 0 ? here : null;
    for (const [k, offsetM] of ordered.entries()) {
      const forward = (k % 2 === 0) !== reverseLine;
      const line = forward ? centre : [...centre].reverse();
      const whole = simplify(offsetPolyline(line, forward ? offsetM : -offsetM), 0.5);
      for (const pts of cutObstacles.length > 0 ? splitOutside(whole, cutObstacles) : [whole]) {
        const lengthM = polylineLength(pts);
        if (prevEnd) {
          const t = router.route(prevEnd, pts[0]!);
          transitLengthM += polylineLength(t);
          workPaths.push({
            kind: 'transit',
            coordinates: t.map((p) => frame.toLonLat(p)),
            altitudeAglM: sensor.altitudeAglM,
            triggerDistanceM: null,
          });
        }
        let triggerDistanceM: number | null = null;
        if (sensor.triggerDistanceM !== null && sensor.footprintAlongM !== null) {
          const shots =
            lengthM > 1e-6 ? Math.max(1, Math.ceil(lengthM / sensor.triggerDistanceM - 1e-9)) : 0;
          triggerDistanceM = shots > 0 ? lengthM / shots : sensor.triggerDistanceM;
          for (let s = 0; s <= shots; s++) {
            const at = pointAlong(pts, s * triggerDistanceM);
            footprints.push(footprintAt(frame, at.point, at.dir, across, sensor.footprintAlongM));
          }
          photoCount += shots + 1;
        } else {
          for (let i = 1; i < pts.length; i++) {
            const a = pts[i - 1]!;
            const b = pts[i]!;
            const l = dist(a, b);
            if (l > 0)
              footprints.push(
                footprintAt(
                  frame,
                  [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2],
                  [(b[0] - a[0]) / l, (b[1] - a[1]) / l],
                  across,
                  l,
                ),
              );
          }
        }
        const coordinates = pts.map((p) => frame.toLonLat(p));
        passes.push({ offsetM, coordinates, lengthM });
        workPaths.push({
          kind: 'pass',
          coordinates,
          altitudeAglM: sensor.altitudeAglM,
          triggerDistanceM,
        });
        passLengthM += lengthM;
        prevEnd = pts[pts.length - 1]!;
      }
    }
    if (prevEnd) position = frame.toLonLat(prevEnd);
  }
  return {
    workPaths,
    passes,
    footprints,
    sensor,
    stats: {
      corridorWidthM: widthM,
      passesAcross,
      passSpacingM: spacingM,
      passLengthM,
      transitLengthM,
      lengthM: passLengthM + transitLengthM,
      photoCount,
      segments: segments.length,
    },
  };
}

function corridorFromArea(
  area: Polygon | MultiPolygon,
  sensor: Sensor,
  sensorOptions: SensorCoverageOptions,
  options: CorridorOptions,
): CorridorPlan {
  const coverageOptions: CoverageOptions = {
    ...options.area,
    sensor,
    altitudeAglM: sensorOptions.altitudeAglM,
  };
  if (sensorOptions.sideOverlapPct !== undefined)
    coverageOptions.sideOverlapPct = sensorOptions.sideOverlapPct;
  if (sensorOptions.frontOverlapPct !== undefined)
    coverageOptions.frontOverlapPct = sensorOptions.frontOverlapPct;
  if (options.startLonLat) coverageOptions.startLonLat = options.startLonLat;
  const plan = planCoverage(area, coverageOptions);
  const workPaths = plan.workPaths.map((w) =>
    w.kind === 'lane' ? { ...w, kind: 'pass' as const } : w,
  );
  const frame = createLocalFrame(plan.frameCenter);
  const passes: CorridorPass[] = workPaths
    .filter((w) => w.kind === 'pass')
    .map((w) => ({
      offsetM: 0,
      coordinates: w.coordinates,
      lengthM: polylineLength(w.coordinates.map((c) => frame.toLocal(c))),
    }));
  return {
    workPaths,
    passes,
    footprints: plan.footprints,
    sensor: plan.sensor,
    stats: {
      corridorWidthM: 0,
      passesAcross: passes.length,
      passSpacingM: plan.stats.laneSpacingM,
      passLengthM: plan.stats.laneLengthM,
      transitLengthM: plan.stats.transitLengthM,
      lengthM: plan.stats.lengthM,
      photoCount: plan.stats.photoCount,
      segments: plan.stats.cells,
    },
  };
}

const dist = (a: XY, b: XY): number => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Equirectangular distance, metres: only to compare which end of a segment is nearer. */
function approxDistanceM(a: LonLat, b: readonly number[]): number {
  const k = Math.cos((((a[1] + (b[1] ?? 0)) / 2) * Math.PI) / 180);
  return Math.hypot((a[0] - (b[0] ?? 0)) * k, a[1] - (b[1] ?? 0)) * 111_195;
}

function polylineLength(pts: readonly XY[]): number {
  let s = 0;
  for (let i = 1; i < pts.length; i++) s += dist(pts[i - 1]!, pts[i]!);
  return s;
}

function pointAlong(pts: readonly XY[], sM: number): { point: XY; dir: XY } {
  let acc = 0;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const l = dist(a, b);
    if (l === 0) continue;
    if (acc + l >= sM - 1e-9 || i === pts.length - 1) {
      const t = Math.min(1, Math.max(0, (sM - acc) / l));
      return {
        point: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t],
        dir: [(b[0] - a[0]) / l, (b[1] - a[1]) / l],
      };
    }
    acc += l;
  }
  const p = pts[0]!;
  return { point: [p[0], p[1]], dir: [1, 0] };
}

/** Douglas–Peucker simplification with tolerance `tolM` (keeps the end points). */
function simplify(pts: XY[], tolM: number): XY[] {
  if (pts.length < 3) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = 1;
  keep[pts.length - 1] = 1;
  const stack: [number, number][] = [[0, pts.length - 1]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const a = pts[i]!;
    const b = pts[j]!;
    const l = dist(a, b);
    let worst = -1;
    let idx = -1;
    for (let k = i + 1; k < j; k++) {
      const p = pts[k]!;
      const d =
        l === 0
          ? dist(a, p)
          : Math.abs((b[0] - a[0]) * (a[1] - p[1]) - (a[0] - p[0]) * (b[1] - a[1])) / l;
      if (d > worst) {
        worst = d;
        idx = k;
      }
    }
    if (worst > tolM && idx > 0) {
      keep[idx] = 1;
      stack.push([i, idx], [idx, j]);
    }
  }
  return pts.filter((_, k) => keep[k]);
}

function bufferGeometry(g: Polygon | MultiPolygon, distanceM: number): Polygon | MultiPolygon {
  return buffer(g, distanceM, { units: 'meters' })?.geometry ?? g;
}

function polygonsToLocal(g: Polygon | MultiPolygon, frame: LocalFrame): PolygonXY[] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((p) => p.map((r) => r.slice(0, -1).map((c) => frame.toLocal(c))));
}

/** The pieces of a polyline outside every polygon (cut exactly at the polygon boundaries). */
function splitOutside(pts: readonly XY[], polygons: readonly PolygonXY[]): XY[][] {
  const pieces: XY[][] = [];
  let current: XY[] = [];
  const inside = (p: XY): boolean => polygons.some((poly) => pointInPolygon(p, poly));
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const ts = [0, 1];
    for (const poly of polygons) {
      for (const ring of poly) {
        for (let e = 0; e < ring.length; e++) {
          const c = ring[e]!;
          const d = ring[(e + 1) % ring.length]!;
          const rX = b[0] - a[0];
          const rY = b[1] - a[1];
          const sX = d[0] - c[0];
          const sY = d[1] - c[1];
          const den = rX * sY - rY * sX;
          if (Math.abs(den) < 1e-12) continue;
          const t = ((c[0] - a[0]) * sY - (c[1] - a[1]) * sX) / den;
          const u = ((c[0] - a[0]) * rY - (c[1] - a[1]) * rX) / den;
          if (t > 0 && t < 1 && u >= 0 && u <= 1) ts.push(t);
        }
      }
    }
    ts.sort((x, y) => x - y);
    for (let k = 1; k < ts.length; k++) {
      const t0 = ts[k - 1]!;
      const t1 = ts[k]!;
      if (t1 - t0 < 1e-12) continue;
      const p0: XY = [a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0];
      const p1: XY = [a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1];
      const mid: XY = [(p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2];
      if (inside(mid)) {
        if (current.length > 1) pieces.push(current);
        current = [];
        continue;
      }
      const last = current[current.length - 1];
      if (!last || last[0] !== p0[0] || last[1] !== p0[1]) current.push(p0);
      current.push(p1);
    }
  }
  if (current.length > 1) pieces.push(current);
  return pieces;
}
