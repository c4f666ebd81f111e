import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createObstacleRouter, planCoverage } from '../../../missions/coverage/index';
import { preflightCheck } from '../../../missions/fence/index';
import { createLocalFrame } from '../../../missions/frame/index';
import { planPatrol } from '../../../missions/plan/index';
import { cutLanes } from '../../../missions/plan/dock-aware-coverage';
import { planLaneRoutes } from '../../../missions/plan/lane-routes';
import { planSorties, usableTimeS, type WorkUnit } from '../../../missions/sortie/index';
import { DEFAULT_DRONE, type LonLat, type WorkPath, type XY } from '../../../missions/types/index';

// One real island of the Admiralty Island National Monument (about 1.4 km², several cells) and
// a dock a few hundred metres south of it, as in the README's planning example.
const island = (
  JSON.parse(
    readFileSync(
      new URL('../../fixtures/missions-plan/admiralty-island.geojson', import.meta.url),
      'utf8',
    ),
  ) as { features: { geometry: { type: 'Polygon'; coordinates: LonLat[][] } }[] }
).features[0]!.geometry;
const dockLonLat: LonLat = [-134.5, 57.515];
const frame = createLocalFrame(dockLonLat);
const docks = [{ id: 'dock', xy: frame.toLocal(dockLonLat) }];

const units = (workPaths: readonly WorkPath[]): WorkUnit[] =>
  workPaths.map((w, k) => ({
    label: `${w.kind} ${k + 1}`,
    path: w.coordinates.map((q) => frame.toLocal(q)),
    altitudeM: w.altitudeAglM,
  }));

/** Each lane piece as an undirected key, so that a piece flown reversed is the same piece. */
const pieceKeys = (workPaths: readonly WorkPath[]): string[] =>
  workPaths
    .filter((w) => w.kind === 'lane')
    .map((w) =>
      w.coordinates
        .map((q) => `${q[0]},${q[1]}`)
        .sort()
        .join(' '),
    )
    .sort();

