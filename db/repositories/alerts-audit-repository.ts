import { asc, gt } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import { auditLog } from '../schema/index';

export type AuditRow = typeof auditLog.$inferSelect;

/**
 * The audit log table. The hash chain itself is computed by the caller (the alerts service);
 * this only stores and reads entries in order. The table refuses UPDATE and DELETE (triggers).
 */
export class AlertsAuditRepository {
  private readonly lastStmt: Database.Statement<[], AuditRow>;
  private readonly appendStmt: Database.Statement<unknown[]>;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
  ) {
    this.lastStmt = sqlite.prepare(
      'SELECT seq, at, actor, action, subject, data, prev_hash AS prevHash, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    this.appendStmt = sqlite.prepare(
      'INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  last(): AuditRow | undefined {
    return this.lastStmt.get();
  }

  append(r: AuditRow): void {
    this.appendStmt.run(r.seq, r.at, r.actor, r.action, r.subject, r.data, r.prevHash, r.hash);
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
