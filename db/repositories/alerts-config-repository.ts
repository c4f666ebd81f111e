import { and, asc, eq, isNull, or, gte, lte } from 'drizzle-orm';
import type { Db } from '../open-database';
import type { Cursor, Page } from '../pagination';
import { alertRules, alertSuppressions } from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, scopeFilter, type Scope } from './scope';

export type SuppressionRow = typeof alertSuppressions.$inferSelect;
export type AlertRuleRow = typeof alertRules.$inferSelect;

/** The rules engine's configuration: per-type / per-area rules and the suppression registry. */
export class AlertsConfigRepository {
  constructor(private readonly db: Db) {}

  insertSuppression(row: SuppressionRow): void {
    this.db.insert(alertSuppressions).values(row).run();
  }

  listSuppressions(
    scope: Scope,
    options: { cursor: Cursor | null; limit: number },
  ): Page<SuppressionRow> {
    const rows = this.db
      .select()
      .from(alertSuppressions)
      .where(
        and(
          scopeFilter(alertSuppressions.agencyId, scope),
          afterCursor(alertSuppressions.createdAt, alertSuppressions.id, options.cursor),
        ),
      )
      .orderBy(asc(alertSuppressions.createdAt), asc(alertSuppressions.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  deleteSuppression(id: string, scope: Scope): boolean {
    return (
      this.db
        .delete(alertSuppressions)
        .where(and(eq(alertSuppressions.id, id), scopeFilter(alertSuppressions.agencyId, scope)))
        .run().changes === 1
    );
  }

  /** Suppressions of every agency in force at some time within [fromMs, toMs]. */
  activeSuppressions(fromMs: number, toMs: number): SuppressionRow[] {
    return this.db
      .select()
      .from(alertSuppressions)
      .where(
        and(
          or(
            isNull(alertSuppressions.validUntil),
            gte(alertSuppressions.validUntil, new Date(fromMs)),
          ),
          or(isNull(alertSuppressions.validFrom), lte(alertSuppressions.validFrom, new Date(toMs))),
        ),
      )
      .all();
  }

  insertRule(row: AlertRuleRow): void {
    this.db.insert(alertRules).values(row).run();
  }

  getRule(id: string, scope: Scope): AlertRuleRow | undefined {
    return this.db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, id), scopeFilter(alertRules.agencyId, scope)))
      .get();
  }

  updateRule(id: string, patch: Partial<AlertRuleRow>): void {
    this.db.update(alertRules).set(patch).where(eq(alertRules.id, id)).run();
  }

  deleteRule(id: string, scope: Scope): boolean {
    return (
      this.db
        .delete(alertRules)
        .where(and(eq(alertRules.id, id), scopeFilter(alertRules.agencyId, scope)))
        .run().changes === 1
    );
  }

  listRules(scope: Scope, options: { cursor: Cursor | null; limit: number }): Page<AlertRuleRow> {
    const rows = this.db
      .select()
      .from(alertRules)
      .where(
        and(
          scopeFilter(alertRules.agencyId, scope),
          afterCursor(alertRules.createdAt, alertRules.id, options.cursor),
        ),
      )
      .orderBy(asc(alertRules.createdAt), asc(alertRules.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  /** Every enabled rule (they apply to every agency's detections). */
  enabledRules(): AlertRuleRow[] {
    return this.db.select().from(alertRules).where(eq(alertRules.enabled, true)).all();
  }
}
