import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { agencies, type AlertType } from './agencies';

// Alerts: detections in, alerts out, routed to agencies, acted on, audited, delivered.
// The R*Tree over alerts (lon, lat, time, type) lives in a hand-written migration
// (`alerts_rtree`): drizzle-kit cannot generate virtual tables or the triggers that feed it.

export const DETECTION_KINDS = [
  'ir_hotspot',
  'ir_water_plume',
  'lidar_canopy_change',
  'water_level',
  'satellite_hotspot',
] as const;
export type DetectionKindName = (typeof DETECTION_KINDS)[number];

export const ALERT_STATUS_NAMES = [
  'new',
  'dispatched',
  'acknowledged',
  'in_progress',
  'resolved',
  'false_alarm',
  'duplicate',
] as const;
export type AlertStatusName = (typeof ALERT_STATUS_NAMES)[number];

export const SEVERITY_NAMES = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

export const CONFIDENCE_NAMES = ['low', 'high', 'highest'] as const;
export type ConfidenceName = (typeof CONFIDENCE_NAMES)[number];

export const ROUTE_KINDS = ['routed', 'shared', 'escalated', 'handover'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export const ROUTE_STATES = ['pending', 'acknowledged', 'handed_over'] as const;
export type RouteState = (typeof ROUTE_STATES)[number];

/** A GeoJSON geometry as stored (WGS-84, `[lon, lat]`). */
export interface StoredGeometry {
  type: 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}

/** One alert; `seq` is the integer key the R*Tree indexes, `id` the public one. */
export const alerts = sqliteTable(
  'alerts',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    alertType: text('alert_type').$type<AlertType>().notNull(),
    /** The R*Tree's type dimension: the index of alert_type in ALERT_TYPES. */
    typeCode: integer('type_code').notNull(),
    status: text('status', { enum: ALERT_STATUS_NAMES }).notNull(),
    severity: text('severity', { enum: SEVERITY_NAMES }).notNull(),
    confidence: text('confidence', { enum: CONFIDENCE_NAMES }).notNull(),
    /** Bumped on every change agencies are told about (CAP Update). */
    version: integer('version').notNull(),
    geometry: text('geometry', { mode: 'json' }).$type<StoredGeometry>().notNull(),
    lon: real('lon').notNull(),
    lat: real('lat').notNull(),
    minLon: real('min_lon').notNull(),
    minLat: real('min_lat').notNull(),
    maxLon: real('max_lon').notNull(),
    maxLat: real('max_lat').notNull(),
    radiusM: real('radius_m').notNull(),
    extentAreaM2: real('extent_area_m2').notNull(),
    firstObservedAt: integer('first_observed_at', { mode: 'timestamp_ms' }).notNull(),
    lastObservedAt: integer('last_observed_at', { mode: 'timestamp_ms' }).notNull(),
    observationCount: integer('observation_count').notNull(),
    /** The detection kind that opened it (false-alarm rate per kind). */
    primaryKind: text('primary_kind', { enum: DETECTION_KINDS }).notNull(),
    passKeys: text('pass_keys', { mode: 'json' }).$type<string[]>().notNull(),
    sensorIds: text('sensor_ids', { mode: 'json' }).$type<string[]>().notNull(),
    sources: text('sources', { mode: 'json' }).$type<('drone' | 'satellite')[]>().notNull(),
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    severityReasons: text('severity_reasons', { mode: 'json' }).$type<string[]>().notNull(),
    outcomeLabel: text('outcome_label'),
    duplicateOf: text('duplicate_of'),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('alerts_type_time_idx').on(t.alertType, t.lastObservedAt),
    index('alerts_status_type_idx').on(t.status, t.alertType),
    index('alerts_created_idx').on(t.createdAt, t.id),
  ],
);

