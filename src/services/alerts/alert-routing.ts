/**
 * Which agencies get an alert: those whose jurisdiction (areas, alert types, minimum severity,
 * buffer) matches it. Presets encode the Yuhang arrangement: forestry takes fire and logging in
 * its forests, water takes flood and pollution, emergency management takes high severity of any
 * type (and every escalation), the utility takes everything near its lines.
 */
import { ALERT_TYPES, compareSeverity, type AlertType, type Severity } from './alert-model';
import { geometryDistanceM, type Geometry } from './geometry';

export const AGENCY_KINDS = ['forestry', 'water', 'emergency', 'utility', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export interface Jurisdiction {
  agencyId: string;
  agencyKind: AgencyKind;
  /** Where the agency is responsible; empty = everywhere. */
  areas: readonly Geometry[];
  alertTypes: readonly AlertType[];
  minSeverity: Severity;
  /** An alert within this distance of an area counts (e.g. 500 m either side of a line). */
  bufferM: number;
}

export interface RoutingDecision {
  agencyId: string;
  reason: string;
}

/**
 * The preset jurisdiction of an agency kind over its areas.
 *
 * @example
 * presetJurisdiction('a-forestry', 'forestry', [forestPolygon]);
 * // { alertTypes: ['fire', 'illegal_logging'], minSeverity: 'low', bufferM: 0, … }
 */
export function presetJurisdiction(
  agencyId: string,
  agencyKind: AgencyKind,
  areas: readonly Geometry[],
): Jurisdiction {
  switch (agencyKind) {
    case 'forestry':
      return {
        agencyId,
        agencyKind,
        areas,
        alertTypes: ['fire', 'illegal_logging'],
        minSeverity: 'low',
        bufferM: 0,
      };
    case 'water':
      return {
        agencyId,
        agencyKind,
        areas,
        alertTypes: ['flood', 'pollution'],
        minSeverity: 'low',
        bufferM: 200,
      };
    case 'emergency':
      return {
        agencyId,
        agencyKind,
        areas,
        alertTypes: [...ALERT_TYPES],
        minSeverity: 'high',
        bufferM: 0,
      };
    case 'utility':
      return {
        agencyId,
        agencyKind,
        areas,
        alertTypes: [...ALERT_TYPES],
        minSeverity: 'low',
        bufferM: 500,
      };
    case 'other':
      return { agencyId, agencyKind, areas, alertTypes: [], minSeverity: 'low', bufferM: 0 };
  }
}

function coversPlace(j: Jurisdiction, geometry: Geometry): number | undefined {
  if (j.areas.length === 0) return 0;
  let best: number | undefined;
  for (const area of j.areas) {
    const d = geometryDistanceM(geometry, area);
    if (d <= j.bufferM && (best === undefined || d < best)) best = d;
  }
  return best;
}

/**
 * The agencies an alert goes to, each with the reason.
 *
 * @example
 * routeAlert({ alertType: 'fire', severity: 'high', geometry }, jurisdictions);
 * // [{ agencyId: 'forestry', reason: 'fire in jurisdiction' }, { agencyId: 'emergency', reason: 'high severity' }]
 */
export function routeAlert(
  alert: { alertType: AlertType; severity: Severity; geometry: Geometry },
  jurisdictions: readonly Jurisdiction[],
): RoutingDecision[] {
  const out: RoutingDecision[] = [];
  for (const j of jurisdictions) {
    if (!j.alertTypes.includes(alert.alertType)) continue;
    if (compareSeverity(alert.severity, j.minSeverity) < 0) continue;
    const d = coversPlace(j, alert.geometry);
    if (d === undefined) continue;
    const where = d > 0 ? `${Math.round(d)} m from its areas` : 'in jurisdiction';
    const why = j.minSeverity === 'low' ? '' : `, severity ${alert.severity} ≥ ${j.minSeverity}`;
    out.push({ agencyId: j.agencyId, reason: `${alert.alertType} ${where}${why}` });
  }
  return out;
}

/**
 * The emergency-management agencies an overdue alert escalates to: every `emergency`
 * jurisdiction covering the place, whatever the severity.
 *
 * @example
 * escalationTargets(alert, jurisdictions); // ['emergency-mgmt']
 */
export function escalationTargets(
  alert: { geometry: Geometry },
  jurisdictions: readonly Jurisdiction[],
): string[] {
  return jurisdictions
    .filter((j) => j.agencyKind === 'emergency' && coversPlace(j, alert.geometry) !== undefined)
    .map((j) => j.agencyId);
}
