import { readFileSync } from 'node:fs';
import { area, bbox } from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { planCoverage } from '../../../missions/coverage/index';
import { createLocalFrame } from '../../../missions/frame/index';
import { planSorties, usableTimeS, type WorkUnit } from '../../../missions/sortie/index';
import { DEFAULT_DRONE, type LonLat } from '../../../missions/types/index';

// The 1.12 km² island of the Admiralty Island National Monument (MIT, test/fixtures), one of the
// real parts of the sortie benchmark, with its dock 0.002° south of the middle of its box.
const part = ((): Polygon => {
  const fc = JSON.parse(
    readFileSync(
      new URL('../../fixtures/areas/forests/admiralty_national_monument.geojson', import.meta.url),
      'utf8',
    ),
  ) as { features: { geometry: { type: string; coordinates: unknown } }[] };
  const parts = fc.features.flatMap((f): Polygon[] =>
    f.geometry.type === 'Polygon'
      ? [{ type: 'Polygon', coordinates: f.geometry.coordinates as Position[][] }]
      : (f.geometry.coordinates as Position[][][]).map((coordinates) => ({
          type: 'Polygon',
          coordinates,
        })),
  );
  const found = parts.filter((p) => Math.abs(area(p) / 1e6 - 1.12) < 0.005);
  expect(found).toHaveLength(1);
  return found[0]!;
})();

describe('the proven sortie minimum on real work', () => {
  it('proves 4 sorties where the bound says 3: the work far out needs sorties that fly far out (1.12 km² island, 40 min)', () => {
    const [minX, minY, maxX] = bbox(part);
    const dock: LonLat = [(minX + maxX) / 2, minY - 0.002];
    const frame = createLocalFrame(dock);
    const drone = { ...DEFAULT_DRONE, enduranceS: 40 * 60 };
    const coverage = planCoverage(part, {
      altitudeAglM: 100,
      frame,
      startLonLat: dock,
      footprints: false,
    });
    const units: WorkUnit[] = coverage.workPaths.map((w, k) => ({
      label: `${w.kind} ${k + 1}`,
      path: w.coordinates.map((q) => frame.toLocal(q)),
      altitudeM: w.altitudeAglM,
    }));
    const plan = planSorties(units, [{ id: 'dock', xy: frame.toLocal(dock) }], drone);
    if (!plan.ok) throw new Error(plan.code);
    // ⌈work / (range − 2 × dock distance)⌉ allows 3, but three batteries (30 min each, less
    // climb, descent and start/stop) cannot also fly out to the far end of the island 2 km away,
    // to where the rest of the far work lies, and back.
    expect(plan.lowerBound).toBe(3);
    expect(plan.provenMinimum.count).toBe(4);
    expect(plan.provenMinimum.reason).toMatch(
      /^3 sorties flying out \d+, \d+, \d+ m across the \d+° direction \(the work beyond each distance needs that many\) hold [\d.]+ s of the work's [\d.]+ s/,
    );
    // The splitter meets it: 4 is the fewest for these units, every sortie within the battery.
    expect(plan.sorties).toHaveLength(4);
    for (const s of plan.sorties) expect(s.timeS).toBeLessThanOrEqual(usableTimeS(drone) + 1e-6);
    const [held, total] = plan.provenMinimum.reason
      .match(/hold ([\d.]+) s of the work's ([\d.]+) s/)!
      .slice(1)
      .map(Number);
    expect(held!).toBeLessThan(total!);
  });
});
