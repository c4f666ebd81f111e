import { fromArrayBuffer } from 'geotiff';
import proj4 from 'proj4';
import { MissionInputError } from '../frame/index';

/** A digital elevation model sampled in `[lon, lat]`. */
export interface Dem {
  /** Ground elevation in metres above sea level (bilinear), or null outside the grid or on no-data. */
  elevationAt(lonLat: readonly number[]): number | null;
  /** `[minLon, minLat, maxLon, maxLat]` of the grid (approximate for projected grids). */
  bounds: [number, number, number, number];
  /** Size of one cell, metres (approximate for geographic grids). */
  cellSizeM: number;
}

/** A regular elevation grid: `values[row * width + col]`, row 0 at the top (north). */
export interface DemGrid {
  width: number;
  height: number;
  values: ArrayLike<number>;
  /** x / y of the top-left corner of the top-left cell, in the grid's CRS units. */
  originX: number;
  originY: number;
  /** Cell size in x and in y (both positive), CRS units. */
  resX: number;
  resY: number;
  noData: number | null;
  /** Converts `[lon, lat]` to the grid's CRS; identity for EPSG:4326. */
  project(lonLat: readonly number[]): [number, number];
  /** Converts a grid CRS position back to `[lon, lat]`. */
  unproject(xy: readonly number[]): [number, number];
  geographic: boolean;
}

