import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies } from './agencies';
import { areas } from './areas';

/** A stored route plan. The planning issue fills `result`; the foundation only needs references. */
export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    agencyId: text('agency_id')
      .notNull()
      .references(() => agencies.id),
    status: text('status', { enum: ['pending', 'ready', 'failed'] }).notNull(),
    request: text('request', { mode: 'json' }).$type<unknown>().notNull(),
    result: text('result', { mode: 'json' }).$type<unknown>(),
    error: text('error', { mode: 'json' }).$type<unknown>(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('plans_agency_created_idx').on(t.agencyId, t.createdAt, t.id)],
);

/** Which areas a plan uses; an area cannot be deleted while a plan references it. */
export const planAreas = sqliteTable(
  'plan_areas',
  {
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
    areaVersion: integer('area_version').notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.areaId] }), index('plan_areas_area_idx').on(t.areaId)],
);
