import type { AreaResult } from './area-issue-codes';
import { kmlToGeoJson, kmzToGeoJson } from './kml-to-geojson';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Turns the bytes of an uploaded area file into parsed input for {@link validateArea}, telling
 * the format from the content: a zip (KMZ), XML (KML) or JSON (GeoJSON; a UTF-8 byte-order mark
 * is skipped). Invalid UTF-8 or JSON becomes a `JSON_MALFORMED` issue naming the parser's reason;
 * KML problems come from {@link kmlToGeoJson}.
 *
 * @example
 * const parsed = await parseAreaBytes(new Uint8Array(readFileSync(path)));
 * const area = parsed.ok ? validateArea(parsed.value, { kind: 'forest' }) : parsed;
 */
export async function parseAreaBytes(bytes: Uint8Array): Promise<AreaResult<unknown>> {
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return kmzToGeoJson(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    // A fatal decoder throws a TypeError on the first bad byte; it becomes an issue.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'JSON_MALFORMED',
          message: `the file is not valid UTF-8 (${reason}): expected GeoJSON or KML text in UTF-8, or a KMZ archive`,
        },
      ],
    };
  }
  const start = text.trimStart();
  if (start.startsWith('<')) return kmlToGeoJson(text);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    // JSON.parse throws a SyntaxError whose message names the position; it becomes an issue.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'JSON_MALFORMED',
          message: `the file is not valid JSON (${reason}): expected GeoJSON, KML or KMZ`,
        },
      ],
    };
  }
}
