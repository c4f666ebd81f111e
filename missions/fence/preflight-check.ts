import type { LocalFrame } from '../frame/index';
import {
  plannedSpeedMps,
  stoppingDistanceM,
  turnAngleRad,
  turnTimeS,
  usableTimeS,
} from '../sortie/index';
import { MAV_CMD, type DroneProfile, type LonLat, type MissionItem, type XY } from '../types/index';
import type { FenceZone } from './fence-items';
import {
  bandMeets,
  describeNoFlyRules,
  hasNoFlyLimits,
  zoneActiveDuring,
  type FlightWindow,
} from './no-fly-rules';
import { pointSegmentDistanceM, segmentPolygonDistanceM, type RingXY } from './planar';

/** One mission as flown from its dock. */
export interface PreflightSortie {
  /** Dock position `[lon, lat]`: take-off point and RTL target. */
  home: LonLat;
  mission: readonly MissionItem[];
  /** Ground elevation of the dock AMSL, metres, when `groundAmslM` is given (default 0). */
  homeAmslM?: number;
}

/** Options of {@link preflightCheck}. */
export interface PreflightOptions {
  drone: DroneProfile;
  frame: LocalFrame;
  noFlyZones?: readonly FenceZone[];
  /** Regulatory ceiling above ground / home, metres. Default 120. */
  ceilingM?: number;
  /** Least distance to a no-fly zone, metres; raised to the stopping distance v²/2a. Default 0. */
  safetyMarginM?: number;
  /**
   * Ground elevation AMSL at a position (a DEM), or null where unknown. With it the ceiling is
   * checked above the ground below each item (altitudes relative to the dock's `homeAmslM`);
   * without it, above the dock.
   */
  groundAmslM?: (position: LonLat) => number | null;
  /**
   * When the sorties fly. Zones whose active windows (`rules.windows`) all miss it are not
   * checked; without it every zone counts as active (the safe reading).
   */
  flightWindow?: FlightWindow | null;
  /** Height added above and below a zone's altitude band (barometric error), metres. Default 10. */
  verticalMarginM?: number;
}

export type PreflightCode =
  'NO_FLY_ENTERED' | 'NO_FLY_TOO_CLOSE' | 'CEILING_EXCEEDED' | 'ENDURANCE_EXCEEDED';

/** One reason to refuse a plan, naming the item. */
export interface PreflightViolation {
  code: PreflightCode;
  /** 0-based sortie index. */
  sortie: number;
  /** Index of the offending mission item (for a leg: the item the leg flies to); null for the whole sortie. */
  itemIndex: number | null;
  position: LonLat | null;
  zone: string | null;
  message: string;
}

export type PreflightResult =
  | { ok: true; marginM: number; sortieTimesS: number[] }
  | {
      ok: false;
      marginM: number;
      sortieTimesS: number[];
      violations: PreflightViolation[];
      message: string;
    };

const NAV_WITH_POSITION = new Set<number>([
  MAV_CMD.NAV_WAYPOINT,
  MAV_CMD.NAV_LOITER_TIME,
  MAV_CMD.NAV_LAND,
  MAV_CMD.NAV_TAKEOFF,
]);

interface Vertex {
  xy: XY;
  lonLat: LonLat;
  altM: number;
  holdS: number;
  itemIndex: number | null;
}

/**
 * The pre-flight check: rejects a plan where a waypoint or a leg enters a no-fly zone or passes
 * closer than the safety margin (at least the stopping distance v²/2a), an altitude exceeds the
 * ceiling, or a sortie's flight time (re-estimated from its items alone) exceeds the endurance
 * after reserve. Every violation names the sortie, the item index, its coordinates and the zone.
 *
 * @example
 * const check = preflightCheck(sorties, { drone, frame, noFlyZones, ceilingM: 120 });
 * if (!check.ok) throw new Error(check.message);
 */
