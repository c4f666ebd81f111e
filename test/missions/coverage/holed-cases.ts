import { readFileSync } from 'node:fs';
import { booleanPointInPolygon, pointToLineDistance } from '@turf/turf';
import type { Feature, LineString, MultiPolygon, Point, Polygon, Position } from 'geojson';
import {
  createLocalFrame,
  DEFAULT_MAPPING_CAMERA,
  seededRandom,
  type CoverageOptions,
} from '../../../missions/index';
import { CENTRE, CONCAVE, ellipseHole, fromMetres, HOLED, rectangle } from './shapes';

/** One comparison case of the planner against the single-direction baseline. */
export interface HoledCase {
  name: string;
  /** `holes`: the area has holes or no-fly zones inside it; `concave`: concave, no holes. */
  group: 'holes' | 'concave';
  area: Polygon | MultiPolygon;
  noFlyZones: Polygon[];
  options: CoverageOptions;
}

const frame = createLocalFrame(CENTRE);

/** A wide-angle camera at 120 m (lanes 246 m apart), so that real forests of 1 000 km² plan fast. */
export const WIDE_CAMERA = {
  sensor: { ...DEFAULT_MAPPING_CAMERA, focalLengthMm: 4.5 },
  altitudeAglM: 120,
  sideOverlapPct: 30,
  frontOverlapPct: 50,
} as const satisfies CoverageOptions;

export const LIDAR = { sensor: { kind: 'lidar', fovDeg: 60 }, altitudeAglM: 100 } as const;

export function readForest(name: string): (Polygon | MultiPolygon)[] {
  const json = JSON.parse(
    readFileSync(new URL(`../../fixtures/areas/forests/${name}`, import.meta.url), 'utf8'),
  ) as { features?: { geometry: Polygon | MultiPolygon }[]; geometry?: Polygon | MultiPolygon };
  if (json.features) return json.features.map((f) => f.geometry);
  return json.geometry ? [json.geometry] : [];
}

/** The largest outer ring (by vertex count) of a forest feature, with its holes, as a Polygon. */
function largestPart(g: Polygon | MultiPolygon): Polygon {
  if (g.type === 'Polygon') return g;
  const best = [...g.coordinates].sort((a, b) => (b[0]?.length ?? 0) - (a[0]?.length ?? 0))[0]!;
  return { type: 'Polygon', coordinates: best };
}

/**
 * `count` seeded elliptical clearings (lakes, meadows, villages) of radii `minM`–`maxM` inside a
 * real forest polygon, each at least `clearM` from the boundary and from the other clearings;
 * rings in `[lon, lat]`, clockwise (holes).
 */
