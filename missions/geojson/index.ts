// Patrol-area ingest and validation: pure functions, no I/O, no clock.
export {
  AREA_ISSUE_CODES,
  type AreaIssue,
  type AreaIssueCode,
  type AreaResult,
} from './area-issue-codes';
export { gcj02ToWgs84, wgs84ToGcj02, type LonLat } from './convert-gcj02';
export {
  DEFAULT_MAX_KML_BYTES,
  kmlToGeoJson,
  kmzToGeoJson,
  type KmlFeatureCollection,
} from './kml-to-geojson';
export { parseAreaBytes } from './parse-area-bytes';
export { measureGeometries, type AreaMeasures, type MeasurableGeometry } from './measure-geometry';
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_VERTICES,
  prescanLimits,
  type PrescanFigures,
  type PrescanLimitsOptions,
} from './prescan-limits';
export {
  AREA_KINDS,
  AREA_PROPERTY_LIMITS,
  type AreaFeatureProperties,
  type AreaKind,
} from './validate-area-properties';
export {
  AREA_KIND_GEOMETRY_TYPES,
  validateArea,
  type AreaCrs,
  type AreaFeature,
  type AreaFeatureCollection,
  type AreaGeometry,
  type AreaGeometryType,
  type Position,
  type ValidArea,
  type ValidateAreaOptions,
} from './validate-area';
