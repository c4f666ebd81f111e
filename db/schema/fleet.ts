import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies } from './agencies';
import { timestamps } from './common';

export const docks = sqliteTable(
  'docks',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    name: text('name').notNull(),
    lon: real('lon').notNull(),
    lat: real('lat').notNull(),
    groundAltM: real('ground_alt_m').notNull(),
    /** MAVSDK-style link URL: serial:///dev/ttyUSB0:57600, udpin://0.0.0.0:14550, tcp://host:5760. */
    linkUrl: text('link_url').notNull(),
    /** The dock controller's own MAVLink system id on its link, when it speaks MAVLink. */
    systemId: integer('system_id'),
    /**
     * Shared flights: other agencies see a shared dock read-only (without its link) and may plan
     * from it and request sorties there; only the owner changes it.
     */
    shared: integer('shared', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [index('docks_agency_created_idx').on(t.agencyId, t.createdAt, t.id)],
);

export const PAYLOAD_KINDS = ['ir', 'lidar', 'rgb'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

export interface Payload {
  kind: PayloadKind;
  sensorWidthMm?: number;
  sensorHeightMm?: number;
  focalLengthMm?: number;
  imageWidthPx?: number;
  imageHeightPx?: number;
  hfovDeg?: number;
  vfovDeg?: number;
}

export const drones = sqliteTable(
  'drones',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    dockId: text('dock_id')
      .notNull()
      .references(() => docks.id),
    name: text('name').notNull(),
    systemId: integer('system_id').notNull(),
    model: text('model').notNull(),
    cruiseSpeedMps: real('cruise_speed_mps').notNull(),
    maxFlightTimeMin: real('max_flight_time_min').notNull(),
    batteryReservePct: real('battery_reserve_pct').notNull(),
    maxWindMps: real('max_wind_mps').notNull(),
    payloads: text('payloads', { mode: 'json' }).$type<Payload[]>().notNull(),
    ...timestamps,
  },
  (t) => [
    index('drones_agency_created_idx').on(t.agencyId, t.createdAt, t.id),
    index('drones_dock_idx').on(t.dockId),
  ],
);
