import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { area as turfArea } from '@turf/turf';
import { wgs84ToGcj02 } from '../../missions/index';
import { call, createTestApp, type TestApp } from '../support/test-app';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/areas/${name}`, import.meta.url), 'utf8');

// A small forest block in the Jingshan hills, drawn clockwise (the wrong way round for RFC 7946).
const jingshanClockwise = {
  type: 'Polygon',
  coordinates: [
    [
      [119.8, 30.35],
      [119.8, 30.37],
      [119.83, 30.37],
      [119.83, 30.35],
      [119.8, 30.35],
    ],
  ],
};

let t: TestApp;
let planner: string;
beforeEach(() => {
  t = createTestApp();
  planner = t.key('forestry', 'forestry', 'planner');
});
afterEach(() => t.close());

describe('areas: happy paths', () => {
  it('stores a real forest FeatureCollection with its measures', async () => {
    const res = await call(t, 'POST', '/v1/areas?kind=forest&name=Amador', {
      key: planner,
      body: fixture('forests/amador_ranger_district.geojson'),
      contentType: 'application/geo+json',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Amador', kind: 'forest', version: 1 });
    expect(res.body.id).toMatch(/^area_/);
    // An independent oracle: turf's spherical area agrees with the ellipsoidal figure within 0.5 %.
    expect(
      res.body.areaM2 / turfArea(JSON.parse(fixture('forests/amador_ranger_district.geojson'))),
    ).toBeCloseTo(1, 2);
    expect(res.body.vertexCount).toBeGreaterThan(100);
    const [minLon, minLat, maxLon, maxLat] = res.body.bbox;
    expect(minLon).toBeLessThan(maxLon);
    expect(minLat).toBeLessThan(maxLat);
    expect(res.body.geojson.type).toBe('FeatureCollection');
  });

  it('accepts a bare geometry, rewinds a clockwise ring and takes the kind from a property', async () => {
    const res = await call(t, 'POST', '/v1/areas', {
      key: planner,
      json: {
        type: 'Feature',
        properties: { kind: 'forest', name: 'Changle block 7' },
        geometry: jingshanClockwise,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Changle block 7');
    const ring: number[][] = res.body.geojson.features[0].geometry.coordinates[0];
    let twiceArea = 0;
    for (let i = 0; i < ring.length - 1; i++)
      twiceArea += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
    expect(twiceArea).toBeGreaterThan(0); // counter-clockwise exterior ring
  });

  it('converts GCJ-02 coordinates to WGS-84 when asked', async () => {
    const wgs = [119.82, 30.36] as const;
    const gcj = wgs84ToGcj02([wgs[0], wgs[1]]);
    const res = await call(t, 'POST', '/v1/areas?kind=points&crs=gcj02', {
      key: planner,
      json: { type: 'Point', coordinates: gcj },
    });
    expect(res.status).toBe(201);
    const stored: number[] = res.body.geojson.features[0].geometry.coordinates;
    expect(Math.abs(gcj[0] - wgs[0]) * 96_000).toBeGreaterThan(100); // GCJ-02 is hundreds of metres off
    expect(Math.abs(stored[0]! - wgs[0]) * 96_000).toBeLessThan(1);
    expect(Math.abs(stored[1]! - wgs[1]) * 111_000).toBeLessThan(1);
  });

  it('stores a river centre line with its corridor width and a no-fly zone with its altitude band', async () => {
    const river = await call(t, 'POST', '/v1/areas?kind=river&corridorWidthM=60', {
      key: planner,
      json: {
        type: 'LineString',
        coordinates: [
          [119.9, 30.39],
          [119.95, 30.4],
          [120.0, 30.38],
        ],
      },
    });
    expect(river.status).toBe(201);
    expect(river.body.lengthM).toBeGreaterThan(9000);
    expect(river.body.geojson.features[0].properties.corridorWidthM).toBe(60);
    const noFly = await call(t, 'POST', '/v1/areas?kind=no_fly', {
      key: planner,
      json: {
        type: 'Feature',
        properties: { minAltM: 0, maxAltM: 300 },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [119.81, 30.36],
              [119.82, 30.36],
              [119.82, 30.37],
              [119.81, 30.36],
            ],
          ],
        },
      },
    });
    expect(noFly.status).toBe(201);
  });

  it('accepts KML from Google Earth', async () => {
    const kml = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Jingshan ridge</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>119.80,30.35,0 119.83,30.35,0 119.83,30.37,0 119.80,30.37,0 119.80,30.35,0</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark></Document></kml>`;
    const res = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      body: kml,
      contentType: 'application/vnd.google-earth.kml+xml',
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Jingshan ridge');
    expect(res.body.areaM2).toBeGreaterThan(5e6);
  });

  it('keeps every version on update and lists pages with a cursor', async () => {
    const a = await call(t, 'POST', '/v1/areas?kind=forest&name=v', {
      key: planner,
      json: jingshanClockwise,
    });
    const bigger = {
      type: 'Polygon',
      coordinates: [
        [
          [119.8, 30.35],
          [119.85, 30.35],
          [119.85, 30.38],
          [119.8, 30.38],
          [119.8, 30.35],
        ],
      ],
    };
    const b = await call(t, 'PUT', `/v1/areas/${a.body.id}`, { key: planner, json: bigger });
    expect(b.status).toBe(200);
    expect(b.body.version).toBe(2);
    expect(b.body.areaM2).toBeGreaterThan(a.body.areaM2);
    const versions = await call(t, 'GET', `/v1/areas/${a.body.id}/versions`, { key: planner });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);

    for (let i = 0; i < 3; i++)
      await call(t, 'POST', `/v1/areas?kind=points&name=p${i}`, {
        key: planner,
        json: { type: 'Point', coordinates: [119.8 + i / 100, 30.36] },
      });
    const first = await call(t, 'GET', '/v1/areas?limit=2', { key: planner });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].geojson).toBeUndefined();
    const second = await call(t, 'GET', `/v1/areas?limit=2&cursor=${first.body.nextCursor}`, {
      key: planner,
    });
    expect(second.body.items.map((x: { name: string }) => x.name)).toEqual(['p1', 'p2']);
    expect(second.body.nextCursor).toBeNull();
    const points = await call(t, 'GET', '/v1/areas?kind=points', { key: planner });
    expect(points.body.items).toHaveLength(3);
  });

  it('refuses to delete an area a plan references, and deletes it once free', async () => {
    const a = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      json: jingshanClockwise,
    });
    const plan = t.deps.repos.plans.create(
      {
        agencyId: t.agencyId('forestry'),
        createdBy: 'test',
        request: {},
        areaRefs: [{ areaId: a.body.id, version: 1 }],
      },
      new Date(),
    );
    const refused = await call(t, 'DELETE', `/v1/areas/${a.body.id}`, { key: planner });
    expect([refused.status, refused.body.code]).toEqual([409, 'AREA_IN_USE']);
    t.deps.store.sqlite.prepare('delete from plans where id = ?').run(plan.id);
    expect((await call(t, 'DELETE', `/v1/areas/${a.body.id}`, { key: planner })).status).toBe(204);
    expect((await call(t, 'GET', `/v1/areas/${a.body.id}`, { key: planner })).status).toBe(404);
  });
});

