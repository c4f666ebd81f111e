import { describe, expect, it } from 'vitest';
import { createLocalFrame } from '../../../missions/frame/index';
import { preflightCheck, zonesFromFenceItems } from '../../../missions/fence/index';
import { planPatrol, type PatrolInput, type Plan } from '../../../missions/plan/index';
import { planSorties, usableTimeS } from '../../../missions/sortie/index';
import { solveTour } from '../../../missions/tour/index';
import { DEFAULT_DRONE, MAV_CMD, seededRandom } from '../../../missions/types/index';
import { demFromGrid } from '../../../missions/terrain/index';

const center: [number, number] = [119.95, 30.4];
const frame = createLocalFrame(center);
const at = (xM: number, yM: number): [number, number] => frame.toLonLat([xM, yM]);
const square = (x0: number, y0: number, sizeM: number) => ({
  type: 'Polygon',
  coordinates: [
    [at(x0, y0), at(x0 + sizeM, y0), at(x0 + sizeM, y0 + sizeM), at(x0, y0 + sizeM), at(x0, y0)],
  ],
});
const docks = [
  { id: 'nest-1', position: at(0, 0), groundAltM: 40 },
  { id: 'nest-2', position: at(3000, -500), groundAltM: 55 },
];

const randomPoints = (n: number, seed: number, sideM: number) => {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => at((rand() - 0.5) * sideM, (rand() - 0.5) * sideM));
};

const expectPlan = (input: PatrolInput): Plan => {
  const result = planPatrol(input);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.plan;
};