/** Who an alert went to, why, and that agency's side of the loop (ack deadline, hand-over). */
export const alertRoutes = sqliteTable(
  'alert_routes',
  {
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    kind: text('kind', { enum: ROUTE_KINDS }).notNull(),
    reason: text('reason').notNull(),
    state: text('state', { enum: ROUTE_STATES }).notNull(),
    dispatchedAt: integer('dispatched_at', { mode: 'timestamp_ms' }).notNull(),
    acknowledgedAt: integer('acknowledged_at', { mode: 'timestamp_ms' }),
    reminderSentAt: integer('reminder_sent_at', { mode: 'timestamp_ms' }),
    escalatedAt: integer('escalated_at', { mode: 'timestamp_ms' }),
    handedOverTo: text('handed_over_to'),
    handoverReason: text('handover_reason'),
    rating: integer('rating'),
    ratingNote: text('rating_note'),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.agencyId] }),
    index('alert_routes_agency_idx').on(t.agencyId, t.alertId),
    index('alert_routes_pending_idx').on(t.state, t.dispatchedAt),
  ],
);

/** Every step of every alert (history, SSE replay, CAP versions). */
export const alertEvents = sqliteTable(
  'alert_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    /** The alert version this event produced (CAP references earlier versions). */
    version: integer('version').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    agencyId: text('agency_id'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('alert_events_alert_idx').on(t.alertId, t.seq)],
);

/** Every detection received, with what the rules made of it. */
export const detections = sqliteTable(
  'detections',
  {
    id: text('id').primaryKey(),
    batchId: text('batch_id').notNull(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    kind: text('kind', { enum: DETECTION_KINDS }).notNull(),
    capturedAt: integer('captured_at', { mode: 'timestamp_ms' }).notNull(),
    sensorId: text('sensor_id').notNull(),
    passKey: text('pass_key').notNull(),
    lon: real('lon'),
    lat: real('lat'),
    radiusM: real('radius_m'),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    /** `pending` from acceptance until the rules have run, then what they made of it. */
    outcome: text('outcome').notNull(),
    outcomeDetail: text('outcome_detail'),
    alertId: text('alert_id'),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  },
  // A batch lists its detections (detection_batches.detection_ids), so no batch index; the alert
  // index is partial: a pending detection has no alert, and acceptance writes no entry for it.
  (t) => [index('detections_alert_idx').on(t.alertId).where(sql.raw('alert_id IS NOT NULL'))],
);

/**
 * One accepted batch: stored with its detections in the transaction that answers the client;
 * `processed_at` is set when the rules have run over every detection of it. `seq` is the order
 * of acceptance, the order of processing (and of recovery after a restart).
 */
export const detectionBatches = sqliteTable(
  'detection_batches',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    agencyId: text('agency_id').notNull(),
    /** How many items the request had. */
    itemCount: integer('item_count').notNull().default(0),
    /**
     * Per item, the detection it stands for (an earlier one for a replayed `clientKey`); empty
     * when every item is the batch's own new detection `det_<batch>_<index>` (the common case,
     * kept out of the acceptance transaction).
     */
    detectionIds: text('detection_ids', { mode: 'json' }).$type<string[]>().notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('detection_batches_pending_idx').on(t.seq).where(sql.raw('processed_at IS NULL'))],
);

/** Idempotency: a batch key or a per-item key, the body hash it came with, and the answer. */
export const ingestKeys = sqliteTable(
  'ingest_keys',
  {
    agencyId: text('agency_id').notNull(),
    scope: text('scope', { enum: ['batch', 'item'] }).notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: text('response', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.scope, t.key] })],
);

/** The append-only, hash-chained audit log (see src/services/alerts/audit-chain.ts). */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: integer('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject').notNull(),
  data: text('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull().unique(),
});

export const alertSuppressions = sqliteTable(
  'alert_suppressions',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    kind: text('kind').notNull(),
    name: text('name'),
    geometry: text('geometry', { mode: 'json' }).$type<StoredGeometry>().notNull(),
    radiusM: real('radius_m').notNull(),
    alertTypes: text('alert_types', { mode: 'json' }).$type<AlertType[]>().notNull(),
    validFrom: integer('valid_from', { mode: 'timestamp_ms' }),
    validUntil: integer('valid_until', { mode: 'timestamp_ms' }),
    note: text('note'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('alert_suppressions_agency_idx').on(t.agencyId, t.createdAt, t.id)],
);

