import { buffer, difference, featureCollection, multiPolygon, polygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { frameForCoordinates, MissionInputError, type LocalFrame } from '../frame/index';
import {
  DEFAULT_MAPPING_CAMERA,
  sensorCoverage,
  type SensorCoverageOptions,
} from '../sensor/index';
import type { WorkPath, XY } from '../types/index';
import { footprintAt } from './camera-footprint';
import { pathPhotos, type PhotoRect } from './lane-hooks';
import { routeCells, type PlannedCell } from './coverage-route';
import { createObstacleRouter } from './obstacle-router';
import {
  minimumWidth,
  normaliseAngle,
  polygonAreaM2,
  polygonBounds,
  polylineLengthM,
  type MultiPolygonXY,
  type PolygonXY,
  type RingXY,
} from './planar-geometry';
import { planPart, planScanline, type PartContext } from './plan-part';
import type { SweepLaneOptions } from './sweep-lanes';
import type { CameraFootprint, CoverageCell, CoverageOptions, CoveragePlan } from './types';

const DEG = Math.PI / 180;
/**
 * Length-equivalent of one 90° turn: a multirotor stops and re-accelerates, losing about v²/a
 * (10 m/s, 2.5 m/s² → 40 m) of cruise per stop.
 */
const DEFAULT_TURN_COST_M = 40;
/** Converts a lane course (degrees clockwise from north) to a sweep angle (radians from +x). */
export function courseToSweepAngleRad(courseDeg: number): number {
  return normaliseAngle((90 - courseDeg) * DEG);
}

/** Converts a sweep angle (radians from +x) to a lane course in [0, 180) degrees from north. */
export function sweepAngleToCourseDeg(angleRad: number): number {
  const c = (90 - angleRad / DEG) % 180;
  return c < 0 ? c + 180 : c;
}

/**
 * Plans the coverage of a forest area: boustrophedon lanes whose direction is searched per part
 * and per cell to minimise length plus turn costs, cells from a boustrophedon decomposition around
 * holes, concavities and no-fly zones, cells ordered to minimise transit, transits routed around
 * no-fly zones, and a camera trigger distance per lane so the footprints cover the area.
 *
 * @param area a GeoJSON Polygon or MultiPolygon (holes allowed), `[lon, lat]`, or a Feature of one
 * @throws MissionInputError `AREA_INVALID` or `SENSOR_INVALID`, naming the bad value
 * @example
 * const plan = planCoverage(forest, { altitudeAglM: 100, noFlyZones: [school], startLonLat: dock });
 * plan.workPaths; // lanes and transits in flight order
 * plan.stats.lengthM; plan.stats.photoCount;
 */
export function planCoverage(
  area: Polygon | MultiPolygon | Feature<Polygon | MultiPolygon>,
  options: CoverageOptions = {},
): CoveragePlan {
  const geometry = validateArea(area, 'area');
  const noFly = (options.noFlyZones ?? []).map((z, i) => validateArea(z, `noFlyZones[${i}]`));
  const sensorOptions: SensorCoverageOptions = { altitudeAglM: options.altitudeAglM ?? 100 };
  if (options.sideOverlapPct !== undefined) sensorOptions.sideOverlapPct = options.sideOverlapPct;
  if (options.frontOverlapPct !== undefined)
    sensorOptions.frontOverlapPct = options.frontOverlapPct;
  const sensor = sensorCoverage(options.sensor ?? DEFAULT_MAPPING_CAMERA, sensorOptions);
  const spacingM = options.laneSpacingM ?? sensor.laneSpacingM;
  if (!Number.isFinite(spacingM) || spacingM <= 0 || spacingM > sensor.footprintAcrossM + 1e-9) {
    throw new MissionInputError(
      'SENSOR_INVALID',
      'options.laneSpacingM',
      `options.laneSpacingM must be in (0, ${sensor.footprintAcrossM.toFixed(2)}] m (the swath), got ${String(spacingM)}`,
    );
  }
  const turnaroundM = nonNegative(options.turnaroundM ?? 10, 'options.turnaroundM');
  const turnCostM = nonNegative(options.turnCostM ?? DEFAULT_TURN_COST_M, 'options.turnCostM');
  const marginM = nonNegative(options.marginM ?? 0, 'options.marginM');
  const noFlyMarginM = nonNegative(options.noFlyMarginM ?? 10, 'options.noFlyMarginM');
  const alongReachM = sensor.footprintAlongM === null ? 0 : sensor.footprintAlongM / 2;
  const costs = { turnCostM, turnaroundM };

  const grown = marginM > 0 ? bufferGeometry(geometry, marginM) : geometry;
  const frame = options.frame ?? frameForCoordinates(grown.coordinates);
  let parts = toLocal(grown, frame);
  if (noFly.length > 0)
    parts = subtract(
      parts,
      noFly.flatMap((z) => toLocal(z, frame)),
    );
  const obstacles: PolygonXY[] = noFly.flatMap((z) =>
    toLocal(noFlyMarginM > 0 ? bufferGeometry(z, noFlyMarginM) : z, frame),
  );
  const bridgeGapM = nonNegative(options.bridgeGapM ?? 0, 'options.bridgeGapM');
  const laneOptions: SweepLaneOptions = { alongReachM, obstacles, bridgeGapM };
  const router = createObstacleRouter(obstacles);
  const ctx: PartContext = {
    spacingM,
    laneOptions,
    costs,
    router,
    turnaroundM,
    alongReachM,
    obstacleNear: (part) => {
      const [minX, minY, maxX, maxY] = polygonBounds(part);
      return obstacles.some((o) => {
        const b = polygonBounds(o);
        return b[0] <= maxX && b[2] >= minX && b[1] <= maxY && b[3] >= minY;
      });
    },
    evaluations: 0,
    hooks: {
      acrossM: sensor.footprintAcrossM,
      camera: { triggerM: sensor.triggerDistanceM, alongM: sensor.footprintAlongM },
    },
  };
  const method = options.method ?? 'decomposition';
  const fixedAngle =
    options.sweepCourseDeg === undefined ? null : courseToSweepAngleRad(options.sweepCourseDeg);
  const planned: PlannedCell[] =
    method === 'scanline'
      ? planScanline(parts, fixedAngle, ctx)
      : parts.flatMap((part, i) =>
          planPart(part, i, fixedAngle, options.perCellDirections ?? true, ctx),
        );
  const angleEvaluations = ctx.evaluations;
  const start = options.startLonLat ? frame.toLocal(options.startLonLat) : null;
  const route = routeCells(planned, start, router, turnaroundM);

  const footprintsXY: PhotoRect[] = [];
  const wantFootprints = options.footprints ?? true;
  let photoCount = 0;
  const cellLaneCount = new Array<number>(planned.length).fill(0);
  const cellLaneLengthM = new Array<number>(planned.length).fill(0);
  const local: { kind: WorkPath['kind']; points: XY[]; triggerDistanceM: number | null }[] = [];
  const camera = { triggerM: sensor.triggerDistanceM, alongM: sensor.footprintAlongM };
  // A lane's bends (see hookLanes) are work paths of their own: each with its own trigger
  // distance and photos on both its ends, the lane itself stays one straight leg.
  const photograph = (points: XY[], dir: XY): void => {
    const photos = pathPhotos(points, camera, dir);
    photoCount += photos.photoCount;
    if (wantFootprints) footprintsXY.push(...photos.rects);
    local.push({ kind: 'lane', points, triggerDistanceM: photos.triggerDistanceM });
  };
  for (const step of route.steps) {
    if (step.kind === 'transit') {
      local.push({ kind: 'transit', points: step.points, triggerDistanceM: null });
      continue;
    }
    const { lane } = step;
    cellLaneCount[step.cell]!++;
    cellLaneLengthM[step.cell]! += polylineLengthM(step.points);
    if (lane.before) photograph([...lane.before, lane.from], lane.dir);
    photograph([lane.from, lane.to], lane.dir);
    if (lane.after) photograph([lane.to, ...lane.after], lane.dir);
  }
  const cellsOut: CoverageCell[] = route.visits.map((visit, order) => {
    const cell = planned[visit.cell]!;
    return {
      order,
      part: cell.part,
      sweepCourseDeg: sweepAngleToCourseDeg(cell.angleRad),
      laneCount: cellLaneCount[visit.cell]!,
      laneLengthM: cellLaneLengthM[visit.cell]!,
      region: cell.region ? toLonLatMulti(cell.region, frame) : null,
    };
  });
  const { laneLengthM, transitLengthM, turns } = route;
  // Every photographing work path: lanes and their bends (each bend is a lane work path of its own).
  const laneCount = local.filter((p) => p.kind === 'lane').length;
  const altitudeAglM = sensor.altitudeAglM;
  const workPaths: WorkPath[] = local.map((p) => ({
    kind: p.kind,
    coordinates: p.points.map((q) => frame.toLonLat(q)),
    altitudeAglM,
    triggerDistanceM: p.triggerDistanceM,
  }));
  const footprints: CameraFootprint[] = footprintsXY.map((f) =>
    footprintAt(frame, f.center, f.dir, sensor.footprintAcrossM, f.alongM),
  );
  let areaM2 = 0;
  let lowerBoundM = 0;
  for (const part of parts) {
    const a = polygonAreaM2(part);
    areaM2 += a;
    lowerBoundM += Math.max(
      a / spacingM,
      a / spacingM + minimumWidth(part[0] ?? []).widthM - spacingM,
    );
  }
  return {
    workPaths,
    cells: cellsOut,
    footprints,
    sensor,
    frameCenter: frame.center,
    stats: {
      areaM2,
      laneSpacingM: spacingM,
      triggerDistanceM: sensor.triggerDistanceM,
      laneCount,
      laneLengthM,
      transitLengthM,
      lengthM: laneLengthM + transitLengthM,
      flightCostM: laneLengthM + transitLengthM + turnCostM * turns,
      lowerBoundM,
      turns,
      cells: planned.length,
      photoCount,
      angleEvaluations,
    },
  };
}

function nonNegative(value: number, path: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new MissionInputError(
      'AREA_INVALID',
      path,
      `${path} must be a finite number ≥ 0 m, got ${String(value)}`,
    );
  }
  return value;
}

