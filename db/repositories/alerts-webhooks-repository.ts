import { and, asc, eq, lte } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import type { Cursor, Page } from '../pagination';
import { webhookDeliveries, webhookEndpoints } from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, scopeFilter, type Scope } from './scope';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Webhook endpoints per agency and the delivery queue (pending → delivered / dead_letter). */
export class AlertsWebhooksRepository {
  private readonly enabledOf: Database.Statement<[string], Record<string, unknown>>;

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
  ) {
    this.enabledOf = sqlite.prepare(
      'SELECT * FROM webhook_endpoints WHERE enabled = 1 AND agency_id IN (SELECT value FROM json_each(?))',
    );
  }

  insertEndpoint(row: WebhookEndpointRow): void {
    this.db.insert(webhookEndpoints).values(row).run();
  }

  getEndpoint(id: string, scope: Scope): WebhookEndpointRow | undefined {
    return this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), scopeFilter(webhookEndpoints.agencyId, scope)))
      .get();
  }

  listEndpoints(
    scope: Scope,
    options: { cursor: Cursor | null; limit: number },
  ): Page<WebhookEndpointRow> {
    const rows = this.db
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          scopeFilter(webhookEndpoints.agencyId, scope),
          afterCursor(webhookEndpoints.createdAt, webhookEndpoints.id, options.cursor),
        ),
      )
      .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }

  updateEndpoint(id: string, patch: Partial<WebhookEndpointRow>): void {
    this.db.update(webhookEndpoints).set(patch).where(eq(webhookEndpoints.id, id)).run();
  }

  deleteEndpoint(id: string, scope: Scope): boolean {
    return (
      this.db
        .delete(webhookEndpoints)
        .where(and(eq(webhookEndpoints.id, id), scopeFilter(webhookEndpoints.agencyId, scope)))
        .run().changes === 1
    );
  }

  /** Enabled endpoints of these agencies (a prepared statement: it runs for every alert event). */
  enabledEndpointsOf(agencyIds: string[]): WebhookEndpointRow[] {
    if (agencyIds.length === 0) return [];
    return this.enabledOf.all(JSON.stringify(agencyIds)).map((r) => ({
      id: r.id as string,
      agencyId: r.agency_id as string,
      url: r.url as string,
      secret: r.secret as string,
      eventTypes: JSON.parse(r.event_types as string) as string[],
      enabled: r.enabled === 1,
      disabledReason: (r.disabled_reason as string | null) ?? null,
      createdAt: new Date(r.created_at as number),
      updatedAt: new Date(r.updated_at as number),
    }));
  }

  insertDelivery(row: WebhookDeliveryRow): void {
    this.db.insert(webhookDeliveries).values(row).run();
  }

  /** Pending deliveries due at `now`, oldest first, with their endpoint. */
  due(now: Date, limit: number): { delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow }[] {
    return this.db
      .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(eq(webhookDeliveries.state, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(limit)
      .all();
  }

  updateDelivery(id: string, patch: Partial<WebhookDeliveryRow>): void {
    this.db.update(webhookDeliveries).set(patch).where(eq(webhookDeliveries.id, id)).run();
  }

  /** Moves every pending delivery of an endpoint to the dead-letter list (endpoint disabled). */
  deadLetterPendingOf(endpointId: string, reason: string): void {
    this.db
      .update(webhookDeliveries)
      .set({ state: 'dead_letter', lastError: reason })
      .where(
        and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.state, 'pending')),
      )
      .run();
  }

  listDeliveries(
    endpointId: string,
    options: { state?: WebhookDeliveryRow['state']; cursor: Cursor | null; limit: number },
  ): Page<WebhookDeliveryRow> {
    const rows = this.db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          options.state ? eq(webhookDeliveries.state, options.state) : undefined,
          afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, options.cursor),
        ),
      )
      .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id))
      .limit(options.limit + 1)
      .all();
    return page(rows, options.limit);
  }
}