export function seededClearings(
  forest: Polygon,
  seed: number,
  count: number,
  minM: number,
  maxM: number,
  clearM: number,
): Position[][] {
  const rand = seededRandom(seed);
  const ring = forest.coordinates[0]!;
  const lons = ring.map((p) => p[0]!);
  const lats = ring.map((p) => p[1]!);
  const [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  const [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  const outline: Feature<LineString> = {
    type: 'Feature',
    properties: {},
    geometry: { type: 'LineString', coordinates: ring },
  };
  const placed: { c: Position; r: number }[] = [];
  const out: Position[][] = [];
  for (let attempt = 0; attempt < 2000 && out.length < count; attempt++) {
    const c: Position = [minLon + (maxLon - minLon) * rand(), minLat + (maxLat - minLat) * rand()];
    const rx = minM + (maxM - minM) * rand();
    const ry = minM + (maxM - minM) * rand();
    const rot = 180 * rand();
    const r = Math.max(rx, ry);
    const pt: Feature<Point> = {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: c },
    };
    if (!booleanPointInPolygon(pt, forest)) continue;
    if (pointToLineDistance(pt, outline, { units: 'meters' }) < r + clearM) continue;
    const local = createLocalFrame([c[0]!, c[1]!]);
    if (
      placed.some((p) => {
        const q = local.toLocal(p.c);
        return Math.hypot(q[0], q[1]) < r + p.r + clearM;
      })
    )
      continue;
    placed.push({ c, r });
    const hole = ellipseHole(0, 0, rx, ry, rot, 16).map((p) => local.toLonLat(p));
    out.push([...hole, hole[0]!]);
  }
  return out;
}

/** A copy of the polygon with extra holes. */
function withHoles(p: Polygon, holes: Position[][]): Polygon {
  return { type: 'Polygon', coordinates: [...p.coordinates, ...holes] };
}

/**
 * Every case of the comparison, fixed in advance (wins and losses alike): synthetic forests with
 * lakes and clearings, a concave field around a no-fly zone, the real forests' own holes, the real
 * forests with seeded clearings or no-fly villages, and concave shapes without holes (reported
 * apart: the goal is about areas with holes).
 */
export function holedCases(): HoledCase[] {
  const cases: HoledCase[] = [];
  for (const [name, rings] of Object.entries(HOLED))
    cases.push({
      name,
      group: 'holes',
      area: fromMetres(rings),
      noFlyZones: [],
      options: { frame },
    });
  cases.push({
    name: 'square with two holes (lidar)',
    group: 'holes',
    area: fromMetres(HOLED['square with two holes']!),
    noFlyZones: [],
    options: { frame, ...LIDAR },
  });
  const pond = JSON.parse(
    readFileSync(
      new URL('../../fixtures/missions-coverage/hillside-pond.in.geojson', import.meta.url),
      'utf8',
    ),
  ) as { features: Feature<Polygon | Point, { kind: string }>[] };
  const byKind = (k: string) => pond.features.filter((f) => f.properties.kind === k);
  cases.push({
    name: 'hillside with a pond and a no-fly substation (golden fixture)',
    group: 'holes',
    area: byKind('forest')[0]!.geometry as Polygon,
    noFlyZones: byKind('no-fly').map((f) => f.geometry as Polygon),
    options: { altitudeAglM: 90 },
  });
  cases.push({
    name: 'rectangle around two no-fly villages',
    group: 'holes',
    area: fromMetres([rectangle(0, 0, 3400, 2200, -10)]),
    noFlyZones: [
      fromMetres([rectangle(-700, 200, 450, 380, 20)]),
      fromMetres([ellipseHole(800, -300, 300, 220, 0, 12).reverse()]),
    ],
    options: { frame },
  });
  const amador = readForest('amador_ranger_district.geojson')[0]!;
  cases.push({
    name: 'amador (real, 12 parts, 8 inholdings as holes)',
    group: 'holes',
    area: amador,
    noFlyZones: [],
    options: WIDE_CAMERA,
  });
  const [dillon0, dillon1] = readForest('dillon_ranger_district.geojson');
  cases.push({
    name: 'dillon#0 (real, one hole)',
    group: 'holes',
    area: dillon0!,
    noFlyZones: [],
    options: WIDE_CAMERA,
  });
  const dillonMain = largestPart(dillon1!);
  cases.push({
    name: 'dillon#1 main part + 5 seeded clearings 0.8–2 km',
    group: 'holes',
    area: withHoles(dillonMain, seededClearings(dillonMain, 11, 5, 400, 1000, 1500)),
    noFlyZones: [],
    options: WIDE_CAMERA,
  });
  cases.push({
    name: 'dillon#0 + 3 seeded no-fly villages 1–1.6 km',
    group: 'holes',
    area: dillon0!,
    noFlyZones: seededClearings(largestPart(dillon0!), 5, 3, 500, 800, 1500).map((r) => ({
      type: 'Polygon',
      coordinates: [[...r].reverse()],
    })),
    options: WIDE_CAMERA,
  });
  const admiraltyMain = largestPart(readForest('admiralty_national_monument.geojson')[0]!);
  cases.push({
    name: 'admiralty main island + 6 seeded lakes 1.2–3 km',
    group: 'holes',
    area: withHoles(admiraltyMain, seededClearings(admiraltyMain, 3, 6, 600, 1500, 1500)),
    noFlyZones: [],
    options: WIDE_CAMERA,
  });
  cases.push({
    name: 'U shape',
    group: 'concave',
    area: fromMetres(CONCAVE['U shape']!),
    noFlyZones: [],
    options: { frame },
  });
  cases.push({
    name: 'comb',
    group: 'concave',
    area: fromMetres(CONCAVE.comb!),
    noFlyZones: [],
    options: { frame },
  });
  cases.push({
    name: 'star',
    group: 'concave',
    area: fromMetres(CONCAVE.star!),
    noFlyZones: [],
    options: { frame },
  });
  cases.push({
    name: 'amador#largest part without its holes',
    group: 'concave',
    area: { type: 'Polygon', coordinates: [largestPart(amador).coordinates[0]!] },
    noFlyZones: [],
    options: WIDE_CAMERA,
  });
  return cases;
}
