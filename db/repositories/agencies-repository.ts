import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../open-database';
import { newId } from '../ids';
import { encodeCursor, type Cursor, type Page } from '../pagination';
import {
  agencies,
  apiKeys,
  type AgencyKind,
  type AlertType,
  type GeoJsonPolygonal,
  type Role,
} from '../schema/index';
import { afterCursor } from './scope';

export type Agency = typeof agencies.$inferSelect;
export type ApiKeyRecord = typeof apiKeys.$inferSelect;

export interface NewAgency {
  name: string;
  kind: AgencyKind;
  jurisdiction: GeoJsonPolygonal | null;
  alertTypes: AlertType[];
}

export interface NewApiKey {
  agencyId: string;
  role: Role;
  hash: string;
  prefix: string;
  name: string | null;
  expiresAt: Date;
}

/** Agencies and their API keys. */
export class AgenciesRepository {
  /** Every authenticated request runs this: built and prepared once, not per request. */
  private readonly keyByHash;

  constructor(private readonly db: Db) {
    this.keyByHash = db
      .select({ key: apiKeys, agency: agencies })
      .from(apiKeys)
      .innerJoin(agencies, eq(agencies.id, apiKeys.agencyId))
      .where(eq(apiKeys.hash, sql.placeholder('hash')))
      .prepare();
  }

  create(input: NewAgency, now: Date): Agency | 'name_taken' {
    const row: Agency = { id: newId('agc'), ...input, createdAt: now, updatedAt: now };
    const inserted = this.db
      .insert(agencies)
      .values(row)
      .onConflictDoNothing({ target: agencies.name })
      .run();
    return inserted.changes === 1 ? row : 'name_taken';
  }

  findById(id: string): Agency | undefined {
    return this.db.select().from(agencies).where(eq(agencies.id, id)).get();
  }

  findByName(name: string): Agency | undefined {
    return this.db.select().from(agencies).where(eq(agencies.name, name)).get();
  }

  list(options: { onlyId?: string; cursor: Cursor | null; limit: number }): Page<Agency> {
    const rows = this.db
      .select()
      .from(agencies)
      .where(
        and(
          options.onlyId === undefined ? undefined : eq(agencies.id, options.onlyId),
          afterCursor(agencies.createdAt, agencies.id, options.cursor),
        ),
      )
      .orderBy(asc(agencies.createdAt), asc(agencies.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  update(id: string, patch: Partial<NewAgency>, now: Date): Agency | 'not_found' | 'name_taken' {
    const current = this.findById(id);
    if (!current) return 'not_found';
    if (patch.name !== undefined && patch.name !== current.name && this.findByName(patch.name))
      return 'name_taken';
    const next: Agency = { ...current, ...patch, updatedAt: now };
    this.db.update(agencies).set(next).where(eq(agencies.id, id)).run();
    return next;
  }

  createKey(input: NewApiKey, now: Date): ApiKeyRecord {
    const row: ApiKeyRecord = {
      id: newId('key'),
      ...input,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: now,
    };
    this.db.insert(apiKeys).values(row).run();
    return row;
  }

  /** The key with its agency, looked up by the SHA-256 of the presented secret. */
  findKeyByHash(hash: string): { key: ApiKeyRecord; agency: Agency } | undefined {
    return this.keyByHash.get({ hash }) ?? undefined;
  }

  findKey(id: string): ApiKeyRecord | undefined {
    return this.db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  }

  listKeys(agencyId: string): ApiKeyRecord[] {
    return this.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.agencyId, agencyId))
      .orderBy(asc(apiKeys.createdAt))
      .all();
  }

  revokeKey(id: string, now: Date): ApiKeyRecord | undefined {
    this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), sql`${apiKeys.revokedAt} IS NULL`))
      .run();
    return this.findKey(id);
  }

  touchKey(id: string, now: Date): void {
    this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run();
  }
}

export function page<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
        : null,
  };
}
