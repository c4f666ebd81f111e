/**
 * The closed vocabularies of alerts: types, severities, confidence levels, statuses, and the
 * detection kind → alert type mapping.
 */
import type { DetectionKind } from './detection-schema';

export const ALERT_TYPES = ['fire', 'flood', 'illegal_logging', 'pollution'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Ordered from least to most severe. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The confidence ladder: one detection → low; repeated / second sensor → high; satellite-corroborated → highest. */
export const CONFIDENCES = ['low', 'high', 'highest'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const ALERT_STATUSES = [
  'new',
  'dispatched',
  'acknowledged',
  'in_progress',
  'resolved',
  'false_alarm',
  'duplicate',
] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const TERMINAL_STATUSES: readonly AlertStatus[] = ['resolved', 'false_alarm', 'duplicate'];

/** Observation kinds: the four drone detection kinds plus satellite hotspots. */
export type ObservationKind = DetectionKind | 'satellite_hotspot';

export const ALERT_TYPE_OF_KIND: Record<ObservationKind, AlertType> = {
  ir_hotspot: 'fire',
  satellite_hotspot: 'fire',
  ir_water_plume: 'pollution',
  lidar_canopy_change: 'illegal_logging',
  water_level: 'flood',
};

/**
 * Compares severities: negative when `a` is less severe than `b`.
 *
 * @example
 * compareSeverity('high', 'medium'); // 1
 */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/**
 * Compares confidence levels: negative when `a` is lower than `b`.
 *
 * @example
 * compareConfidence('highest', 'low'); // 2
 */
export function compareConfidence(a: Confidence, b: Confidence): number {
  return CONFIDENCES.indexOf(a) - CONFIDENCES.indexOf(b);
}

/** Whether no further lifecycle step (except rating) is possible. */
export function isTerminal(status: AlertStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
