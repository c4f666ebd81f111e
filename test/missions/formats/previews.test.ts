import { DOMParser } from '@xmldom/xmldom';
import { kml as kmlToGeoJson } from '@tmcw/togeojson';
import { describe, expect, it } from 'vitest';
import {
  parseMavlinkJson,
  toGeoJsonPreview,
  toKml,
  toMavlinkJson,
} from '../../../missions/formats/index';
import { samplePlan } from './sample-plan';

describe('MAVLink JSON', () => {
  it('round-trips every item list, NaN params included', () => {
    const plan = samplePlan();
    const back = parseMavlinkJson(toMavlinkJson(plan));
    expect(back).toHaveLength(2);
    expect(back[0]!.mission).toEqual(plan.sorties[0]!.mission);
    expect(back[0]!.fence).toEqual(plan.sorties[0]!.fence);
    expect(back[1]!.rally).toEqual(plan.sorties[1]!.rally);
  });

  it('names a broken item', () => {
    const doc = JSON.parse(toMavlinkJson(samplePlan()));
    doc.sorties[1].mission[2].position = [1];
    expect(() => parseMavlinkJson(JSON.stringify(doc))).toThrow(
      'sorties[1].mission[2].position: expected [lon, lat] or null, got [1]',
    );
  });
});

describe('GeoJSON preview', () => {
  it('has one feature per sortie, path, point, footprint, dock and fence zone, with layers', () => {
    const fc = toGeoJsonPreview(samplePlan());
    const layers = fc.features.map((f) => f.properties?.layer as string);
    const count = (l: string): number => layers.filter((x) => x === l).length;
    expect(count('sortie')).toBe(2);
    expect(count('dock')).toBe(2);
    expect(count('lane')).toBe(1);
    expect(count('inspection-point')).toBe(2);
    expect(count('footprint')).toBe(1);
    expect(count('fence-inclusion')).toBe(2);
    expect(count('fence-exclusion')).toBe(4);
    const sortie = fc.features.find((f) => f.properties?.layer === 'sortie')!;
    expect(sortie.properties).toMatchObject({
      sortie: 0,
      dockId: 'nest-<1>',
      timeS: 321.5,
      batteryUsedPct: 13.4,
    });
    const fp = fc.features.find((f) => f.properties?.layer === 'footprint')!;
    expect(fp.geometry.type === 'Polygon' && fp.geometry.coordinates[0]!.length).toBe(5);
  });
});

describe('KML', () => {
  it('is well-formed and reads back as lines and points with escaped names', () => {
    const text = toKml(samplePlan());
    const doc = new DOMParser({
      onError: (level, msg) => {
        throw new Error(`${level}: ${msg}`);
      },
    }).parseFromString(text, 'text/xml');
    const fc = kmlToGeoJson(doc as unknown as Parameters<typeof kmlToGeoJson>[0]);
    const lines = fc.features.filter((f) => f.geometry?.type === 'LineString');
    const points = fc.features.filter((f) => f.geometry?.type === 'Point');
    expect(lines).toHaveLength(3);
    expect(points.map((p) => p.properties?.name)).toEqual(['p & 1', 'point 2', 'nest-<1>']);
    expect(lines[0]!.properties?.name).toBe('sortie 1 (nest-<1>)');
  });
});
