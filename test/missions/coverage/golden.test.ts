import { readFileSync, writeFileSync } from 'node:fs';
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { planCoverage, type CoveragePlan } from '../../../missions/index';

/**
 * Golden GeoJSON: `in` holds an area with a hole, a no-fly zone and a dock; `out` the planned work
 * paths. Regenerate only on purpose: `UPDATE_GOLDEN=1 npx vitest run … golden`.
 */
const dir = new URL('../../fixtures/missions-coverage/', import.meta.url);

function toGeoJson(plan: CoveragePlan): FeatureCollection {
  const round = (v: number): number => Math.round(v * 1e7) / 1e7;
  return {
    type: 'FeatureCollection',
    features: plan.workPaths.map((w, i) => ({
      type: 'Feature',
      properties: {
        order: i,
        kind: w.kind,
        altitudeAglM: w.altitudeAglM,
        triggerDistanceM:
          w.triggerDistanceM === null ? null : Math.round(w.triggerDistanceM * 1000) / 1000,
      },
      geometry: {
        type: 'LineString',
        coordinates: w.coordinates.map((c) => [round(c[0]), round(c[1])]),
      },
    })),
  };
}

describe('planCoverage golden GeoJSON', () => {
  it('plans hillside-pond exactly as recorded', () => {
    const input = JSON.parse(
      readFileSync(new URL('hillside-pond.in.geojson', dir), 'utf8'),
    ) as FeatureCollection;
    const byKind = (k: string) => input.features.filter((f) => f.properties?.kind === k);
    const area = byKind('forest')[0] as Feature<Polygon>;
    const noFly = byKind('no-fly').map((f) => f.geometry as Polygon);
    const dock = (byKind('dock')[0] as Feature<Point>).geometry.coordinates as [number, number];
    const plan = planCoverage(area, {
      altitudeAglM: 90,
      noFlyZones: noFly,
      startLonLat: dock,
      footprints: false,
    });
    const actual = toGeoJson(plan);
    const outUrl = new URL('hillside-pond.out.geojson', dir);
    if (process.env.UPDATE_GOLDEN === '1')
      writeFileSync(outUrl, `${JSON.stringify(actual, null, 1)}\n`);
    const expected = JSON.parse(readFileSync(outUrl, 'utf8')) as FeatureCollection;
    expect(actual.features.length).toBe(expected.features.length);
    for (const [i, f] of actual.features.entries()) {
      const g = expected.features[i]!;
      expect(f.properties).toEqual(g.properties);
      const a = (f.geometry as { coordinates: number[][] }).coordinates;
      const b = (g.geometry as { coordinates: number[][] }).coordinates;
      expect(a.length).toBe(b.length);
      for (const [k, p] of a.entries()) {
        expect(p[0]).toBeCloseTo(b[k]![0]!, 6);
        expect(p[1]).toBeCloseTo(b[k]![1]!, 6);
      }
    }
  });
});
