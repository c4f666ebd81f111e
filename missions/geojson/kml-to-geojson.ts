import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import JSZip from 'jszip';
import type { AreaResult } from './area-issue-codes';

/**
 * A GeoJSON FeatureCollection as produced from KML (not yet validated: pass it to validateArea).
 *
 * @example
 * const r = kmlToGeoJson(text);
 * const fc: KmlFeatureCollection | undefined = r.ok ? r.value : undefined;
 */
export interface KmlFeatureCollection {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    geometry: unknown;
    properties: Record<string, unknown> | null;
    id?: string | number;
  }[];
}

/** Properties that KML ExtendedData carries as text but areas expect as numbers or booleans. */
const NUMERIC_PROPERTIES = [
  'hoverS',
  'gimbalPitchDeg',
  'headingDeg',
  'minAltM',
  'maxAltM',
  'corridorWidthM',
] as const;

const NUMBER_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A GeometryCollection whose members are all (Multi)Polygons or all (Multi)LineStrings becomes one Multi* geometry. */
function mergeCollection(geometry: unknown): unknown {
  if (typeof geometry !== 'object' || geometry === null) return geometry;
  const g = geometry as { type?: unknown; geometries?: unknown };
  if (
    g.type !== 'GeometryCollection' ||
    !Array.isArray(g.geometries) ||
    g.geometries.length === 0
  ) {
    return geometry;
  }
  const members = g.geometries as { type?: unknown; coordinates?: unknown }[];
  const polygons: unknown[] = [];
  const lines: unknown[] = [];
  for (const m of members) {
    if (m.type === 'Polygon') polygons.push(m.coordinates);
    else if (m.type === 'MultiPolygon' && Array.isArray(m.coordinates))
      polygons.push(...(m.coordinates as unknown[]));
    else if (m.type === 'LineString') lines.push(m.coordinates);
    else if (m.type === 'MultiLineString' && Array.isArray(m.coordinates))
      lines.push(...(m.coordinates as unknown[]));
    else return geometry;
  }
  if (polygons.length > 0 && lines.length === 0)
    return { type: 'MultiPolygon', coordinates: polygons };
  if (lines.length > 0 && polygons.length === 0)
    return { type: 'MultiLineString', coordinates: lines };
  return geometry;
}

/**
 * Converts KML text (Google Earth, 2Bulu, Ovital exports) to a GeoJSON FeatureCollection with
 * `@tmcw/togeojson` over `@xmldom/xmldom`. ExtendedData values of the area properties (`hoverS`,
 * `gimbalPitchDeg`, `headingDeg`, `minAltM`, `maxAltM`, `corridorWidthM`, `photo`) are turned from
 * text into numbers and booleans; a MultiGeometry of polygons becomes a MultiPolygon (of lines, a
 * MultiLineString). The result still needs {@link validateArea}: KML does not fix ring winding.
 *
 * @example
 * const r = kmlToGeoJson(text);
 * if (r.ok) validateArea(r.value, { kind: 'forest' });
 */
export function kmlToGeoJson(text: string): AreaResult<KmlFeatureCollection> {
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser({ onError: () => undefined }).parseFromString(text, 'text/xml');
  } catch (error) {
    // xmldom throws a ParseError for fatal XML errors; it becomes an issue, not an exception.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        { path: '', code: 'KML_MALFORMED', message: `the KML is not well-formed XML: ${reason}` },
      ],
    };
  }
  const root = doc.documentElement;
  if (!root || root.localName !== 'kml') {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KML_MALFORMED',
          message: `the XML root element is <${root?.nodeName ?? 'none'}>: expected <kml>`,
        },
      ],
    };
  }
  const collection = kml(doc);
  if (!collection.features.some((f) => f.geometry !== null)) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KML_NO_PLACEMARKS',
          message:
            'the KML has no Placemark with a geometry: expected at least one Polygon, LineString or Point placemark',
        },
      ],
    };
  }
  const features: KmlFeatureCollection['features'] = collection.features.map((f) => {
    const properties: Record<string, unknown> = { ...(f.properties ?? {}) };
    for (const key of NUMERIC_PROPERTIES) {
      const v = properties[key];
      if (typeof v === 'string' && NUMBER_TEXT.test(v)) properties[key] = Number(v);
    }
    const photo = properties['photo'];
    if (photo === 'true' || photo === 'false') properties['photo'] = photo === 'true';
    return {
      type: 'Feature',
      geometry: mergeCollection(f.geometry),
      properties,
      ...(f.id !== undefined && { id: f.id }),
    };
  });
  return { ok: true, value: { type: 'FeatureCollection', features } };
}