function validateArea(input: unknown, path: string): Polygon | MultiPolygon {
  const geometry =
    input && typeof input === 'object' && (input as { type?: unknown }).type === 'Feature'
      ? (input as { geometry?: unknown }).geometry
      : input;
  const type =
    geometry && typeof geometry === 'object' ? (geometry as { type?: unknown }).type : undefined;
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw new MissionInputError(
      'AREA_INVALID',
      path,
      `${path} must be a GeoJSON Polygon or MultiPolygon, got ${String(type)}`,
    );
  }
  const g = geometry as Polygon | MultiPolygon;
  const polys: Position[][][] = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (!Array.isArray(polys) || polys.length === 0) {
    throw new MissionInputError(
      'AREA_INVALID',
      `${path}.coordinates`,
      `${path}.coordinates must hold at least one polygon, got none`,
    );
  }
  for (const [i, poly] of polys.entries()) {
    for (const [r, ring] of poly.entries()) {
      const where =
        g.type === 'Polygon' ? `${path}.coordinates[${r}]` : `${path}.coordinates[${i}][${r}]`;
      if (!Array.isArray(ring) || ring.length < 4) {
        throw new MissionInputError(
          'AREA_INVALID',
          where,
          `${where} must be a closed ring of ≥ 4 positions, got ${Array.isArray(ring) ? ring.length : typeof ring}`,
        );
      }
      for (const [k, p] of ring.entries()) {
        const lon = p[0];
        const lat = p[1];
        if (
          typeof lon !== 'number' ||
          typeof lat !== 'number' ||
          !(Math.abs(lon) <= 180) ||
          !(Math.abs(lat) <= 90)
        ) {
          throw new MissionInputError(
            'AREA_INVALID',
            `${where}[${k}]`,
            `${where}[${k}] must be [lon, lat] in degrees, got ${JSON.stringify(p)}`,
          );
        }
      }
    }
  }
  return g;
}