export function preflightCheck(
  sorties: readonly PreflightSortie[],
  options: PreflightOptions,
): PreflightResult {
  const { drone, frame } = options;
  const ceilingM = options.ceilingM ?? 120;
  const marginM = Math.max(options.safetyMarginM ?? 0, stoppingDistanceM(drone));
  const flightWindow = options.flightWindow ?? null;
  const verticalMarginM = options.verticalMarginM ?? 10;
  const zones = (options.noFlyZones ?? [])
    .filter((z) => zoneActiveDuring(z.rules, flightWindow))
    .map((z) => ({
      zone: z,
      polygon:
        z.kind === 'polygon' ? z.rings.map((r): RingXY => r.map((p) => frame.toLocal(p))) : null,
      center: z.kind === 'circle' ? frame.toLocal(z.center) : null,
      radiusM: z.kind === 'circle' ? z.radiusM : 0,
    }));
  const violations: PreflightViolation[] = [];
  const sortieTimesS: number[] = [];
  const usableS = usableTimeS(drone);
  const fmt = (p: LonLat): string => `${p[0].toFixed(6)}, ${p[1].toFixed(6)}`;

  sorties.forEach((sortie, s) => {
    const path: Vertex[] = [
      { xy: frame.toLocal(sortie.home), lonLat: sortie.home, altM: 0, holdS: 0, itemIndex: null },
    ];
    let returnsHome = false;
    sortie.mission.forEach((item, i) => {
      if (item.command === MAV_CMD.NAV_RETURN_TO_LAUNCH) returnsHome = true;
      const aglM =
        item.position && options.groundAmslM
          ? item.altM +
            (sortie.homeAmslM ?? 0) -
            (options.groundAmslM(item.position) ?? sortie.homeAmslM ?? 0)
          : item.altM;
      if (aglM > ceilingM + 1e-6 && item.position) {
        violations.push({
          code: 'CEILING_EXCEEDED',
          sortie: s,
          itemIndex: i,
          position: item.position,
          zone: null,
          message: `sortie ${s + 1} item ${i} at ${fmt(item.position)}: ${aglM.toFixed(1)} m above ${options.groundAmslM ? 'the ground' : 'the dock'} exceeds the ${ceilingM} m ceiling`,
        });
      }
      if (!NAV_WITH_POSITION.has(item.command) || !item.position) return;
      path.push({
        xy: frame.toLocal(item.position),
        lonLat: item.position,
        altM: item.altM,
        holdS:
          item.command === MAV_CMD.NAV_WAYPOINT || item.command === MAV_CMD.NAV_LOITER_TIME
            ? item.param1
            : 0,
        itemIndex: i,
      });
    });
    if (returnsHome) path.push({ ...path[0]!, altM: path[path.length - 1]!.altM });

    for (let k = 0; k < path.length; k++) {
      const v = path[k]!;
      const prev = k > 0 ? path[k - 1]! : v;
      for (const z of zones) {
        if (z.zone.rules && hasNoFlyLimits(z.zone.rules)) {
          // The leg's heights in the band's reference; unknown references count as inside.
          const [low, high] = legHeightsM(prev, v, z.zone.rules.reference, sortie, options);
          if (!bandMeets(z.zone.rules, low, high, verticalMarginM)) continue;
        }
        const d = z.polygon
          ? segmentPolygonDistanceM(prev.xy, v.xy, z.polygon)
          : Math.max(0, pointSegmentDistanceM(z.center!, prev.xy, v.xy) - z.radiusM);
        if (d >= marginM) continue;
        const what =
          v.itemIndex === null
            ? k === 0
              ? 'dock (take-off point)'
              : 'return leg to the dock (RTL)'
            : k === 0 || prev === v
              ? `item ${v.itemIndex}`
              : `leg to item ${v.itemIndex}`;
        const enters = d === 0;
        const band = hasNoFlyLimits(z.zone.rules)
          ? ` (closed ${describeNoFlyRules(z.zone.rules)}; the leg flies ${legHeightsM(
              prev,
              v,
              z.zone.rules!.reference,
              sortie,
              options,
            )
              .map((h) => h.toFixed(0))
              .join('–')} m ${z.zone.rules!.reference.toUpperCase()})`
          : '';
        violations.push({
          code: enters ? 'NO_FLY_ENTERED' : 'NO_FLY_TOO_CLOSE',
          sortie: s,
          itemIndex: v.itemIndex,
          position: v.lonLat,
          zone: z.zone.name,
          message: enters
            ? `sortie ${s + 1} ${what} at ${fmt(v.lonLat)} enters no-fly zone '${z.zone.name}'${band}`
            : `sortie ${s + 1} ${what} at ${fmt(v.lonLat)} passes ${d.toFixed(1)} m from no-fly zone '${z.zone.name}' (safety margin ${marginM.toFixed(1)} m)${band}`,
        });
      }
    }

    const timeS = missionTimeS(path, drone);
    sortieTimesS.push(timeS);
    if (timeS > usableS + 1e-6) {
      violations.push({
        code: 'ENDURANCE_EXCEEDED',
        sortie: s,
        itemIndex: null,
        position: null,
        zone: null,
        message: `sortie ${s + 1} needs ${(timeS / 60).toFixed(1)} min, endurance after reserve is ${(usableS / 60).toFixed(1)} min`,
      });
    }
  });
  if (violations.length === 0) return { ok: true, marginM, sortieTimesS };
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more violations)` : '';
  return {
    ok: false,
    marginM,
    sortieTimesS,
    violations,
    message: `${violations[0]!.message}${more}`,
  };
}

/**
 * Lowest and highest height of the leg a → b in `reference`: above the dock's ground (or above
 * the DEM's ground at both ends) for `agl`, above sea level for `amsl`. Without the dock's
 * elevation an AMSL height is unknown: the whole range counts (the zone applies).
 */
function legHeightsM(
  a: Vertex,
  b: Vertex,
  reference: 'agl' | 'amsl',
  sortie: PreflightSortie,
  options: PreflightOptions,
): [number, number] {
  const homeAmslM = sortie.homeAmslM;
  let ha: number;
  let hb: number;
  if (reference === 'amsl') {
    if (homeAmslM === undefined) return [-Infinity, Infinity];
    ha = a.altM + homeAmslM;
    hb = b.altM + homeAmslM;
  } else if (options.groundAmslM) {
    const home = homeAmslM ?? 0;
    ha = a.altM + home - (options.groundAmslM(a.lonLat) ?? home);
    hb = b.altM + home - (options.groundAmslM(b.lonLat) ?? home);
  } else {
    ha = a.altM;
    hb = b.altM;
  }
  return [Math.min(ha, hb), Math.max(ha, hb)];
}

/** Flight time along the mission's positional items with the sortie energy model. */
function missionTimeS(path: readonly Vertex[], drone: DroneProfile): number {
  const speed = plannedSpeedMps(drone);
  let t = drone.cruiseSpeedMps / drone.accelerationMps2;
  for (let k = 1; k < path.length; k++) {
    const a = path[k - 1]!;
    const b = path[k]!;
    t += Math.hypot(b.xy[0] - a.xy[0], b.xy[1] - a.xy[1]) / speed + b.holdS;
    const dAlt = b.altM - a.altM;
    t += dAlt > 0 ? dAlt / drone.climbRateMps : -dAlt / drone.descentRateMps;
    if (k + 1 < path.length) t += turnTimeS(turnAngleRad(a.xy, b.xy, path[k + 1]!.xy), drone);
  }
  const last = path[path.length - 1]!;
  return t + last.altM / drone.descentRateMps;
}
