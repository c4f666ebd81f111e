/**
 * Terrain: DEM from a GeoTIFF in memory and altitude profiles that follow the ground.
 *
 * - `readDemGeoTiff(arrayBuffer): Promise<Dem>` — `dem.elevationAt([lon, lat])` (bilinear, m AMSL).
 * - `demFromGrid(grid): Dem` — the same over an in-memory grid.
 * - `followTerrain(workPaths, dem | null, { toleranceM?, ceilingAglM?, homeLonLat? }): TerrainProfile`
 *   — inserts waypoints where the ground rises; without a DEM `altitudeReference` is `'dock'`.
 */
export { demFromGrid, readDemGeoTiff } from './read-dem-geotiff';
export type { Dem, DemGrid } from './read-dem-geotiff';
export { followTerrain } from './follow-terrain';
export type {
  TerrainOptions,
  TerrainPath,
  TerrainProfile,
  TerrainWaypoint,
} from './follow-terrain';