function bufferGeometry(
  geometry: Polygon | MultiPolygon,
  distanceM: number,
): Polygon | MultiPolygon {
  const out = buffer(geometry, distanceM, { units: 'meters' });
  if (!out) return geometry;
  return out.geometry;
}

function toLocal(geometry: Polygon | MultiPolygon, frame: LocalFrame): MultiPolygonXY {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out: MultiPolygonXY = [];
  for (const poly of polys) {
    const rings: PolygonXY = [];
    for (const ring of poly) {
      const pts: RingXY = ring.map((p) => frame.toLocal(p));
      const first = pts[0];
      const last = pts[pts.length - 1];
      if (first && last && first[0] === last[0] && first[1] === last[1]) pts.pop();
      if (pts.length >= 3) rings.push(pts);
    }
    if (rings.length > 0) out.push(rings);
  }
  return out;
}

function closedRing(ring: RingXY): Position[] {
  const out: Position[] = ring.map((p) => [p[0], p[1]]);
  const first = ring[0]!;
  out.push([first[0], first[1]]);
  return out;
}

function fromTurf(geometry: Polygon | MultiPolygon | undefined): MultiPolygonXY {
  if (!geometry) return [];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out: MultiPolygonXY = [];
  for (const poly of polys) {
    const rings: PolygonXY = poly
      .map((ring) => ring.slice(0, -1).map((p) => [p[0] ?? 0, p[1] ?? 0] as XY))
      .filter((r) => r.length >= 3);
    if (rings.length > 0 && polygonAreaM2(rings) > 1e-6) out.push(rings);
  }
  return out;
}

