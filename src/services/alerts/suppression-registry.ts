/**
 * Known heat sources and permitted activities that must not raise alerts: kilns, chimneys,
 * transformers, solar fields (all year) and permitted burns (inside their time window).
 */
import type { AlertType } from './alert-model';
import { geometryDistanceM, type Geometry } from './geometry';
import type { Observation } from './observation';

export const SUPPRESSION_KINDS = [
  'kiln',
  'chimney',
  'transformer',
  'solar_field',
  'permitted_burn',
  'other',
] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

export interface Suppression {
  id: string;
  kind: SuppressionKind;
  geometry: Geometry;
  /** Extra margin around the geometry. */
  radiusM: number;
  alertTypes: readonly AlertType[];
  /** Inclusive window; open ends are unbounded. Permitted burns always have both. */
  validFromMs?: number | undefined;
  validUntilMs?: number | undefined;
  note?: string | undefined;
}

export interface SuppressionMatch {
  suppression: Suppression;
  distanceM: number;
}

/**
 * The first suppression that covers the observation's place (within its radius plus the
 * observation's own uncertainty), type and time, or `undefined`.
 *
 * @example
 * findSuppression(obs, [{ id: 's1', kind: 'chimney', geometry: { type: 'Point', coordinates: [119.9, 30.4] }, radiusM: 30, alertTypes: ['fire'] }]);
 */
export function findSuppression(
  observation: Observation,
  suppressions: readonly Suppression[],
): SuppressionMatch | undefined {
  let best: SuppressionMatch | undefined;
  for (const s of suppressions) {
    if (!s.alertTypes.includes(observation.alertType)) continue;
    if (s.validFromMs !== undefined && observation.observedAtMs < s.validFromMs) continue;
    if (s.validUntilMs !== undefined && observation.observedAtMs > s.validUntilMs) continue;
    const distanceM = geometryDistanceM(
      { type: 'Point', coordinates: observation.location },
      s.geometry,
    );
    if (distanceM <= s.radiusM + observation.radiusM && (!best || distanceM < best.distanceM)) {
      best = { suppression: s, distanceM };
    }
  }
  return best;
}
