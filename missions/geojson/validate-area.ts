import Flatbush from 'flatbush';
import type { AreaIssue, AreaIssueCode, AreaResult } from './area-issue-codes';
import { gcj02ToWgs84 } from './convert-gcj02';
import { joinPath } from './json-path';
import { previewValue } from './preview-value';
import { measureGeometries, type AreaMeasures } from './measure-geometry';
import { prescanLimits } from './prescan-limits';
import { SegmentIndex, type SegmentCrossing } from './segment-index';
import {
  checkAreaProperties,
  type AreaFeatureProperties,
  type AreaKind,
} from './validate-area-properties';

/**
 * Datum of the input positions. Output is always WGS-84.
 *
 * @example
 * const crs: AreaCrs = 'gcj02'; // Amap / DataV coordinates
 */
export type AreaCrs = 'wgs84' | 'gcj02';

/**
 * `[lon, lat]` in degrees, with an optional altitude in metres.
 *
 * @example
 * const lookout: Position = [119.8921, 30.3877, 120];
 */
export type Position = [number, number] | [number, number, number];

/** The geometries an area can hold, in WGS-84, rings wound by the RFC 7946 right-hand rule. */
export type AreaGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };

/** The geometry type names an area can hold, e.g. `'MultiPolygon'`. */
export type AreaGeometryType = AreaGeometry['type'];

/**
 * One normalized feature of an area.
 *
 * @example
 * const f: AreaFeature = { type: 'Feature', geometry: { type: 'Point', coordinates: [120, 30.4] }, properties: { hoverS: 10 } };
 */
export interface AreaFeature {
  type: 'Feature';
  id?: string | number;
  geometry: AreaGeometry;
  properties: AreaFeatureProperties;
}

/** The normalized form of every area: a FeatureCollection, also for a bare geometry or a Feature. */
export interface AreaFeatureCollection {
  type: 'FeatureCollection';
  features: AreaFeature[];
}

/** A validated, normalized area. */
export interface ValidArea {
  kind: AreaKind;
  /** Datum the input was in (its positions are converted to WGS-84 in `featureCollection`). */
  sourceCrs: AreaCrs;
  /** Always a FeatureCollection, also for a bare geometry or a single Feature. */
  featureCollection: AreaFeatureCollection;
  measures: AreaMeasures;
  /** Pointers (into the input) of the rings that were rewound to the right-hand rule. */
  rewoundRings: string[];
}

/**
 * Options of {@link validateArea}; only `kind` is required.
 *
 * @example
 * const options: ValidateAreaOptions = { kind: 'river', crs: 'gcj02', defaultProperties: { corridorWidthM: 40 } };
 */
export interface ValidateAreaOptions {
  kind: AreaKind;
  /**
   * Datum of the input. When absent, a top-level `crs` member (`"gcj02"`, `"wgs84"` or a GeoJSON
   * 2008 named CRS such as `urn:ogc:def:crs:OGC:1.3:CRS84`) or a `crs` property on the features
   * decides; default WGS-84. An explicit option that contradicts the input is an issue.
   */
  crs?: AreaCrs;
  /** Deepest allowed nesting of arrays and objects; see `DEFAULT_MAX_DEPTH`. */
  maxDepth?: number;
  /** Most positions allowed; see `DEFAULT_MAX_VERTICES`. */
  maxVertices?: number;
  /** Stop collecting after this many issues (then `ISSUES_TRUNCATED` closes the list). Default 100. */
  maxIssues?: number;
  /** Properties applied to every feature that lacks them, e.g. `{ corridorWidthM: 30 }` for a bare LineString river. */
  defaultProperties?: AreaFeatureProperties;
}

/**
 * Geometry types each kind accepts.
 *
 * @example
 * AREA_KIND_GEOMETRY_TYPES.points; // ['Point', 'MultiPoint']
 */
export const AREA_KIND_GEOMETRY_TYPES: Readonly<Record<AreaKind, readonly AreaGeometryType[]>> = {
  forest: ['Polygon', 'MultiPolygon'],
  river: ['LineString', 'MultiLineString', 'Polygon'],
  points: ['Point', 'MultiPoint'],
  no_fly: ['Polygon', 'MultiPolygon'],
};

const DEFAULT_MAX_ISSUES = 100;
/** Candidate containing rings examined per ring on average before giving up. */
const CONTAINMENT_WORK_PER_RING = 16;

