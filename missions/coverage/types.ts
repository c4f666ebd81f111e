import type { MultiPolygon, Polygon } from 'geojson';
import type { LocalFrame } from '../frame/index';
import type { Sensor, SensorCoverage } from '../sensor/index';
import type { LonLat, WorkPath } from '../types/index';

/** Options of {@link planCoverage}. Every length is in metres, every angle in degrees. */
export interface CoverageOptions {
  /** The payload. Default `DEFAULT_MAPPING_CAMERA`. */
  sensor?: Sensor;
  /** Height above ground. Default 100 m. */
  altitudeAglM?: number;
  /** Default 70 %. */
  sideOverlapPct?: number;
  /** Default 80 %. */
  frontOverlapPct?: number;
  /** Overrides the lane spacing derived from the sensor and side overlap. */
  laneSpacingM?: number;
  /** Straight overshoot flown beyond each lane end before turning. Default 10 m. */
  turnaroundM?: number;
  /** Length-equivalent cost of one 90° turn in the sweep objective. Default 40 m (v²/a at 10 m/s, 2.5 m/s²). */
  turnCostM?: number;
  /** Grow the area by this much before planning. Default 0. */
  marginM?: number;
  /**
   * Fly straight across gaps of up to this length on a lane (bays, clearings) instead of splitting
   * the lane into cells, the camera off over the gap. Default 0 (the planner still tries a few
   * widths as candidates and keeps them when the routed plan is cheaper).
   */
  bridgeGapM?: number;
  /** No-fly zones: never covered, never entered by lanes or transits. */
  noFlyZones?: readonly (Polygon | MultiPolygon)[];
  /** Distance lanes and transits keep from no-fly zones. Default 10 m. */
  noFlyMarginM?: number;
  /** Where the drone comes from (its dock): the first cell is the nearest to it. */
  startLonLat?: LonLat;
  /**
   * Fly every cell in this one course (degrees clockwise from north, lanes are undirected) instead of
   * searching the best direction per cell: the single-direction baseline.
   */
  sweepCourseDeg?: number;
  /**
   * `'decomposition'` (default): boustrophedon cells, each in its own best direction, ordered to
   * minimise transit. `'scanline'`: the standard single-direction planner, kept as the baseline —
   * one sweep direction for the whole input (`sweepCourseDeg`, or the best of the angle search by
   * its own objective), lanes clipped by holes and no-fly zones, each part flown line after line
   * in order, the gaps on a line (holes, bays) crossed straight or around no-fly zones.
   */
  method?: 'decomposition' | 'scanline';
  /**
   * Compare whole-part candidates (several directions, bridged gaps, merged cells, cells
   * re-planned in their own directions, the scanline). Default true; false decomposes each part
   * at its one best direction.
   */
  perCellDirections?: boolean;
  /** Return the camera footprints (they can be many). Default true. */
  footprints?: boolean;
  /** The local metric frame. Default: transverse Mercator centred on the area's bounding box. */
  frame?: LocalFrame;
}

/** The ground rectangle one photo covers (for a lidar: one strip per lane). */
export interface CameraFootprint {
  center: LonLat;
  /** Course of the lane, degrees clockwise from north. */
  courseDeg: number;
  acrossM: number;
  alongM: number;
  /** The four corners `[lon, lat]`, counter-clockwise, not closed. */
  corners: LonLat[];
}

/**
 * One cell as flown: a run of parallel lanes in one direction (a cap along a cell's straight end
 * is a cell of one lane, across the lanes it caps).
 */
export interface CoverageCell {
  /** Position of the cell in flight order (0 = first). */
  order: number;
  /** Index of the connected part of the area the cell lies in. */
  part: number;
  /** Lane course, degrees clockwise from north, in [0, 180). */
  sweepCourseDeg: number;
  /** Lanes of the cell (a lane's bends are not counted apart; they are in its length). */
  laneCount: number;
  laneLengthM: number;
  /**
   * The region the cell's lanes cover, as strips one lane spacing wide (read with the even-odd
   * rule), or null when the cell was not re-planned on its own.
   */
  region: MultiPolygon | null;
}

/** Plan statistics, metres unless named otherwise. */
export interface CoverageStats {
  /** Area to cover (area plus margin, minus no-fly zones), m². */
  areaM2: number;
  laneSpacingM: number;
  /** Nominal camera trigger distance, or null for a lidar. */
  triggerDistanceM: number | null;
  /** Lane work paths: the lanes and the bends flown on from their ends (see `workPaths`). */
  laneCount: number;
  laneLengthM: number;
  transitLengthM: number;
  /** Length of every work path in order, transits between cells included. */
  lengthM: number;
  /** The objective the planner minimises: `lengthM + turnCostM × turns`. */
  flightCostM: number;
  /** Σ over parts of A/w + W_min − w: the length a boustrophedon needs on a convex part. */
  lowerBoundM: number;
  /**
   * Turns in 90° units: the accumulated course change along the whole path / 90°, rounded
   * (a lane reversal counts 2).
   */
  turns: number;
  cells: number;
  photoCount: number;
  /** Evaluations of the sweep objective spent on direction searches. */
  angleEvaluations: number;
}

/** The result of {@link planCoverage}. */
export interface CoveragePlan {
  /**
   * Work in flight order; sorties may be cut only between work paths. Lanes are straight; where a
   * lane's photos would miss the corner beyond a slanted edge, a bend flown on from its end along
   * the edge follows (or precedes) it as a `lane` work path of its own (a polyline over the area,
   * with its own trigger distance); short extra passes are one-lane cells.
   */
  workPaths: WorkPath[];
  cells: CoverageCell[];
  footprints: CameraFootprint[];
  sensor: SensorCoverage;
  stats: CoverageStats;
  /** Centre of the local frame the plan was computed in. */
  frameCenter: LonLat;
}
