import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { agencies } from './agencies';
import { docks, drones } from './fleet';
import { plans } from './plans';

// Fleet orchestration: missions (a plan made into work), their sorties and every sortie
// transition, quotas, dispatch records (idempotency), fleet events and 1 Hz telemetry.
// The transition table itself lives in src/services/fleet/sortie-state-machine.ts.

export const MISSION_PURPOSE_NAMES = [
  'emergency_rescue',
  'forest_fire_patrol',
  'river_flood',
  'pollution',
  'anti_logging',
  'line_inspection',
] as const;
export type MissionPurposeName = (typeof MISSION_PURPOSE_NAMES)[number];

export const SORTIE_STATE_NAMES = [
  'requested',
  'approved',
  'rejected',
  'scheduled',
  'queued',
  'preflight',
  'launching',
  'in_flight',
  'paused',
  'returning',
  'landed',
  'done',
  'aborted',
  'failed',
] as const;
export type SortieStateName = (typeof SORTIE_STATE_NAMES)[number];

export const MISSION_STATUSES = ['requested', 'approved', 'rejected', 'cancelled'] as const;
export type MissionStatus = (typeof MISSION_STATUSES)[number];

/** A mission item as stored (the bridge's and the planner's shape; `[lon, lat]` degrees). */
export interface StoredMissionItem {
  command: number;
  frame: number;
  param1: number;
  param2: number;
  param3: number;
  param4: number;
  position: [number, number] | null;
  altM: number;
  autocontinue: boolean;
}

export interface StoredRoute {
  mission: StoredMissionItem[];
  fence: StoredMissionItem[];
  rally: StoredMissionItem[];
}

export type StoredSchedule =
  | { kind: 'immediate' }
  | { kind: 'at'; at: string }
  | { kind: 'recurring'; rule: string; startsAt: string; endsAt: string; timeZone: string };

export const missions = sqliteTable(
  'missions',
  {
    id: text('id').primaryKey(),
    /** The requesting agency (whose work this is). */
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    /** The agency that owns the dock (the utility): it approves. */
    ownerAgencyId: text('owner_agency_id')
      .notNull()
      .references(() => agencies.id),
    dockId: text('dock_id')
      .notNull()
      .references(() => docks.id),
    planId: text('plan_id').references(() => plans.id),
    name: text('name').notNull(),
    purpose: text('purpose', { enum: MISSION_PURPOSE_NAMES }).notNull(),
    priority: integer('priority').notNull(),
    areaIds: text('area_ids', { mode: 'json' }).$type<string[]>().notNull(),
    schedule: text('schedule', { mode: 'json' }).$type<StoredSchedule>().notNull(),
    /** How long after its due time a sortie may still launch, minutes. */
    windowMin: real('window_min').notNull(),
    estimatedFlightMin: real('estimated_flight_min').notNull(),
    route: text('route', { mode: 'json' }).$type<StoredRoute>().notNull(),
    status: text('status', { enum: MISSION_STATUSES }).notNull(),
    statusReason: text('status_reason'),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at', { mode: 'timestamp_ms' }),
    /** Occurrences up to this instant have been materialised (recurring missions). */
    materialisedUntil: integer('materialised_until', { mode: 'timestamp_ms' }),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('missions_agency_created_idx').on(t.agencyId, t.createdAt, t.id),
    index('missions_owner_created_idx').on(t.ownerAgencyId, t.createdAt, t.id),
    index('missions_status_idx').on(t.status),
  ],
);