/** Array levels down to a number in the coordinates of each geometry type. */
const NESTING: Readonly<Record<AreaGeometryType, number>> = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPolygon: 4,
  MultiPoint: 2,
  MultiLineString: 3,
};
const EMPTY_EXPECTED: Readonly<Record<AreaGeometryType, string>> = {
  Point: 'a position [lon, lat]',
  MultiPoint: 'at least one position',
  LineString: 'at least two positions',
  MultiLineString: 'at least one line',
  Polygon: 'at least an exterior ring',
  MultiPolygon: 'at least one polygon',
};
const NESTING_EXAMPLE: Readonly<Record<AreaGeometryType, string>> = {
  Point: '[lon, lat]',
  MultiPoint: '[[lon, lat], ...]',
  LineString: '[[lon, lat], [lon, lat], ...]',
  MultiLineString: '[[[lon, lat], [lon, lat], ...], ...]',
  Polygon: '[[[lon, lat], ..., first position again]] (an array of rings)',
  MultiPolygon: '[[[[lon, lat], ..., first position again]], ...] (an array of polygons)',
};

const GEOMETRY_TYPES: readonly string[] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
];
const ALL_TYPES: readonly string[] = ['FeatureCollection', 'Feature', ...GEOMETRY_TYPES];

const WGS84_NAMES = new Set([
  'wgs84',
  'wgs-84',
  'epsg:4326',
  'crs84',
  'urn:ogc:def:crs:ogc:1.3:crs84',
  'urn:ogc:def:crs:ogc::crs84',
  'urn:ogc:def:crs:epsg::4326',
]);
const GCJ02_NAMES = new Set(['gcj02', 'gcj-02']);

const fmt = (x: number): string => String(Number(x.toFixed(7)));
const fmtPos = (p: readonly number[]): string => `[${p.map(fmt).join(', ')}]`;
const show = (value: unknown): string => previewValue(value);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class IssueList {
  readonly list: AreaIssue[] = [];
  full = false;
  constructor(private readonly max: number) {}

  add(path: string, code: AreaIssueCode, message: string): void {
    if (this.full) return;
    if (this.list.length >= this.max) {
      this.full = true;
      this.list.push({
        path: '',
        code: 'ISSUES_TRUNCATED',
        message: `more than ${this.max} issues: only the first ${this.max} are listed`,
      });
      return;
    }
    this.list.push({ path, code, message });
  }

  get room(): number {
    return this.full ? 0 : this.max - this.list.length;
  }
}

interface Context {
  kind: AreaKind;
  issues: IssueList;
  rewound: string[];
}

/**
 * Validates an uploaded patrol area (already-parsed JSON: a bare geometry, a Feature or a
 * FeatureCollection) for its kind and normalizes it: positions converted to WGS-84, rings rewound
 * to the RFC 7946 right-hand rule (exterior counter-clockwise, holes clockwise), properties kept.
 * Limits (depth, vertex count) are checked first by an iterative pre-scan. On failure, every issue
 * found is returned (up to `maxIssues`), each with a JSON pointer, a stable code and a message.
 *
 * Kinds: `forest` Polygon/MultiPolygon; `river` LineString/MultiLineString (with
 * `corridorWidthM` > 0) or Polygon; `points` Point/MultiPoint (optional `hoverS`, `photo`,
 * `gimbalPitchDeg`, `headingDeg`); `no_fly` Polygon/MultiPolygon (optional `minAltM`/`maxAltM`
 * band and `validFrom`/`validTo` window).
 *
 * @example
 * const result = validateArea(JSON.parse(body), { kind: 'forest' });
 * if (result.ok) console.log(result.value.measures.areaM2); // m²
 * else for (const i of result.issues) console.log(i.path, i.code, i.message);
 */
