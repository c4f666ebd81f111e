import { type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Cursor } from '../pagination';

/** Whose data a caller may touch: its own agency's, or everything (the utility's admins). */
export interface Scope {
  agencyId: string;
  seesAll: boolean;
}

export function scopeFilter(column: SQLiteColumn, scope: Scope): SQL | undefined {
  return scope.seesAll ? undefined : sql`${column} = ${scope.agencyId}`;
}

/** Keyset pagination predicate for (created_at, id) ascending. */
export function afterCursor(
  createdAt: SQLiteColumn,
  id: SQLiteColumn,
  cursor: Cursor | null,
): SQL | undefined {
  if (!cursor) return undefined;
  return sql`(${createdAt} > ${cursor.createdAtMs} OR (${createdAt} = ${cursor.createdAtMs} AND ${id} > ${cursor.id}))`;
}
