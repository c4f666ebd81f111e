import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { kmlToGeoJson, kmzToGeoJson, validateArea } from '../../../missions/index';

const fixture = (path: string): URL => new URL(`../../fixtures/${path}`, import.meta.url);
const kmlText = (name: string): string => readFileSync(fixture(`geojson/kml/${name}`), 'utf8');

describe('kmlToGeoJson', () => {
  it('turns Google Earth polygons (one with a hole, one MultiGeometry) into a valid forest', () => {
    const kml = kmlToGeoJson(kmlText('forest-compartments.kml'));
    if (!kml.ok) throw new Error(JSON.stringify(kml.issues));
    expect(kml.value.features.map((f) => (f.geometry as { type: string }).type)).toEqual([
      'Polygon',
      'MultiPolygon',
    ]);
    const area = validateArea(kml.value, { kind: 'forest' });
    if (!area.ok) throw new Error(JSON.stringify(area.issues));
    // As drawn, every outer ring is clockwise and the hole counter-clockwise: all four rewound.
    expect(area.value.rewoundRings).toEqual([
      '/features/0/geometry/coordinates/0',
      '/features/0/geometry/coordinates/1',
      '/features/1/geometry/coordinates/0/0',
      '/features/1/geometry/coordinates/1/0',
    ]);
    expect(area.value.featureCollection.features[0]?.properties).toMatchObject({
      name: 'Compartment 12',
      owner: 'Changle forest farm',
    });
    // 0.02° × 0.015° minus 0.005° × 0.005°, plus two 0.01° × 0.01° parcels, at 30.39° N where
    // WGS-84 gives 96,108 m per degree of longitude (N cos φ) and 110,859 m per degree of latitude (M).
    const cellM2 = (dLon: number, dLat: number): number => dLon * 96_108 * dLat * 110_859;
    const expectedM2 = cellM2(0.02, 0.015) - cellM2(0.005, 0.005) + 2 * cellM2(0.01, 0.01);
    expect(Math.abs(area.value.measures.areaM2 / expectedM2 - 1)).toBeLessThan(0.001);
  });

  it('turns ExtendedData text into the numbers and booleans inspection points need', () => {
    const kml = kmlToGeoJson(kmlText('inspection-points.kml'));
    if (!kml.ok) throw new Error(JSON.stringify(kml.issues));
    expect(kml.value.features[0]?.properties).toMatchObject({
      name: 'Lookout A',
      hoverS: 15,
      photo: true,
      gimbalPitchDeg: -45,
      headingDeg: 270,
    });
    const area = validateArea(kml.value, { kind: 'points' });
    // "ten" stays text and is refused with its path.
    expect(area.ok ? [] : area.issues.map((i) => [i.code, i.path])).toEqual([
      ['PROPERTY_INVALID', '/features/1/properties/hoverS'],
    ]);
  });

  it('reports malformed XML as KML_MALFORMED with the parser reason', () => {
    const r = kmlToGeoJson('<kml><Document><Placemark></Document></kml>');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.code).toBe('KML_MALFORMED');
    expect(r.issues[0]?.message).toMatch(/not well-formed XML: .+/);
  });

  it('refuses XML that is not KML', () => {
    const r = kmlToGeoJson('<?xml version="1.0"?><gpx><trk/></gpx>');
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KML_MALFORMED']);
    expect(r.ok ? '' : r.issues[0]?.message).toContain('<gpx>');
  });

  it('refuses an empty body', () => {
    const r = kmlToGeoJson('');
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KML_MALFORMED']);
  });

  it('reports a KML whose placemarks have no geometry as KML_NO_PLACEMARKS', () => {
    const r = kmlToGeoJson(
      '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>only a name</name></Placemark></Document></kml>',
    );
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KML_NO_PLACEMARKS']);
  });

  it('reports a KML without placemarks as KML_NO_PLACEMARKS', () => {
    const r = kmlToGeoJson(
      '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>empty</name></Document></kml>',
    );
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KML_NO_PLACEMARKS']);
  });
});

