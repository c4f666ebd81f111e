import { describe, expect, it } from 'vitest';
import { createLocalFrame } from '../../../missions/frame/index';
import {
  fenceItems,
  inclusionRing,
  pointInRing,
  pointSegmentDistanceM,
  preflightCheck,
  rallyItems,
  zonesFromFenceItems,
  type FenceZone,
} from '../../../missions/fence/index';
import {
  DEFAULT_DRONE,
  MAV_CMD,
  type LonLat,
  type MissionItem,
} from '../../../missions/types/index';

const frame = createLocalFrame([119.95, 30.4]);
const at = (xM: number, yM: number): LonLat => frame.toLonLat([xM, yM]);
const wp = (xM: number, yM: number, altM = 60, hold = 0): MissionItem => ({
  command: MAV_CMD.NAV_WAYPOINT,
  frame: 3,
  param1: hold,
  param2: 0,
  param3: 0,
  param4: Number.NaN,
  position: at(xM, yM),
  altM,
  autocontinue: true,
});
const takeoff = (altM = 60): MissionItem => ({
  ...wp(0, 0, altM),
  command: MAV_CMD.NAV_TAKEOFF,
  param1: 0,
});
const rtl: MissionItem = {
  ...wp(0, 0),
  command: MAV_CMD.NAV_RETURN_TO_LAUNCH,
  position: null,
  altM: 0,
  frame: 2,
};
const square = (name: string, x0: number, y0: number, sizeM: number): FenceZone => ({
  kind: 'polygon',
  name,
  rings: [[at(x0, y0), at(x0 + sizeM, y0), at(x0 + sizeM, y0 + sizeM), at(x0, y0 + sizeM)]],
});

describe('fence and rally items', () => {
  it('writes polygon vertices with their count and reads them back', () => {
    const school = square('school', 100, 100, 50);
    const items = fenceItems(
      [
        {
          kind: 'polygon',
          name: 'area',
          rings: [[at(0, 0), at(1000, 0), at(1000, 1000), at(0, 1000), at(0, 0)]],
        },
      ],
      [school, { kind: 'circle', name: 'mast', center: at(500, 500), radiusM: 40 }],
    );
    expect(items.map((i) => i.command)).toEqual([
      5001, 5001, 5001, 5001, 5002, 5002, 5002, 5002, 5004,
    ]);
    expect(items.slice(0, 4).every((i) => i.param1 === 4)).toBe(true);
    expect(items[8]!.param1).toBe(40);
    const back = zonesFromFenceItems(items);
    expect(back.inclusion).toHaveLength(1);
    expect(back.exclusion).toHaveLength(2);
    expect(back.exclusion[0]!.kind === 'polygon' && back.exclusion[0]!.rings[0]).toEqual(
      school.kind === 'polygon' && school.rings[0],
    );
  });

  it('names the broken vertex of a truncated polygon', () => {
    const items = fenceItems([square('a', 0, 0, 10)], []).slice(0, 3);
    expect(() => zonesFromFenceItems(items)).toThrow(/fence item 0: vertex count 4/);
  });

  it('writes the docks as rally points', () => {
    const items = rallyItems([{ position: [119.9, 30.4], altM: 50 }]);
    expect(items[0]).toMatchObject({ command: 5100, frame: 3, position: [119.9, 30.4], altM: 50 });
  });

  it('builds an inclusion ring that keeps the margin around every route vertex', () => {
    const route: LonLat[] = [at(0, 0), at(800, 100), at(400, 900), at(-300, 500)];
    const ring = inclusionRing(route, frame, 50).map((p) => frame.toLocal(p));
    for (const p of route.map((q) => frame.toLocal(q))) {
      expect(pointInRing(p, ring)).toBe(true);
      for (let i = 0; i < ring.length; i++) {
        expect(
          pointSegmentDistanceM(p, ring[i]!, ring[(i + 1) % ring.length]!),
        ).toBeGreaterThanOrEqual(50 - 1e-6);
      }
    }
    expect(ring.length).toBeLessThanOrEqual(48);
  });
});

describe('preflightCheck', () => {
  const drone = { ...DEFAULT_DRONE, cruiseSpeedMps: 10, accelerationMps2: 2 }; // stopping distance 25 m
  const home = at(0, 0);
  const school = square('school', 300, -50, 100);

  it('accepts a clean mission and estimates its time', () => {
    const check = preflightCheck([{ home, mission: [takeoff(), wp(200, 200), wp(0, 400), rtl] }], {
      drone,
      frame,
      noFlyZones: [school],
    });
    expect(check.ok).toBe(true);
    expect(check.sortieTimesS[0]).toBeGreaterThan(0);
  });

  it('names the waypoint inside a no-fly zone', () => {
    const check = preflightCheck([{ home, mission: [takeoff(), wp(200, 200), wp(350, 0), rtl] }], {
      drone,
      frame,
      noFlyZones: [school],
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.violations[0]).toMatchObject({
      code: 'NO_FLY_ENTERED',
      sortie: 0,
      itemIndex: 2,
      zone: 'school',
    });
    expect(check.message).toMatch(
      /^sortie 1 leg to item 2 at 119\.95\d+, 30\.4\d+ enters no-fly zone 'school'/,
    );
  });

  it('rejects a leg that crosses a zone between two clean waypoints', () => {
    const check = preflightCheck([{ home, mission: [takeoff(), wp(250, 0), wp(450, 0), rtl] }], {
      drone,
      frame,
      noFlyZones: [school],
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.violations.some((v) => v.code === 'NO_FLY_ENTERED' && v.itemIndex === 2)).toBe(
      true,
    );
  });

  it('rejects a pass closer than the stopping distance v²/2a', () => {
    // 20 m south of the zone: outside, but inside the 25 m stopping distance.
    const check = preflightCheck(
      [{ home, mission: [takeoff(), wp(250, -70), wp(450, -70), rtl] }],
      {
        drone,
        frame,
        noFlyZones: [school],
        safetyMarginM: 5,
      },
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.marginM).toBe(25);
    expect(check.violations[0]!.code).toBe('NO_FLY_TOO_CLOSE');
    expect(check.violations[0]!.message).toMatch(
      /passes 20\.0 m from no-fly zone 'school' \(safety margin 25\.0 m\)/,
    );
  });

  it('rejects a circle zone crossed by a leg', () => {
    const mast: FenceZone = { kind: 'circle', name: 'mast', center: at(100, 100), radiusM: 30 };
    const check = preflightCheck([{ home, mission: [takeoff(), wp(200, 200), rtl] }], {
      drone,
      frame,
      noFlyZones: [mast],
    });
    expect(check.ok).toBe(false);
  });

  it('rejects an item above the ceiling and a sortie over the endurance', () => {
    const check = preflightCheck(
      [{ home, mission: [takeoff(), wp(100, 0, 150), wp(0, 30_000), rtl] }],
      { drone: { ...drone, enduranceS: 1200 }, frame, ceilingM: 120 },
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.violations.map((v) => v.code)).toEqual(['CEILING_EXCEEDED', 'ENDURANCE_EXCEEDED']);
    expect(check.violations[0]!.itemIndex).toBe(1);
    expect(check.violations[1]!.message).toMatch(
      /^sortie 1 needs [\d.]+ min, endurance after reserve is 15\.0 min$/,
    );
  });
});
