import {
  kmlToGeoJson,
  kmzToGeoJson,
  validateArea,
  type AreaIssue,
  type AreaKind,
  type ValidArea,
} from '../../../missions/index';
import { AppError, type ProblemIssue } from '../../errors';

/** The media types an area upload may use. */
export const AREA_MEDIA_TYPES = [
  'application/geo+json',
  'application/json',
  'application/vnd.google-earth.kml+xml',
  'application/vnd.google-earth.kmz',
] as const;

const KINDS: readonly string[] = ['forest', 'river', 'points', 'no_fly'];

export interface IngestedArea {
  kind: AreaKind;
  name: string | undefined;
  geojson: ValidArea['featureCollection'];
  properties: Record<string, unknown>;
  areaM2: number;
  lengthM: number;
  vertexCount: number;
  bbox: [number, number, number, number];
}

/**
 * Parses an uploaded area body (GeoJSON or KML/KMZ), works out its kind, validates it per
 * RFC 7946 and the kind's rules, and converts GCJ-02 to WGS-84. Every problem becomes one
 * AREA_INVALID answer listing each offending path.
 */
export async function ingestArea(
  body: ArrayBuffer,
  contentType: string,
  options: {
    kind: AreaKind | undefined;
    crs: 'wgs84' | 'gcj02' | undefined;
    corridorWidthM?: number | undefined;
    maxVertices: number;
  },
): Promise<IngestedArea> {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let input: unknown;
  if (type === 'application/vnd.google-earth.kml+xml') {
    input = unwrap(kmlToGeoJson(new TextDecoder().decode(body)), '/body');
  } else if (type === 'application/vnd.google-earth.kmz') {
    input = unwrap(await kmzToGeoJson(new Uint8Array(body)), '/body');
  } else {
    const text = new TextDecoder().decode(body);
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new AppError(
        'BODY_MALFORMED',
        `The body is not valid JSON: ${err instanceof Error ? err.message : String(err)}.`,
        { cause: err },
      );
    }
  }

  const kind = options.kind ?? kindFromBody(input);
  if (!kind) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Say which kind of area this is: ?kind=forest|river|points|no_fly, or a `kind` property.',
      {
        issues: [
          {
            path: '/query/kind',
            code: 'REQUIRED',
            message: 'kind is required: forest, river, points or no_fly',
          },
        ],
      },
    );
  }
  const result = validateArea(input, {
    kind,
    maxVertices: options.maxVertices,
    ...(options.crs ? { crs: options.crs } : {}),
    ...(options.corridorWidthM === undefined
      ? {}
      : { defaultProperties: { corridorWidthM: options.corridorWidthM } }),
  });
  if (!result.ok) {
    throw new AppError('AREA_INVALID', summarise(result.issues), {
      issues: result.issues.map((i) => toProblemIssue(i, '/body')),
    });
  }
  const area = result.value;
  const first = area.featureCollection.features[0]?.properties ?? {};
  const name =
    typeof (input as { name?: unknown }).name === 'string'
      ? (input as { name: string }).name
      : typeof first.name === 'string'
        ? first.name
        : undefined;
  return {
    kind,
    name,
    geojson: area.featureCollection,
    properties: {
      sourceCrs: area.sourceCrs,
      rewoundRings: area.rewoundRings.length,
      features: area.featureCollection.features.length,
    },
    ...area.measures,
  };
}

function kindFromBody(input: unknown): AreaKind | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const top = (input as { kind?: unknown }).kind;
  if (typeof top === 'string' && KINDS.includes(top)) return top as AreaKind;
  const props = (input as { properties?: unknown }).properties;
  const fromProps =
    typeof props === 'object' && props !== null ? (props as { kind?: unknown }).kind : undefined;
  if (typeof fromProps === 'string' && KINDS.includes(fromProps)) return fromProps as AreaKind;
  const features = (input as { features?: unknown }).features;
  if (Array.isArray(features) && features.length > 0) {
    const kinds = new Set(
      features.map((f: unknown) => (f as { properties?: { kind?: unknown } })?.properties?.kind),
    );
    const only = [...kinds][0];
    if (kinds.size === 1 && typeof only === 'string' && KINDS.includes(only))
      return only as AreaKind;
  }
  return undefined;
}

function unwrap<T>(
  result: { ok: true; value: T } | { ok: false; issues: AreaIssue[] },
  prefix: string,
): T {
  if (!result.ok)
    throw new AppError('AREA_INVALID', summarise(result.issues), {
      issues: result.issues.map((i) => toProblemIssue(i, prefix)),
    });
  return result.value;
}

function toProblemIssue(issue: AreaIssue, prefix: string): ProblemIssue {
  return { path: `${prefix}${issue.path}`, code: issue.code, message: issue.message };
}

function summarise(issues: readonly AreaIssue[]): string {
  const first = issues[0];
  if (!first) return 'The area is not valid.';
  return issues.length === 1
    ? first.message
    : `${first.message} (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})`;
}
