import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../open-database';
import { newId } from '../ids';
import { planAreas, plans } from '../schema/index';
import { scopeFilter, type Scope } from './scope';

export type Plan = typeof plans.$inferSelect;

/** Stored plans and the areas they reference. */
export class PlansRepository {
  constructor(private readonly db: Db) {}

  create(
    input: {
      agencyId: string;
      createdBy: string;
      request: unknown;
      areaRefs: { areaId: string; version: number }[];
    },
    now: Date,
  ): Plan {
    const row: Plan = {
      id: newId('plan'),
      agencyId: input.agencyId,
      status: 'pending',
      request: input.request,
      result: null,
      error: null,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    };
    this.db.transaction((tx) => {
      tx.insert(plans).values(row).run();
      for (const ref of input.areaRefs) {
        tx.insert(planAreas)
          .values({ planId: row.id, areaId: ref.areaId, areaVersion: ref.version })
          .run();
      }
    });
    return row;
  }

  get(id: string, scope: Scope): Plan | undefined {
    return this.db
      .select()
      .from(plans)
      .where(and(eq(plans.id, id), scopeFilter(plans.agencyId, scope)))
      .get();
  }

  /** Plans still pending, oldest first (to resume after a restart). */
  listPending(): Plan[] {
    return this.db
      .select()
      .from(plans)
      .where(eq(plans.status, 'pending'))
      .orderBy(asc(plans.createdAt))
      .all();
  }

  finish(id: string, outcome: { result: unknown } | { error: unknown }, now: Date): void {
    const set =
      'result' in outcome
        ? { status: 'ready' as const, result: outcome.result, updatedAt: now }
        : { status: 'failed' as const, error: outcome.error, updatedAt: now };
    this.db.update(plans).set(set).where(eq(plans.id, id)).run();
  }
}
