import { asc, desc, gt } from 'drizzle-orm';
import type { Db } from '../open-database';
import { auditLog } from '../schema/index';

export type AuditRow = typeof auditLog.$inferSelect;

/**
 * The audit log table. The hash chain itself is computed by the caller (the alerts service);
 * this only stores and reads entries in order. The table refuses UPDATE and DELETE (triggers).
 */
export class AlertsAuditRepository {
  constructor(private readonly db: Db) {}

  last(): AuditRow | undefined {
    return this.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).get();
  }

  append(row: AuditRow): void {
    this.db.insert(auditLog).values(row).run();
  }

  /** Entries after `seq`, in order, `limit` at a time (verification walks the whole log). */
  after(seq: number, limit: number): AuditRow[] {
    return this.db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, seq))
      .orderBy(asc(auditLog.seq))
      .limit(limit)
      .all();
  }
}
