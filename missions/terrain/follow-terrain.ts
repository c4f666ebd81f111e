import { frameForCoordinates, MissionInputError, type LocalFrame } from '../frame/index';
import type { LonLat, WorkPath, XY } from '../types/index';
import type { Dem } from './read-dem-geotiff';

/** Options of {@link followTerrain}. Heights in metres. */
export interface TerrainOptions {
  /** Allowed deviation from the target height above ground along every leg. Default 5 m. */
  toleranceM?: number;
  /** Regulatory ceiling above ground. Default 120 m. */
  ceilingAglM?: number;
  /** Spacing of ground samples along legs. Default: the DEM cell size, at least 2 m. */
  sampleStepM?: number;
  /** The dock (home): with a DEM, altitudes are also given relative to its ground. */
  homeLonLat?: LonLat;
}

/** One waypoint with its heights. */
export interface TerrainWaypoint {
  position: LonLat;
  /** Ground elevation above sea level, or null without a DEM. */
  groundAmslM: number | null;
  /** Flight altitude above sea level, or null without a DEM. */
  altitudeAmslM: number | null;
  /** Flight altitude relative to the dock's ground (without a DEM: the target height itself). */
  altitudeRelHomeM: number;
}

/** One work path with its altitude profile. */
export interface TerrainPath {
  kind: WorkPath['kind'];
  waypoints: TerrainWaypoint[];
  altitudeAglM: number;
  triggerDistanceM: number | null;
}

/** The result of {@link followTerrain}. */
export interface TerrainProfile {
  /**
   * `terrain`: altitudes follow the DEM (AMSL, and relative to the dock when `homeLonLat` is given);
   * `dock`: no DEM was given, altitudes are relative to the dock's ground and do not follow terrain.
   */
  altitudeReference: 'terrain' | 'dock';
  paths: TerrainPath[];
  /** Dock ground elevation AMSL, when known. */
  homeGroundAmslM: number | null;
  stats: {
    insertedWaypoints: number;
    /** Worst |height above ground − target| found along any leg after insertion, metres. */
    maxDeviationM: number;
    /** Highest height above ground anywhere along the legs, metres. */
    maxAglM: number;
    /** Positions where the DEM had no value (the target height was kept there). */
    samplesOffDem: number;
  };
}