export const sorties = sqliteTable(
  'sorties',
  {
    id: text('id').primaryKey(),
    missionId: text('mission_id')
      .notNull()
      .references(() => missions.id),
    agencyId: text('agency_id').notNull(),
    ownerAgencyId: text('owner_agency_id').notNull(),
    dockId: text('dock_id')
      .notNull()
      .references(() => docks.id),
    droneId: text('drone_id').references(() => drones.id),
    priority: integer('priority').notNull(),
    state: text('state', { enum: SORTIE_STATE_NAMES }).notNull(),
    /** The reason code of the last transition that had one (GATE_WIND, PREEMPTED, LOW_BATTERY…). */
    reasonCode: text('reason_code'),
    reasonDetail: text('reason_detail'),
    /** The mission occurrence this sortie flies: unique per mission (idempotent scheduling). */
    occurrenceAt: integer('occurrence_at', { mode: 'timestamp_ms' }).notNull(),
    /** When it should be queued (moves later when preempted). */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    windowEndsAt: integer('window_ends_at', { mode: 'timestamp_ms' }).notNull(),
    plannedFlightMin: real('planned_flight_min').notNull(),
    flownMin: real('flown_min').notNull(),
    /** Dispatch attempt: bumped each time an interrupted sortie is queued again. */
    attempt: integer('attempt').notNull(),
    lastReachedItem: integer('last_reached_item').notNull(),
    totalItems: integer('total_items').notNull(),
    progressPct: real('progress_pct').notNull(),
    abortRequested: integer('abort_requested', { mode: 'boolean' }).notNull(),
    /** The vehicle entered its own failsafe: no command is sent until an operator acts. */
    failsafeHold: integer('failsafe_hold', { mode: 'boolean' }).notNull(),
    launchedAt: integer('launched_at', { mode: 'timestamp_ms' }),
    landedAt: integer('landed_at', { mode: 'timestamp_ms' }),
    version: integer('version').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('sorties_mission_occurrence_idx').on(t.missionId, t.occurrenceAt),
    index('sorties_dock_state_idx').on(t.dockId, t.state),
    index('sorties_state_due_idx').on(t.state, t.dueAt),
    index('sorties_agency_occurrence_idx').on(t.agencyId, t.occurrenceAt),
  ],
);

export const sortieTransitions = sqliteTable(
  'sortie_transitions',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    sortieId: text('sortie_id')
      .notNull()
      .references(() => sorties.id, { onDelete: 'cascade' }),
    fromState: text('from_state', { enum: SORTIE_STATE_NAMES }),
    toState: text('to_state', { enum: SORTIE_STATE_NAMES }).notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** `key:<id>` for a person's API key, `scheduler`, `dispatch`, `vehicle`, `recovery`. */
    actor: text('actor').notNull(),
    reasonCode: text('reason_code'),
    reason: text('reason'),
  },
  (t) => [index('sortie_transitions_sortie_idx').on(t.sortieId, t.seq)],
);

export const agencyQuotas = sqliteTable(
  'agency_quotas',
  {
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id, { onDelete: 'cascade' }),
    period: text('period', { enum: ['day', 'week', 'month'] }).notNull(),
    maxSorties: integer('max_sorties'),
    maxFlightMin: real('max_flight_min'),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.period] })],
);

/** One row per dispatch attempt: the unique key is what makes dispatch happen at most once. */
export const dispatchRecords = sqliteTable('dispatch_records', {
  /** `<sortieId>#<attempt>`. */
  key: text('key').primaryKey(),
  sortieId: text('sortie_id')
    .notNull()
    .references(() => sorties.id, { onDelete: 'cascade' }),
  attempt: integer('attempt').notNull(),
  status: text('status', { enum: ['started', 'finished', 'failed'] }).notNull(),
  /** The last dispatch step reached (dock_ready, open_roof, upload_fence…). */
  step: text('step').notNull(),
  startFromItem: integer('start_from_item').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Events operators must see at once (low battery, link loss, failsafe, dock faults). */
export const fleetEvents = sqliteTable(
  'fleet_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    sortieId: text('sortie_id'),
    dockId: text('dock_id'),
    droneId: text('drone_id'),
    agencyId: text('agency_id'),
    ownerAgencyId: text('owner_agency_id'),
    detail: text('detail').notNull(),
  },
  (t) => [index('fleet_events_at_idx').on(t.at)],
);

/** Drone telemetry downsampled to one sample per drone per second bucket. */
export const telemetrySamples = sqliteTable(
  'telemetry_samples',
  {
    droneId: text('drone_id').notNull(),
    /** Whole seconds since the epoch: the downsampling bucket. */
    atS: integer('at_s').notNull(),
    sortieId: text('sortie_id'),
    lon: real('lon').notNull(),
    lat: real('lat').notNull(),
    altM: real('alt_m').notNull(),
    batteryPct: real('battery_pct'),
    groundSpeedMps: real('ground_speed_mps'),
    mode: text('mode'),
  },
  (t) => [
    primaryKey({ columns: [t.droneId, t.atS] }),
    index('telemetry_samples_sortie_idx').on(t.sortieId, t.atS),
    index('telemetry_samples_at_idx').on(t.atS),
  ],
);
