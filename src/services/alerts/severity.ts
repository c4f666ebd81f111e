/**
 * Severity from three scores: size, intensity and what is near (villages, power lines, other
 * registered assets). Each score is 0..3 (proximity up to 4); the sum maps to a severity band.
 */
import type { AlertType, Severity } from './alert-model';
import { geometryDistanceM, type Geometry } from './geometry';
import type { ObservationMetrics } from './observation';

export const ASSET_KINDS = ['village', 'power_line', 'road', 'other'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export interface Asset {
  id: string;
  kind: AssetKind;
  name?: string | undefined;
  geometry: Geometry;
}

/** Ascending thresholds: value ≥ band[i] scores i + 1. */
export const SIZE_BANDS_M2: Record<AlertType, readonly [number, number, number]> = {
  fire: [10, 100, 1000],
  illegal_logging: [500, 5000, 20_000],
  flood: [10_000, 100_000, 1_000_000],
  pollution: [100, 1000, 10_000],
};

/** Intensity: fire ΔT above ambient (°C), logging stems, flood rise (m), pollution ΔT (°C). */
export const INTENSITY_BANDS: Record<AlertType, readonly [number, number, number]> = {
  fire: [50, 150, 300],
  illegal_logging: [10, 50, 200],
  flood: [0.5, 1, 2],
  pollution: [5, 10, 20],
};

/** Proximity: [distance for +2, distance for +1] per asset kind, metres. */
export const PROXIMITY_BANDS_M: Record<AssetKind, readonly [number, number]> = {
  village: [500, 2000],
  power_line: [100, 500],
  road: [50, 200],
  other: [100, 500],
};

/** Total score → severity: ≤1 low, ≤3 medium, ≤5 high, else critical. */
export const SEVERITY_CUTS = [1, 3, 5] as const;

export interface SeverityAssessment {
  severity: Severity;
  score: number;
  sizeScore: number;
  intensityScore: number;
  proximityScore: number;
  /** Human-readable reasons, e.g. `power_line "L-12" 80 m away`. */
  reasons: string[];
}

function band(value: number | undefined, cuts: readonly number[]): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  let s = 0;
  for (const c of cuts) if (value >= c) s++;
  return s;
}

function sizeOf(type: AlertType, m: ObservationMetrics, extentAreaM2: number): number {
  switch (type) {
    case 'fire':
      return Math.max(m.hotAreaM2 ?? 0, extentAreaM2);
    case 'illegal_logging':
      return Math.max(m.changedAreaM2 ?? 0, extentAreaM2);
    case 'flood':
      return Math.max(m.floodedAreaM2 ?? 0, extentAreaM2);
    case 'pollution':
      return Math.max(m.plumeAreaM2 ?? 0, extentAreaM2);
  }
}

function intensityOf(type: AlertType, m: ObservationMetrics): number {
  switch (type) {
    case 'fire':
      // a satellite-only fire has no ambient: use its radiative power on the same 0..3 scale
      return Math.max(
        band(m.deltaAboveAmbientC, INTENSITY_BANDS.fire),
        band(m.frpMw, [10, 50, 200]),
      );
    case 'illegal_logging':
      return band(m.estimatedStems, INTENSITY_BANDS.illegal_logging);
    case 'flood':
      return band(m.waterRiseM, INTENSITY_BANDS.flood);
    case 'pollution':
      return band(m.temperatureDifferenceC, INTENSITY_BANDS.pollution);
  }
}

/**
 * Scores an alert's severity from its metrics, its extent and the nearby assets.
 *
 * @example
 * assessSeverity('fire', { deltaAboveAmbientC: 200, hotAreaM2: 150 }, geometry, 0, assets).severity; // 'high' near a village
 */
export function assessSeverity(
  type: AlertType,
  metrics: ObservationMetrics,
  geometry: Geometry,
  extentAreaM2: number,
  assets: readonly Asset[],
): SeverityAssessment {
  const reasons: string[] = [];
  const size = sizeOf(type, metrics, extentAreaM2);
  const sizeScore = band(size, SIZE_BANDS_M2[type]);
  if (sizeScore > 0) reasons.push(`size ${Math.round(size)} m² (+${sizeScore})`);
  const intensityScore = intensityOf(type, metrics);
  if (intensityScore > 0) reasons.push(`intensity (+${intensityScore})`);
  let proximityScore = 0;
  // two different kinds of asset close by (a village and a line) add one more
  const nearKinds = new Set<AssetKind>();
  for (const asset of assets) {
    const [near, far] = PROXIMITY_BANDS_M[asset.kind];
    const d = geometryDistanceM(geometry, asset.geometry);
    const s = d <= near ? 2 : d <= far ? 1 : 0;
    if (s > 0)
      reasons.push(`${asset.kind} "${asset.name ?? asset.id}" ${Math.round(d)} m away (+${s})`);
    if (d <= near) nearKinds.add(asset.kind);
    proximityScore = Math.max(proximityScore, s);
  }
  if (nearKinds.size >= 2) proximityScore += 1;
  const score = sizeScore + intensityScore + proximityScore;
  const severity: Severity =
    score <= SEVERITY_CUTS[0]
      ? 'low'
      : score <= SEVERITY_CUTS[1]
        ? 'medium'
        : score <= SEVERITY_CUTS[2]
          ? 'high'
          : 'critical';
  return { severity, score, sizeScore, intensityScore, proximityScore, reasons };
}