// A no-fly zone of 300 × 300 m inside the island's southern part, where straight transits
// between its pieces would pass (metres in the dock's frame).
const zoneBox: [number, number, number, number] = [-500, 1000, -200, 1300];
const box = (x0: number, y0: number, x1: number, y1: number): XY[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const zone = {
  type: 'Polygon' as const,
  coordinates: [box(...zoneBox).map((q) => frame.toLonLat(q))],
};

/** Local polylines of the transits, in flight order. */
const transits = (workPaths: readonly WorkPath[]): XY[][] =>
  workPaths
    .filter((w) => w.kind === 'transit')
    .map((w) => w.coordinates.map((q) => frame.toLocal(q)));

describe('planLaneRoutes', () => {
  it('regroups the lane pieces of a real island into fewer sorties than split in order, every piece flown once and every sortie within the battery', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 30 * 60 };
    const coverage = planCoverage(island, {
      altitudeAglM: 100,
      frame,
      startLonLat: dockLonLat,
      footprints: false,
    });
    const pieces = cutLanes(coverage.workPaths, frame, (usableTimeS(drone) * 7) / 16);
    const inOrder = planSorties(units(pieces), docks, drone);
    if (!inOrder.ok) throw new Error(inOrder.code);

    const routes = planLaneRoutes(pieces, docks, drone, frame);
    expect(routes).not.toBeNull();
    expect(routes!.sorties).toBeLessThan(inOrder.sorties.length);
    expect(pieceKeys(routes!.workPaths)).toEqual(pieceKeys(pieces));
    // The splitter, with its own energy model, flies the new order in as few sorties, each
    // within the battery; the search's times are never below the splitter's.
    const split = planSorties(units(routes!.workPaths), docks, drone);
    if (!split.ok) throw new Error(split.code);
    expect(split.sorties.length).toBeLessThanOrEqual(routes!.sorties);
    expect(split.totalTimeS).toBeLessThanOrEqual(routes!.timeS + 1e-6);
    for (const s of split.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
  });

  it('routes the transits and dock legs of a real island around a no-fly zone: every transit clear of it, each piece once, times never below the splitter with the routed legs', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 40 * 60 };
    // The zone grown by 20 m for routing, as planPatrol grows it by its margin; lanes end 3 m
    // beyond that, so that no lane end lies inside an obstacle.
    const [x0, y0, x1, y1] = zoneBox;
    const router = createObstacleRouter([[box(x0 - 20, y0 - 20, x1 + 20, y1 + 20).slice(0, 4)]]);
    let routed = 0;
    const route = (a: XY, b: XY): XY[] => {
      if (!router.blocked(a, b)) return [a, b];
      routed++;
      return router.route(a, b);
    };
    const lengthM = (path: readonly XY[]): number =>
      path.reduce(
        (s, q, k) => (k > 0 ? s + Math.hypot(q[0] - path[k - 1]![0], q[1] - path[k - 1]![1]) : s),
        0,
      );
    const legLengthM = (a: XY, b: XY): number => lengthM(route(a, b));
    const coverage = planCoverage(island, {
      altitudeAglM: 100,
      frame,
      startLonLat: dockLonLat,
      footprints: false,
      noFlyZones: [zone],
      noFlyMarginM: 23,
    });
    const pieces = cutLanes(coverage.workPaths, frame, usableTimeS(drone) * 0.5);
    const inOrder = planSorties(units(pieces), docks, drone, { legLengthM });
    if (!inOrder.ok) throw new Error(inOrder.code);

    // Straight, some transits would cross the zone.
    const straight = planLaneRoutes(pieces, docks, drone, frame);
    expect(straight).not.toBeNull();
    const crossing = transits(straight!.workPaths).filter((t) =>
      t.some((q, k) => k > 0 && router.blocked(t[k - 1]!, q)),
    );
    expect(crossing.length).toBeGreaterThan(0);

    const routes = planLaneRoutes(pieces, docks, drone, frame, { route });
    expect(routes).not.toBeNull();
    expect(routed).toBeGreaterThan(0);
    expect(routes!.sorties).toBeLessThan(inOrder.sorties.length);
    expect(pieceKeys(routes!.workPaths)).toEqual(pieceKeys(pieces));
    for (const t of transits(routes!.workPaths))
      for (let k = 1; k < t.length; k++) expect(router.blocked(t[k - 1]!, t[k]!)).toBe(false);
    // Some transits turn at the grown zone's corners (the router's nodes, 0.5 m out).
    const corner = (q: XY): boolean =>
      [x0 - 20, x1 + 20].some((x) => Math.abs(q[0] - x) < 1) &&
      [y0 - 20, y1 + 20].some((y) => Math.abs(q[1] - y) < 1);
    const detours = transits(routes!.workPaths).filter((t) => t.slice(1, -1).some(corner));
    expect(detours.length).toBeGreaterThan(0);
    // The splitter with the routed legs flies the new order in as few sorties, each within the
    // battery, and never longer than the search says.
    const split = planSorties(units(routes!.workPaths), docks, drone, { legLengthM });
    if (!split.ok) throw new Error(split.code);
    expect(split.sorties.length).toBeLessThanOrEqual(routes!.sorties);
    expect(split.totalTimeS).toBeLessThanOrEqual(routes!.timeS + 1e-6);
    for (const s of split.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
  }, 90_000);

  it('chooses exactly as when it weighs every insertion, skipping the far ones (two batteries, with and without a zone)', () => {
    const [x0, y0, x1, y1] = zoneBox;
    const router = createObstacleRouter([[box(x0 - 20, y0 - 20, x1 + 20, y1 + 20).slice(0, 4)]]);
    const route = (a: XY, b: XY): XY[] => (router.blocked(a, b) ? router.route(a, b) : [a, b]);
    const coverage = planCoverage(island, {
      altitudeAglM: 100,
      frame,
      startLonLat: dockLonLat,
      footprints: false,
    });
    for (const [enduranceMin, withZone] of [
      [25, false],
      [30, true],
    ] as const) {
      const drone = { ...DEFAULT_DRONE, enduranceS: enduranceMin * 60 };
      const pieces = cutLanes(coverage.workPaths, frame, 300);
      const options = { roundsPerPiece: 10, ...(withZone && { route }) };
      const skipping = planLaneRoutes(pieces, docks, drone, frame, options);
      const weighingAll = planLaneRoutes(pieces, docks, drone, frame, {
        ...options,
        skipFarInsertions: false,
      });
      expect(skipping).not.toBeNull();
      expect(skipping!.sorties).toBeGreaterThanOrEqual(6);
      expect(skipping).toEqual(weighingAll);
    }
  }, 60_000);

  it('leaves alone what it does not plan: corridor passes, fewer than three pieces, a sortie count below its bound', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 30 * 60 };
    const lane = (y: number): WorkPath => ({
      kind: 'lane',
      coordinates: [frame.toLonLat([0, y]), frame.toLonLat([300, y])],
      altitudeAglM: 100,
      triggerDistanceM: 20,
    });
    const three = [lane(0), lane(40), lane(80)];
    expect(
      planLaneRoutes([...three, { ...lane(120), kind: 'pass' }], docks, drone, frame),
    ).toBeNull();
    expect(planLaneRoutes(three.slice(0, 2), docks, drone, frame)).toBeNull();
    expect(planLaneRoutes(three, docks, drone, frame, { fewerThan: 1 })).toBeNull();
    const one = planLaneRoutes(three, docks, drone, frame);
    expect(one?.sorties).toBe(1);
    expect(planLaneRoutes(three, docks, drone, frame)).toEqual(one);
  });

  it('carries a bend (a lane path with corners, along the edge) whole, its turns counted as the splitter counts them', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 20 * 60 };
    const path = (xy: [number, number][]): WorkPath => ({
      kind: 'lane',
      coordinates: xy.map((q) => frame.toLonLat(q)),
      altitudeAglM: 100,
      triggerDistanceM: 20,
    });
    // Lanes of 2 km from a dock below them, one with a bend up the slanted edge at its end.
    const work = [0, 45, 90, 135, 180, 225].map((y) =>
      path([
        [500, 300 + y],
        [2500, 300 + y],
      ]),
    );
    work.push(
      path([
        [2500, 570],
        [2540, 570],
        [2600, 640],
      ]),
    );
    const routes = planLaneRoutes(work, docks, drone, frame);
    expect(routes).not.toBeNull();
    expect(pieceKeys(routes!.workPaths)).toEqual(pieceKeys(work));
    const split = planSorties(units(routes!.workPaths), docks, drone);
    if (!split.ok) throw new Error(split.code);
    expect(split.sorties.length).toBeLessThanOrEqual(routes!.sorties);
    expect(split.totalTimeS).toBeLessThanOrEqual(routes!.timeS + 1e-6);
  });

  it('lets planPatrol fly the island from its dock in as few sorties as the lower bound at 40 min (5 split in order), its progress moving during the search', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 40 * 60 };
    const shares: number[] = [];
    const result = planPatrol({
      areas: [{ kind: 'forest', geojson: island }],
      docks: [{ id: 'dock', position: dockLonLat, groundAltM: 0 }],
      drone,
      options: { altitudeAglM: 100, coverageSamples: 4000, onProgress: (f) => shares.push(f) },
    });
    // The one area's coverage spans 5–55 %; the routing search reports within it, never falling.
    for (let k = 1; k < shares.length; k++)
      expect(shares[k]).toBeGreaterThanOrEqual(shares[k - 1]!);
    expect(shares.at(-1)).toBe(1);
    const during = new Set(shares.filter((f) => f > 0.05 && f < 0.55));
    expect(during.size).toBeGreaterThanOrEqual(10);
    if (!result.ok) throw new Error(result.error.message);
    const { plan } = result;
    expect(plan.statistics.sorties).toBe(4);
    expect(plan.statistics.sortieLowerBound).toBe(4);
    expect(plan.statistics.coveragePct!).toBeGreaterThanOrEqual(99.5);
    for (const s of plan.sorties) {
      expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
      expect(s.batteryUsedPct).toBeLessThanOrEqual(100 - drone.reservePct + 1e-6);
    }
    const check = preflightCheck(
      plan.sorties.map((s) => ({ home: s.home, mission: s.mission })),
      { drone, frame, noFlyZones: [] },
    );
    expect(check.ok ? '' : check.message).toBe('');
    // The routing search from three candidates: several seconds, more on a loaded machine.
  }, 90_000);

  it('lets planPatrol fly the island around a no-fly zone between its arms in fewer sorties than without the search (4, the bound, where it flew 5), every sortie clear of the zone', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 40 * 60 };
    // In the notch between the western arm and the long strip: the legs between them cross it.
    const notch: [number, number, number, number] = [-580, 1720, -430, 1900];
    const village = {
      type: 'Polygon' as const,
      coordinates: [box(...notch).map((q) => frame.toLonLat(q))],
    };
    const result = planPatrol({
      areas: [
        { kind: 'forest', geojson: island },
        { id: 'village', kind: 'no_fly', geojson: village },
      ],
      docks: [{ id: 'dock', position: dockLonLat, groundAltM: 0 }],
      drone,
      options: { altitudeAglM: 100, coverageSamples: 4000 },
    });
    if (!result.ok) throw new Error(result.error.message);
    const { plan } = result;
    // Before the search saw no-fly zones, this plan flew 5 sorties (131.4 min).
    expect(plan.statistics.sorties).toBe(4);
    expect(plan.statistics.sortieLowerBound).toBe(4);
    // Over the island minus the zone.
    expect(plan.statistics.coveragePct!).toBeGreaterThanOrEqual(99.5);
    const lanes = pieceKeys(plan.paths.filter((p) => p.kind === 'lane') as WorkPath[]);
    expect(new Set(lanes).size).toBe(lanes.length);
    for (const s of plan.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
    const check = preflightCheck(
      plan.sorties.map((s) => ({ home: s.home, mission: s.mission })),
      {
        drone,
        frame,
        noFlyZones: [{ kind: 'polygon', name: 'village', rings: [village.coordinates[0]!] }],
      },
    );
    expect(check.ok ? '' : check.message).toBe('');
    // Some legs turn around the zone: flown straight, they would cross it.
    const [x0, y0, x1, y1] = notch;
    const beside = plan.sorties.flatMap((s) =>
      s.mission.filter((it) => {
        if (!it.position) return false;
        const [x, y] = frame.toLocal(it.position);
        const outM = Math.hypot(Math.max(x0 - x, 0, x - x1), Math.max(y0 - y, 0, y - y1));
        return outM > 0 && outM < 40;
      }),
    );
    expect(beside.length).toBeGreaterThan(0);
  }, 90_000);
});
