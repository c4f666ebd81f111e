/**
 * Detections → alerts. For each observation: pick the effective rule (per alert type, the most
 * specific area wins), drop it if a suppression covers it, check the thresholds, then either
 * fuse it into a nearby open alert of the same type (which grows) or open a new one. Pure: the
 * caller passes the open alerts, rules, suppressions, assets and an id factory.
 */
import {
  compareConfidence,
  compareSeverity,
  isTerminal,
  type AlertStatus,
  type AlertType,
  type Confidence,
  type Severity,
} from './alert-model';
import {
  areaM2,
  centroidOf,
  convexHullRing,
  geometryDistanceM,
  pointInGeometry,
  vertices,
  type Geometry,
  type Position,
} from './geometry';
import { distanceM } from './local-frame';
import type { Observation, ObservationMetrics } from './observation';
import { assessSeverity, type Asset, type SeverityAssessment } from './severity';
import { findSuppression, type Suppression } from './suppression-registry';

/** Every threshold any alert type uses; a rule sets the ones of its type. */
export interface Thresholds {
  /** Analysis confidence 0..1 below which a drone detection is ignored. */
  minConfidence: number;
  /** fire */
  minMaxTempC: number;
  minDeltaAboveAmbientC: number;
  minHotAreaM2: number;
  /** fire from satellite: FIRMS confidence, 0..100. */
  minSatelliteConfidencePct: number;
  /** pollution */
  minTemperatureDifferenceC: number;
  /** logging */
  minChangedAreaM2: number;
  minMeanHeightLossM: number;
  /** flood */
  minWaterRiseM: number;
}

export interface FusionSettings {
  /** Observations closer than this (plus their uncertainty) to an open alert join it. */
  fusionDistanceM: number;
  /** … if they are within this time of the alert's last observation. */
  fusionWindowMs: number;
  /** Whether satellite hotspots alone may open (low-confidence) alerts. */
  satelliteCreatesAlerts: boolean;
}

export type EffectiveRule = Thresholds & FusionSettings & { ruleIds: string[] };

export interface AlertRule {
  id: string;
  alertType: AlertType;
  /** Where the rule applies; `undefined` = everywhere (the type's default). */
  area?: Geometry | undefined;
  enabled: boolean;
  settings: Partial<Thresholds & FusionSettings>;
}

const HOUR_MS = 3_600_000;
const BASE: Thresholds = {
  minConfidence: 0.3,
  minMaxTempC: 60,
  minDeltaAboveAmbientC: 25,
  minHotAreaM2: 0.25,
  minSatelliteConfidencePct: 30,
  minTemperatureDifferenceC: 3,
  minChangedAreaM2: 100,
  minMeanHeightLossM: 5,
  minWaterRiseM: 0.5,
};

/** Built-in defaults per alert type, overridden by stored rules. */
export const DEFAULT_RULES: Record<AlertType, Thresholds & FusionSettings> = {
  fire: {
    ...BASE,
    fusionDistanceM: 150,
    fusionWindowMs: 6 * HOUR_MS,
    satelliteCreatesAlerts: true,
  },
  pollution: {
    ...BASE,
    fusionDistanceM: 300,
    fusionWindowMs: 24 * HOUR_MS,
    satelliteCreatesAlerts: false,
  },
  illegal_logging: {
    ...BASE,
    fusionDistanceM: 200,
    fusionWindowMs: 30 * 24 * HOUR_MS,
    satelliteCreatesAlerts: false,
  },
  flood: {
    ...BASE,
    fusionDistanceM: 1000,
    fusionWindowMs: 12 * HOUR_MS,
    satelliteCreatesAlerts: false,
  },
};

/**
 * The rule in force for an alert type at a place: the default, then every enabled rule of that
 * type without an area, then those whose area contains the place from the largest to the
 * smallest area (the most specific wins).
 *
 * @example
 * resolveRule('fire', [119.9, 30.4], rules).minMaxTempC; // 60 unless a rule overrides it
 */
export function resolveRule(
  type: AlertType,
  location: Position,
  rules: readonly AlertRule[],
): EffectiveRule {
  const applicable = rules
    .filter(
      (r) =>
        r.enabled &&
        r.alertType === type &&
        (r.area === undefined || pointInGeometry(location, r.area)),
    )
    .map((r) => ({ r, size: r.area === undefined ? Number.POSITIVE_INFINITY : areaM2(r.area) }))
    .sort((a, b) => b.size - a.size);
  const out: EffectiveRule = { ...DEFAULT_RULES[type], ruleIds: [] };
  for (const { r } of applicable) {
    for (const [k, v] of Object.entries(r.settings)) {
      if (v !== undefined) Object.assign(out, { [k]: v });
    }
    out.ruleIds.push(r.id);
  }
  return out;
}