describe('planPatrol', () => {
  it('plans inspection points around a no-fly zone from two docks, every sortie within the reserve', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 1500 };
    const school = square(-1400, -300, 500);
    const points = randomPoints(150, 4, 5000);
    const plan = expectPlan({
      areas: [
        { id: 'towers', kind: 'points', geojson: { type: 'MultiPoint', coordinates: points } },
        { id: 'school', kind: 'no_fly', geojson: school },
      ],
      docks,
      drone,
      options: { altitudeAglM: 60 },
    });
    const dropped = plan.warnings.filter((w) => w.includes('not inspected')).length;
    expect(plan.statistics.inspectionPoints).toBe(150 - dropped);
    expect(plan.points).toHaveLength(150 - dropped);
    const captures = plan.sorties
      .flatMap((s) => s.mission)
      .filter((i) => i.command === MAV_CMD.IMAGE_START_CAPTURE);
    expect(captures).toHaveLength(150 - dropped);
    for (const s of plan.sorties) {
      const dock = docks.find((d) => d.id === s.dockId)!;
      expect(s.mission[0]).toMatchObject({ command: MAV_CMD.NAV_TAKEOFF, position: dock.position });
      expect(s.mission[s.mission.length - 1]).toMatchObject({
        command: MAV_CMD.NAV_LAND,
        position: dock.position,
        altM: 0,
      });
      expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone));
      const zones = zonesFromFenceItems(s.fence);
      expect(zones.inclusion).toHaveLength(1);
      expect(s.rally.map((r) => r.position)).toEqual(docks.map((d) => d.position));
    }
    // An independent pre-flight check of the exported items passes, with the same no-fly zone.
    const check = preflightCheck(
      plan.sorties.map((s) => ({ home: s.home, mission: s.mission })),
      {
        drone,
        frame,
        noFlyZones: [{ kind: 'polygon', name: 'school', rings: [school.coordinates[0]!] }],
      },
    );
    expect(check.ok).toBe(true);
    expect(plan.statistics.tourGapPct).not.toBeNull();
    expect(plan.statistics.tourGapPct!).toBeLessThan(5);
  });

  it('needs fewer sorties than cutting one global tour when the points span several batteries', () => {
    const drone = { ...DEFAULT_DRONE, enduranceS: 1200 };
    const coordinates = randomPoints(400, 400, 3000);
    const plan = expectPlan({
      areas: [{ kind: 'points', geojson: { type: 'MultiPoint', coordinates } }],
      docks: [docks[0]!],
      drone,
    });
    const xy = coordinates.map((c) => frame.toLocal(c));
    const tour = solveTour(xy);
    const split = planSorties(
      tour.order.map((i) => ({ label: `p${i}`, path: [xy[i]!], altitudeM: 100 })),
      [{ id: 'nest-1', xy: [0, 0] }],
      drone,
      { cyclic: true },
    );
    if (!split.ok) throw new Error(split.message);
    expect(plan.statistics.sorties).toBeLessThan(split.sorties.length);
    expect(plan.statistics.sorties).toBeGreaterThanOrEqual(split.lowerBound!);
    expect(plan.points).toHaveLength(400);
    for (const s of plan.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone));
    // 400 points with the retried sortie drops: ~7 s alone, more on a loaded machine.
  }, 90_000);

  it('routes tour legs around a wall-shaped no-fly zone instead of through it', () => {
    const west = [at(-1500, 0), at(-1500, 200), at(-1600, 100)];
    const east = [at(1500, 0), at(1500, 200), at(1600, 100)];
    const wall = square(-50, -2000, 100);
    wall.coordinates[0] = [
      at(-50, -1500),
      at(50, -1500),
      at(50, 1500),
      at(-50, 1500),
      at(-50, -1500),
    ];
    const plan = expectPlan({
      areas: [
        { kind: 'points', geojson: { type: 'MultiPoint', coordinates: [...west, ...east] } },
        { id: 'wall', kind: 'no_fly', geojson: wall },
      ],
      docks: [{ id: 'd', position: at(-1700, -100), groundAltM: 0 }],
      drone: { enduranceS: 3000 },
    });
    expect(plan.statistics.sorties).toBe(1);
    const ys = plan.sorties[0]!.route.map((p) => frame.toLocal(p)[1]);
    expect(Math.max(...ys.map(Math.abs))).toBeGreaterThan(1500);
  });

  it('is exactly optimal on a lattice of inspection points', () => {
    const lattice = [];
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) lattice.push(at(500 + i * 50, j * 50));
    const plan = expectPlan({
      areas: [{ kind: 'points', geojson: { type: 'MultiPoint', coordinates: lattice } }],
      docks: [docks[0]!],
      drone: { enduranceS: 3600 },
    });
    expect(plan.statistics.tourLengthM).toBeCloseTo(64 * 50, 0);
    expect(plan.statistics.tourGapPct).toBe(0);
  });

  it('covers a forest square with lanes, trigger items and footprints over ≥ 99.5 % of it', () => {
    const plan = expectPlan({
      areas: [{ id: 'forest', kind: 'forest', geojson: square(200, 200, 1200) }],
      docks: [docks[0]!],
      drone: { enduranceS: 1500 },
      options: { altitudeAglM: 100, coverageSamples: 5000 },
    });
    expect(plan.statistics.coveragePct!).toBeGreaterThanOrEqual(99.5);
    expect(plan.statistics.laneSpacingM).toBeGreaterThan(0);
    expect(plan.statistics.sorties).toBeGreaterThanOrEqual(plan.statistics.sortieLowerBound!);
    expect(plan.paths.filter((p) => p.kind === 'lane').length).toBeGreaterThan(5);
    const items = plan.sorties.flatMap((s) => s.mission);
    const triggers = items.filter((i) => i.command === MAV_CMD.DO_SET_CAM_TRIGG_DIST);
    expect(triggers.length).toBe(2 * plan.paths.filter((p) => p.triggerDistanceM).length);
    expect(plan.statistics.photoCount).toBeGreaterThan(0);
    expect(plan.warnings[0]).toMatch(/altitudes are relative to the dock/);
    // The sortie planner's times are what the flown items take (turns at lane ends included).
    const check = preflightCheck(
      plan.sorties.map((s) => ({ home: s.home, mission: s.mission })),
      { drone: { ...DEFAULT_DRONE, enduranceS: 1500 }, frame },
    );
    expect(check.ok).toBe(true);
    plan.sorties.forEach((s, k) => expect(check.sortieTimesS[k]).toBeCloseTo(s.timeS, 3));
  });

  it('flies a river centre line as passes along the corridor', () => {
    const river = {
      type: 'LineString',
      coordinates: [at(-500, 300), at(500, 500), at(1500, 300), at(2500, 700)],
    };
    const plan = expectPlan({
      areas: [{ id: 'river', kind: 'river', geojson: river, corridorWidthM: 120 }],
      docks: [docks[0]!],
      drone: { enduranceS: 1800 },
      options: { altitudeAglM: 80, coverageSamples: 4000 },
    });
    expect(plan.paths.some((p) => p.kind === 'pass')).toBe(true);
    expect(plan.statistics.coveragePct!).toBeGreaterThanOrEqual(99);
    expect(plan.statistics.coveredAreaM2).toBeGreaterThan(0.9 * 120 * 3200);
  });

  it('holds the height above a rising ground model along every leg', () => {
    // A ramp rising 150 m per km eastwards over the whole plan, sampled every 0.0005°.
    const [lon0, lat0] = at(-1000, -1000);
    const [lon1, lat1] = at(3000, 3000);
    const res = 0.0005;
    const width = Math.ceil((lon1 - lon0) / res) + 1;
    const height = Math.ceil((lat1 - lat0) / res) + 1;
    const values = new Float64Array(width * height);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++)
        values[r * width + c] = 40 + 0.15 * frame.toLocal([lon0 + c * res, lat1 - r * res])[0];
    }
    const dem = demFromGrid({
      width,
      height,
      values,
      originX: lon0 - res / 2,
      originY: lat1 + res / 2,
      resX: res,
      resY: res,
      noData: null,
      project: (p) => [p[0]!, p[1]!],
      unproject: (p) => [p[0]!, p[1]!],
      geographic: true,
    });
    const input: PatrolInput = {
      areas: [
        { kind: 'forest', geojson: square(200, 200, 1000) },
        {
          kind: 'points',
          geojson: { type: 'MultiPoint', coordinates: [at(2000, 500), at(2500, 1500)] },
        },
      ],
      docks: [{ id: 'nest-1', position: at(0, 0), groundAltM: 40 }],
      drone: { enduranceS: 2400 },
      options: { altitudeAglM: 90, terrainToleranceM: 5 },
    };
    const flat = expectPlan(input);
    const plan = expectPlan({ ...input, dem });
    expect(plan.altitudeReference).toBe('terrain');
    expect(plan.warnings.some((w) => w.includes('relative to the dock'))).toBe(false);
    const waypoints = (p: Plan) =>
      p.sorties.flatMap((s) => s.mission).filter((i) => i.command === MAV_CMD.NAV_WAYPOINT);
    expect(waypoints(plan).length).toBeGreaterThan(waypoints(flat).length);
    const home = dem.elevationAt(at(0, 0))!;
    const agl = (lonLat: [number, number], altM: number): number =>
      altM + home - dem.elevationAt(lonLat)!;
    for (const s of plan.sorties) {
      const nav = s.mission.filter((i) => i.command === MAV_CMD.NAV_WAYPOINT && i.position);
      for (let k = 1; k < nav.length; k++) {
        const a = nav[k - 1]!;
        const b = nav[k]!;
        for (let t = 0; t <= 1; t += 0.1) {
          const p: [number, number] = [
            a.position![0] + t * (b.position![0] - a.position![0]),
            a.position![1] + t * (b.position![1] - a.position![1]),
          ];
          const h = agl(p, a.altM + t * (b.altM - a.altM));
          expect(h).toBeGreaterThan(90 - 5.5);
          expect(h).toBeLessThan(90 + 5.5);
        }
      }
    }
  });

  it('says which point no dock can reach and why', () => {
    const result = planPatrol({
      areas: [
        {
          id: 'far',
          kind: 'points',
          geojson: { type: 'MultiPoint', coordinates: [at(100, 100), at(40_000, 0)] },
        },
      ],
      docks: [docks[0]!],
      drone: { enduranceS: 1800, reservePct: 25 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('DOCK_UNREACHABLE');
    expect(result.error.message).toMatch(
      /^point 2 of far is 40\.0 km from the nearest dock \(nest-1\); a sortie to it needs \d+\.\d min, endurance after reserve is 22\.5 min$/,
    );
  });

  it('names every invalid input by path', () => {
    const bad = planPatrol({
      areas: [{ kind: 'points', geojson: { type: 'Point', coordinates: at(0, 0) } }],
      docks: [{ id: 'a', position: [200, 0], groundAltM: 0 }],
      drone: { cruiseSpeedMps: 0 },
      options: { altitudeAglM: 150 },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('INPUT_INVALID');
    expect(bad.error.issues.map((i) => i.path)).toEqual([
      'drone.cruiseSpeedMps',
      'drone.windMps',
      'options.altitudeAglM',
      'docks[0].position',
    ]);
    const area = planPatrol({
      areas: [
        {
          kind: 'forest',
          geojson: { type: 'Polygon', coordinates: [[at(0, 0), at(10, 0), at(0, 10)]] },
        },
      ],
      docks: [docks[0]!],
    });
    expect(area.ok).toBe(false);
    if (area.ok) return;
    expect(area.error.code).toBe('AREA_INVALID');
    expect(area.error.issues[0]!.path).toMatch(/^areas\[0\]\.geojson/);
  });

  it('refuses a dock inside or too close to a no-fly zone', () => {
    const result = planPatrol({
      areas: [
        { kind: 'points', geojson: { type: 'Point', coordinates: at(500, 500) } },
        { id: 'school', kind: 'no_fly', geojson: square(-100, 10, 200) },
      ],
      docks: [docks[0]!],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "docks[0]: dock nest-1 is 10.0 m from no-fly zone 'school', closer than the safety margin 25.0 m",
    );
  });

  it('is deterministic and reports progress up to 1', () => {
    const input: PatrolInput = {
      areas: [
        { kind: 'points', geojson: { type: 'MultiPoint', coordinates: randomPoints(80, 9, 3000) } },
      ],
      docks,
    };
    const fractions: number[] = [];
    const a = planPatrol({ ...input, options: { onProgress: (f) => fractions.push(f) } });
    const b = planPatrol(input);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
  });
});
