// Mission file formats: export (MAVLink JSON, QGroundControl .plan, QGC WPL 110, GeoJSON, KML,
// DJI WPML) and import (.plan, WPL 110, MAVLink JSON) with errors that name the line or field.
export { MissionFormatError } from './mission-format-error';
export { qtJsonStringify } from './qt-json';
export type { QtJson } from './qt-json';
export { toQgcPlan, parseQgcPlan } from './qgc-plan';
export type { QgcPlan, QgcPlanHeader } from './qgc-plan';
export { toWpl, parseWpl } from './wpl';
export type { WplHome, WplMission } from './wpl';
export { toMavlinkJson, parseMavlinkJson } from './mavlink-json';
export type { MavlinkJsonSortie } from './mavlink-json';
export { toGeoJsonPreview } from './geojson-preview';
export { toKml } from './kml';
export { toDjiWpml } from './dji-wpml';
export type { DjiWpmlOptions } from './dji-wpml';
