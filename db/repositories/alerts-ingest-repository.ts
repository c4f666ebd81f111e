import { and, count, eq } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import { detections, ingestKeys, satelliteHotspots } from '../schema/index';

export type DetectionRow = typeof detections.$inferSelect;
export type IngestKeyRow = typeof ingestKeys.$inferSelect;
export type SatelliteHotspotRow = typeof satelliteHotspots.$inferSelect;

/** Detections, their idempotency keys, and imported satellite hotspots. */
export class AlertsIngestRepository {
  private readonly insertDetectionStmt: Database.Statement<unknown[]>;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
  ) {
    this.insertDetectionStmt = sqlite.prepare(
      `INSERT INTO detections (id, batch_id, agency_id, kind, captured_at, sensor_id, pass_key, lon, lat, radius_m, payload, outcome, outcome_detail, alert_id, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  findKey(agencyId: string, scope: 'batch' | 'item', key: string): IngestKeyRow | undefined {
    return this.db
      .select()
      .from(ingestKeys)
      .where(
        and(
          eq(ingestKeys.agencyId, agencyId),
          eq(ingestKeys.scope, scope),
          eq(ingestKeys.key, key),
        ),
      )
      .get();
  }

  putKey(row: IngestKeyRow): void {
    this.db.insert(ingestKeys).values(row).run();
  }

  insertDetection(r: DetectionRow): void {
    this.insertDetectionStmt.run(
      r.id,
      r.batchId,
      r.agencyId,
      r.kind,
      r.capturedAt.getTime(),
      r.sensorId,
      r.passKey,
      r.lon,
      r.lat,
      r.radiusM,
      JSON.stringify(r.payload),
      r.outcome,
      r.outcomeDetail,
      r.alertId,
      r.receivedAt.getTime(),
    );
  }

  detectionsOfAlert(alertId: string): DetectionRow[] {
    return this.db.select().from(detections).where(eq(detections.alertId, alertId)).all();
  }

  countDetections(): number {
    return this.db.select({ n: count() }).from(detections).get()?.n ?? 0;
  }

  /** Inserts a hotspot unless the same one (satellite, time, place) was imported before. */
  insertHotspot(row: SatelliteHotspotRow): boolean {
    return this.db.insert(satelliteHotspots).values(row).onConflictDoNothing().run().changes === 1;
  }
}
