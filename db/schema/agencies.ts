import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamps } from './common';

export const AGENCY_KINDS = ['utility', 'forestry', 'water', 'emergency', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const ALERT_TYPES = ['fire', 'flood', 'illegal_logging', 'pollution'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ROLES = ['admin', 'planner', 'operator', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const agencies = sqliteTable('agencies', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: AGENCY_KINDS }).notNull(),
  /** GeoJSON Polygon / MultiPolygon in WGS-84, or null when not yet set. */
  jurisdiction: text('jurisdiction', { mode: 'json' }).$type<GeoJsonPolygonal | null>(),
  alertTypes: text('alert_types', { mode: 'json' }).$type<AlertType[]>().notNull(),
  ...timestamps,
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    /** SHA-256 of the whole key, hex. The key itself is never stored. */
    hash: text('hash').notNull().unique(),
    /** The first characters of the key, to recognise it in listings. */
    prefix: text('prefix').notNull(),
    name: text('name'),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('api_keys_agency_idx').on(t.agencyId)],
);

export interface GeoJsonPolygonal {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}
