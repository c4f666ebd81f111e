/**
 * A local east/north frame in metres around an origin, for distances of a few kilometres.
 * Uses the WGS84 ellipsoid radii at the origin's latitude (the cheap-ruler approach), so the
 * error stays below 0.1 % within ~50 km of the origin.
 */
const WGS84_A_M = 6378137;
const WGS84_F = 1 / 298.257223563;
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
const RAD = Math.PI / 180;

export type LonLat = [number, number];

export interface LocalFrame {
  readonly origin: LonLat;
  /** Metres per degree of longitude at the origin. */
  readonly mPerDegLon: number;
  /** Metres per degree of latitude at the origin. */
  readonly mPerDegLat: number;
  /** `[lon, lat]` → `[eastM, northM]` relative to the origin. */
  toLocal(lonLat: readonly [number, number]): [number, number];
  /** `[eastM, northM]` → `[lon, lat]`. */
  toLonLat(eastNorthM: readonly [number, number]): LonLat;
}

/**
 * Metres per degree of longitude and of latitude at a latitude (degrees): the scale of
 * {@link createLocalFrame}, for loops that project many points without building a frame.
 *
 * @example
 * metresPerDegree(30.4); // ≈ { mPerDegLon: 96 136, mPerDegLat: 110 867 }
 */
export function metresPerDegree(latDeg: number): { mPerDegLon: number; mPerDegLat: number } {
  const lat = latDeg * RAD;
  const w2 = 1 / (1 - WGS84_E2 * Math.sin(lat) ** 2);
  const w = Math.sqrt(w2);
  return {
    mPerDegLon: RAD * WGS84_A_M * w * Math.cos(lat),
    mPerDegLat: RAD * WGS84_A_M * w * w2 * (1 - WGS84_E2),
  };
}

/**
 * Builds a local metric frame at `origin` (`[lon, lat]`).
 *
 * @example
 * const frame = createLocalFrame([119.9, 30.4]);
 * frame.toLocal([119.901, 30.4]); // ≈ [96.2, 0] metres east/north
 */
export function createLocalFrame(origin: readonly [number, number]): LocalFrame {
  return new Frame(origin);
}

// methods on a class, not closures: a frame is built for every georeferenced pixel and every
// distance, and each closure would be allocated (and, under tsx, named) per frame
class Frame implements LocalFrame {
  readonly origin: LonLat;
  readonly mPerDegLon: number;
  readonly mPerDegLat: number;

  constructor(origin: readonly [number, number]) {
    const { mPerDegLon, mPerDegLat } = metresPerDegree(origin[1]);
    this.origin = [origin[0], origin[1]];
    this.mPerDegLon = mPerDegLon;
    this.mPerDegLat = mPerDegLat;
  }

  toLocal(p: readonly [number, number]): [number, number] {
    let dLon = p[0] - this.origin[0];
    if (dLon > 180) dLon -= 360;
    if (dLon < -180) dLon += 360;
    return [dLon * this.mPerDegLon, (p[1] - this.origin[1]) * this.mPerDegLat];
  }

  toLonLat(en: readonly [number, number]): LonLat {
    return [this.origin[0] + en[0] / this.mPerDegLon, this.origin[1] + en[1] / this.mPerDegLat];
  }
}

/**
 * Distance in metres between two `[lon, lat]` points (local-frame approximation, good to
 * 0.1 % below ~50 km).
 *
 * @example
 * distanceM([119.9, 30.4], [119.9, 30.401]); // ≈ 110.9
 */
export function distanceM(a: readonly [number, number], b: readonly [number, number]): number {
  const frame = createLocalFrame([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]);
  const pa = frame.toLocal(a);
  const pb = frame.toLocal(b);
  return Math.hypot(pa[0] - pb[0], pa[1] - pb[1]);
}