/**
 * Names the thresholds an observation fails (empty when it passes).
 *
 * @example
 * thresholdFailures(obs, resolveRule('fire', obs.location, [])); // ['maxTempC 45 < 60']
 */
export function thresholdFailures(obs: Observation, rule: Thresholds): string[] {
  const m = obs.metrics;
  const out: string[] = [];
  const need = (name: keyof ObservationMetrics, min: number) => {
    const v = m[name];
    if (v === undefined || v < min) out.push(`${name} ${v ?? 'missing'} < ${min}`);
  };
  if (obs.source === 'satellite') {
    if (m.satelliteConfidencePct !== undefined)
      need('satelliteConfidencePct', rule.minSatelliteConfidencePct);
    return out;
  }
  if (obs.confidence < rule.minConfidence)
    out.push(`confidence ${obs.confidence} < ${rule.minConfidence}`);
  switch (obs.alertType) {
    case 'fire':
      need('maxTempC', rule.minMaxTempC);
      need('deltaAboveAmbientC', rule.minDeltaAboveAmbientC);
      need('hotAreaM2', rule.minHotAreaM2);
      break;
    case 'pollution':
      need('temperatureDifferenceC', rule.minTemperatureDifferenceC);
      break;
    case 'illegal_logging':
      need('changedAreaM2', rule.minChangedAreaM2);
      need('meanHeightLossM', rule.minMeanHeightLossM);
      break;
    case 'flood':
      need('waterRiseM', rule.minWaterRiseM);
      break;
  }
  return out;
}

/** The part of an alert the rules engine reads and grows. */
export interface AlertSnapshot {
  id: string;
  alertType: AlertType;
  status: AlertStatus;
  severity: Severity;
  confidence: Confidence;
  firstObservedAtMs: number;
  lastObservedAtMs: number;
  centroid: Position;
  geometry: Geometry;
  /** Uncertainty around the geometry (largest member radius). */
  radiusM: number;
  extentAreaM2: number;
  observationCount: number;
  passKeys: string[];
  sensorIds: string[];
  sources: ('drone' | 'satellite')[];
  metrics: ObservationMetrics;
  severityReasons: string[];
}

/**
 * The confidence ladder: any satellite plus any drone observation → highest; two passes or two
 * sensors of drones → high; otherwise low.
 *
 * @example
 * confidenceOf({ sources: ['drone'], passKeys: ['p1', 'p2'], sensorIds: ['ir-1'] }); // 'high'
 */
export function confidenceOf(
  a: Pick<AlertSnapshot, 'sources' | 'passKeys' | 'sensorIds'>,
): Confidence {
  const drone = a.sources.includes('drone');
  if (drone && a.sources.includes('satellite')) return 'highest';
  const dronePasses = a.passKeys.filter((k) => !k.startsWith('sat:'));
  const droneSensors = a.sensorIds.filter((k) => !k.startsWith('sat:'));
  if (drone && (dronePasses.length >= 2 || droneSensors.length >= 2)) return 'high';
  return 'low';
}

function mergeMetrics(a: ObservationMetrics, b: ObservationMetrics): ObservationMetrics {
  const out: ObservationMetrics = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof ObservationMetrics, number | undefined][]) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Math.max(prev, v);
  }
  return out;
}

function grownGeometry(a: Geometry | undefined, obs: Observation): Geometry {
  const pts = [...(a ? vertices(a) : []), ...vertices(obs.geometry)];
  if (!a) return obs.geometry;
  const hull = convexHullRing(pts);
  if (hull) return { type: 'Polygon', coordinates: [hull] };
  return {
    type: 'MultiPoint',
    coordinates: [...new Map(pts.map((p) => [`${p[0]},${p[1]}`, p])).values()],
  };
}

function tag(obs: Observation): { passKey: string; sensorId: string } {
  // satellite identities are namespaced so they never count as a second drone pass or sensor
  return obs.source === 'satellite'
    ? { passKey: `sat:${obs.passKey}`, sensorId: `sat:${obs.sensorId}` }
    : { passKey: obs.passKey, sensorId: obs.sensorId };
}

