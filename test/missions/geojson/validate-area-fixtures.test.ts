import { readFileSync, readdirSync } from 'node:fs';
import { area, bbox, booleanClockwise, kinks, length, polygonToLine } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { validateArea } from '../../../missions/index';

const fixtures = new URL('../../fixtures/areas/', import.meta.url);
const read = (dir: string, file: string): unknown =>
  JSON.parse(readFileSync(new URL(`${dir}/${file}`, fixtures), 'utf8'));
const forestFiles = readdirSync(new URL('forests/', fixtures)).filter((f) =>
  f.endsWith('.geojson'),
);

/** Rings of every polygon, as [polygon rings][] from a Polygon or MultiPolygon feature. */
const polygonsOf = (f: Feature): number[][][][] => {
  const g = f.geometry as Polygon | MultiPolygon;
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
};
const countPositions = (value: unknown): number =>
  Array.isArray(value)
    ? typeof value[0] === 'number'
      ? 1
      : value.reduce((n: number, v: unknown) => n + countPositions(v), 0)
    : 0;

// @turf/area works on a sphere of radius 6,378,137 m; our figures are ellipsoidal (GeographicLib).
// Measured gaps: 0.07 % (Amador, 38.6° N), 0.17 % (Dillon, 39–45° N), 0.51 % (Admiralty, 58° N).
const TURF_TOLERANCE = 0.006;

describe('real forest districts (US Forest Service)', () => {
  it('has the three forest fixtures', () => {
    expect(forestFiles.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of forestFiles) {
    describe(file, () => {
      const input = read('forests', file) as FeatureCollection;
      const result = validateArea(input, { kind: 'forest' });

      it('validates as a forest', () => {
        expect(result.ok ? [] : result.issues).toEqual([]);
      });

      it('reports areaM2 and lengthM within 0.6 % of @turf/area and @turf/length', () => {
        if (!result.ok) throw new Error('not valid');
        const turfAreaM2 = area(input);
        const { measures } = result.value;
        expect(Math.abs(measures.areaM2 / turfAreaM2 - 1)).toBeLessThan(TURF_TOLERANCE);
        let turfLengthKm = 0;
        for (const f of input.features) {
          const lines = polygonToLine(f as Feature<Polygon | MultiPolygon>);
          const list = 'features' in lines ? lines.features : [lines];
          for (const l of list) turfLengthKm += length(l, { units: 'kilometers' });
        }
        expect(Math.abs(measures.lengthM / (turfLengthKm * 1000) - 1)).toBeLessThan(TURF_TOLERANCE);
      });

      it('reports the exact bbox and vertex count of the input', () => {
        if (!result.ok) throw new Error('not valid');
        expect(result.value.measures.bbox).toEqual(bbox(input));
        expect(result.value.measures.vertexCount).toBe(
          input.features.reduce(
            (n, f) => n + countPositions((f.geometry as Polygon).coordinates),
            0,
          ),
        );
      });

      it('rewinds exactly the rings that break the right-hand rule, and no others', () => {
        if (!result.ok) throw new Error('not valid');
        let wrong = 0;
        for (const f of input.features) {
          for (const rings of polygonsOf(f)) {
            for (const [r, ring] of rings.entries()) {
              // RFC 7946: exterior rings counter-clockwise, holes clockwise.
              if (booleanClockwise(ring) !== r > 0) wrong++;
            }
          }
        }
        expect(result.value.rewoundRings).toHaveLength(wrong);
        for (const f of result.value.featureCollection.features) {
          for (const rings of polygonsOf(f as Feature)) {
            for (const [r, ring] of rings.entries()) expect(booleanClockwise(ring)).toBe(r > 0);
          }
        }
      });

      it('agrees with @turf/kinks that the rings do not cross', () => {
        for (const f of input.features) {
          expect(kinks(f as Feature<Polygon | MultiPolygon>).features).toHaveLength(0);
        }
      });

      it('keeps every property of every feature', () => {
        if (!result.ok) throw new Error('not valid');
        expect(result.value.featureCollection.features.map((f) => f.properties)).toEqual(
          input.features.map((f) => f.properties),
        );
      });
    });
  }
});

describe('real river centre lines (Natural Earth 1:50m)', () => {
  const input = read('rivers', 'ne_50m_rivers_lake_centerlines.geojson') as FeatureCollection;

  it('finds the one empty geometry in the file (the Loire has no coordinates) and nothing else', () => {
    const result = validateArea(input, {
      kind: 'river',
      defaultProperties: { corridorWidthM: 200 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.code, i.path])).toEqual([
      ['GEOMETRY_EMPTY', '/features/460/geometry/coordinates'],
    ]);
    expect(input.features[460]?.properties?.['name']).toBe('Loire');
  });

  it('validates the other 477 rivers with a corridor width, accepting the CRS84 declaration of the file', () => {
    const rivers = { ...input, features: input.features.filter((_, i) => i !== 460) };
    const result = validateArea(rivers, {
      kind: 'river',
      defaultProperties: { corridorWidthM: 200 },
    });
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    const { measures, featureCollection, sourceCrs } = result.value;
    expect(sourceCrs).toBe('wgs84');
    expect(featureCollection.features).toHaveLength(477);
    expect(featureCollection.features.every((f) => f.properties.corridorWidthM === 200)).toBe(true);
    expect(measures.areaM2).toBe(0);
    expect(measures.vertexCount).toBe(
      rivers.features.reduce((n, f) => n + countPositions((f.geometry as Polygon).coordinates), 0),
    );
    const turfLengthM = rivers.features.reduce(
      (m, f) => m + length(f, { units: 'kilometers' }) * 1000,
      0,
    );
    expect(Math.abs(measures.lengthM / turfLengthM - 1)).toBeLessThan(TURF_TOLERANCE);
  });

  it('refuses the rivers as a river area without a corridor width, naming each feature', () => {
    const rivers = { ...input, features: input.features.slice(0, 3) };
    const result = validateArea(rivers, { kind: 'river' });
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path])).toEqual([
      ['PROPERTY_MISSING', '/features/0/properties/corridorWidthM'],
      ['PROPERTY_MISSING', '/features/1/properties/corridorWidthM'],
      ['PROPERTY_MISSING', '/features/2/properties/corridorWidthM'],
    ]);
  });
});
