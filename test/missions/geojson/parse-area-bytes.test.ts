import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { parseAreaBytes, validateArea } from '../../../missions/index';

const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url)));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseAreaBytes', () => {
  it('parses a real GeoJSON file', async () => {
    const r = await parseAreaBytes(fixture('areas/forests/amador_ranger_district.geojson'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(validateArea(r.value, { kind: 'forest' }).ok).toBe(true);
  });

  it('skips a UTF-8 byte-order mark', async () => {
    const r = await parseAreaBytes(utf8('\uFEFF{"type":"Point","coordinates":[120,30]}'));
    expect(r).toEqual({ ok: true, value: { type: 'Point', coordinates: [120, 30] } });
  });

  it('recognizes KML by its content', async () => {
    const r = await parseAreaBytes(fixture('geojson/kml/inspection-points.kml'));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect((r.value as { features: unknown[] }).features).toHaveLength(2);
  });

  it('recognizes KMZ by its zip signature', async () => {
    const zip = new JSZip();
    zip.file('doc.kml', fixture('geojson/kml/forest-compartments.kml'));
    const r = await parseAreaBytes(await zip.generateAsync({ type: 'uint8array' }));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(validateArea(r.value, { kind: 'forest' }).ok).toBe(true);
  });

  it('reports broken JSON as JSON_MALFORMED with the parser reason', async () => {
    const r = await parseAreaBytes(utf8('{"type": "Polygon", "coordinates": [[[120, 30],]]}'));
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['JSON_MALFORMED']);
    expect(r.ok ? '' : r.issues[0]?.message).toMatch(/not valid JSON \(.+\)/);
  });

  it('reports bytes that are not UTF-8 as JSON_MALFORMED', async () => {
    const r = await parseAreaBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toEqual(['JSON_MALFORMED']);
    expect(r.ok ? '' : r.issues[0]?.message).toContain('not valid UTF-8');
  });
});
