import { writeArrayBuffer } from 'geotiff';
import proj4 from 'proj4';

/** A hill: 40 m plain rising to 380 m at the centre (the farm's 40–380 m range), Gaussian, σ in metres. */
export function hillElevationM(
  lon: number,
  lat: number,
  centre: [number, number],
  sigmaM: number,
): number {
  const dx = (lon - centre[0]) * 111_195 * Math.cos((centre[1] * Math.PI) / 180);
  const dy = (lat - centre[1]) * 111_195;
  return 40 + 340 * Math.exp(-(dx * dx + dy * dy) / (2 * sigmaM * sigmaM));
}

/**
 * Writes an EPSG:4326 Float32 GeoTIFF of the hill with geotiff's own writer: `size` × `size`
 * cells of `cellDeg`, top-left corner at `[west, north]`.
 */
export function syntheticDemGeoTiff(
  west: number,
  north: number,
  cellDeg: number,
  size: number,
  centre: [number, number],
  sigmaM: number,
): ArrayBuffer {
  const values = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const lon = west + (col + 0.5) * cellDeg;
      const lat = north - (row + 0.5) * cellDeg;
      values[row * size + col] = hillElevationM(lon, lat, centre, sigmaM);
    }
  }
  return writeArrayBuffer(values, {
    width: size,
    height: size,
    ModelPixelScale: [cellDeg, cellDeg, 0],
    ModelTiepoint: [0, 0, 0, west, north, 0],
    GeographicTypeGeoKey: 4326,
    GTModelTypeGeoKey: 2,
    GTRasterTypeGeoKey: 1,
    BitsPerSample: [32],
    SampleFormat: [3],
  });
}

/**
 * The same hill as a UTM zone 51N (EPSG:32651) Float32 GeoTIFF: `size` × `size` cells of `cellM`
 * metres, top-left corner at easting / northing `[west, north]`.
 */
export function syntheticUtmDemGeoTiff(
  west: number,
  north: number,
  cellM: number,
  size: number,
  centre: [number, number],
  sigmaM: number,
): ArrayBuffer {
  const utm = proj4('WGS84', '+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs');
  const values = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const [lon, lat] = utm.inverse([west + (col + 0.5) * cellM, north - (row + 0.5) * cellM]);
      values[row * size + col] = hillElevationM(lon ?? 0, lat ?? 0, centre, sigmaM);
    }
  }
  return writeArrayBuffer(values, {
    width: size,
    height: size,
    ModelPixelScale: [cellM, cellM, 0],
    ModelTiepoint: [0, 0, 0, west, north, 0],
    ProjectedCSTypeGeoKey: 32651,
    GTModelTypeGeoKey: 1,
    GTRasterTypeGeoKey: 1,
    BitsPerSample: [32],
    SampleFormat: [3],
  });
}