/** Default cap on the uncompressed size of the KML inside a KMZ, bytes (64 MiB). */
export const DEFAULT_MAX_KML_BYTES = 64 * 1024 * 1024;

/** The part of a JSZip entry used here: `internalStream` is documented but missing from its typings. */
interface StreamableEntry {
  internalStream(type: 'uint8array'): JSZip.JSZipStreamHelper<Uint8Array>;
}

/** Inflates one zip entry, stopping as soon as it passes `maxBytes` (a zip bomb never fills memory). */
function inflateCapped(
  entry: JSZip.JSZipObject,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; passedBytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let settled = false;
    const stream = (entry as unknown as StreamableEntry).internalStream('uint8array');
    stream
      .on('data', (chunk) => {
        if (settled) return;
        total += chunk.length;
        if (total > maxBytes) {
          settled = true;
          stream.pause();
          resolve({ ok: false, passedBytes: total });
          return;
        }
        chunks.push(chunk);
      })
      .on('error', (error) => {
        if (settled) return;
        settled = true;
        reject(error);
      })
      .on('end', () => {
        if (settled) return;
        settled = true;
        const all = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          all.set(c, at);
          at += c.length;
        }
        resolve({ ok: true, text: new TextDecoder().decode(all) });
      })
      .resume();
  });
}

/**
 * Converts a KMZ archive (a zip holding `doc.kml`, or else the first `.kml` at the top level) to
 * GeoJSON like {@link kmlToGeoJson}. The KML is inflated as a stream and refused with
 * `KMZ_TOO_LARGE` once it passes `maxKmlBytes` (default {@link DEFAULT_MAX_KML_BYTES}).
 *
 * @example
 * const r = await kmzToGeoJson(new Uint8Array(await file.arrayBuffer()));
 */
export async function kmzToGeoJson(
  bytes: Uint8Array,
  options: { maxKmlBytes?: number } = {},
): Promise<AreaResult<KmlFeatureCollection>> {
  const maxKmlBytes = options.maxKmlBytes ?? DEFAULT_MAX_KML_BYTES;
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KMZ_INVALID',
          message: `the KMZ is not a readable zip archive: ${reason}`,
        },
      ],
    };
  }
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]?.dir);
  const name =
    names.find((n) => n.toLowerCase() === 'doc.kml') ??
    names.find((n) => !n.includes('/') && n.toLowerCase().endsWith('.kml')) ??
    names.find((n) => n.toLowerCase().endsWith('.kml'));
  const entry = name === undefined ? undefined : zip.file(name);
  if (!entry) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KMZ_INVALID',
          message: `the KMZ holds no .kml file (entries: ${names.slice(0, 10).join(', ') || 'none'}): expected doc.kml`,
        },
      ],
    };
  }
  let inflated: Awaited<ReturnType<typeof inflateCapped>>;
  try {
    inflated = await inflateCapped(entry, maxKmlBytes);
  } catch (error) {
    // A corrupt deflate stream or a CRC mismatch: the archive is unreadable, which is an issue.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KMZ_INVALID',
          message: `${name} in the KMZ cannot be inflated: ${reason}`,
        },
      ],
    };
  }
  if (!inflated.ok) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'KMZ_TOO_LARGE',
          message: `${name} in the KMZ inflates past ${maxKmlBytes} bytes: expected a smaller area file (split it, or simplify it)`,
        },
      ],
    };
  }
  return kmlToGeoJson(inflated.text);
}