describe('areas: errors', () => {
  it('says to wrap a bare array of Features in a FeatureCollection', async () => {
    const res = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      json: [{ type: 'Feature', properties: {}, geometry: jingshanClockwise }],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('AREA_INVALID');
    expect(res.body.errors[0].code).toBe('FEATURE_ARRAY_NOT_COLLECTION');
    expect(res.body.detail).toMatch(/FeatureCollection/);
  });

  it('names the first crossing of a self-intersecting ring and lists every other problem too', async () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [119.8, 30.35],
          [119.83, 30.37],
          [119.83, 30.35],
          [119.8, 30.37],
          [119.8, 30.35],
        ],
      ],
    };
    const res = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      json: {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: {}, geometry: bowtie },
          {
            type: 'Feature',
            properties: {},
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [119.8, 95],
                  [119.9, 30],
                  [119.8, 30],
                ],
              ],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    const codes = res.body.errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(
      expect.arrayContaining(['RING_SELF_INTERSECTION', 'LATITUDE_OUT_OF_RANGE']),
    );
    const crossing = res.body.errors.find(
      (e: { code: string }) => e.code === 'RING_SELF_INTERSECTION',
    );
    expect(crossing.path).toMatch(/^\/body\/features\/0\/geometry\/coordinates\/0/);
    expect(crossing.message).toMatch(/119\.8/);
  });

  it('rejects a geometry type the kind does not allow, a missing kind and malformed JSON', async () => {
    const wrong = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      json: { type: 'Point', coordinates: [119.8, 30.3] },
    });
    expect(wrong.body.errors[0].code).toBe('GEOMETRY_TYPE_NOT_ALLOWED');
    const noKind = await call(t, 'POST', '/v1/areas', { key: planner, json: jingshanClockwise });
    expect([noKind.status, noKind.body.errors[0].path]).toEqual([400, '/query/kind']);
    const broken = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      body: '{"type": "Polygon", "coordinates": [[[1,2],',
      contentType: 'application/json',
    });
    expect([broken.status, broken.body.code]).toEqual([400, 'BODY_MALFORMED']);
  });

  it('enforces the vertex limit (400), the body limit (413) and the media type (415)', async () => {
    t.close();
    t = createTestApp({ env: { MAX_AREA_VERTICES: '100', MAX_BODY_BYTES: '200000' } });
    planner = t.key('forestry', 'forestry', 'planner');
    const ring = Array.from({ length: 200 }, (_, i) => [
      119.8 + 0.01 * Math.cos((2 * Math.PI * i) / 200),
      30.36 + 0.01 * Math.sin((2 * Math.PI * i) / 200),
    ]);
    ring.push(ring[0]!);
    const many = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      json: { type: 'Polygon', coordinates: [ring] },
    });
    expect([many.status, many.body.errors[0].code]).toEqual([400, 'VERTEX_LIMIT_EXCEEDED']);
    const huge = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      body: fixture('forests/admiralty_national_monument.geojson'),
      contentType: 'application/geo+json',
    });
    expect([huge.status, huge.body.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const media = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      body: 'POLYGON((1 2, 3 4))',
      contentType: 'text/plain',
    });
    expect([media.status, media.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('survives deeply nested input without a stack overflow', async () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const res = await call(t, 'POST', '/v1/areas?kind=forest', {
      key: planner,
      body: `{"type":"Polygon","coordinates":${deep}}`,
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('DEPTH_LIMIT_EXCEEDED');
  });
});

describe('areas: security', () => {
  it('lets analysts read but not upload', async () => {
    const analyst = t.key('forestry', 'forestry', 'analyst');
    expect(
      (await call(t, 'POST', '/v1/areas?kind=forest', { key: analyst, json: jingshanClockwise }))
        .status,
    ).toBe(403);
    expect((await call(t, 'GET', '/v1/areas', { key: analyst })).status).toBe(200);
  });
});