export const alertRules = sqliteTable(
  'alert_rules',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    alertType: text('alert_type').$type<AlertType>().notNull(),
    name: text('name'),
    area: text('area', { mode: 'json' }).$type<StoredGeometry | null>(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    settings: text('settings', { mode: 'json' })
      .$type<Record<string, number | boolean>>()
      .notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('alert_rules_agency_idx').on(t.agencyId, t.createdAt, t.id)],
);

export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    url: text('url').notNull(),
    /** `whsec_…`, shown once at creation (or at a rotation), stored sealed. */
    secret: text('secret').notNull(),
    /**
     * The secret a rotation replaced, sealed like `secret`: deliveries are signed with both until
     * `previousSecretExpiresAt`, then it is deleted (Standard Webhooks zero-downtime rotation).
     */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: integer('previous_secret_expires_at', { mode: 'timestamp_ms' }),
    eventTypes: text('event_types', { mode: 'json' }).$type<string[]>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    disabledReason: text('disabled_reason'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('webhook_endpoints_agency_idx').on(t.agencyId, t.createdAt, t.id),
    index('webhook_endpoints_previous_expiry_idx')
      .on(t.previousSecretExpiresAt)
      .where(sql.raw('previous_secret_expires_at IS NOT NULL')),
  ],
);

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'dead_letter'] as const;

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id').notNull(),
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    state: text('state', { enum: WEBHOOK_DELIVERY_STATES }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.state, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt, t.id),
  ],
);

/**
 * A verification flight's life: requested → planned → mission_created (awaiting the dock owner)
 * → scheduled → flying → done, or failed / no_capable_dock with a reason; cancelled by nobody yet.
 */
export const VERIFICATION_STATUSES = [
  'requested',
  'planned',
  'mission_created',
  'scheduled',
  'flying',
  'done',
  'failed',
  'no_capable_dock',
  'cancelled',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** One step of a verification flight, kept on its record (who, when, why). */
export interface VerificationStep {
  status: VerificationStatus;
  at: string;
  actor: string;
  detail: string | null;
}

export const verificationRequests = sqliteTable(
  'verification_requests',
  {
    id: text('id').primaryKey(),
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    agencyId: text('agency_id').notNull(),
    requestedBy: text('requested_by').notNull(),
    status: text('status', { enum: VERIFICATION_STATUSES }).notNull(),
    dockId: text('dock_id'),
    dockDistanceM: real('dock_distance_m'),
    note: text('note'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('verification_requests_alert_idx').on(t.alertId, t.createdAt)],
);

/** How a verification request became flight work: plan, mission, sortie, outcome. */
export const verificationFlights = sqliteTable(
  'verification_flights',
  {
    verificationId: text('verification_id')
      .primaryKey()
      .references(() => verificationRequests.id, { onDelete: 'cascade' }),
    payload: text('payload').notNull(),
    purpose: text('purpose').notNull(),
    dockId: text('dock_id'),
    planId: text('plan_id'),
    missionId: text('mission_id'),
    sortieId: text('sortie_id'),
    /** Who approved the mission: `policy:…` for the auto-approval rule, `key:…` for a person. */
    approvedBy: text('approved_by'),
    reasonCode: text('reason_code'),
    reason: text('reason'),
    steps: text('steps', { mode: 'json' }).$type<VerificationStep[]>().notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('verification_flights_sortie_idx').on(t.sortieId)],
);

export const satelliteHotspots = sqliteTable(
  'satellite_hotspots',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id').notNull(),
    lon: real('lon').notNull(),
    lat: real('lat').notNull(),
    acquiredAt: integer('acquired_at', { mode: 'timestamp_ms' }).notNull(),
    satellite: text('satellite').notNull(),
    instrument: text('instrument').notNull(),
    brightnessK: real('brightness_k').notNull(),
    frpMw: real('frp_mw'),
    confidencePct: real('confidence_pct'),
    scanKm: real('scan_km').notNull(),
    trackKm: real('track_km').notNull(),
    outcome: text('outcome').notNull(),
    alertId: text('alert_id'),
    importedAt: integer('imported_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('satellite_hotspots_unique_idx').on(t.satellite, t.acquiredAt, t.lon, t.lat)],
);