/**
 * A new alert snapshot from a first observation, or `base` grown by one more observation.
 *
 * @example
 * const alert = applyObservation(undefined, obs, 'a1', assets);
 * applyObservation(alert, secondPass, 'a1', assets).confidence; // 'high'
 */
export function applyObservation(
  base: AlertSnapshot | undefined,
  obs: Observation,
  id: string,
  assets: readonly Asset[],
): AlertSnapshot {
  const t = tag(obs);
  const geometry = grownGeometry(base?.geometry, obs);
  // a satellite pixel (km wide) must not blow the drone-measured extent up: it only adds radius
  const useGeometry = base && obs.source === 'satellite' ? base.geometry : geometry;
  const extentAreaM2 = areaM2(useGeometry);
  const metrics = base ? mergeMetrics(base.metrics, obs.metrics) : { ...obs.metrics };
  const draft = {
    sources: [...new Set([...(base?.sources ?? []), obs.source])],
    passKeys: [...new Set([...(base?.passKeys ?? []), t.passKey])],
    sensorIds: [...new Set([...(base?.sensorIds ?? []), t.sensorId])],
  };
  const assessment: SeverityAssessment = assessSeverity(
    obs.alertType,
    metrics,
    useGeometry,
    extentAreaM2,
    assets,
  );
  // severity never drops while an event grows
  const severity =
    base && compareSeverity(base.severity, assessment.severity) > 0
      ? base.severity
      : assessment.severity;
  return {
    id,
    alertType: obs.alertType,
    status: base?.status ?? 'new',
    severity,
    confidence: confidenceOf(draft),
    firstObservedAtMs: Math.min(base?.firstObservedAtMs ?? obs.observedAtMs, obs.observedAtMs),
    lastObservedAtMs: Math.max(base?.lastObservedAtMs ?? obs.observedAtMs, obs.observedAtMs),
    centroid: useGeometry.type === 'Point' ? useGeometry.coordinates : centroidOf(useGeometry),
    geometry: useGeometry,
    radiusM: Math.max(base?.radiusM ?? 0, obs.source === 'satellite' && base ? 0 : obs.radiusM),
    extentAreaM2,
    observationCount: (base?.observationCount ?? 0) + 1,
    ...draft,
    metrics,
    severityReasons: assessment.reasons,
  };
}

export type RuleOutcome =
  | { outcome: 'suppressed'; suppressionId: string; reason: string }
  | { outcome: 'below_threshold'; failures: string[]; ruleIds: string[] }
  | { outcome: 'created'; alert: AlertSnapshot; ruleIds: string[] }
  | {
      outcome: 'merged';
      alert: AlertSnapshot;
      previous: Pick<AlertSnapshot, 'confidence' | 'severity' | 'observationCount'>;
      /** Whether confidence or severity went up (an Update worth telling agencies). */
      escalated: boolean;
      ruleIds: string[];
    };

/**
 * What the fusion test reads of a candidate alert: type, status, time span, place, radius, and
 * its rank in creation order (the tie rule of {@link evaluateObservation}).
 */
export type FusionCandidate = Pick<
  AlertSnapshot,
  'id' | 'alertType' | 'status' | 'firstObservedAtMs' | 'lastObservedAtMs' | 'geometry' | 'radiusM'
> & {
  /**
   * Creation order: lower = created earlier (a store's `alerts.seq`). Of equally near
   * candidates the lowest wins, then the lowest `id` (string order).
   */
  createdSeq: number;
};

/**
 * Distances (m) this close count as equal in fusion's choice: a micrometre, far below any
 * georeferencing error (metres) and far above floating noise. The distance arithmetic itself
 * errs by ~1e-13 m, but a position stored as float64 degrees resolves only ~1.4e-9 m of
 * longitude here (one ulp of 120° × ~96 km/°), so places meant to be equally far can only be
 * equally far to within a few nanometres: a 1e-9 m tolerance would let that rounding decide.
 *
 * @example
 * FUSION_TIE_M; // 1e-6: candidates 0.4 µm apart in distance are a tie, 1 mm apart are not
 */
export const FUSION_TIE_M = 1e-6;

export interface RuleContext {
  rules: readonly AlertRule[];
  suppressions: readonly Suppression[];
  assets: readonly Asset[];
  /**
   * Open (and recently closed) alerts near the observation, in any order; terminal ones are
   * ignored. Whole snapshots (with their `createdSeq`), or only what the fusion test reads when
   * `loadAlert` gives the chosen one whole.
   */
  candidates: readonly FusionCandidate[];
  /** The whole alert of the candidate fusion chose (a store reads only that one in full). */
  loadAlert?: ((candidate: FusionCandidate) => AlertSnapshot) | undefined;
  newId: () => string;
}

