/**
 * Pixel → ground: intersects the camera ray of one image pixel with the ground (flat at a known
 * height, or a DEM when a sampler is given) and propagates the pose uncertainty to a horizontal
 * error estimate by a numerical Jacobian.
 *
 * Conventions: camera x right, y down, z forward (pixel `[u, v]` with `v` growing downwards);
 * heading clockwise from true north; gimbal pitch 0 = horizon, -90 = nadir; gimbal yaw relative
 * to the heading; no roll (the gimbal stabilises it).
 */
import { createLocalFrame, type LonLat } from './local-frame';
import type { Camera, DronePose } from './detection-schema';

const RAD = Math.PI / 180;

/** Default one-sigma uncertainties when the pose carries none (GNSS drone with a stabilised gimbal). */
export const DEFAULT_POSE_UNCERTAINTY = {
  horizontalM: 1.5,
  verticalM: 2,
  headingDeg: 2,
  pitchDeg: 1,
  pixelPx: 1,
  groundElevationM: 2,
} as const;

/** Ground elevation in metres AMSL at `[lon, lat]` (a DEM sampler). */
export type ElevationSampler = (lonLat: LonLat) => number;

export interface GeoreferenceOptions {
  /** Flat ground height AMSL (used when no DEM is given). */
  groundElevationM?: number;
  /** DEM sampler; takes precedence over `groundElevationM`. */
  dem?: ElevationSampler;
  /** Ray-march step along the ground for the DEM case. Default 2 m. */
  demStepM?: number;
  /** Farthest ground distance considered. Default 5000 m. */
  maxRangeM?: number;
  /** One-sigma pixel uncertainty. Default 1 px. */
  pixelSigmaPx?: number;
  /** One-sigma ground height uncertainty (flat ground). Default 2 m. */
  groundSigmaM?: number;
  /** Skip the error propagation (the sigmas come back 0). Default false. */
  skipError?: boolean;
}

export interface GroundPoint {
  lonLat: LonLat;
  groundElevationM: number;
  /** Distance from the camera to the ground point. */
  slantRangeM: number;
  /** One-sigma horizontal errors along east and north. */
  sigmaEastM: number;
  sigmaNorthM: number;
  /** Radial RMS error, sqrt(σE² + σN²). */
  errorM: number;
  /** Radius holding ~95 % of positions (2.4477 × the mean per-axis sigma). */
  error95M: number;
}

export class GeoreferenceError extends Error {
  override readonly name = 'GeoreferenceError';
}

interface PinholeIntrinsics {
  fxPx: number;
  fyPx: number;
  cxPx: number;
  cyPx: number;
}

/**
 * Focal lengths and principal point of a camera given as intrinsics or as a field of view.
 *
 * @example
 * cameraIntrinsics({ model: 'fov', widthPx: 640, heightPx: 512, horizontalFovDeg: 90 });
 * // { fxPx: 320, fyPx: 320, cxPx: 320, cyPx: 256 }
 */
export function cameraIntrinsics(camera: Camera): PinholeIntrinsics {
  if (camera.model === 'intrinsics') {
    return { fxPx: camera.fxPx, fyPx: camera.fyPx, cxPx: camera.cxPx, cyPx: camera.cyPx };
  }
  const fxPx = camera.widthPx / 2 / Math.tan((camera.horizontalFovDeg * RAD) / 2);
  const fyPx =
    camera.verticalFovDeg === undefined
      ? fxPx
      : camera.heightPx / 2 / Math.tan((camera.verticalFovDeg * RAD) / 2);
  return { fxPx, fyPx, cxPx: camera.widthPx / 2, cyPx: camera.heightPx / 2 };
}

interface RayInputs {
  eastM: number;
  northM: number;
  altitudeM: number;
  azimuthDeg: number;
  pitchDeg: number;
  uPx: number;
  vPx: number;
  groundOffsetM: number;
}

/** Unit-less ray in east/north/up for a pixel, given the look azimuth and pitch. */
function rayEnu(k: PinholeIntrinsics, inputs: RayInputs): [number, number, number] {
  const psi = inputs.azimuthDeg * RAD;
  const theta = inputs.pitchDeg * RAD;
  const x = (inputs.uPx - k.cxPx) / k.fxPx;
  const y = (inputs.vPx - k.cyPx) / k.fyPx;
  const fwd = [Math.sin(psi) * Math.cos(theta), Math.cos(psi) * Math.cos(theta), Math.sin(theta)];
  const right = [Math.cos(psi), -Math.sin(psi), 0];
  const up = [-Math.sin(psi) * Math.sin(theta), -Math.cos(psi) * Math.sin(theta), Math.cos(theta)];
  return [
    fwd[0]! + x * right[0]! - y * up[0]!,
    fwd[1]! + x * right[1]! - y * up[1]!,
    fwd[2]! + x * right[2]! - y * up[2]!,
  ];
}

