import type { LonLat, MissionItem } from './mission-item';
import type { WorkPath } from './work-path';

/** One take-off-to-landing flight of a plan, ready to upload. */
export interface PlanSortie {
  /** 0-based position in the plan. */
  index: number;
  dockId: string;
  /** Dock position `[lon, lat]` (take-off, RTL and landing point). */
  home: LonLat;
  /** Dock ground altitude above mean sea level, metres. */
  homeAltAmslM: number;
  mission: MissionItem[];
  fence: MissionItem[];
  rally: MissionItem[];
  /** The flown polyline `[lon, lat]`, dock legs included. */
  route: LonLat[];
  /** Planned flight time (energy model), seconds. */
  timeS: number;
  /** Horizontal length, metres. */
  lengthM: number;
  /** Battery used in percent of a full battery. */
  batteryUsedPct: number;
  photoCount: number;
  turns: number;
  /** Names of the work units flown, e.g. `lane 3`, `point 17`. */
  work: string[];
}

/** Quality and size figures of a plan. Lengths in metres, times in seconds. */
export interface PlanStatistics {
  /** Total horizontal length of every sortie, dock legs included. */
  lengthM: number;
  /** Length of the work alone (coverage paths and the closed tour), without dock legs. */
  workLengthM: number;
  /** Sum of the coverage bound (A/w + W_min − w per part) and the tours' Held–Karp bounds. */
  lowerBoundM: number;
  flightTimeS: number;
  sorties: number;
  /** ⌈work / (range − 2 × dock distance)⌉ summed over work groups; null when not defined. */
  sortieLowerBound: number | null;
  /**
   * A sortie count no split, order or dock choice of the plan's work units (lanes, transits,
   * passes, points) can beat (bin-packing, travel and reach arguments on the units' own times,
   * summed over work groups); when above `sortieLowerBound`, that bound (defined on the same
   * work) is not attainable. Absent from plans made before it existed.
   */
  sortieProvenMinimum?: number;
  /** Why `sortieProvenMinimum` holds, per work group where it exceeds 1. */
  sortieProvenReasons?: string[];
  photoCount: number;
  /** Area to cover (areas minus no-fly zones), m². */
  coveredAreaM2: number;
  /** Share of that area inside the camera footprints (grid sampling), %; null without areas. */
  coveragePct: number | null;
  turns: number;
  /** Lane spacing of the (first) coverage area; null when the plan has no area coverage. */
  laneSpacingM: number | null;
  inspectionPoints: number;
  tourLengthM: number | null;
  tourLowerBoundM: number | null;
  /** Tour length above its Held–Karp bound, %. */
  tourGapPct: number | null;
}

/** A point of an inspection tour as placed in the plan. */
export interface PlannedPoint {
  position: LonLat;
  id: string | null;
  /** Visiting order within the tour, 0-based. */
  order: number;
  sortie: number;
}

/** A work path (lane, pass, transit) as placed in the plan. */
export interface PlannedPath extends WorkPath {
  label: string;
  sortie: number;
}

/**
 * A complete patrol plan: sorties with their mission, fence and rally items, what they cover,
 * statistics and warnings. Produced by `planPatrol`, read by every exporter.
 */
export interface Plan {
  sorties: PlanSortie[];
  paths: PlannedPath[];
  points: PlannedPoint[];
  /** Camera footprints `[lon, lat]` rings (not closed), for previews. */
  footprints: LonLat[][];
  statistics: PlanStatistics;
  warnings: string[];
  /** `dock`: altitudes are relative to the dock (no DEM); `terrain`: above the ground model. */
  altitudeReference: 'dock' | 'terrain';
}
