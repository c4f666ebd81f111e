import gcoord from 'gcoord';

/**
 * A `[lon, lat]` pair in degrees (an optional altitude in metres may follow).
 *
 * @example
 * const p: LonLat = [120.3, 30.42, 12];
 */
export type LonLat = readonly [number, number, ...number[]];

/**
 * Converts one GCJ-02 position (the datum of Chinese web maps: Amap/Gaode, Tencent, Aliyun
 * DataV exports) to WGS-84. GCJ-02 has no closed-form inverse; the `gcoord` library iterates the
 * forward transform until the residual is below 1e-6° (about 0.1 m). Positions outside China's
 * bounding box are returned unchanged, because GCJ-02 only shifts positions inside China.
 * An altitude, if present, is kept.
 *
 * @example
 * gcj02ToWgs84([120.30, 30.42]); // ≈ [120.2955, 30.4224]: about 500 m south-west
 */
export function gcj02ToWgs84(position: LonLat): [number, number, ...number[]] {
  const [lon, lat] = gcoord.transform([position[0], position[1]], gcoord.GCJ02, gcoord.WGS84);
  return position.length > 2 ? [lon, lat, ...position.slice(2)] : [lon, lat];
}

/**
 * Converts one WGS-84 position to GCJ-02 (the forward, closed-form transform). Positions outside
 * China's bounding box are returned unchanged. An altitude, if present, is kept.
 *
 * @example
 * wgs84ToGcj02([120.2955, 30.4224]); // ≈ [120.30, 30.42]
 */
export function wgs84ToGcj02(position: LonLat): [number, number, ...number[]] {
  const [lon, lat] = gcoord.transform([position[0], position[1]], gcoord.WGS84, gcoord.GCJ02);
  return position.length > 2 ? [lon, lat, ...position.slice(2)] : [lon, lat];
}
