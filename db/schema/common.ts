import { integer } from 'drizzle-orm/sqlite-core';

/** Creation / update times, stored as integer milliseconds since the epoch. */
export const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
};
