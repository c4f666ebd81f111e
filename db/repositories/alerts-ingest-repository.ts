import { and, count, eq } from 'drizzle-orm';
import type { Db } from '../open-database';
import { detections, ingestKeys, satelliteHotspots } from '../schema/index';

export type DetectionRow = typeof detections.$inferSelect;
export type IngestKeyRow = typeof ingestKeys.$inferSelect;
export type SatelliteHotspotRow = typeof satelliteHotspots.$inferSelect;

/** Detections, their idempotency keys, and imported satellite hotspots. */
export class AlertsIngestRepository {
  constructor(private readonly db: Db) {}

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

  insertDetection(row: DetectionRow): void {
    this.db.insert(detections).values(row).run();
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