describe('kmlToGeoJson: hostile XML', () => {
  const placemark = (name: string): string =>
    `<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>${name}</name><Point><coordinates>120,30</coordinates></Point></Placemark></kml>`;

  it('does not expand nested entities (billion laughs)', () => {
    let dtd = '<!ENTITY a0 "aaaaaaaaaa">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
    const r = kmlToGeoJson(`<?xml version="1.0"?><!DOCTYPE kml [${dtd}]>${placemark('&a9;')}`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(String(r.value.features[0]?.properties?.['name']).length).toBeLessThan(100);
  });

  it('does not read external entities (XXE)', () => {
    const r = kmlToGeoJson(
      `<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/hostname">]>${placemark('&x;')}`,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.features[0]?.properties?.['name']).toBe('&x;');
  });
});

describe('kmzToGeoJson', () => {
  it('reads doc.kml from a KMZ archive', async () => {
    const zip = new JSZip();
    zip.file('doc.kml', kmlText('forest-compartments.kml'));
    zip.file('files/legend.png', new Uint8Array([137, 80, 78, 71]));
    const r = await kmzToGeoJson(await zip.generateAsync({ type: 'uint8array' }));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.features).toHaveLength(2);
  });

  it('reads the real DJI WPML KMZ (its KML lives in wpmz/template.kml) as inspection points', async () => {
    const bytes = new Uint8Array(
      readFileSync(fixture('routes/dji-wpml/waypoint_v3_test_file.kmz')),
    );
    const r = await kmzToGeoJson(bytes);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const area = validateArea(r.value, { kind: 'points' });
    if (!area.ok) throw new Error(JSON.stringify(area.issues));
    expect(area.value.measures.vertexCount).toBe(r.value.features.length);
    expect(area.value.measures.vertexCount).toBeGreaterThan(10);
    const [minLon, minLat, maxLon, maxLat] = area.value.measures.bbox;
    // Shenzhen, around DJI's offices.
    expect(minLon).toBeGreaterThan(113.9);
    expect(maxLon).toBeLessThan(114);
    expect(minLat).toBeGreaterThan(22.5);
    expect(maxLat).toBeLessThan(22.6);
  });

  it('stops inflating a zip bomb at maxKmlBytes with KMZ_TOO_LARGE', async () => {
    const zip = new JSZip();
    // 8 MiB of blanks deflate to a few kilobytes.
    zip.file('doc.kml', ' '.repeat(8 * 1024 * 1024));
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    expect(bytes.length).toBeLessThan(64 * 1024);
    const r = await kmzToGeoJson(bytes, { maxKmlBytes: 1024 * 1024 });
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KMZ_TOO_LARGE']);
    expect(r.ok ? '' : r.issues[0]?.message).toContain('doc.kml');
  });

  it('reports a corrupt deflate stream as KMZ_INVALID', async () => {
    const zip = new JSZip();
    zip.file('doc.kml', kmlText('forest-compartments.kml'));
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    // Flip bytes in the middle of the compressed data (after the 30-byte local header and name).
    for (let i = 60; i < 120; i++) bytes[i] = bytes[i]! ^ 0xff;
    const r = await kmzToGeoJson(bytes);
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KMZ_INVALID']);
  });

  it('reports bytes that are not a zip as KMZ_INVALID', async () => {
    const r = await kmzToGeoJson(new TextEncoder().encode('<kml></kml>'));
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KMZ_INVALID']);
  });

  it('reports a zip without a .kml as KMZ_INVALID, listing what it holds', async () => {
    const zip = new JSZip();
    zip.file('readme.txt', 'no kml here');
    const r = await kmzToGeoJson(await zip.generateAsync({ type: 'uint8array' }));
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['KMZ_INVALID']);
    expect(r.ok ? '' : r.issues[0]?.message).toContain('readme.txt');
  });
});
