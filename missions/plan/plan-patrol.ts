import { area as area_, bbox, buffer } from '@turf/turf';
import type { Feature, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson';
import {
  createObstacleRouter,
  planCoverage,
  type CoveragePlan,
  type ObstacleRouter,
} from '../coverage/index';
import { planCorridor } from '../corridor/index';
import { followTerrain } from '../terrain/index';
import {
  bandMeets,
  describeNoFlyRules,
  fenceItems,
  hasNoFlyLimits,
  inclusionRing,
  noFlyRules,
  parseDateTimeMs,
  preflightCheck,
  rallyItems,
  segmentPolygonDistanceM,
  zoneActiveDuring,
  type FenceZone,
  type FlightWindow,
  type NoFlyRules,
} from '../fence/index';
import { frameForCoordinates, MissionInputError, type LocalFrame } from '../frame/index';
import { validateArea, type AreaGeometry } from '../geojson/index';
import { DEFAULT_MAPPING_CAMERA } from '../sensor/index';
import {
  droneProfileIssues,
  minimisePointRoutes,
  planSorties,
  usableTimeS,
  stoppingDistanceM,
  type DockSite,
  type PlannedSortie,
  type WorkUnit,
} from '../sortie/index';
import { inspectionItems, solveTour, type InspectionPoint } from '../tour/index';
import {
  DEFAULT_DRONE,
  MAV_CMD,
  MAV_FRAME,
  type DroneProfile,
  type LonLat,
  type MissionItem,
  type Plan,
  type PlannedPath,
  type PlannedPoint,
  type PlanSortie,
  type XY,
} from '../types/index';
import { sampleCoveragePct } from './coverage-sampling';
import { dockAwareCoverage, sortieScorer } from './dock-aware-coverage';
import type { PatrolInput, PatrolResult, PlanFailure, PlanFailureCode } from './patrol-input';

/** One indivisible piece of work with what the mission builder needs. */
interface Work {
  unit: WorkUnit;
  kind: 'lane' | 'pass' | 'transit' | 'point';
  lonLat: LonLat[];
  altitudeAglM: number;
  triggerDistanceM: number | null;
  point: InspectionPoint | null;
  /** Index into the plan's inspection points, for point work. */
  pointIndex?: number;
  photoCount: number;
}

/** What the plan uses of a coverage or corridor plan. */
interface CoverageLike {
  workPaths: CoveragePlan['workPaths'];
  footprints: CoveragePlan['footprints'];
  stats: Pick<
    CoveragePlan['stats'],
    'lengthM' | 'lowerBoundM' | 'turns' | 'areaM2' | 'laneSpacingM'
  >;
}

interface WorkGroup {
  works: Work[];
  cyclic: boolean;
}

/**
 * Coverage lanes are cut into pieces of at most the usable range over this (at photo positions),
 * so a sortie may end inside a lane: on 16 rectangles, an L and a rotated strip from 1–4 nests
 * (30 and 40 min), 6, 10 and 16 pieces a battery saved a sortie on 2, 5 and 7 of them.
 */
const LANE_PIECES_PER_BATTERY = 16;
/** Slack kept in every sortie when legs are routed around no-fly zones (turns at detours). */
const DETOUR_SLACK_PCT = 2;
/** Sorties are tried merged only when their times add up to at most this many batteries. */
const MERGE_LIMIT = 1.3;
/**
 * Route-minimisation rounds per inspection point for each attempt to drop a sortie, and at most
 * this many per attempt. Measured on 576 points from 4 nests at 40 min: 2 rounds a point kept 7
 * sorties, 10 reached the bound of 6 on 2 of 4 seeds, 20 on 4 of 4.
 */
const ROUTE_DROP_ROUNDS_PER_POINT = 20;
const ROUTE_DROP_ROUNDS_MAX = 12_000;
/**
 * A drop that ends less than 5 % of a battery over capacity is tried again, at most twice, with
 * this many rounds per point (at most the cap): a sortie saved is worth more than the seconds of
 * planning. Measured on 120 points over 3 km at 20 min (seeds 1–8): the first 2 400 rounds
 * dropped the 6th sortie on 1 of 8 seeds, ending 1–35 s over elsewhere; two retries of 9 600
 * rounds on 6 of 8 (one retry on 5, one of 19 200 rounds on 4, three of 4 800 rounds on 5); the
 * plan of that field reaches the bound of 5 with plan seeds 1–4 (not 5), and retries of 6 000
 * rounds did not. The cap keeps large fields' plans short: on the 576-point fields no attempt of
 * 40 000–150 000 rounds saved a sortie.
 */
const ROUTE_RETRY_ROUNDS_PER_POINT = 80;
const ROUTE_RETRY_ROUNDS_MAX = 10_000;
const ROUTE_RETRIES = 2;
/** Rounds per point spent shortening the sorties kept, and at most this many. */
const ROUTE_ROUNDS_PER_POINT = 2;
const ROUTE_ROUNDS_MAX = 1500;

/** A sortie over inspection points, with the indices of the points it visits. */
interface PointSortie {
  group: WorkGroup;
  sortie: PlannedSortie;
  pis: number[];
}

/**
 * Merges neighbouring sorties (cyclically) from the same dock into one while `optimise` finds a
 * feasible tour over both; pairs whose times add up to more than `limitS` are not tried.
 */
function mergeNeighbourSorties(
  list: PointSortie[],
  optimise: (dockId: string, pis: number[]) => { group: WorkGroup; sortie: PlannedSortie } | null,
  limitS: number,
): PointSortie[] {
  let out = list;
  for (let merged = true; merged && out.length > 1;) {
    merged = false;
    for (let k = 0; k < out.length && !merged; k++) {
      const a = out[k]!;
      const b = out[(k + 1) % out.length]!;
      if (a === b || a.sortie.dockId !== b.sortie.dockId) continue;
      // Two sorties whose times add up to far more than one battery cannot merge.
      if (a.sortie.timeS + b.sortie.timeS > limitS) continue;
      const both = optimise(a.sortie.dockId, [...a.pis, ...b.pis]);
      if (!both) continue;
      const next = (k + 1) % out.length;
      out = out.flatMap((x, i) =>
        i === k ? [{ ...both, pis: [...a.pis, ...b.pis] }] : i === next ? [] : [x],
      );
      merged = true;
    }
  }
  return out;
}
/** Slack kept for the climbs of terrain following, which the sortie split does not see. */
const TERRAIN_SLACK_PCT = 5;

const fail = (code: PlanFailureCode, issues: { path: string; message: string }[]): PatrolResult => {
  const first = issues[0] ?? { path: '', message: 'unknown failure' };
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const error: PlanFailure = {
    code,
    message: `${first.path ? `${first.path}: ` : ''}${first.message}${more}`,
    issues,
  };
  return { ok: false, error };
};

/**
 * Plans a patrol: coverage lanes over forest (and, until the corridor planner lands, river)
 * areas, a shortest tour over inspection points, both split into battery-feasible sorties from
 * the docks; each sortie carries its mission, an inclusion fence around its route, the no-fly
 * zones as exclusion fences and the docks as rally points, and the whole plan passes the
 * pre-flight check. Pure and deterministic (seeded); failures are returned, not thrown.
 *
 * @example
 * const result = planPatrol({
 *   areas: [{ kind: 'points', geojson: towers }, { kind: 'no_fly', geojson: school }],
 *   docks: [{ id: 'nest-1', position: [119.95, 30.4], groundAltM: 40 }],
 *   drone: { enduranceS: 1800 },
 *   options: { altitudeAglM: 60, onProgress: (f) => console.log(f) },
 * });
 * if (result.ok) console.log(result.plan.statistics.sorties);
 * else console.error(result.error.code, result.error.message);
 */
export function planPatrol(input: PatrolInput): PatrolResult {
  const options = input.options ?? {};
  const progress = (fraction: number): void =>
    options.onProgress?.(Math.min(1, Math.max(0, fraction)));
  progress(0);
  const drone: DroneProfile = { ...DEFAULT_DRONE, ...input.drone };
  const inputIssues = droneProfileIssues(drone).map((m) => {
    const field = m.slice(0, m.indexOf(':'));
    return { path: `drone.${field}`, message: m.slice(m.indexOf(':') + 2) };
  });
  const ceilingM = options.ceilingM ?? 120;
  const altitudeAglM = options.altitudeAglM ?? 100;
  const pointAltitudeAglM = options.pointAltitudeAglM ?? altitudeAglM;
  const heights: [string, number][] = [['options.altitudeAglM', altitudeAglM]];
  if (options.pointAltitudeAglM !== undefined)
    heights.push(['options.pointAltitudeAglM', pointAltitudeAglM]);
  for (const [path, value] of heights) {
    if (!Number.isFinite(value) || value <= 0 || value > ceilingM) {
      inputIssues.push({
        path,
        message: `must be in (0, ${ceilingM}] m (the ceiling), got ${String(value)}`,
      });
    }
  }
  if (input.docks.length === 0)
    inputIssues.push({ path: 'docks', message: 'at least one dock is needed' });
  const seenIds = new Set<string>();
  input.docks.forEach((d, i) => {
    const [lon, lat] = d.position;
    if (
      !Number.isFinite(lon) ||
      !Number.isFinite(lat) ||
      Math.abs(lon) > 180 ||
      Math.abs(lat) > 90
    ) {
      inputIssues.push({
        path: `docks[${i}].position`,
        message: `expected [lon, lat] in degrees, got ${JSON.stringify(d.position)}`,
      });
    }
    if (!Number.isFinite(d.groundAltM)) {
      inputIssues.push({
        path: `docks[${i}].groundAltM`,
        message: `expected metres above sea level, got ${String(d.groundAltM)}`,
      });
    }
    if (seenIds.has(d.id))
      inputIssues.push({
        path: `docks[${i}].id`,
        message: `duplicate dock id ${JSON.stringify(d.id)}`,
      });
    seenIds.add(d.id);
  });
  let flightWindow: FlightWindow | null = null;
  if (options.flightWindow !== undefined) {
    const fromMs = parseDateTimeMs(options.flightWindow.from);
    const toMs = parseDateTimeMs(options.flightWindow.to);
    if (fromMs === null || toMs === null || fromMs >= toMs) {
      inputIssues.push({
        path: 'options.flightWindow',
        message: `expected { from, to } RFC 3339 date-times with an offset, to after from, got ${JSON.stringify(options.flightWindow)}`,
      });
    } else {
      flightWindow = { fromMs, toMs };
    }
  }
  if (inputIssues.length > 0) return fail('INPUT_INVALID', inputIssues);

  // Areas through the shared validation library (rings rewound, GCJ-02 converted, properties checked).
  const areaIssues: { path: string; message: string }[] = [];
  const areas = input.areas.map((area, i) => {
    const name = area.id ?? `areas[${i}]`;
    const result = validateArea(area.geojson, {
      kind: area.kind,
      ...(area.corridorWidthM !== undefined && {
        defaultProperties: { corridorWidthM: area.corridorWidthM },
      }),
    });
    if (!result.ok) {
      for (const issue of result.issues)
        areaIssues.push({ path: `areas[${i}].geojson${issue.path}`, message: issue.message });
      return { name, kind: area.kind, features: [] };
    }
    return { name, kind: area.kind, features: result.value.featureCollection.features };
  });
  if (areaIssues.length > 0) return fail('AREA_INVALID', areaIssues);
  if (!areas.some((a) => a.kind !== 'no_fly' && a.features.length > 0)) {
    return fail('INPUT_INVALID', [
      { path: 'areas', message: 'no forest, river or points area to plan' },
    ]);
  }
  progress(0.05);

  const frame = frameForCoordinates([
    ...areas.flatMap((a) => a.features.map((f) => f.geometry.coordinates)),
    ...input.docks.map((d) => d.position),
  ]);
  const marginM = Math.max(options.safetyMarginM ?? 0, stoppingDistanceM(drone));
  const dockSites: DockSite[] = input.docks.map((d) => ({
    id: d.id,
    xy: frame.toLocal(d.position),
  }));
  const dem = input.dem ?? null;
  const terrainToleranceM = options.terrainToleranceM ?? 5;
  const warnings: string[] = dem
    ? []
    : [
        'altitudes are relative to the dock: no terrain model (DEM) was given, so heights above ground are not guaranteed over rising terrain',
      ];
  if (dem) {
    input.docks.forEach((d) => {
      const ground = dem.elevationAt(d.position);
      if (ground === null)
        warnings.push(
          `dock ${d.id} lies outside the DEM: its groundAltM ${d.groundAltM} m is used`,
        );
      else if (Math.abs(ground - d.groundAltM) > 10) {
        warnings.push(
          `dock ${d.id}: the DEM gives ${ground.toFixed(1)} m AMSL, groundAltM says ${d.groundAltM} m; the DEM is used`,
        );
      }
    });
  }

  // No-fly zones: exclusion fences, coverage obstacles, and routing obstacles grown by the margin
  // — each only when it applies to this flight (its altitude band meets the heights flown, its
  // active windows meet the flight window); the pre-flight check sees every zone with its rules.
  const noFlyZones: FenceZone[] = [];
  const allNoFlyZones: FenceZone[] = [];
  const noFlyGeometries: (Polygon | MultiPolygon)[] = [];
  const obstacles: XY[][][] = [];
  const ruleIssues: { path: string; message: string }[] = [];
  const cruiseLowM = Math.min(altitudeAglM, pointAltitudeAglM) - (dem ? terrainToleranceM : 0);
  const cruiseHighM = Math.max(altitudeAglM, pointAltitudeAglM) + (dem ? terrainToleranceM : 0);
  const dockGround = input.docks.map((d) => (dem && dem.elevationAt(d.position)) ?? d.groundAltM);
  const verticalMarginM = options.noFlyVerticalMarginM ?? 10;
  /** Ground elevations (AMSL) under a zone: the DEM sampled over its box, or the docks' grounds. */
  const groundRange = (geometry: Polygon | MultiPolygon): [number, number] => {
    const samples: number[] = [];
    if (dem) {
      const [x0, y0, x1, y1] = bbox(geometry);
      for (let i = 0; i <= 8; i++)
        for (let j = 0; j <= 8; j++) {
          const e = dem.elevationAt([x0 + ((x1 - x0) * i) / 8, y0 + ((y1 - y0) * j) / 8]);
          if (e !== null) samples.push(e);
        }
    }
    // Without a DEM the drone holds its height above the dock, so the docks' grounds are exact.
    if (samples.length === 0) samples.push(...dockGround);
    return [Math.min(...samples), Math.max(...samples)];
  };
  const flightAt = (
    rules: NoFlyRules,
    geometry: Polygon | MultiPolygon,
    lowAglM: number,
    highAglM: number,
  ): [number, number] => {
    if (rules.reference === 'agl') return [lowAglM, highAglM];
    const [gLow, gHigh] = groundRange(geometry);
    return [gLow + lowAglM, gHigh + highAglM];
  };
  const describeFlight = (rules: NoFlyRules, geometry: Polygon | MultiPolygon): string =>
    `${flightAt(rules, geometry, cruiseLowM, cruiseHighM)
      .map((h) => h.toFixed(0))
      .join('–')} m ${rules.reference.toUpperCase()}`;
  /** Zones closed at the dock's climb and descent (heights 0 … cruise): checked against docks. */
  const climbZones: { zone: FenceZone; rings: XY[][] }[] = [];
  areas.forEach((area, i) => {
    if (area.kind !== 'no_fly') return;
    area.features.forEach((f, k) => {
      const g = f.geometry;
      if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return;
      const geometry = g as Polygon | MultiPolygon;
      const parsed = noFlyRules(f.properties, `areas[${i}].geojson/features/${k}/properties`);
      ruleIssues.push(...parsed.issues);
      const rules = parsed.rules;
      const featureName = area.features.length > 1 ? `${area.name}#${k + 1}` : area.name;
      const active = zoneActiveDuring(rules, flightWindow);
      const [low, high] = flightAt(rules, geometry, cruiseLowM, cruiseHighM);
      const applies = active && bandMeets(rules, low, high, verticalMarginM);
      const [cLow, cHigh] = flightAt(rules, geometry, 0, cruiseHighM);
      const atClimb = active && bandMeets(rules, cLow, cHigh, verticalMarginM);
      if (rules.windows !== null && flightWindow === null) {
        warnings.push(
          `no-fly zone '${featureName}' is ${describeNoFlyRules(rules)}; without a flight window (options.flightWindow) it is treated as always active`,
        );
      } else if (!active) {
        warnings.push(
          `no-fly zone '${featureName}' does not apply: ${describeNoFlyRules(rules)}, outside the flight window; it is neither avoided nor written as a fence`,
        );
      } else if (!applies) {
        warnings.push(
          `no-fly zone '${featureName}' does not apply at the planned heights: closed ${describeNoFlyRules(rules)}, the flight holds ${describeFlight(rules, geometry)} (±${verticalMarginM} m); it is crossed, not written as a fence, and the climb and descent at the docks stay outside it`,
        );
      }
      const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
      polys.forEach((rings, p) => {
        const name =
          polys.length > 1 || area.features.length > 1
            ? `${area.name}#${k + 1}.${p + 1}`
            : area.name;
        const zone: FenceZone = {
          kind: 'polygon',
          name,
          rings: rings.map((r) => r.map((q): LonLat => [q[0]!, q[1]!])),
          ...(hasNoFlyLimits(rules) && { rules }),
        };
        allNoFlyZones.push(zone);
        if (applies) noFlyZones.push(zone);
        if (atClimb)
          climbZones.push({ zone, rings: zone.rings.map((r) => r.map((q) => frame.toLocal(q))) });
      });
      if (!applies) return;
      noFlyGeometries.push(geometry);
      const grown = buffer(geometry, marginM + 2, { units: 'meters' });
      const gg = grown?.geometry;
      if (gg?.type === 'Polygon')
        obstacles.push(gg.coordinates.map((r) => r.map((q) => frame.toLocal(q))));
      if (gg?.type === 'MultiPolygon')
        for (const poly of gg.coordinates)
          obstacles.push(poly.map((r) => r.map((q) => frame.toLocal(q))));
    });
  });
  if (ruleIssues.length > 0) return fail('AREA_INVALID', ruleIssues);
  const dockIssues: { path: string; message: string }[] = [];
  input.docks.forEach((d, i) => {
    const xy = frame.toLocal(d.position);
    for (const { zone: z, rings } of climbZones) {
      const distM = segmentPolygonDistanceM(xy, xy, rings);
      if (distM < marginM) {
        const band = z.rules
          ? ` (closed ${describeNoFlyRules(z.rules)}, met by the climb from the dock)`
          : '';
        dockIssues.push({
          path: `docks[${i}]`,
          message:
            distM === 0
              ? `dock ${d.id} lies inside no-fly zone '${z.name}'${band}`
              : `dock ${d.id} is ${distM.toFixed(1)} m from no-fly zone '${z.name}', closer than the safety margin ${marginM.toFixed(1)} m${band}`,
        });
      }
    }
  });
  if (dockIssues.length > 0) return fail('INPUT_INVALID', dockIssues);
  const router: ObstacleRouter | null =
    obstacles.length > 0 ? createObstacleRouter(obstacles) : null;
  const routes = new Map<string, XY[]>();
  const routeXY = (a: XY, b: XY): XY[] => {
    if (!router) return [a, b];
    const key = `${a[0]},${a[1]};${b[0]},${b[1]}`;
    let path = routes.get(key);
    if (!path) {
      path = router.blocked(a, b) ? router.route(a, b) : [a, b];
      routes.set(key, path);
    }
    return path;
  };
  const pathLength = (path: readonly XY[]): number => {
    let len = 0;
    for (let k = 1; k < path.length; k++)
      len += Math.hypot(path[k]![0] - path[k - 1]![0], path[k]![1] - path[k - 1]![1]);
    return len;
  };

  // Coverage work (forest; river through the coverage planner until the corridor planner lands).
  const groups: WorkGroup[] = [];
  const coveragePlans: CoverageLike[] = [];
  const coverageAreasXY: XY[][][] = [];
  const coverageTargets = areas.flatMap((area, i) =>
    area.kind === 'forest' || area.kind === 'river'
      ? area.features.map((f, k) => ({ area, i, f, k }))
      : [],
  );
  let done = 0;
  for (const { area, i, f, k } of coverageTargets) {
    const where = `areas[${i}].geojson/features/${k}`;
    const featureName = area.features.length > 1 ? `${area.name}#${k + 1}` : area.name;
    const g = f.geometry;
    const isLine = g.type === 'LineString' || g.type === 'MultiLineString';
    // The region the work must cover: the polygon itself, or a river line's corridor.
    let geometry: Polygon | MultiPolygon;
    if (isLine) {
      const widthM = Number(f.properties.corridorWidthM);
      const grown = buffer(
        { type: 'Feature', geometry: g, properties: {} } as Feature<LineString | MultiLineString>,
        widthM / 2,
        { units: 'meters' },
      );
      if (!grown) {
        return fail('CORRIDOR_INVALID', [
          { path: where, message: `river corridor of ${widthM} m could not be built` },
        ]);
      }
      geometry = grown.geometry;
    } else {
      geometry = g as Polygon | MultiPolygon;
    }
    const sensorOptions = {
      sensor: input.camera ?? DEFAULT_MAPPING_CAMERA,
      altitudeAglM,
      ...(options.sideOverlapPct !== undefined && { sideOverlapPct: options.sideOverlapPct }),
      ...(options.frontOverlapPct !== undefined && { frontOverlapPct: options.frontOverlapPct }),
    };
    // Lanes and passes end outside the zones grown for routing (margin + 2 m): the router
    // ignores an obstacle that holds an end of the leg, so a dock leg to a lane end inside it
    // would be flown straight past the zone.
    const workMarginM = marginM + 3;
    const areaOptions = {
      ...(options.turnaroundM !== undefined && { turnaroundM: options.turnaroundM }),
      noFlyZones: noFlyGeometries,
      noFlyMarginM: workMarginM,
      frame,
    };
    const startLonLat = nearestDock(input.docks, geometry, frame);
    let plan: CoverageLike;
    try {
      if (area.kind === 'river') {
        // River centre lines fly parallel passes along the river, cut and routed around no-fly
        // zones; a river polygon is covered as an area.
        const corridor = planCorridor(g as LineString | MultiLineString | Polygon | MultiPolygon, {
          ...sensorOptions,
          startLonLat,
          noFlyZones: noFlyGeometries,
          noFlyMarginM: workMarginM,
          ...(isLine ? { widthM: Number(f.properties.corridorWidthM) } : { area: areaOptions }),
        });
        plan = {
          workPaths: corridor.workPaths,
          footprints: corridor.footprints,
          stats: {
            lengthM: corridor.stats.lengthM,
            lowerBoundM: corridor.stats.passLengthM,
            turns: 0,
            areaM2: area_(geometry),
            laneSpacingM: corridor.stats.passSpacingM,
          },
        };
      } else {
        // Judged by its sorties as well: other courses, the area shared among the docks, lanes
        // cut so that a sortie may end inside one.
        const usableRangeM = usableTimeS(drone) * (drone.cruiseSpeedMps - drone.windMps);
        const coverageOf = (
          g: Polygon | MultiPolygon,
          start: LonLat,
          course: number | null,
          footprints = true,
        ) =>
          planCoverage(g, {
            ...sensorOptions,
            ...areaOptions,
            startLonLat: start,
            footprints,
            ...(course !== null && { sweepCourseDeg: course }),
          });
        plan = dockAwareCoverage({
          geometry,
          base: coverageOf(geometry, startLonLat, null),
          docks: dockSites,
          frame,
          dockReachM: usableRangeM / 4,
          lanePieceM: usableRangeM / LANE_PIECES_PER_BATTERY,
          plan: coverageOf,
          score: sortieScorer(dockSites, drone, frame, {
            ...(options.balanceTolerancePct !== undefined && {
              balanceTolerancePct: options.balanceTolerancePct,
            }),
            ...(router && { legLengthM: (a: XY, b: XY) => pathLength(routeXY(a, b)) }),
            ...((router || dem) && {
              slackPct: (router ? DETOUR_SLACK_PCT : 0) + (dem ? TERRAIN_SLACK_PCT : 0),
            }),
          }),
          ...(router && { route: routeXY }),
          drone,
          onProgress: (f) => progress(0.05 + (0.5 * (done + f)) / coverageTargets.length),
          ...((router || dem) && {
            slackPct: (router ? DETOUR_SLACK_PCT : 0) + (dem ? TERRAIN_SLACK_PCT : 0),
          }),
        }).plan;
      }
    } catch (err) {
      if (err instanceof MissionInputError) {
        return fail(err.code, [
          {
            path:
              err.path.startsWith('area') || err.path.startsWith('river')
                ? `${where} (${err.path})`
                : err.path,
            message: err.message,
          },
        ]);
      }
      throw err;
    }
    coveragePlans.push(plan);
    const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const rings of polys)
      coverageAreasXY.push(rings.map((r) => r.map((q) => frame.toLocal(q))));
    let lane = 0;
    let transit = 0;
    const works: Work[] = plan.workPaths.map((w) => {
      const label =
        w.kind === 'transit'
          ? `transit ${++transit} of ${featureName}`
          : `${w.kind} ${++lane} of ${featureName}`;
      const xy = w.coordinates.map((p) => frame.toLocal(p));
      const lengthM = pathLength(xy);
      const photos = w.triggerDistanceM ? Math.floor(lengthM / w.triggerDistanceM) + 1 : 0;
      return {
        unit: { label, path: xy, altitudeM: w.altitudeAglM },
        kind: w.kind,
        lonLat: w.coordinates,
        altitudeAglM: w.altitudeAglM,
        triggerDistanceM: w.triggerDistanceM,
        point: null,
        photoCount: photos,
      };
    });
    if (works.length > 0) groups.push({ works, cyclic: false });
    progress(0.05 + (0.5 * ++done) / coverageTargets.length);
  }

  // Inspection points: one tour over all of them, split cyclically into sorties.
  const points: { point: InspectionPoint; xy: XY; label: string }[] = [];
  areas.forEach((area, i) => {
    if (area.kind !== 'points') return;
    area.features.forEach((f, k) => {
      const g = f.geometry;
      const coords =
        g.type === 'Point' ? [g.coordinates] : g.type === 'MultiPoint' ? g.coordinates : [];
      coords.forEach((c, m) => {
        const id =
          f.id !== undefined
            ? String(f.id)
            : typeof f.properties.id === 'string'
              ? f.properties.id
              : null;
        const label = `point ${points.length + 1}${id ? ` (${id})` : ''} of ${area.name}`;
        const xy = frame.toLocal(c);
        const blocking = noFlyZones.find((z) =>
          z.kind === 'polygon'
            ? segmentPolygonDistanceM(
                xy,
                xy,
                z.rings.map((r) => r.map((q) => frame.toLocal(q))),
              ) < marginM
            : false,
        );
        if (blocking) {
          warnings.push(
            `${label} (areas[${i}] feature ${k} position ${m}) is within ${marginM.toFixed(1)} m of no-fly zone '${blocking.name}': not inspected`,
          );
          return;
        }
        const p = f.properties;
        const point: InspectionPoint = {
          position: [c[0]!, c[1]!],
          altitudeAglM: pointAltitudeAglM,
        };
        if (id) point.id = id;
        if (typeof p.hoverS === 'number') point.hoverS = p.hoverS;
        if (typeof p.photo === 'boolean') point.photo = p.photo;
        if (typeof p.gimbalPitchDeg === 'number') point.gimbalPitchDeg = p.gimbalPitchDeg;
        if (typeof p.headingDeg === 'number') point.headingDeg = p.headingDeg;
        points.push({ point, xy, label });
      });
    });
  });
  /** The work of visiting point `pi`, led in by a detour around no-fly zones from `prevXY`. */
  const makePointWork = (pi: number, prevXY: XY | null): Work => {
    const p = points[pi]!;
    const detour = prevXY ? routeXY(prevXY, p.xy).slice(1, -1) : [];
    const xy = [...detour, p.xy];
    const altitude = p.point.altitudeAglM ?? pointAltitudeAglM;
    return {
      unit: { label: p.label, path: xy, altitudeM: altitude, hoverS: p.point.hoverS ?? 0 },
      kind: 'point',
      lonLat: xy.map((q, m) => (m === xy.length - 1 ? p.point.position : frame.toLonLat(q))),
      altitudeAglM: altitude,
      triggerDistanceM: null,
      point: p.point,
      pointIndex: pi,
      photoCount: p.point.photo === false ? 0 : 1,
    };
  };
  let tourStats: { lengthM: number; lowerBoundM: number; gapPct: number | null } | null = null;
  let tourGroup: WorkGroup | null = null;
  if (points.length > 0) {
    const tour = solveTour(
      points.map((p) => p.xy),
      {
        seed: options.seed ?? 1,
        ...(options.tourKicks !== undefined && { kicks: options.tourKicks }),
      },
    );
    tourStats = { lengthM: tour.lengthM, lowerBoundM: tour.lowerBoundM, gapPct: tour.gapPct };
    const works = tour.order.map((idx, k) =>
      makePointWork(
        idx,
        tour.order.length > 1
          ? points[tour.order[(k - 1 + tour.order.length) % tour.order.length]!]!.xy
          : null,
      ),
    );
    tourGroup = { works, cyclic: true };
    groups.push(tourGroup);
  }
  progress(0.7);

  // With a DEM, the climbs and descents of terrain following inside each unit are known now.
  const applyTerrainExtra = (group: WorkGroup): void => {
    if (!dem) return;
    group.works.forEach((w, k) => {
      const prev =
        k > 0 ? group.works[k - 1]! : group.cyclic ? group.works[group.works.length - 1]! : null;
      const coords = prev ? [prev.lonLat[prev.lonLat.length - 1]!, ...w.lonLat] : w.lonLat;
      if (coords.length < 2) return;
      const profile = followTerrain(
        [
          {
            kind: 'transit',
            coordinates: coords,
            altitudeAglM: w.altitudeAglM,
            triggerDistanceM: null,
          },
        ],
        dem,
        { toleranceM: terrainToleranceM, ceilingAglM: ceilingM },
      );
      let climbS = 0;
      const wps = profile.paths[0]!.waypoints;
      for (let m = 1; m < wps.length; m++) {
        const d = (wps[m]!.altitudeAmslM ?? 0) - (wps[m - 1]!.altitudeAmslM ?? 0);
        climbS += d > 0 ? d / drone.climbRateMps : -d / drone.descentRateMps;
      }
      w.unit.extraTimeS = climbS;
    });
  };
  groups.forEach(applyTerrainExtra);

  // Sorties per group.
  const legLengthM = router ? (a: XY, b: XY): number => pathLength(routeXY(a, b)) : undefined;
  const slackPct = (legLengthM ? DETOUR_SLACK_PCT : 0) + (dem ? TERRAIN_SLACK_PCT : 0);
  const planned: { group: WorkGroup; sortie: PlannedSortie }[] = [];
  const unreachable: { path: string; message: string }[] = [];
  let sortieLowerBound: number | null = 0;
  let sortieProvenMinimum = 0;
  /** The most the tour's sortie count can drop to: max(lower bound, proven minimum). */
  let tourLeast = 1;
  const sortieProvenReasons: string[] = [];
  for (const group of groups) {
    const result = planSorties(
      group.works.map((w) => w.unit),
      dockSites,
      drone,
      {
        cyclic: group.cyclic,
        ...(options.balanceTolerancePct !== undefined && {
          balanceTolerancePct: options.balanceTolerancePct,
        }),
        ...(legLengthM && { legLengthM }),
        ...((legLengthM || dem) && { slackPct }),
      },
    );
    if (!result.ok) {
      for (const u of result.unreachable) unreachable.push({ path: u.label, message: u.message });
      continue;
    }
    sortieLowerBound =
      sortieLowerBound === null || result.lowerBound === null
        ? null
        : sortieLowerBound + result.lowerBound;
    sortieProvenMinimum += result.provenMinimum.count;
    if (group === tourGroup) {
      tourLeast = Math.max(result.lowerBound ?? 1, result.provenMinimum.count);
    }
    if (result.provenMinimum.count > 1) {
      const first = group.works[0]!.unit.label;
      sortieProvenReasons.push(
        `${result.provenMinimum.count} sorties at least for the work from ${first}: ${result.provenMinimum.reason}`,
      );
    }
    for (const sortie of result.sorties) planned.push({ group, sortie });
  }
  if (unreachable.length > 0) {
    return {
      ok: false,
      error: {
        code: 'DOCK_UNREACHABLE',
        message: `${unreachable[0]!.message}${unreachable.length > 1 ? ` (and ${unreachable.length - 1} more unreachable)` : ''}`,
        issues: unreachable,
      },
    };
  }
  // Tour sorties: each re-ordered as its own tour from its dock, then neighbours merged while
  // one battery still holds both (the cyclic split kept the global tour's order).
  const tourGroups = new Set<WorkGroup>(tourGroup ? [tourGroup] : []);
  if (tourGroup) {
    const tg = tourGroup;
    /** The sortie flying `order` from one dock, with its works, or null if it needs two. */
    const build = (
      dockId: string,
      order: number[],
    ): { group: WorkGroup; sortie: PlannedSortie } | null => {
      const works = order.map((pi, k) =>
        makePointWork(pi, k > 0 ? points[order[k - 1]!]!.xy : null),
      );
      const group: WorkGroup = { works, cyclic: false };
      applyTerrainExtra(group);
      const res = planSorties(
        works.map((w) => w.unit),
        [dockSites.find((d) => d.id === dockId)!],
        drone,
        {
          ...(legLengthM && { legLengthM }),
          ...((legLengthM || dem) && { slackPct }),
        },
      );
      return res.ok && res.sorties.length === 1 ? { group, sortie: res.sorties[0]! } : null;
    };
    /** The same points toured again from the dock (construction plus local search), then built. */
    const optimise = (
      dockId: string,
      pis: number[],
    ): { group: WorkGroup; sortie: PlannedSortie } | null => {
      const dock = dockSites.find((d) => d.id === dockId)!;
      const t = solveTour([dock.xy, ...pis.map((pi) => points[pi]!.xy)], {
        seed: options.seed ?? 1,
        kicks: Math.min(1500, 15 * (pis.length + 1)),
        lowerBound: false,
      });
      return build(
        dockId,
        t.order.slice(1).map((k) => pis[k - 1]!),
      );
    };
    const single = (dockId: string, order: number[]): PlannedSortie | null =>
      build(dockId, order)?.sortie ?? null;
    let tourSorties = planned
      .filter((p) => p.group === tg)
      .map((p) => {
        const pis = p.sortie.units.map((u) => tg.works[u]!.pointIndex!);
        const better = optimise(p.sortie.dockId, pis);
        return better && better.sortie.timeS < p.sortie.timeS ? { ...better, pis } : { ...p, pis };
      });
    tourSorties = mergeNeighbourSorties(tourSorties, optimise, MERGE_LIMIT * usableTimeS(drone));
    // Fewer, then shorter sorties per dock: the shortest sortie is emptied and its points placed
    // in the others by string removals and greedy reinsertion under annealing, with time-aware
    // 2-opt and Or-opt inside the routes (turn costs and hover counted). The rounds are counted
    // per point, so a loaded machine plans the same; every new sortie is re-planned with the full
    // model (detours, terrain), and the result is kept only when all of them fit and they are
    // fewer, or as many and shorter in total.
    const minimiseTourSorties = (list: PointSortie[]): PointSortie[] => {
      if (list.length === 0) return list;
      const alt = pointAltitudeAglM;
      const rounds = Math.max(
        50,
        Math.min(ROUTE_ROUNDS_MAX, ROUTE_ROUNDS_PER_POINT * points.length),
      );
      const dropRounds = Math.max(
        50,
        Math.min(ROUTE_DROP_ROUNDS_MAX, ROUTE_DROP_ROUNDS_PER_POINT * points.length),
      );
      // All docks in one search: a point may move to a route of another dock, and every changed
      // route flies from the dock that makes it shortest.
      const dockIndex = new Map(dockSites.map((d, k) => [d.id, k]));
      const pis = list.flatMap((x) => x.sortie.units.map((u) => x.group.works[u]!.pointIndex!));
      const local = new Map(pis.map((pi, k) => [pi, k]));
      const initial = list.map((x) => ({
        dock: dockIndex.get(x.sortie.dockId)!,
        points: x.sortie.units.map((u) => local.get(x.group.works[u]!.pointIndex!)!),
      }));
      const routes = minimisePointRoutes(
        {
          docks: dockSites.map((d) => d.xy),
          points: pis.map((pi) => points[pi]!.xy),
          serviceS: pis.map((pi) => points[pi]!.point.hoverS ?? 0),
          overheadS:
            alt / drone.climbRateMps +
            alt / drone.descentRateMps +
            drone.cruiseSpeedMps / drone.accelerationMps2,
          speedMps: drone.cruiseSpeedMps - drone.windMps,
          uTurnS: drone.cruiseSpeedMps / drone.accelerationMps2,
          capacityS: usableTimeS(drone) * (1 - slackPct / 100),
        },
        initial,
        {
          seed: options.seed ?? 1,
          iterations: dropRounds,
          retries: ROUTE_RETRIES,
          retryIterations: Math.min(
            ROUTE_RETRY_ROUNDS_MAX,
            ROUTE_RETRY_ROUNDS_PER_POINT * points.length,
          ),
          polishIterations: rounds,
          minRoutes: tourLeast,
          onProgress: (f) => progress(0.72 + 0.12 * f),
        },
      );
      const rebuilt = routes.routes.map((r, k) => {
        const order = r.map((q) => pis[q]!);
        const b = build(dockSites[routes.docks[k]!]!.id, order);
        return b ? { ...b, pis: order } : null;
      });
      const totalS = (xs: { sortie: PlannedSortie }[]): number =>
        sum(xs.map((x) => x.sortie.timeS));
      if (!rebuilt.every((x) => x !== null)) return list;
      const kept = rebuilt.filter((x) => x !== null);
      return kept.length < list.length ||
        (kept.length === list.length && totalS(kept) < totalS(list) - 1e-6)
        ? kept
        : list;
    };
    // Alternative: sweep petals around each dock (points by angle, each petal grown while its own
    // tour from the dock fits one battery), then the same merges; kept when it needs fewer sorties.
    const byDock = new Map<string, number[]>();
    points.forEach((p, pi) => {
      let best = dockSites[0]!;
      for (const d of dockSites) {
        if (
          Math.hypot(p.xy[0] - d.xy[0], p.xy[1] - d.xy[1]) <
          Math.hypot(p.xy[0] - best.xy[0], p.xy[1] - best.xy[1])
        )
          best = d;
      }
      byDock.set(best.id, [...(byDock.get(best.id) ?? []), pi]);
    });
    const petals: { dockId: string; pis: number[] }[] = [];
    for (const [dockId, pis] of byDock) {
      const dock = dockSites.find((d) => d.id === dockId)!;
      const angle = (pi: number): number =>
        Math.atan2(points[pi]!.xy[1] - dock.xy[1], points[pi]!.xy[0] - dock.xy[0]);
      const sorted = [...pis].sort((a, b) => angle(a) - angle(b) || a - b);
      // Start after the widest angular gap, so that no petal straddles it.
      let gapAt = 0;
      let widest = -1;
      sorted.forEach((pi, k) => {
        const next = sorted[(k + 1) % sorted.length]!;
        const gap =
          (angle(next) - angle(pi) + 2 * Math.PI) % (2 * Math.PI) ||
          (sorted.length === 1 ? 2 * Math.PI : 0);
        if (gap > widest) {
          widest = gap;
          gapAt = (k + 1) % sorted.length;
        }
      });
      let cur: number[] = [];
      for (const pi of [...sorted.slice(gapAt), ...sorted.slice(0, gapAt)]) {
        // Cheapest insertion into the current petal's order (dock at both ends).
        let bestAt = 0;
        let bestCost = Infinity;
        for (let k = 0; k <= cur.length; k++) {
          const a = k === 0 ? dock.xy : points[cur[k - 1]!]!.xy;
          const b = k === cur.length ? dock.xy : points[cur[k]!]!.xy;
          const c = points[pi]!.xy;
          const cost =
            Math.hypot(a[0] - c[0], a[1] - c[1]) +
            Math.hypot(c[0] - b[0], c[1] - b[1]) -
            Math.hypot(a[0] - b[0], a[1] - b[1]);
          if (cost < bestCost) {
            bestCost = cost;
            bestAt = k;
          }
        }
        const trial = [...cur.slice(0, bestAt), pi, ...cur.slice(bestAt)];
        if (cur.length === 0 || single(dockId, trial)) {
          cur = trial;
          continue;
        }
        const better = optimise(dockId, trial);
        if (better) {
          cur = better.group.works.map((w) => w.pointIndex!);
          continue;
        }
        petals.push({ dockId, pis: cur });
        cur = [pi];
      }
      if (cur.length > 0) petals.push({ dockId, pis: cur });
    }
    const sweptOrNull = petals.map((p) => {
      const o = optimise(p.dockId, p.pis);
      if (o) return { ...o, pis: p.pis };
      const sortie = single(p.dockId, p.pis);
      const works = p.pis.map((pi, k) =>
        makePointWork(pi, k > 0 ? points[p.pis[k - 1]!]!.xy : null),
      );
      return sortie ? { group: { works, cyclic: false }, sortie, pis: p.pis } : null;
    });
    // A petal no battery holds (a point reachable only from a farther dock) keeps the tour split.
    let swept = sweptOrNull.every((x) => x !== null) ? sweptOrNull.filter((x) => x !== null) : [];
    swept = mergeNeighbourSorties(swept, optimise, MERGE_LIMIT * usableTimeS(drone));
    const totalS = (list: { sortie: PlannedSortie }[]): number =>
      sum(list.map((x) => x.sortie.timeS));
    if (
      (swept.length > 0 && swept.length < tourSorties.length) ||
      (swept.length > 0 &&
        swept.length === tourSorties.length &&
        totalS(swept) < totalS(tourSorties))
    ) {
      tourSorties = swept;
    }
    tourSorties = minimiseTourSorties(tourSorties);
    const others = planned.filter((p) => p.group !== tg);
    planned.length = 0;
    planned.push(...others, ...tourSorties.map(({ group, sortie }) => ({ group, sortie })));
    for (const t of tourSorties) tourGroups.add(t.group);
  }
  progress(0.85);

  // Missions, fences and rally points.
  const dockById = new Map(input.docks.map((d) => [d.id, d]));
  const rally = rallyItems(input.docks.map((d) => ({ position: d.position, altM: altitudeAglM })));
  const fenceMarginM = options.fenceMarginM ?? 50;
  const paths: PlannedPath[] = [];
  const plannedPoints: PlannedPoint[] = [];
  const sorties: PlanSortie[] = planned.map(({ group, sortie }, index) => {
    const dock = dockById.get(sortie.dockId)!;
    const dockXY = frame.toLocal(dock.position);
    const mission: MissionItem[] = [];
    const route: LonLat[] = [dock.position];
    const firstAlt = group.works[sortie.units[0]!]!.altitudeAglM;
    // Altitudes are relative to the dock (frame 3); with a DEM they hold the height above the
    // ground below each waypoint, and waypoints are inserted where the ground rises or falls.
    const homeAmslM = (dem && dem.elevationAt(dock.position)) ?? dock.groundAltM;
    const relAlt = (p: LonLat, aglM: number): number => {
      if (!dem) return aglM;
      return (dem.elevationAt(p) ?? homeAmslM) + aglM - homeAmslM;
    };
    const terrainLegTo = (p: LonLat, aglM: number): void => {
      if (!dem) return;
      const from = route[route.length - 1]!;
      if (from[0] === p[0] && from[1] === p[1]) return;
      const profile = followTerrain(
        [{ kind: 'transit', coordinates: [from, p], altitudeAglM: aglM, triggerDistanceM: null }],
        dem,
        { toleranceM: terrainToleranceM, ceilingAglM: ceilingM },
      );
      for (const w of profile.paths[0]!.waypoints.slice(1, -1)) {
        const amsl = w.altitudeAmslM ?? homeAmslM + aglM;
        mission.push(navItem(MAV_CMD.NAV_WAYPOINT, w.position, amsl - homeAmslM));
        route.push(w.position);
      }
    };
    mission.push(navItem(MAV_CMD.NAV_TAKEOFF, dock.position, relAlt(dock.position, firstAlt)));
    let prevXY = dockXY;
    let altM = firstAlt;
    const waypoint = (p: LonLat, xy: XY, alt: number, hold = 0): void => {
      const last = route[route.length - 1]!;
      if (last[0] === p[0] && last[1] === p[1] && alt === altM && hold === 0) return;
      terrainLegTo(p, alt);
      mission.push({ ...navItem(MAV_CMD.NAV_WAYPOINT, p, relAlt(p, alt)), param1: hold });
      route.push(p);
      prevXY = xy;
      altM = alt;
    };
    const legTo = (xy: XY, alt: number): void => {
      for (const q of routeXY(prevXY, xy).slice(1, -1)) waypoint(frame.toLonLat(q), q, alt);
    };
    let photoCount = 0;
    sortie.units.forEach((u, k) => {
      const work = group.works[u]!;
      let lonLat = work.lonLat;
      let xy = work.unit.path;
      if (k === 0 && work.kind === 'point' && xy.length > 1) {
        // The detour from the previous point is not flown at the start of a sortie.
        lonLat = lonLat.slice(-1);
        xy = xy.slice(-1);
      }
      legTo(xy[0]!, work.altitudeAglM);
      photoCount += work.photoCount;
      if (work.kind === 'point' && work.point) {
        for (let m = 0; m < xy.length - 1; m++) waypoint(lonLat[m]!, xy[m]!, work.altitudeAglM);
        const items = inspectionItems(work.point, {
          altitudeAglM: work.altitudeAglM,
          ...(options.gimbalCommand !== undefined && { gimbalCommand: options.gimbalCommand }),
        });
        terrainLegTo(work.point.position, work.altitudeAglM);
        items[0]!.altM = relAlt(work.point.position, items[0]!.altM);
        mission.push(...items);
        route.push(work.point.position);
        prevXY = xy[xy.length - 1]!;
        altM = work.altitudeAglM;
        plannedPoints.push({
          position: work.point.position,
          id: work.point.id ?? null,
          order: plannedPoints.length,
          sortie: index,
        });
        return;
      }
      waypoint(lonLat[0]!, xy[0]!, work.altitudeAglM);
      if (work.triggerDistanceM)
        mission.push(commandItem(MAV_CMD.DO_SET_CAM_TRIGG_DIST, work.triggerDistanceM, 0, 1));
      for (let m = 1; m < xy.length; m++) waypoint(lonLat[m]!, xy[m]!, work.altitudeAglM);
      if (work.triggerDistanceM) mission.push(commandItem(MAV_CMD.DO_SET_CAM_TRIGG_DIST, 0, 0, 0));
      paths.push({
        kind: work.kind === 'point' ? 'transit' : work.kind,
        coordinates: work.lonLat,
        altitudeAglM: work.altitudeAglM,
        triggerDistanceM: work.triggerDistanceM,
        label: work.unit.label,
        sortie: index,
      });
    });
    legTo(dockXY, altM);
    waypoint(dock.position, dockXY, altM);
    mission.push(navItem(MAV_CMD.NAV_LAND, dock.position, 0));
    const fenceRing = inclusionRing(route, frame, fenceMarginM);
    const nearby = noFlyZones.filter(
      (z) => z.kind === 'polygon' && boxesOverlap(z.rings[0]!, fenceRing),
    );
    return {
      index,
      dockId: dock.id,
      home: dock.position,
      homeAltAmslM: dock.groundAltM,
      mission,
      fence: fenceItems(
        [{ kind: 'polygon', name: `sortie ${index + 1}`, rings: [fenceRing] }],
        nearby,
      ),
      rally,
      route,
      timeS: sortie.timeS,
      lengthM: sortie.lengthM,
      batteryUsedPct: sortie.batteryUsedPct,
      photoCount,
      turns: sortie.turns,
      work: sortie.units.map((u) => group.works[u]!.unit.label),
    };
  });
  progress(0.92);

  const check = preflightCheck(
    sorties.map((s) => ({
      home: s.home,
      mission: s.mission,
      homeAmslM: (dem && dem.elevationAt(s.home)) ?? s.homeAltAmslM,
    })),
    {
      drone,
      frame,
      noFlyZones: allNoFlyZones,
      flightWindow,
      verticalMarginM,
      ceilingM,
      safetyMarginM: marginM,
      ...(dem && { groundAmslM: (p: LonLat) => dem.elevationAt(p) }),
    },
  );
  if (!check.ok) {
    return {
      ok: false,
      error: {
        code: 'PREFLIGHT_FAILED',
        message: check.message,
        issues: check.violations.map((v) => ({
          path: `sorties[${v.sortie}]${v.itemIndex === null ? '' : `.mission[${v.itemIndex}]`}`,
          message: v.message,
        })),
      },
    };
  }

  // Statistics, with coverage checked independently by grid sampling over the footprints.
  const footprints: LonLat[][] = coveragePlans.flatMap((p) => p.footprints.map((f) => f.corners));
  const noFlyXY = noFlyZones.flatMap((z) =>
    z.kind === 'polygon' ? [z.rings.map((r) => r.map((q) => frame.toLocal(q)))] : [],
  );
  const coverage =
    coverageAreasXY.length > 0
      ? sampleCoveragePct(
          coverageAreasXY,
          noFlyXY,
          footprints.map((f) => f.map((q) => frame.toLocal(q))),
          options.coverageSamples ?? 20_000,
        )
      : null;
  const tourSorties = sorties.filter((_, k) => tourGroups.has(planned[k]!.group));
  const plan: Plan = {
    sorties,
    paths,
    points: plannedPoints,
    footprints,
    statistics: {
      lengthM: sum(sorties.map((s) => s.lengthM)),
      workLengthM: sum(coveragePlans.map((p) => p.stats.lengthM)) + (tourStats?.lengthM ?? 0),
      lowerBoundM:
        sum(coveragePlans.map((p) => p.stats.lowerBoundM)) + (tourStats?.lowerBoundM ?? 0),
      flightTimeS: sum(sorties.map((s) => s.timeS)),
      sorties: sorties.length,
      sortieLowerBound,
      sortieProvenMinimum,
      sortieProvenReasons,
      photoCount: sum(sorties.map((s) => s.photoCount)),
      coveredAreaM2: sum(coveragePlans.map((p) => p.stats.areaM2)),
      coveragePct: coverage ? coverage.coveragePct : null,
      turns: sum(coveragePlans.map((p) => p.stats.turns)) + sum(tourSorties.map((s) => s.turns)),
      laneSpacingM: coveragePlans[0]?.stats.laneSpacingM ?? null,
      inspectionPoints: points.length,
      tourLengthM: tourStats?.lengthM ?? null,
      tourLowerBoundM: tourStats?.lowerBoundM ?? null,
      tourGapPct: tourStats?.gapPct ?? null,
    },
    warnings,
    altitudeReference: dem ? 'terrain' : 'dock',
  };
  progress(1);
  return { ok: true, plan };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function navItem(command: number, position: LonLat, altM: number): MissionItem {
  return {
    command,
    frame: MAV_FRAME.GLOBAL_RELATIVE_ALT,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: Number.NaN,
    position: [position[0], position[1]],
    altM,
    autocontinue: true,
  };
}

function commandItem(command: number, p1: number, p2: number, p3: number): MissionItem {
  return {
    command,
    frame: MAV_FRAME.MISSION,
    param1: p1,
    param2: p2,
    param3: p3,
    param4: 0,
    position: null,
    altM: 0,
    autocontinue: true,
  };
}

function box(ring: readonly LonLat[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return [minX, minY, maxX, maxY];
}

/** True when the bounding boxes of two rings overlap (a no-fly zone near a sortie's fence). */
function boxesOverlap(a: readonly LonLat[], b: readonly LonLat[]): boolean {
  const [ax0, ay0, ax1, ay1] = box(a);
  const [bx0, by0, bx1, by1] = box(b);
  return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
}

/** The dock nearest to the geometry's first vertex (where the coverage planner starts). */
function nearestDock(
  docks: PatrolInput['docks'],
  geometry: Polygon | MultiPolygon,
  frame: LocalFrame,
): LonLat {
  const first =
    geometry.type === 'Polygon' ? geometry.coordinates[0]![0]! : geometry.coordinates[0]![0]![0]!;
  const a = frame.toLocal(first);
  let best = docks[0]!.position;
  let bestD = Infinity;
  for (const d of docks) {
    const b = frame.toLocal(d.position);
    const dist = Math.hypot(a[0] - b[0], a[1] - b[1]);
    if (dist < bestD) {
      bestD = dist;
      best = d.position;
    }
  }
  return best;
}

export type { AreaGeometry };