function fail(path: string, message: string, cause?: unknown): never {
  throw new MissionInputError(
    'DEM_INVALID',
    path,
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Builds a {@link Dem} over a grid with bilinear interpolation between cell centres.
 *
 * @example
 * const dem = demFromGrid({ width: 2, height: 2, values: [0, 10, 0, 10], originX: 120, originY: 30.002,
 *   resX: 0.001, resY: 0.001, noData: null, project: (p) => [p[0]!, p[1]!], unproject: (p) => [p[0]!, p[1]!], geographic: true });
 */
export function demFromGrid(grid: DemGrid): Dem {
  const { width, height, values, originX, originY, resX, resY, noData } = grid;
  const at = (col: number, row: number): number | null => {
    const v = values[row * width + col];
    if (v === undefined || !Number.isFinite(v) || (noData !== null && v === noData)) return null;
    return v;
  };
  const corners = [
    grid.unproject([originX, originY]),
    grid.unproject([originX + width * resX, originY]),
    grid.unproject([originX, originY - height * resY]),
    grid.unproject([originX + width * resX, originY - height * resY]),
  ];
  const bounds: [number, number, number, number] = [
    Math.min(...corners.map((c) => c[0])),
    Math.min(...corners.map((c) => c[1])),
    Math.max(...corners.map((c) => c[0])),
    Math.max(...corners.map((c) => c[1])),
  ];
  const cellSizeM = grid.geographic ? resY * 111_195 : Math.sqrt(resX * resY);
  return {
    bounds,
    cellSizeM,
    elevationAt(lonLat) {
      const [x, y] = grid.project(lonLat);
      // Cell centres sit half a cell inside the corner (PixelIsArea).
      const fx = (x - originX) / resX - 0.5;
      const fy = (originY - y) / resY - 0.5;
      if (fx < -0.5 || fy < -0.5 || fx > width - 0.5 || fy > height - 0.5) return null;
      const cx = Math.min(Math.max(fx, 0), width - 1);
      const cy = Math.min(Math.max(fy, 0), height - 1);
      const c0 = Math.min(Math.floor(cx), width - 1);
      const r0 = Math.min(Math.floor(cy), height - 1);
      const c1 = Math.min(c0 + 1, width - 1);
      const r1 = Math.min(r0 + 1, height - 1);
      const tx = cx - c0;
      const ty = cy - r0;
      const v00 = at(c0, r0);
      const v10 = at(c1, r0);
      const v01 = at(c0, r1);
      const v11 = at(c1, r1);
      if (v00 === null || v10 === null || v01 === null || v11 === null) return null;
      return (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
    },
  };
}

/**
 * Reads a single-band elevation GeoTIFF from memory (no file I/O): EPSG:4326 grids, and UTM
 * zones on WGS 84 (EPSG:326xx / 327xx). The first band is the elevation in metres.
 *
 * @throws MissionInputError `DEM_INVALID` naming what is wrong (unreadable file, unsupported CRS, rotation)
 * @example
 * const dem = await readDemGeoTiff(await blob.arrayBuffer());
 * dem.elevationAt([119.95, 30.4]); // metres above sea level
 */
export async function readDemGeoTiff(data: ArrayBuffer): Promise<Dem> {
  let image;
  try {
    const tiff = await fromArrayBuffer(data);
    image = await tiff.getImage();
  } catch (err) {
    return fail(
      'dem',
      `dem is not a readable GeoTIFF: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  const keys = image.getGeoKeys() ?? {};
  const geographicKey = keys.GeographicTypeGeoKey as number | undefined;
  const projectedKey = keys.ProjectedCSTypeGeoKey as number | undefined;
  let project: DemGrid['project'];
  let unproject: DemGrid['unproject'];
  let geographic: boolean;
  if (projectedKey !== undefined && projectedKey !== 32767) {
    const zone = projectedKey % 100;
    const south = Math.floor(projectedKey / 100) === 327;
    if (!(Math.floor(projectedKey / 100) === 326 || south) || zone < 1 || zone > 60) {
      fail(
        'dem.ProjectedCSTypeGeoKey',
        `dem CRS EPSG:${projectedKey} is not supported; expected EPSG:4326 or a WGS 84 UTM zone (EPSG:326xx/327xx)`,
      );
    }
    const conv = proj4(
      'WGS84',
      `+proj=utm +zone=${zone}${south ? ' +south' : ''} +datum=WGS84 +units=m +no_defs`,
    );
    project = (p) => {
      const q = conv.forward([p[0] ?? Number.NaN, p[1] ?? Number.NaN]);
      return [q[0] ?? Number.NaN, q[1] ?? Number.NaN];
    };
    unproject = (p) => {
      const q = conv.inverse([p[0] ?? Number.NaN, p[1] ?? Number.NaN]);
      return [q[0] ?? Number.NaN, q[1] ?? Number.NaN];
    };
    geographic = false;
  } else if (geographicKey === undefined || geographicKey === 4326) {
    project = (p) => [p[0] ?? Number.NaN, p[1] ?? Number.NaN];
    unproject = project;
    geographic = true;
  } else {
    return fail(
      'dem.GeographicTypeGeoKey',
      `dem CRS EPSG:${geographicKey} is not supported; expected EPSG:4326 or a WGS 84 UTM zone`,
    );
  }
  let origin: number[];
  let resolution: number[];
  try {
    origin = image.getOrigin();
    resolution = image.getResolution();
  } catch (err) {
    return fail(
      'dem.ModelTiepoint',
      'dem has no georeferencing (ModelTiepoint / ModelPixelScale)',
      err,
    );
  }
  const rasters = await image.readRasters({ samples: [0] });
  const band = Array.isArray(rasters) ? rasters[0] : rasters;
  if (!band || typeof band === 'number') fail('dem', 'dem has no raster band');
  const resX = Math.abs(resolution[0] ?? 0);
  const resY = Math.abs(resolution[1] ?? 0);
  if (!(resX > 0) || !(resY > 0))
    fail('dem.ModelPixelScale', `dem cell size must be > 0, got ${resolution.join(', ')}`);
  return demFromGrid({
    width: image.getWidth(),
    height: image.getHeight(),
    values: band as ArrayLike<number>,
    originX: origin[0] ?? 0,
    originY: origin[1] ?? 0,
    resX,
    resY,
    noData: image.getGDALNoData(),
    project,
    unproject,
    geographic,
  });
}