export function validateArea(input: unknown, options: ValidateAreaOptions): AreaResult<ValidArea> {
  const limits = prescanLimits(input, {
    ...(options.maxDepth !== undefined && { maxDepth: options.maxDepth }),
    ...(options.maxVertices !== undefined && { maxVertices: options.maxVertices }),
  });
  if (limits.issues.length > 0) return { ok: false, issues: limits.issues };

  const issues = new IssueList(options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const ctx: Context = { kind: options.kind, issues, rewound: [] };

  if (Array.isArray(input)) {
    const features = input.length > 0 && input.every((f) => isRecord(f) && f['type'] === 'Feature');
    issues.add(
      '',
      features ? 'FEATURE_ARRAY_NOT_COLLECTION' : 'INPUT_NOT_OBJECT',
      features
        ? `a bare JSON array of ${input.length} Feature${input.length === 1 ? '' : 's'} is not GeoJSON: wrap it in a FeatureCollection, {"type": "FeatureCollection", "features": [...]}`
        : `a JSON array is not GeoJSON: expected an object with "type" FeatureCollection, Feature or a geometry type`,
    );
    return { ok: false, issues: issues.list };
  }
  if (!isRecord(input)) {
    issues.add(
      '',
      'INPUT_NOT_OBJECT',
      `${show(input)} is not GeoJSON: expected an object with "type" FeatureCollection, Feature or a geometry type`,
    );
    return { ok: false, issues: issues.list };
  }

  const sourceCrs = resolveCrs(input, options.crs, issues);
  const defaults = options.defaultProperties ?? {};
  const features: AreaFeature[] = [];
  const type = input['type'];
  if (type === 'FeatureCollection') {
    const list = input['features'];
    if (!Array.isArray(list)) {
      issues.add(
        '/features',
        'FEATURES_INVALID',
        `features ${show(list)} is invalid: expected an array of Features`,
      );
    } else if (list.length === 0) {
      issues.add(
        '/features',
        'FEATURE_COLLECTION_EMPTY',
        'the FeatureCollection has no features: expected at least one',
      );
    } else {
      for (let i = 0; i < list.length && !issues.full; i++) {
        const feature = readFeature(list[i], `/features/${i}`, defaults, ctx);
        if (feature) features.push(feature);
      }
    }
  } else if (type === 'Feature') {
    const feature = readFeature(input, '', defaults, ctx);
    if (feature) features.push(feature);
  } else if (typeof type === 'string' && GEOMETRY_TYPES.includes(type)) {
    const properties: AreaFeatureProperties = { ...defaults };
    const geometry = readGeometry(input, '', false, ctx);
    if (geometry) {
      checkKindRules(geometry, properties, '', '', ctx);
      checkProperties(properties, '', ctx);
      features.push({ type: 'Feature', geometry, properties });
    }
  } else {
    badType(type, '', ALL_TYPES, issues);
  }

  if (issues.list.length > 0) return { ok: false, issues: issues.list };
  if (sourceCrs === 'gcj02') for (const f of features) f.geometry = convertGeometry(f.geometry);
  return {
    ok: true,
    value: {
      kind: options.kind,
      sourceCrs,
      featureCollection: { type: 'FeatureCollection', features },
      measures: measureGeometries(features.map((f) => f.geometry)),
      rewoundRings: ctx.rewound,
    },
  };
}

function crsName(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (isRecord(value) && isRecord(value['properties'])) {
    const name = value['properties']['name'];
    if (typeof name === 'string') return name.toLowerCase();
  }
  return undefined;
}

function resolveCrs(
  input: Record<string, unknown>,
  option: AreaCrs | undefined,
  issues: IssueList,
): AreaCrs {
  const found: { crs: AreaCrs; path: string }[] = [];
  const consider = (value: unknown, path: string): void => {
    if (value === undefined || value === null) return;
    const name = crsName(value);
    if (name !== undefined && WGS84_NAMES.has(name)) found.push({ crs: 'wgs84', path });
    else if (name !== undefined && GCJ02_NAMES.has(name)) found.push({ crs: 'gcj02', path });
    else {
      issues.add(
        path,
        'CRS_UNSUPPORTED',
        `crs ${show(value)} is not supported: expected "wgs84" (or urn:ogc:def:crs:OGC:1.3:CRS84, EPSG:4326) or "gcj02"`,
      );
    }
  };
  consider(input['crs'], '/crs');
  if (isRecord(input['properties'])) consider(input['properties']['crs'], '/properties/crs');
  const features = input['features'];
  if (Array.isArray(features)) {
    for (const [i, f] of features.entries()) {
      if (isRecord(f) && isRecord(f['properties'])) {
        consider(f['properties']['crs'], `/features/${i}/properties/crs`);
      }
    }
  }
  const first = found[0];
  const chosen: AreaCrs = option ?? first?.crs ?? 'wgs84';
  const against =
    option !== undefined ? `the requested crs "${option}"` : `${first?.path} ("${first?.crs}")`;
  for (const f of found) {
    if (f.crs !== chosen) {
      issues.add(
        f.path,
        'CRS_CONFLICT',
        `crs "${f.crs}" contradicts ${against}: expected one datum for the whole upload`,
      );
    }
  }
  return chosen;
}

function badType(
  type: unknown,
  path: string,
  expected: readonly string[],
  issues: IssueList,
): void {
  const hint =
    typeof type === 'string'
      ? expected.find((t) => t.toLowerCase() === type.toLowerCase())
      : undefined;
  issues.add(
    joinPath(path, 'type'),
    'TYPE_INVALID',
    type === undefined
      ? `"type" is missing: expected one of ${expected.join(', ')}`
      : `type ${show(type)} is invalid: expected one of ${expected.join(', ')}${hint ? ` (did you mean "${hint}"? types are case-sensitive)` : ''}`,
  );
}

function readFeature(
  value: unknown,
  path: string,
  defaults: AreaFeatureProperties,
  ctx: Context,
): AreaFeature | undefined {
  const { issues } = ctx;
  if (!isRecord(value)) {
    issues.add(
      path,
      'TYPE_INVALID',
      `${show(value)} is not a Feature: expected an object with "type": "Feature"`,
    );
    return undefined;
  }
  if (value['type'] !== 'Feature') {
    badType(value['type'], path, ['Feature'], issues);
    return undefined;
  }
  const rawProperties = value['properties'];
  let properties: AreaFeatureProperties = { ...defaults };
  const propertiesPath = joinPath(path, 'properties');
  if (isRecord(rawProperties)) {
    // Object.assign: object spread is about 20 times slower on the 36-key Natural Earth properties.
    properties = Object.assign({}, defaults, rawProperties);
    // The datum is consumed here: the output is WGS-84 whatever the input said.
    if ('crs' in properties) delete properties['crs'];
  } else if (rawProperties !== undefined && rawProperties !== null) {
    issues.add(
      propertiesPath,
      'PROPERTIES_INVALID',
      `properties ${show(rawProperties)} is invalid: expected an object or null`,
    );
  }
  const rawGeometry = value['geometry'];
  if (rawGeometry === undefined || rawGeometry === null) {
    issues.add(
      joinPath(path, 'geometry'),
      'GEOMETRY_MISSING',
      `the Feature has no geometry: expected one of ${AREA_KIND_GEOMETRY_TYPES[ctx.kind].join(', ')} for kind ${ctx.kind}`,
    );
    checkProperties(properties, propertiesPath, ctx);
    return undefined;
  }
  const geometry = readGeometry(rawGeometry, joinPath(path, 'geometry'), false, ctx);
  if (geometry) checkKindRules(geometry, properties, path, propertiesPath, ctx);
  checkProperties(properties, propertiesPath, ctx);
  if (!geometry) return undefined;
  const id = value['id'];
  return {
    type: 'Feature',
    ...((typeof id === 'string' || typeof id === 'number') && { id }),
    geometry,
    properties,
  };
}

/** Kind-specific property checks, through the issue list so that `maxIssues` holds. */
function checkProperties(properties: AreaFeatureProperties, path: string, ctx: Context): void {
  const found: AreaIssue[] = [];
  checkAreaProperties(properties, ctx.kind, path, found);
  for (const issue of found) ctx.issues.add(issue.path, issue.code, issue.message);
}

function checkKindRules(
  geometry: AreaGeometry,
  properties: AreaFeatureProperties,
  featurePath: string,
  propertiesPath: string,
  ctx: Context,
): void {
  if (
    ctx.kind === 'river' &&
    (geometry.type === 'LineString' || geometry.type === 'MultiLineString') &&
    properties['corridorWidthM'] === undefined
  ) {
    ctx.issues.add(
      featurePath === '' && propertiesPath === '' ? '' : joinPath(propertiesPath, 'corridorWidthM'),
      'PROPERTY_MISSING',
      `a ${geometry.type} river needs corridorWidthM: expected a width in metres above 0 (a property, or the upload's default)`,
    );
  }
}

/** Reads and checks one geometry; returns it (normalized) only if it is valid for the kind. */
function readGeometry(
  value: unknown,
  path: string,
  inCollection: boolean,
  ctx: Context,
): AreaGeometry | undefined {
  const { issues, kind } = ctx;
  const allowed = AREA_KIND_GEOMETRY_TYPES[kind];
  if (!isRecord(value)) {
    issues.add(
      path,
      'TYPE_INVALID',
      `${show(value)} is not a geometry: expected an object with "type" ${allowed.join(' or ')}`,
    );
    return undefined;
  }
  const type = value['type'];
  if (typeof type !== 'string' || !GEOMETRY_TYPES.includes(type)) {
    badType(type, path, GEOMETRY_TYPES, issues);
    return undefined;
  }
  if (type === 'GeometryCollection') {
    if (inCollection) {
      issues.add(
        path,
        'GEOMETRY_COLLECTION_NESTED',
        'a GeometryCollection nested in a GeometryCollection is not allowed (RFC 7946 §3.1.8): flatten it',
      );
      return undefined;
    }
    issues.add(
      path,
      'GEOMETRY_COLLECTION_NOT_ALLOWED',
      `a GeometryCollection is not allowed for kind ${kind}: expected ${allowed.join(' or ')}; put each member in its own Feature of a FeatureCollection`,
    );
    const members = value['geometries'];
    if (!Array.isArray(members)) {
      issues.add(
        joinPath(path, 'geometries'),
        'COORDINATES_INVALID',
        `geometries ${show(members)} is invalid: expected an array of geometries`,
      );
    } else {
      for (let i = 0; i < members.length && !issues.full; i++) {
        readGeometry(members[i], joinPath(path, 'geometries', i), true, ctx);
      }
    }
    return undefined;
  }
  const allowedType = (allowed as readonly string[]).includes(type);
  if (!allowedType) {
    issues.add(
      joinPath(path, 'type'),
      'GEOMETRY_TYPE_NOT_ALLOWED',
      `geometry type ${type} is not allowed for kind ${kind}: expected ${allowed.join(' or ')}`,
    );
  }
  const coordinates = value['coordinates'];
  const cpath = joinPath(path, 'coordinates');
  const before = issues.list.length;
  const geometry = readCoordinates(type as AreaGeometryType, coordinates, cpath, ctx);
  return allowedType && geometry && issues.list.length === before ? geometry : undefined;
}

function readCoordinates(
  type: AreaGeometryType,
  value: unknown,
  path: string,
  ctx: Context,
): AreaGeometry | undefined {
  const { issues } = ctx;
  if (!Array.isArray(value)) {
    issues.add(
      path,
      'COORDINATES_INVALID',
      `coordinates ${show(value)} is invalid: expected an array for a ${type}`,
    );
    return undefined;
  }
  if (value.length === 0) {
    issues.add(path, 'GEOMETRY_EMPTY', `the ${type} is empty: expected ${EMPTY_EXPECTED[type]}`);
    return undefined;
  }
  // Nesting of the first number: a Polygon given a LineString's coordinates (a common slip) gets
  // one clear issue instead of one per position.
  let levels = 0;
  let first: unknown = value;
  while (Array.isArray(first) && levels < NESTING.MultiPolygon + 1) {
    first = first[0];
    levels++;
  }
  const expectedLevels = NESTING[type];
  if (typeof first === 'number' && levels !== expectedLevels) {
    const like = Object.entries(NESTING).find(([, n]) => n === levels)?.[0];
    issues.add(
      path,
      'COORDINATES_INVALID',
      `the coordinates of this ${type} nest ${levels} array level${levels === 1 ? '' : 's'}${like ? ` (like a ${like})` : ''}: expected ${expectedLevels}, e.g. ${NESTING_EXAMPLE[type]}`,
    );
    return undefined;
  }
  switch (type) {
    case 'Point': {
      const p = readPosition(value, path, issues);
      return p && { type, coordinates: p };
    }
    case 'MultiPoint': {
      const ps = readPositions(value, path, ctx);
      return ps && { type, coordinates: ps };
    }
    case 'LineString': {
      const line = readLine(value, path, ctx);
      return line && { type, coordinates: line };
    }
    case 'MultiLineString': {
      const lines: Position[][] = [];
      let ok = true;
      for (let i = 0; i < value.length && !issues.full; i++) {
        const line = readLine(value[i], joinPath(path, i), ctx);
        if (line) lines.push(line);
        else ok = false;
      }
      return ok ? { type, coordinates: lines } : undefined;
    }
    case 'Polygon': {
      const rings = readPolygonRings(value, path, ctx);
      if (!rings) return undefined;
      return checkTopology([rings], [path], false, ctx) ? { type, coordinates: rings } : undefined;
    }
    case 'MultiPolygon': {
      const polygons: Position[][][] = [];
      const paths: string[] = [];
      let ok = true;
      for (let i = 0; i < value.length && !issues.full; i++) {
        const ppath = joinPath(path, i);
        const part: unknown = value[i];
        if (!Array.isArray(part)) {
          issues.add(
            ppath,
            'COORDINATES_INVALID',
            `polygon ${show(part)} is invalid: expected an array of rings`,
          );
          ok = false;
          continue;
        }
        if (part.length === 0) {
          issues.add(
            ppath,
            'GEOMETRY_EMPTY',
            `polygon ${i} of the MultiPolygon is empty: expected at least an exterior ring`,
          );
          ok = false;
          continue;
        }
        const rings = readPolygonRings(part, ppath, ctx);
        if (rings) {
          polygons.push(rings);
          paths.push(ppath);
        } else ok = false;
      }
      if (!ok) return undefined;
      return checkTopology(polygons, paths, true, ctx)
        ? { type, coordinates: polygons }
        : undefined;
    }
  }
}

function readPosition(value: unknown, path: string, issues: IssueList): Position | undefined {
  if (!Array.isArray(value)) {
    issues.add(path, 'POSITION_NOT_ARRAY', `${show(value)} is not a position: expected [lon, lat]`);
    return undefined;
  }
  const items: unknown[] = value;
  if (items.length < 2) {
    issues.add(
      path,
      'POSITION_TOO_SHORT',
      `position ${show(value)} has ${items.length} number${items.length === 1 ? '' : 's'}: expected [lon, lat] or [lon, lat, altitudeM]`,
    );
    return undefined;
  }
  if (items.length > 3) {
    issues.add(
      path,
      'POSITION_TOO_LONG',
      `position ${show(value)} has ${items.length} elements: expected [lon, lat] or [lon, lat, altitudeM]`,
    );
    return undefined;
  }
  let ok = true;
  for (let k = 0; k < items.length; k++) {
    const x = items[k];
    if (typeof x !== 'number') {
      issues.add(
        joinPath(path, k),
        'POSITION_NOT_NUMERIC',
        `${show(x)} in position ${show(value)} is not a number: expected [lon, lat] in degrees`,
      );
      ok = false;
    } else if (!Number.isFinite(x)) {
      issues.add(
        joinPath(path, k),
        'POSITION_NOT_FINITE',
        `${x} in a position is not a finite number: expected [lon, lat] in degrees`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  const lon = items[0] as number;
  const lat = items[1] as number;
  const swapped = Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lon) <= 90;
  if (lon < -180 || lon > 180) {
    issues.add(
      joinPath(path, 0),
      'LONGITUDE_OUT_OF_RANGE',
      `longitude ${lon} is out of range: expected -180 to 180 degrees`,
    );
    ok = false;
  }
  if (lat < -90 || lat > 90) {
    issues.add(
      joinPath(path, 1),
      'LATITUDE_OUT_OF_RANGE',
      `latitude ${lat} is out of range: expected -90 to 90 degrees${swapped ? ' (the position looks like [lat, lon]: GeoJSON wants [lon, lat])' : ''}`,
    );
    ok = false;
  }
  if (!ok) return undefined;
  return items.length === 3 ? [lon, lat, items[2] as number] : [lon, lat];
}

function readPositions(value: unknown[], path: string, ctx: Context): Position[] | undefined {
  const out: Position[] = [];
  let ok = true;
  for (let i = 0; i < value.length && !ctx.issues.full; i++) {
    const item: unknown = value[i];
    // Fast path for the common, valid position: no path string is built unless it is needed.
    if (Array.isArray(item) && (item.length === 2 || item.length === 3)) {
      const lon: unknown = item[0];
      const lat: unknown = item[1];
      const alt: unknown = item[2];
      if (
        typeof lon === 'number' &&
        typeof lat === 'number' &&
        lon >= -180 &&
        lon <= 180 &&
        lat >= -90 &&
        lat <= 90
      ) {
        if (item.length === 2) {
          out.push([lon, lat]);
          continue;
        }
        if (typeof alt === 'number' && Number.isFinite(alt)) {
          out.push([lon, lat, alt]);
          continue;
        }
      }
    }
    const p = readPosition(item, joinPath(path, i), ctx.issues);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function checkAntimeridian(
  ps: readonly Position[],
  path: string,
  what: string,
  issues: IssueList,
): boolean {
  for (let i = 0; i + 1 < ps.length; i++) {
    const a = ps[i]![0];
    const b = ps[i + 1]![0];
    if (Math.abs(b - a) > 180) {
      issues.add(
        joinPath(path, i),
        'ANTIMERIDIAN_CROSSING',
        `${what} crosses the antimeridian: segment ${i} jumps from longitude ${fmt(a)} to ${fmt(b)}; split it at 180° into a ${what === 'line' ? 'MultiLineString' : 'MultiPolygon'} (RFC 7946 §3.1.9)`,
      );
      return false;
    }
  }
  return true;
}

function readLine(value: unknown, path: string, ctx: Context): Position[] | undefined {
  if (!Array.isArray(value)) {
    ctx.issues.add(
      path,
      'COORDINATES_INVALID',
      `line ${show(value)} is invalid: expected an array of positions`,
    );
    return undefined;
  }
  const ps = readPositions(value, path, ctx);
  if (!ps) return undefined;
  if (ps.length < 2) {
    ctx.issues.add(
      path,
      'LINE_TOO_SHORT',
      `line has ${ps.length} position${ps.length === 1 ? '' : 's'}: expected at least 2`,
    );
    return undefined;
  }
  return checkAntimeridian(ps, path, 'line', ctx.issues) ? ps : undefined;
}

function readPolygonRings(value: unknown[], path: string, ctx: Context): Position[][] | undefined {
  const { issues } = ctx;
  const rings: Position[][] = [];
  let ok = true;
  for (let r = 0; r < value.length && !issues.full; r++) {
    const rpath = joinPath(path, r);
    const raw: unknown = value[r];
    if (!Array.isArray(raw)) {
      issues.add(
        rpath,
        'COORDINATES_INVALID',
        `ring ${show(raw)} is invalid: expected an array of positions`,
      );
      ok = false;
      continue;
    }
    const ring = readPositions(raw, rpath, ctx);
    if (!ring) {
      ok = false;
      continue;
    }
    const label = r === 0 ? 'exterior ring' : `hole ${r}`;
    if (ring.length < 4) {
      issues.add(
        rpath,
        'RING_TOO_SHORT',
        `${label} has ${ring.length} position${ring.length === 1 ? '' : 's'}: expected at least 4 (a closed ring repeats its first position at the end)`,
      );
      ok = false;
      continue;
    }
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) {
      issues.add(
        joinPath(rpath, ring.length - 1),
        'RING_NOT_CLOSED',
        `${label} is not closed: last position ${fmtPos(last)} differs from first ${fmtPos(first)}; expected the first position repeated at the end`,
      );
      ok = false;
      continue;
    }
    let distinct = 1;
    for (let i = 1; i < ring.length - 1 && distinct < 3; i++) {
      const a = ring[i - 1]!;
      const b = ring[i]!;
      if (a[0] !== b[0] || a[1] !== b[1]) distinct++;
    }
    if (distinct < 3) {
      issues.add(
        rpath,
        'RING_TOO_SHORT',
        `${label} has only ${distinct} distinct position${distinct === 1 ? '' : 's'} (repeated positions do not count): expected at least 3 distinct corners`,
      );
      ok = false;
      continue;
    }
    if (!checkAntimeridian(ring, rpath, 'ring', issues)) {
      ok = false;
      continue;
    }
    rings.push(ring);
  }
  return ok ? rings : undefined;
}

/** Twice the signed planar area in degrees²: positive for counter-clockwise rings. */
function signedArea2(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    sum += (a[0] - b[0]) * (a[1] + b[1]);
  }
  return sum;
}

/**
 * Crossings, hole containment and winding of polygons whose rings are well formed. Rewinds in
 * place and returns whether the polygons are valid.
 */
function checkTopology(
  polygons: Position[][][],
  paths: readonly string[],
  multi: boolean,
  ctx: Context,
): boolean {
  const { issues } = ctx;
  const ringPaths: string[] = [];
  const ringLabels: string[] = [];
  const ringPolygon: number[] = [];
  const inputs: { positions: Position[]; polygon: number }[] = [];
  for (const [p, rings] of polygons.entries()) {
    for (const [r, ring] of rings.entries()) {
      ringPaths.push(joinPath(paths[p]!, r));
      ringLabels.push(
        `${r === 0 ? 'exterior ring' : `hole ${r}`}${multi ? ` of polygon ${p}` : ''}`,
      );
      ringPolygon.push(p);
      inputs.push({ positions: ring, polygon: p });
    }
  }
  const index = new SegmentIndex(inputs);
  const { crossings, tooComplex } = index.crossings(Math.max(1, issues.room));
  for (const c of crossings) reportCrossing(c, ringPaths, ringLabels, ringPolygon, issues);
  if (tooComplex) {
    issues.add(
      paths[0] ?? '',
      'GEOMETRY_TOO_COMPLEX',
      `the polygon's ${index.segmentCount} segments overlap too much to be checked for self-intersections in reasonable time: simplify it`,
    );
  }
  if (crossings.length > 0 || tooComplex) return false;

  if (!checkContainment(polygons, index, ringPaths, ringLabels, ringPolygon, issues)) return false;

  let ringNo = 0;
  for (const rings of polygons) {
    for (let r = 0; r < rings.length; r++) {
      const ring = rings[r]!;
      const area2 = signedArea2(ring);
      if ((r === 0 && area2 < 0) || (r > 0 && area2 > 0)) {
        ring.reverse();
        ctx.rewound.push(ringPaths[ringNo + r]!);
      }
    }
    ringNo += rings.length;
  }
  return true;
}

/** Where ring `r` lies against ring `q`: its first position that is not on `q` decides. */
function ringWhere(
  index: SegmentIndex,
  ring: readonly Position[],
  q: number,
): { where: 'inside' | 'outside' | 'boundary'; at: number } {
  for (let at = 0; at < ring.length - 1; at++) {
    const where = index.locate(q, ring[at]![0], ring[at]![1]);
    if (where !== 'boundary') return { where, at };
  }
  return { where: 'boundary', at: 0 };
}

/**
 * With no crossings left, containment decides the rest: every hole inside its shell, no hole
 * inside another hole, and no MultiPolygon part inside another part unless it sits in one of
 * that part's holes (an island in a lake). Candidate rings come from an R-tree of ring boxes.
 */
function checkContainment(
  polygons: readonly Position[][][],
  index: SegmentIndex,
  ringPaths: readonly string[],
  ringLabels: readonly string[],
  ringPolygon: readonly number[],
  issues: IssueList,
): boolean {
  const rings = polygons.flat();
  const shellOf: number[] = [];
  let n = 0;
  for (const poly of polygons) {
    shellOf.push(n);
    n += poly.length;
  }
  let ok = true;
  for (const [p, poly] of polygons.entries()) {
    for (let r = 1; r < poly.length; r++) {
      const { where, at } = ringWhere(index, poly[r]!, shellOf[p]!);
      if (where === 'outside') {
        issues.add(
          ringPaths[shellOf[p]! + r]!,
          'HOLE_OUTSIDE_SHELL',
          `${ringLabels[shellOf[p]! + r]} lies outside its exterior ring (its position ${at}, ${fmtPos(poly[r]![at]!)}, is outside): expected every hole inside the exterior ring`,
        );
        ok = false;
      }
    }
  }
  if (!ok || rings.length < 2) return ok;

  const boxes = rings.map((ring) => {
    const box = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
    for (const [x, y] of ring) {
      if (x < box[0]) box[0] = x;
      if (y < box[1]) box[1] = y;
      if (x > box[2]) box[2] = x;
      if (y > box[3]) box[3] = y;
    }
    return box;
  });
  const tree = new Flatbush(rings.length);
  for (const b of boxes) tree.add(b[0], b[1], b[2], b[3]);
  tree.finish();
  // Deeply nested rings (islands in lakes in islands…) make every ring a candidate of every
  // other: bound the work as the crossing search does. The admiralty fixture needs 1.1 candidate
  // rings per ring.
  const budget = Math.max(20_000, rings.length * CONTAINMENT_WORK_PER_RING);
  let work = 0;
  for (let g = 0; g < rings.length && !issues.full; g++) {
    const [x0, y0, x1, y1] = boxes[g]!;
    const p = ringPolygon[g]!;
    const isHole = shellOf[p] !== g;
    const candidates = tree.search(x0, y0, x1, y1, (q) => {
      const b = boxes[q]!;
      return q !== g && b[0] <= x0 && b[1] <= y0 && b[2] >= x1 && b[3] >= y1;
    });
    work += candidates.length;
    if (work > budget) {
      issues.add(
        ringPaths[g]!,
        'GEOMETRY_TOO_COMPLEX',
        `the ${rings.length} rings nest too deeply to be checked for containment in reasonable time: simplify the geometry or split it into several uploads`,
      );
      return false;
    }
    if (isHole) {
      for (const q of candidates) {
        if (ringPolygon[q] !== p || shellOf[p] === q) continue;
        const { where, at } = ringWhere(index, rings[g]!, q);
        if (where === 'inside') {
          issues.add(
            ringPaths[g]!,
            'HOLES_NESTED',
            `${ringLabels[g]} lies inside ${ringLabels[q]} (its position ${at}, ${fmtPos(rings[g]![at]!)}, is inside): expected holes that do not contain each other`,
          );
          ok = false;
          break;
        }
      }
      continue;
    }
    const inShell = new Map<number, number>();
    const inHole = new Set<number>();
    for (const q of candidates) {
      const pq = ringPolygon[q]!;
      if (pq === p) continue;
      const { where, at } = ringWhere(index, rings[g]!, q);
      if (where !== 'inside') continue;
      if (shellOf[pq] === q) inShell.set(pq, at);
      else inHole.add(pq);
    }
    for (const [pq, at] of inShell) {
      if (inHole.has(pq)) continue;
      issues.add(
        ringPaths[g]!,
        'POLYGONS_OVERLAP',
        `polygon ${p} of the MultiPolygon lies inside polygon ${pq} (its position ${at}, ${fmtPos(rings[g]![at]!)}, is inside): expected parts that do not overlap; merge them, or make the inner one a hole`,
      );
      ok = false;
      break;
    }
  }
  return ok;
}

function reportCrossing(
  c: SegmentCrossing,
  ringPaths: readonly string[],
  ringLabels: readonly string[],
  ringPolygon: readonly number[],
  issues: IssueList,
): void {
  const where = `at ${fmtPos(c.point)}`;
  const verb = c.kind === 'cross' ? 'crosses' : 'overlaps';
  const path = joinPath(ringPaths[c.a.ring]!, c.a.segment);
  if (c.a.ring === c.b.ring) {
    issues.add(
      path,
      'RING_SELF_INTERSECTION',
      `${ringLabels[c.a.ring]} intersects itself: segment ${c.a.segment} ${verb} segment ${c.b.segment} ${where}; expected a simple ring`,
    );
  } else if (ringPolygon[c.a.ring] === ringPolygon[c.b.ring]) {
    issues.add(
      path,
      'RINGS_CROSS',
      `${ringLabels[c.a.ring]} and ${ringLabels[c.b.ring]} cross: segment ${c.a.segment} of the first ${verb} segment ${c.b.segment} of the second ${where}; expected rings of a polygon to touch at most at points`,
    );
  } else {
    issues.add(
      path,
      'POLYGONS_CROSS',
      `polygons ${ringPolygon[c.a.ring]} and ${ringPolygon[c.b.ring]} of the MultiPolygon cross: segment ${c.a.segment} of ${ringLabels[c.a.ring]} ${verb} segment ${c.b.segment} of ${ringLabels[c.b.ring]} ${where}; expected parts that touch at most at points`,
    );
  }
}

function convertPositions(ps: readonly Position[]): Position[] {
  return ps.map((p) => gcj02ToWgs84(p) as Position);
}

function convertGeometry(g: AreaGeometry): AreaGeometry {
  switch (g.type) {
    case 'Point':
      return { type: g.type, coordinates: gcj02ToWgs84(g.coordinates) as Position };
    case 'MultiPoint':
    case 'LineString':
      return { type: g.type, coordinates: convertPositions(g.coordinates) };
    case 'MultiLineString':
    case 'Polygon':
      return { type: g.type, coordinates: g.coordinates.map(convertPositions) };
    case 'MultiPolygon':
      return { type: g.type, coordinates: g.coordinates.map((poly) => poly.map(convertPositions)) };
  }
}
