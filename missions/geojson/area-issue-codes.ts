/**
 * The closed list of issue codes that area validation and KML/KMZ import can report. Codes are
 * stable: callers (the HTTP layer, the planning CLI) may switch on them and show them to users.
 *
 * @example
 * if (AREA_ISSUE_CODES.includes(code)) console.log(`known code ${code}`);
 */
export const AREA_ISSUE_CODES = [
  // limits, checked by an iterative pre-scan before any recursive walk
  'DEPTH_LIMIT_EXCEEDED',
  'VERTEX_LIMIT_EXCEEDED',
  // GeoJSON object structure
  'INPUT_NOT_OBJECT',
  'FEATURE_ARRAY_NOT_COLLECTION',
  'TYPE_INVALID',
  'FEATURES_INVALID',
  'FEATURE_COLLECTION_EMPTY',
  'GEOMETRY_MISSING',
  'GEOMETRY_TYPE_NOT_ALLOWED',
  'GEOMETRY_COLLECTION_NOT_ALLOWED',
  'GEOMETRY_COLLECTION_NESTED',
  'COORDINATES_INVALID',
  'GEOMETRY_EMPTY',
  // positions
  'POSITION_NOT_ARRAY',
  'POSITION_TOO_SHORT',
  'POSITION_TOO_LONG',
  'POSITION_NOT_NUMERIC',
  'POSITION_NOT_FINITE',
  'LONGITUDE_OUT_OF_RANGE',
  'LATITUDE_OUT_OF_RANGE',
  // lines and rings
  'LINE_TOO_SHORT',
  'RING_TOO_SHORT',
  'RING_NOT_CLOSED',
  'RING_SELF_INTERSECTION',
  'RINGS_CROSS',
  'POLYGONS_CROSS',
  'HOLE_OUTSIDE_SHELL',
  'HOLES_NESTED',
  'POLYGONS_OVERLAP',
  'GEOMETRY_TOO_COMPLEX',
  'ANTIMERIDIAN_CROSSING',
  // per-feature properties
  'PROPERTIES_INVALID',
  'PROPERTY_MISSING',
  'PROPERTY_INVALID',
  'PROPERTY_RANGE_INVERTED',
  // coordinate reference system
  'CRS_UNSUPPORTED',
  'CRS_CONFLICT',
  // file import (JSON text, KML, KMZ)
  'JSON_MALFORMED',
  'KML_MALFORMED',
  'KML_NO_PLACEMARKS',
  'KMZ_INVALID',
  'KMZ_TOO_LARGE',
  // the list was cut at `maxIssues`
  'ISSUES_TRUNCATED',
] as const;

/** One code of {@link AREA_ISSUE_CODES}. */
export type AreaIssueCode = (typeof AREA_ISSUE_CODES)[number];

/**
 * One problem found in an uploaded area.
 *
 * @example
 * const issue: AreaIssue = {
 *   path: '/features/3/geometry/coordinates/0/5',
 *   code: 'LATITUDE_OUT_OF_RANGE',
 *   message: 'latitude 91.5 is out of range: expected a number from -90 to 90',
 * };
 */
export interface AreaIssue {
  /** JSON-pointer-like path into the input (RFC 6901 escaping), '' for the whole input. */
  path: string;
  code: AreaIssueCode;
  /** Names the bad value and what was expected. */
  message: string;
}

/**
 * Outcome of validation or import: a value, or every issue found.
 *
 * @example
 * const r: AreaResult<number> = { ok: false, issues: [] };
 */
export type AreaResult<T> = { ok: true; value: T } | { ok: false; issues: AreaIssue[] };
