import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies } from './agencies';
import { timestamps } from './common';

export const AREA_KINDS = ['forest', 'river', 'points', 'no_fly'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

/** The current state of each patrol area; every update also appends to `area_versions`. */
export const areas = sqliteTable(
  'areas',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: AREA_KINDS }).notNull(),
    version: integer('version').notNull(),
    /** Normalised GeoJSON (WGS-84, RFC 7946 winding): a FeatureCollection. */
    geojson: text('geojson', { mode: 'json' }).$type<unknown>().notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    areaM2: real('area_m2').notNull(),
    lengthM: real('length_m').notNull(),
    vertexCount: integer('vertex_count').notNull(),
    minLon: real('min_lon').notNull(),
    minLat: real('min_lat').notNull(),
    maxLon: real('max_lon').notNull(),
    maxLat: real('max_lat').notNull(),
    createdBy: text('created_by').notNull(),
    ...timestamps,
  },
  (t) => [index('areas_agency_created_idx').on(t.agencyId, t.createdAt, t.id)],
);

export const areaVersions = sqliteTable(
  'area_versions',
  {
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    geojson: text('geojson', { mode: 'json' }).$type<unknown>().notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.areaId, t.version] })],
);