function intersect(
  k: PinholeIntrinsics,
  inputs: RayInputs,
  ground: (eastM: number, northM: number) => number,
  flat: boolean,
  stepM: number,
  maxRangeM: number,
): [number, number, number] {
  const [dx, dy, dz] = rayEnu(k, inputs);
  if (flat) {
    const groundM = ground(inputs.eastM, inputs.northM) + inputs.groundOffsetM;
    const heightM = inputs.altitudeM - groundM;
    if (heightM <= 0)
      throw new GeoreferenceError(`camera is ${heightM} m above the ground; expected > 0`);
    if (dz >= 0) throw new GeoreferenceError('pixel ray points at or above the horizon');
    const t = heightM / -dz;
    if (Math.hypot(dx * t, dy * t) > maxRangeM) {
      throw new GeoreferenceError(`ground point lies beyond ${maxRangeM} m`);
    }
    return [inputs.eastM + dx * t, inputs.northM + dy * t, groundM];
  }
  // DEM: march along the ray in ground steps until it passes below the terrain, then bisect.
  const horiz = Math.hypot(dx, dy);
  const dt = horiz > 1e-9 ? stepM / horiz : stepM / Math.abs(dz);
  const above = (t: number): number =>
    inputs.altitudeM +
    dz * t -
    (ground(inputs.eastM + dx * t, inputs.northM + dy * t) + inputs.groundOffsetM);
  if (above(0) <= 0) throw new GeoreferenceError('camera is below the terrain');
  let t0 = 0;
  let t1 = dt;
  while (above(t1) > 0) {
    t0 = t1;
    t1 += dt;
    if (horiz * t1 > maxRangeM || (horiz <= 1e-9 && t1 > 20_000)) {
      throw new GeoreferenceError(`ray does not meet the terrain within ${maxRangeM} m`);
    }
  }
  for (let i = 0; i < 40; i++) {
    const mid = (t0 + t1) / 2;
    if (above(mid) > 0) t0 = mid;
    else t1 = mid;
  }
  const t = (t0 + t1) / 2;
  const e = inputs.eastM + dx * t;
  const n = inputs.northM + dy * t;
  return [e, n, ground(e, n) + inputs.groundOffsetM];
}

/**
 * Projects pixel `[u, v]` of an image taken from `pose` by `camera` onto the ground.
 * Throws {@link GeoreferenceError} when the ray misses the ground (above the horizon, camera
 * below ground, beyond `maxRangeM`) or no ground height is known.
 *
 * @example
 * // nadir camera 100 m above flat ground: the centre pixel lands under the drone
 * georeferencePixel(
 *   { positionLonLat: [119.9, 30.4], altitudeAmslM: 150, headingDeg: 0, gimbalPitchDeg: -90, gimbalYawDeg: 0 },
 *   { model: 'fov', widthPx: 640, heightPx: 512, horizontalFovDeg: 50 },
 *   [320, 256],
 *   { groundElevationM: 50 },
 * ).lonLat; // [119.9, 30.4]
 */