function check(value: number, path: string, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new MissionInputError(
      'DEM_INVALID',
      path,
      `${path} must be a number ≥ ${min} m, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Gives every work path an altitude profile that keeps each leg within `toleranceM` of its target
 * height above the terrain: ground is sampled along each leg and, where the straight leg strays
 * (the ground rises or falls under it), a waypoint is inserted at the worst point at target
 * height, recursively (Douglas–Peucker on the height error). Heights above the ceiling are
 * never planned: the upper tolerance shrinks to `ceiling − target`. Without a DEM the paths keep
 * their vertices and `altitudeReference` is `'dock'`.
 *
 * @throws MissionInputError `DEM_INVALID` when a target height exceeds the ceiling or an option is bad
 * @example
 * const profile = followTerrain(plan.workPaths, await readDemGeoTiff(buf), { toleranceM: 5 });
 */
export function followTerrain(
  workPaths: readonly WorkPath[],
  dem: Dem | null,
  options: TerrainOptions = {},
): TerrainProfile {
  const toleranceM = check(options.toleranceM ?? 5, 'options.toleranceM', 0.1);
  const ceilingAglM = check(options.ceilingAglM ?? 120, 'options.ceilingAglM', 1);
  for (const [i, w] of workPaths.entries()) {
    if (!(w.altitudeAglM > 0) || w.altitudeAglM > ceilingAglM) {
      throw new MissionInputError(
        'DEM_INVALID',
        `workPaths[${i}].altitudeAglM`,
        `workPaths[${i}].altitudeAglM must be in (0, ${ceilingAglM}] m (the ceiling), got ${w.altitudeAglM}`,
      );
    }
  }
  if (!dem) {
    return {
      altitudeReference: 'dock',
      homeGroundAmslM: null,
      paths: workPaths.map((w) => ({
        kind: w.kind,
        altitudeAglM: w.altitudeAglM,
        triggerDistanceM: w.triggerDistanceM,
        waypoints: w.coordinates.map((c) => ({
          position: [c[0], c[1]],
          groundAmslM: null,
          altitudeAmslM: null,
          altitudeRelHomeM: w.altitudeAglM,
        })),
      })),
      stats: {
        insertedWaypoints: 0,
        maxDeviationM: 0,
        maxAglM: Math.max(0, ...workPaths.map((w) => w.altitudeAglM)),
        samplesOffDem: 0,
      },
    };
  }
  const stepM = Math.max(2, options.sampleStepM ?? dem.cellSizeM);
  const all = workPaths.flatMap((w) => w.coordinates);
  const frame: LocalFrame = frameForCoordinates(
    all.length > 0 ? all : [options.homeLonLat ?? [0, 0]],
  );
  let samplesOffDem = 0;
  const ground = (p: readonly number[]): number => {
    const g = dem.elevationAt(p);
    if (g === null) {
      samplesOffDem++;
      return Number.NaN;
    }
    return g;
  };
  const homeGroundAmslM = options.homeLonLat ? dem.elevationAt(options.homeLonLat) : null;
  let inserted = 0;
  let maxDeviationM = 0;
  let maxAglM = 0;
  const paths: TerrainPath[] = workPaths.map((w) => {
    const target = w.altitudeAglM;
    const upM = Math.min(toleranceM, ceilingAglM - target);
    const downM = toleranceM;
    const pts = w.coordinates.map((c) => frame.toLocal(c));
    // Altitude of a vertex: ground + target; off the DEM, carry the last known ground.
    let lastGround = 0;
    const vertexAlt = (p: XY): { alt: number; ground: number } => {
      const g = ground(frame.toLonLat(p));
      if (Number.isFinite(g)) lastGround = g;
      const gg = Number.isFinite(g) ? g : lastGround;
      return { alt: gg + target, ground: gg };
    };
    const out: { p: XY; alt: number; ground: number }[] = [];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const v = vertexAlt(p);
      if (i === 0) {
        out.push({ p, ...v });
        continue;
      }
      const a = out[out.length - 1]!;
      const leg = refineLeg(a, { p, ...v });
      out.push(...leg);
    }
    return {
      kind: w.kind,
      altitudeAglM: target,
      triggerDistanceM: w.triggerDistanceM,
      waypoints: out.map((q) => ({
        position: frame.toLonLat(q.p),
        groundAmslM: q.ground,
        altitudeAmslM: q.alt,
        altitudeRelHomeM: q.alt - (homeGroundAmslM ?? 0),
      })),
    };

    /** Waypoints after `a` up to and including `b` that keep a→b within tolerance. */
    function refineLeg(
      a: { p: XY; alt: number; ground: number },
      b: { p: XY; alt: number; ground: number },
      depth = 0,
    ): { p: XY; alt: number; ground: number }[] {
      const len = Math.hypot(b.p[0] - a.p[0], b.p[1] - a.p[1]);
      const n = Math.max(1, Math.ceil(len / stepM));
      let worst = 0;
      let worstK = -1;
      let worstGround = 0;
      for (let k = 1; k < n; k++) {
        const t = k / n;
        const q: XY = [a.p[0] + (b.p[0] - a.p[0]) * t, a.p[1] + (b.p[1] - a.p[1]) * t];
        const g = ground(frame.toLonLat(q));
        if (!Number.isFinite(g)) continue;
        const agl = a.alt + (b.alt - a.alt) * t - g;
        const dev = agl - target;
        const excess = dev > upM ? dev - upM : dev < -downM ? -downM - dev : 0;
        if (excess > worst) {
          worst = excess;
          worstK = k;
          worstGround = g;
        }
      }
      if (worstK < 0 || depth > 40) {
        for (let k = 1; k < n; k++) {
          const t = k / n;
          const q: XY = [a.p[0] + (b.p[0] - a.p[0]) * t, a.p[1] + (b.p[1] - a.p[1]) * t];
          const g = dem!.elevationAt(frame.toLonLat(q));
          if (g === null) continue;
          const agl = a.alt + (b.alt - a.alt) * t - g;
          maxDeviationM = Math.max(maxDeviationM, Math.abs(agl - target));
          maxAglM = Math.max(maxAglM, agl);
        }
        maxAglM = Math.max(maxAglM, b.alt - b.ground);
        return [b];
      }
      inserted++;
      const t = worstK / n;
      const mid = {
        p: [a.p[0] + (b.p[0] - a.p[0]) * t, a.p[1] + (b.p[1] - a.p[1]) * t] as XY,
        alt: worstGround + target,
        ground: worstGround,
      };
      return [...refineLeg(a, mid, depth + 1), ...refineLeg(mid, b, depth + 1)];
    }
  });
  return {
    altitudeReference: 'terrain',
    homeGroundAmslM,
    paths,
    stats: { insertedWaypoints: inserted, maxDeviationM, maxAglM, samplesOffDem },
  };
}
