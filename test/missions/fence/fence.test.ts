import { describe, expect, it } from 'vitest';
import { createLocalFrame } from '../../../missions/frame/index';
import {
  fenceItems,
  inclusionRing,
  noFlyRules,
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

describe('preflightCheck with no-fly rules', () => {
  const drone = { ...DEFAULT_DRONE, cruiseSpeedMps: 10, accelerationMps2: 2 };
  const home = at(0, 0);
  const band = (floorM: number | null, ceilingM: number | null): FenceZone => ({
    ...square('school', 300, -50, 100),
    rules: { floorM, ceilingM, reference: 'agl', windows: null },
  });
  // Flies straight through the zone at 60 m above the dock.
  const through = [takeoff(), wp(250, 0), wp(450, 0), rtl];

  it('lets a leg cross a zone closed only below or above the heights it flies', () => {
    for (const zone of [band(0, 40), band(80, null)]) {
      const check = preflightCheck([{ home, mission: through }], {
        drone,
        frame,
        noFlyZones: [zone],
      });
      expect(check.ok).toBe(true);
    }
  });

  it('names the item and the band when the leg flies inside the band (margin included)', () => {
    const check = preflightCheck([{ home, mission: through }], {
      drone,
      frame,
      noFlyZones: [band(0, 55)],
      verticalMarginM: 10,
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.violations[0]).toMatchObject({
      code: 'NO_FLY_ENTERED',
      itemIndex: 2,
      zone: 'school',
    });
    expect(check.message).toMatch(
      /^sortie 1 leg to item 2 at .* enters no-fly zone 'school' \(closed 0–55 m AGL, always active; the leg flies 60–60 m AGL\)/,
    );
  });

  it('checks the climb at the dock against a low band around the dock', () => {
    const atDock: FenceZone = {
      ...square('yard', -50, -50, 100),
      rules: { floorM: 0, ceilingM: 30, reference: 'agl', windows: null },
    };
    const check = preflightCheck([{ home, mission: [takeoff(), wp(400, 400), rtl] }], {
      drone,
      frame,
      noFlyZones: [atDock],
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.violations.map((v) => v.itemIndex)).toContain(0);
  });

  it('skips a zone whose windows miss the flight window, and checks it without one', () => {
    const zone: FenceZone = {
      ...square('school', 300, -50, 100),
      rules: {
        floorM: null,
        ceilingM: null,
        reference: 'agl',
        windows: [
          { fromMs: Date.parse('2026-05-01T08:00:00Z'), toMs: Date.parse('2026-05-01T12:00:00Z') },
        ],
      },
    };
    const later = {
      fromMs: Date.parse('2026-05-01T12:00:00Z'),
      toMs: Date.parse('2026-05-01T13:00:00Z'),
    };
    const during = {
      fromMs: Date.parse('2026-05-01T11:59:00Z'),
      toMs: Date.parse('2026-05-01T13:00:00Z'),
    };
    const check = (flightWindow: typeof later | null) =>
      preflightCheck([{ home, mission: through }], {
        drone,
        frame,
        noFlyZones: [zone],
        flightWindow,
      });
    expect(check(later).ok).toBe(true);
    expect(check(during).ok).toBe(false);
    expect(check(null).ok).toBe(false);
  });

  it('reads an AMSL band from the dock elevation, and counts it as met without one', () => {
    const zone: FenceZone = {
      ...square('school', 300, -50, 100),
      rules: { floorM: 0, ceilingM: 100, reference: 'amsl', windows: null },
    };
    const run = (homeAmslM?: number) =>
      preflightCheck([{ home, mission: through, ...(homeAmslM !== undefined && { homeAmslM }) }], {
        drone,
        frame,
        noFlyZones: [zone],
      }).ok;
    expect(run(60)).toBe(true); // 120 m AMSL over a band up to 100 (+10)
    expect(run(30)).toBe(false); // 90 m AMSL
    expect(run()).toBe(false);
  });
});

describe('noFlyRules', () => {
  it('reads bands, references and windows, and names every malformed value', () => {
    expect(
      noFlyRules({
        floorM: 10,
        ceilingM: 90,
        altitudeReference: 'amsl',
        validTo: '2026-05-01T12:00:00Z',
        activeWindows: [
          '2026-05-02T08:00:00+08:00/2026-05-02T09:00:00+08:00',
          { from: '2026-05-03T08:00:00Z', to: '2026-05-03T09:00:00Z' },
        ],
      }).rules,
    ).toEqual({
      floorM: 10,
      ceilingM: 90,
      reference: 'amsl',
      windows: [
        { fromMs: -Infinity, toMs: Date.parse('2026-05-01T12:00:00Z') },
        { fromMs: Date.parse('2026-05-02T00:00:00Z'), toMs: Date.parse('2026-05-02T01:00:00Z') },
        { fromMs: Date.parse('2026-05-03T08:00:00Z'), toMs: Date.parse('2026-05-03T09:00:00Z') },
      ],
    });
    const bad = noFlyRules(
      { floorM: 90, ceilingM: 10, activeWindows: ['2026-05-02T08:00:00/2026-05-02T09:00:00Z', 7] },
      '/p',
    );
    expect(bad.issues.map((i) => i.path)).toEqual([
      '/p/ceilingM',
      '/p/activeWindows/0',
      '/p/activeWindows/1',
    ]);
    // Unreadable rules fall back to the safe reading.
    expect(bad.rules).toEqual({ floorM: null, ceilingM: null, reference: 'agl', windows: null });
  });
});
