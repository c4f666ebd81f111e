import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../open-database';
import { newId } from '../ids';
import type { Cursor, Page } from '../pagination';
import { areas, areaVersions, planAreas, type AreaKind } from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, scopeFilter, type Scope } from './scope';

export type Area = typeof areas.$inferSelect;
export type AreaVersion = typeof areaVersions.$inferSelect;

export interface AreaContent {
  name: string;
  kind: AreaKind;
  geojson: unknown;
  properties: Record<string, unknown>;
  areaM2: number;
  lengthM: number;
  vertexCount: number;
  bbox: [number, number, number, number];
}

/** Patrol areas. Every write keeps the previous content in `area_versions`. */
export class AreasRepository {
  constructor(private readonly db: Db) {}

  create(input: AreaContent, owner: { agencyId: string; actor: string }, now: Date): Area {
    const row: Area = {
      id: newId('area'),
      agencyId: owner.agencyId,
      version: 1,
      createdBy: owner.actor,
      createdAt: now,
      updatedAt: now,
      ...flatten(input),
    };
    this.db.transaction((tx) => {
      tx.insert(areas).values(row).run();
      tx.insert(areaVersions).values(versionOf(row)).run();
    });
    return row;
  }

  get(id: string, scope: Scope): Area | undefined {
    return this.db
      .select()
      .from(areas)
      .where(and(eq(areas.id, id), scopeFilter(areas.agencyId, scope)))
      .get();
  }

  list(
    scope: Scope,
    options: { kind?: AreaKind; cursor: Cursor | null; limit: number },
  ): Page<Area> {
    const rows = this.db
      .select()
      .from(areas)
      .where(
        and(
          scopeFilter(areas.agencyId, scope),
          options.kind ? eq(areas.kind, options.kind) : undefined,
          afterCursor(areas.createdAt, areas.id, options.cursor),
        ),
      )
      .orderBy(asc(areas.createdAt), asc(areas.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  /** Replaces the content and bumps the version; the old content stays in `area_versions`. */
  update(id: string, scope: Scope, input: AreaContent, actor: string, now: Date): Area | undefined {
    return this.db.transaction((tx) => {
      const current = tx
        .select()
        .from(areas)
        .where(and(eq(areas.id, id), scopeFilter(areas.agencyId, scope)))
        .get();
      if (!current) return undefined;
      const next: Area = {
        ...current,
        ...flatten(input),
        version: current.version + 1,
        createdBy: actor,
        updatedAt: now,
      };
      tx.update(areas).set(next).where(eq(areas.id, id)).run();
      tx.insert(areaVersions).values(versionOf(next)).run();
      return next;
    });
  }

  versions(id: string): AreaVersion[] {
    return this.db
      .select()
      .from(areaVersions)
      .where(eq(areaVersions.areaId, id))
      .orderBy(asc(areaVersions.version))
      .all();
  }

  delete(id: string, scope: Scope): 'deleted' | 'not_found' | 'in_use' {
    return this.db.transaction((tx) => {
      const current = tx
        .select({ id: areas.id })
        .from(areas)
        .where(and(eq(areas.id, id), scopeFilter(areas.agencyId, scope)))
        .get();
      if (!current) return 'not_found';
      const used = tx
        .select({ planId: planAreas.planId })
        .from(planAreas)
        .where(eq(planAreas.areaId, id))
        .get();
      if (used) return 'in_use';
      tx.delete(areaVersions).where(eq(areaVersions.areaId, id)).run();
      tx.delete(areas).where(eq(areas.id, id)).run();
      return 'deleted';
    });
  }
}

function flatten(input: AreaContent) {
  const [minLon, minLat, maxLon, maxLat] = input.bbox;
  return {
    name: input.name,
    kind: input.kind,
    geojson: input.geojson,
    properties: input.properties,
    areaM2: input.areaM2,
    lengthM: input.lengthM,
    vertexCount: input.vertexCount,
    minLon,
    minLat,
    maxLon,
    maxLat,
  };
}

function versionOf(row: Area): AreaVersion {
  return {
    areaId: row.id,
    version: row.version,
    name: row.name,
    geojson: row.geojson,
    properties: row.properties,
    createdBy: row.createdBy,
    createdAt: row.updatedAt,
  };
}
