import { describe, expect, it } from 'vitest';
import { createLocalFrame } from '../../../missions/frame/index';
import { zonesFromFenceItems } from '../../../missions/fence/index';
import { planPatrol, type PatrolInput, type Plan } from '../../../missions/plan/index';

const frame = createLocalFrame([119.95, 30.4]);
const at = (xM: number, yM: number): [number, number] => frame.toLonLat([xM, yM]);

/** A 100 m × 3 km wall between two groups of points, the dock on the west side. */
const wallInput = (
  properties: Record<string, unknown>,
  options: PatrolInput['options'] = {},
  groundAltM = 0,
): PatrolInput => ({
  areas: [
    {
      kind: 'points',
      geojson: {
        type: 'MultiPoint',
        coordinates: [
          at(-1500, 0),
          at(-1500, 200),
          at(-1600, 100),
          at(1500, 0),
          at(1500, 200),
          at(1600, 100),
        ],
      },
    },
    {
      id: 'wall',
      kind: 'no_fly',
      geojson: {
        type: 'Feature',
        properties,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [at(-50, -1500), at(50, -1500), at(50, 1500), at(-50, 1500), at(-50, -1500)],
          ],
        },
      },
    },
  ],
  docks: [{ id: 'd', position: at(-1700, -100), groundAltM }],
  drone: { enduranceS: 3000 },
  options: { altitudeAglM: 100, ...options },
});

const plan = (input: PatrolInput): Plan => {
  const result = planPatrol(input);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.plan;
};

/** True when the sortie's route goes around the wall's ends (|y| > 1 500 m somewhere). */
const goesAround = (p: Plan): boolean =>
  p.sorties.some((s) => s.route.some((q) => Math.abs(frame.toLocal(q)[1]) > 1500));
const fencedWall = (p: Plan): boolean =>
  p.sorties.some((s) => zonesFromFenceItems(s.fence).exclusion.length > 0);

describe('no-fly zones with altitude bands', () => {
  it('crosses a zone closed only below the flight heights, with a warning and without a fence', () => {
    const p = plan(wallInput({ floorM: 0, ceilingM: 60 }));
    expect(goesAround(p)).toBe(false);
    expect(fencedWall(p)).toBe(false);
    expect(p.warnings).toContainEqual(
      expect.stringMatching(
        /^no-fly zone 'wall' does not apply at the planned heights: closed 0–60 m AGL, always active, the flight holds 100–100 m AGL/,
      ),
    );
  });

  it('goes around a zone whose band meets the flight heights (the ±10 m margin included)', () => {
    for (const band of [
      { floorM: 80, ceilingM: 150 },
      { minAltM: 0, maxAltM: 95 },
      { floorM: 105 },
    ]) {
      const p = plan(wallInput(band));
      expect(goesAround(p)).toBe(true);
      expect(fencedWall(p)).toBe(true);
      expect(p.warnings.some((w) => w.includes("'wall'"))).toBe(false);
    }
  });

  it('reads an AMSL band against the dock ground plus the height flown', () => {
    // 0–120 m AMSL: from a dock at 40 m the flight holds 140 m AMSL (above), at 0 m it holds 100.
    const high = plan(wallInput({ floorM: 0, ceilingM: 120, altitudeReference: 'amsl' }, {}, 40));
    expect(goesAround(high)).toBe(false);
    expect(high.warnings.join('\n')).toContain('the flight holds 140–140 m AMSL');
    const low = plan(wallInput({ floorM: 0, ceilingM: 120, altitudeReference: 'amsl' }, {}, 0));
    expect(goesAround(low)).toBe(true);
  });
});

describe('no-fly zones with time windows', () => {
  const morning = { activeWindows: ['2026-05-01T08:00:00+08:00/2026-05-01T12:00:00+08:00'] };

  it('crosses a zone whose windows all miss the flight window', () => {
    const p = plan(
      wallInput(morning, {
        flightWindow: { from: '2026-05-01T13:00:00+08:00', to: '2026-05-01T14:00:00+08:00' },
      }),
    );
    expect(goesAround(p)).toBe(false);
    expect(fencedWall(p)).toBe(false);
    expect(p.warnings.join('\n')).toMatch(/'wall' does not apply: .*outside the flight window/);
  });

  it('goes around a zone whose window overlaps the flight window', () => {
    const p = plan(
      wallInput(
        { activeWindows: [{ from: '2026-05-01T11:30:00+08:00', to: '2026-05-01T12:30:00+08:00' }] },
        { flightWindow: { from: '2026-05-01T12:00:00+08:00', to: '2026-05-01T13:00:00+08:00' } },
      ),
    );
    expect(goesAround(p)).toBe(true);
  });

  it('treats an open-ended window (validFrom only) as active from then on', () => {
    const flightWindow = { from: '2026-06-01T09:00:00Z', to: '2026-06-01T10:00:00Z' };
    expect(
      goesAround(plan(wallInput({ validFrom: '2026-05-15T00:00:00Z' }, { flightWindow }))),
    ).toBe(true);
    expect(
      goesAround(plan(wallInput({ validFrom: '2026-06-02T00:00:00Z' }, { flightWindow }))),
    ).toBe(false);
  });

  it('keeps the safe reading without a flight window, and says so', () => {
    const p = plan(wallInput(morning));
    expect(goesAround(p)).toBe(true);
    expect(p.warnings).toContainEqual(
      expect.stringMatching(
        /^no-fly zone 'wall' is from the ground up, active 2026-05-01T00:00:00\.000Z–2026-05-01T04:00:00\.000Z; without a flight window \(options\.flightWindow\) it is treated as always active$/,
      ),
    );
  });

  it('needs both band and window: a low band in an active window is still crossed', () => {
    const p = plan(
      wallInput(
        { ...morning, ceilingM: 50 },
        { flightWindow: { from: '2026-05-01T09:00:00+08:00', to: '2026-05-01T10:00:00+08:00' } },
      ),
    );
    expect(goesAround(p)).toBe(false);
  });
});

describe('no-fly rules at the docks and in the input', () => {
  it('refuses a dock inside a zone closed only low down: the climb passes through it', () => {
    const input = wallInput({ floorM: 0, ceilingM: 60 });
    input.docks = [{ id: 'd', position: at(0, 0), groundAltM: 0 }];
    const result = planPatrol(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INPUT_INVALID');
    expect(result.error.message).toBe(
      "docks[0]: dock d lies inside no-fly zone 'wall' (closed 0–60 m AGL, always active, met by the climb from the dock)",
    );
  });

  it('accepts a dock inside a zone closed only above the flight heights', () => {
    const input = wallInput({ floorM: 300 });
    input.docks = [{ id: 'd', position: at(0, 0), groundAltM: 0 }];
    expect(planPatrol(input).ok).toBe(true);
  });

  it('names malformed rules and a malformed flight window by path', () => {
    const bad = planPatrol(
      wallInput({ activeWindows: ['2026-05-01T08:00:00Z'], altitudeReference: 'msl' }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('AREA_INVALID');
    expect(bad.error.issues.map((i) => i.path)).toEqual([
      'areas[1].geojson/features/0/properties/altitudeReference',
      'areas[1].geojson/features/0/properties/activeWindows/0',
    ]);
    const window = planPatrol(
      wallInput({}, { flightWindow: { from: '2026-05-01T10:00:00Z', to: '2026-05-01T09:00:00Z' } }),
    );
    expect(window.ok).toBe(false);
    if (window.ok) return;
    expect(window.error.code).toBe('INPUT_INVALID');
    expect(window.error.issues[0]!.path).toBe('options.flightWindow');
  });
});