const snap = (ring: RingXY, gridM: number): RingXY =>
  gridM > 0
    ? ring.map((p) => [Math.round(p[0] / gridM) * gridM, Math.round(p[1] / gridM) * gridM])
    : ring;

/**
 * Runs a polygon boolean operation, retrying once on a 1 cm grid: polyclip-ts occasionally fails to
 * close a ring on nearly collinear input (a floating-point robustness limit), and snapping the
 * vertices removes those near-degeneracies without changing the area measurably.
 */
function robustClip<T>(run: (gridM: number) => T): T {
  try {
    return run(0);
  } catch (first) {
    try {
      return run(0.01);
    } catch (second) {
      throw new Error(`polygon clipping failed twice: ${String(second)}`, { cause: first });
    }
  }
}

function subtract(parts: MultiPolygonXY, holes: MultiPolygonXY): MultiPolygonXY {
  if (parts.length === 0) return parts;
  try {
    return robustClip((g) =>
      fromTurf(
        difference(
          featureCollection<Polygon | MultiPolygon>([
            multiPolygon(parts.map((p) => p.map((r) => closedRing(snap(r, g))))),
            ...holes.map((h) => polygon(h.map((r) => closedRing(snap(r, g))))),
          ]),
        )?.geometry,
      ),
    );
  } catch (err) {
    throw new MissionInputError(
      'AREA_INVALID',
      'noFlyZones',
      'the no-fly zones could not be cut out of the area (self-intersecting rings?)',
      { cause: err },
    );
  }
}

function toLonLatMulti(region: MultiPolygonXY, frame: LocalFrame): MultiPolygon {
  return {
    type: 'MultiPolygon',
    coordinates: region.map((poly) =>
      poly.map((ring) => closedRing(ring).map((p) => frame.toLonLat(p))),
    ),
  };
}