/** Whether `a` was created before `b` (lower `createdSeq`, then lower `id`). */
function olderThan(a: FusionCandidate, b: FusionCandidate): boolean {
  if (a.createdSeq !== b.createdSeq) return a.createdSeq < b.createdSeq;
  return a.id < b.id;
}

function isWhole(c: FusionCandidate): c is FusionCandidate & AlertSnapshot {
  return 'passKeys' in c;
}

function wholeSnapshot(c: FusionCandidate): AlertSnapshot {
  if (isWhole(c)) return c;
  throw new TypeError(`candidate ${c.id} is not a whole alert snapshot and no loadAlert was given`);
}

/**
 * The whole decision for one observation.
 *
 * Fusion: of the open candidates of the observation's type within the fusion window (time) and
 * reach (`fusionDistanceM` + both radii, m), the nearest absorbs it. Tie rule: every candidate
 * within {@link FUSION_TIE_M} (1e-6 m) of the nearest distance counts as equally near, and of
 * those the OLDEST wins: the lowest `createdSeq` (created first, not observed first), then the
 * lowest `id`. The result therefore does not depend on the order of `candidates` (a store's
 * R*Tree returns them in the order of its internal layout).
 *
 * @example
 * const r = evaluateObservation(obs, { rules: [], suppressions: [], assets: [], candidates: [], newId: () => 'a1' });
 * r.outcome; // 'created'
 */
export function evaluateObservation(obs: Observation, ctx: RuleContext): RuleOutcome {
  const rule = resolveRule(obs.alertType, obs.location, ctx.rules);
  const suppressed = findSuppression(obs, ctx.suppressions);
  if (suppressed) {
    return {
      outcome: 'suppressed',
      suppressionId: suppressed.suppression.id,
      reason: `${suppressed.suppression.kind} ${suppressed.suppression.id} ${Math.round(suppressed.distanceM)} m away`,
    };
  }
  const failures = thresholdFailures(obs, rule);
  if (failures.length > 0) return { outcome: 'below_threshold', failures, ruleIds: rule.ruleIds };

  const point: Geometry = { type: 'Point', coordinates: obs.location };
  const near: { alert: FusionCandidate; d: number }[] = [];
  let nearestM = Number.POSITIVE_INFINITY;
  for (const alert of ctx.candidates) {
    if (alert.alertType !== obs.alertType || isTerminal(alert.status)) continue;
    const dt = Math.max(
      alert.firstObservedAtMs - obs.observedAtMs,
      obs.observedAtMs - alert.lastObservedAtMs,
      0,
    );
    if (dt > rule.fusionWindowMs) continue;
    const d =
      alert.geometry.type === 'Point'
        ? distanceM(alert.geometry.coordinates, obs.location)
        : geometryDistanceM(alert.geometry, obs.geometry.type === 'Point' ? point : obs.geometry);
    if (d > rule.fusionDistanceM + obs.radiusM + alert.radiusM) continue;
    near.push({ alert, d });
    if (d < nearestM) nearestM = d;
  }
  // a second pass, so that the tolerance is measured from the nearest whatever the order
  let best: FusionCandidate | undefined;
  for (const { alert, d } of near) {
    if (d - nearestM > FUSION_TIE_M) continue;
    if (!best || olderThan(alert, best)) best = alert;
  }
  if (best) {
    const prev = ctx.loadAlert ? ctx.loadAlert(best) : wholeSnapshot(best);
    const alert = applyObservation(prev, obs, prev.id, ctx.assets);
    return {
      outcome: 'merged',
      alert,
      previous: {
        confidence: prev.confidence,
        severity: prev.severity,
        observationCount: prev.observationCount,
      },
      escalated:
        compareConfidence(alert.confidence, prev.confidence) > 0 ||
        alert.severity !== prev.severity,
      ruleIds: rule.ruleIds,
    };
  }
  if (obs.source === 'satellite' && !rule.satelliteCreatesAlerts) {
    return {
      outcome: 'below_threshold',
      failures: ['satellite hotspots do not open alerts here'],
      ruleIds: rule.ruleIds,
    };
  }
  return {
    outcome: 'created',
    alert: applyObservation(undefined, obs, ctx.newId(), ctx.assets),
    ruleIds: rule.ruleIds,
  };
}