export function georeferencePixel(
  pose: DronePose,
  camera: Camera,
  pixel: readonly [number, number],
  options: GeoreferenceOptions = {},
): GroundPoint {
  const k = cameraIntrinsics(camera);
  const frame = createLocalFrame(pose.positionLonLat);
  const { dem } = options;
  if (dem === undefined && options.groundElevationM === undefined) {
    throw new GeoreferenceError('no ground height: give groundElevationM or a DEM sampler');
  }
  const flatM = options.groundElevationM ?? 0;
  const ground = dem ? (e: number, n: number) => dem(frame.toLonLat([e, n])) : () => flatM;
  const stepM = options.demStepM ?? 2;
  const maxRangeM = options.maxRangeM ?? 5000;
  const base: RayInputs = {
    eastM: 0,
    northM: 0,
    altitudeM: pose.altitudeAmslM,
    azimuthDeg: pose.headingDeg + pose.gimbalYawDeg,
    pitchDeg: pose.gimbalPitchDeg,
    uPx: pixel[0],
    vPx: pixel[1],
    groundOffsetM: 0,
  };
  const solve = (inputs: RayInputs) =>
    intersect(k, inputs, ground, dem === undefined, stepM, maxRangeM);
  const p = solve(base);
  if (options.skipError) {
    return {
      lonLat: frame.toLonLat([p[0], p[1]]),
      groundElevationM: p[2],
      slantRangeM: Math.hypot(p[0], p[1], pose.altitudeAmslM - p[2]),
      sigmaEastM: 0,
      sigmaNorthM: 0,
      errorM: 0,
      error95M: 0,
    };
  }

  const u = pose.uncertainty ?? {};
  const sigmas: [keyof RayInputs, number, number][] = [
    // [input, one sigma, finite-difference step]
    ['eastM', u.horizontalM ?? DEFAULT_POSE_UNCERTAINTY.horizontalM, 0.5],
    ['northM', u.horizontalM ?? DEFAULT_POSE_UNCERTAINTY.horizontalM, 0.5],
    ['altitudeM', u.verticalM ?? DEFAULT_POSE_UNCERTAINTY.verticalM, 0.5],
    ['azimuthDeg', u.headingDeg ?? DEFAULT_POSE_UNCERTAINTY.headingDeg, 0.05],
    ['pitchDeg', u.pitchDeg ?? DEFAULT_POSE_UNCERTAINTY.pitchDeg, 0.05],
    ['uPx', options.pixelSigmaPx ?? DEFAULT_POSE_UNCERTAINTY.pixelPx, 0.5],
    ['vPx', options.pixelSigmaPx ?? DEFAULT_POSE_UNCERTAINTY.pixelPx, 0.5],
    ['groundOffsetM', options.groundSigmaM ?? DEFAULT_POSE_UNCERTAINTY.groundElevationM, 0.5],
  ];
  let varE = 0;
  let varN = 0;
  for (const [key, sigma, h] of sigmas) {
    if (sigma === 0) continue;
    // central difference; near the horizon a step may miss the ground, then fall back to one side
    const plus = trySolve(solve, { ...base, [key]: base[key] + h });
    const minus = trySolve(solve, { ...base, [key]: base[key] - h });
    let dE: number;
    let dN: number;
    if (plus && minus) {
      dE = (plus[0] - minus[0]) / (2 * h);
      dN = (plus[1] - minus[1]) / (2 * h);
    } else if (plus) {
      dE = (plus[0] - p[0]) / h;
      dN = (plus[1] - p[1]) / h;
    } else if (minus) {
      dE = (p[0] - minus[0]) / h;
      dN = (p[1] - minus[1]) / h;
    } else {
      throw new GeoreferenceError(`error propagation failed for ${key}: ray misses the ground`);
    }
    varE += (dE * sigma) ** 2;
    varN += (dN * sigma) ** 2;
  }
  const sigmaEastM = Math.sqrt(varE);
  const sigmaNorthM = Math.sqrt(varN);
  const slantRangeM = Math.hypot(p[0], p[1], pose.altitudeAmslM - p[2]);
  return {
    lonLat: frame.toLonLat([p[0], p[1]]),
    groundElevationM: p[2],
    slantRangeM,
    sigmaEastM,
    sigmaNorthM,
    errorM: Math.hypot(sigmaEastM, sigmaNorthM),
    error95M: 2.4477 * Math.sqrt((varE + varN) / 2),
  };
}

function trySolve(
  solve: (inputs: RayInputs) => [number, number, number],
  inputs: RayInputs,
): [number, number, number] | undefined {
  try {
    return solve(inputs);
  } catch (err) {
    if (err instanceof GeoreferenceError) return undefined;
    throw new Error('unexpected failure while propagating the pose error', { cause: err });
  }
}

export interface HotspotFootprint {
  /** The centroid on the ground with its error estimate. */
  centroid: GroundPoint;
  /** The pixel box projected on the ground, a closed ring of `[lon, lat]`. */
  footprintRing: LonLat[];
  /** Ground area of one pixel at the centroid. */
  pixelAreaM2: number;
  /** `hotPixelCount × pixelAreaM2`. */
  hotAreaM2: number;
}

/**
 * Georeferences a hotspot: its centroid (with error), its box corners and its hot area.
 *
 * @example
 * const fp = georeferenceHotspot(pose, camera, { centroidPx: [320, 256], boxPx: [310, 246, 330, 266], hotPixelCount: 120 }, { groundElevationM: 50 });
 * fp.hotAreaM2; // m² on the ground covered by the hot pixels
 */
export function georeferenceHotspot(
  pose: DronePose,
  camera: Camera,
  hotspot: {
    centroidPx: readonly [number, number];
    boxPx: readonly [number, number, number, number];
    hotPixelCount: number;
  },
  options: GeoreferenceOptions = {},
): HotspotFootprint {
  const centroid = georeferencePixel(pose, camera, hotspot.centroidPx, options);
  // the corners and the pixel size need positions only, not their errors
  const fast = { ...options, skipError: true };
  const [u0, v0, u1, v1] = hotspot.boxPx;
  const corners: [number, number][] = [
    [u0, v0],
    [u1, v0],
    [u1, v1],
    [u0, v1],
  ];
  const ring = corners.map((c) => georeferencePixel(pose, camera, c, fast).lonLat);
  ring.push(ring[0]!);
  const frame = createLocalFrame(centroid.lonLat);
  const [cu, cv] = hotspot.centroidPx;
  const pu = frame.toLocal(georeferencePixel(pose, camera, [cu + 1, cv], fast).lonLat);
  const pv = frame.toLocal(georeferencePixel(pose, camera, [cu, cv + 1], fast).lonLat);
  const pixelAreaM2 = Math.abs(pu[0] * pv[1] - pu[1] * pv[0]);
  return {
    centroid,
    footprintRing: ring,
    pixelAreaM2,
    hotAreaM2: pixelAreaM2 * hotspot.hotPixelCount,
  };
}
