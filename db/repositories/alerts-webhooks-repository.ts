import { and, asc, eq, getTableColumns, isNotNull, lte, type Column } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { Db } from '../open-database';
import type { Cursor, Page } from '../pagination';
import { webhookDeliveries, webhookEndpoints } from '../schema/index';
import { page } from './agencies-repository';
import { afterCursor, scopeFilter, type Scope } from './scope';

/** An endpoint as stored, its `secret` and `previousSecret` sealed (see {@link SecretSealer}). */
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
/** An endpoint to store: `secret` in plaintext (sealed on the way in); no previous secret yet. */
export type NewWebhookEndpoint = typeof webhookEndpoints.$inferInsert;
/** An endpoint as read: never with a secret (shown once, at creation or rotation). */
export type WebhookEndpoint = Omit<WebhookEndpointRow, 'secret' | 'previousSecret'>;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * Seals secrets for storage and opens them for use (AES-256-GCM in the alerts service). The
 * context binds a sealed text to its row.
 */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  isSealed(stored: string): boolean;
}

/**
 * One stored secret: the current `secret` of an endpoint or the `previousSecret` a rotation
 * keeps for its overlap; both are sealed with the endpoint id as context.
 */
export interface StoredSecret {
  id: string;
  column: 'secret' | 'previousSecret';
  secret: string;
}

const {
  secret: _secret,
  previousSecret: _previousSecret,
  ...endpointColumns
} = getTableColumns(webhookEndpoints);

const deliveryColumns = getTableColumns(webhookDeliveries);
type DeliveryKey = keyof typeof deliveryColumns & keyof WebhookDeliveryRow;
const DELIVERY_KEYS = Object.keys(deliveryColumns) as DeliveryKey[];
const endpointKeys = Object.keys(endpointColumns) as (keyof typeof endpointColumns)[];

// Drizzle's own conversion of each column (Date → ms, JSON → text, boolean → 0/1 and back),
// applied to prepared better-sqlite3 statements: building a drizzle query costs far more than
// running it, and these run for every alert event with a subscriber and every delivery attempt.
const toDriver = (column: Column, value: unknown): unknown =>
  value === null || value === undefined ? null : column.mapToDriverValue(value);
const fromDriver = (column: Column, value: unknown): unknown =>
  value === null ? null : column.mapFromDriverValue(value);

/**
 * Webhook endpoints per agency and the delivery queue (pending → delivered / dead_letter).
 * Signing secrets are sealed on the way in and opened only for signing a delivery.
 */
export class AlertsWebhooksRepository {
  private readonly enabledOf: Database.Statement<[string], Record<string, unknown>>;
  private readonly hot: {
    insertDelivery: Database.Statement<unknown[]>;
    due: Database.Statement<[string, number, number], unknown[]>;
    signingSecrets: Database.Statement<
      [string],
      {
        secret: string;
        previous_secret: string | null;
        previous_secret_expires_at: number | null;
      }
    >;
    expiredPreviousSecrets: Database.Statement<[number], { id: string }>;
  };
  /** `UPDATE webhook_deliveries` statements by the columns a patch sets, prepared on first use. */
  private readonly deliveryUpdates = new Map<string, Database.Statement<unknown[]>>();

  constructor(
    private readonly db: Db,
    private readonly sqlite: Database.Database,
    private readonly sealer: SecretSealer,
  ) {
    this.enabledOf = sqlite.prepare(
      'SELECT id, agency_id, url, event_types, enabled, disabled_reason, previous_secret_expires_at, created_at, updated_at FROM webhook_endpoints WHERE enabled = 1 AND agency_id IN (SELECT value FROM json_each(?))',
    );
    const names = (keys: readonly string[], columns: Record<string, Column>, table = '') =>
      keys.map((k) => `${table}"${columns[k]!.name}"`).join(', ');
    this.hot = {
      insertDelivery: sqlite.prepare(
        `INSERT INTO webhook_deliveries (${names(DELIVERY_KEYS, deliveryColumns)}) VALUES (${DELIVERY_KEYS.map(() => '?').join(', ')})`,
      ),
      // the query drizzle built for it: same filter, order and limit
      due: sqlite
        .prepare<[string, number, number], unknown[]>(
          `SELECT ${names(DELIVERY_KEYS, deliveryColumns, 'd.')}, ${names(endpointKeys, endpointColumns, 'e.')}
           FROM webhook_deliveries d INNER JOIN webhook_endpoints e ON e.id = d.endpoint_id
           WHERE (d.state = ? AND d.next_attempt_at <= ?) ORDER BY d.next_attempt_at ASC LIMIT ?`,
        )
        .raw(true),
      signingSecrets: sqlite.prepare(
        'SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?',
      ),
      expiredPreviousSecrets: sqlite.prepare(
        'SELECT id FROM webhook_endpoints WHERE previous_secret_expires_at IS NOT NULL AND previous_secret_expires_at <= ?',
      ),
    };
  }

  /** Stores an endpoint with its plaintext `secret`, sealed for row `id`. */
  insertEndpoint(row: NewWebhookEndpoint): void {
    this.db
      .insert(webhookEndpoints)
      .values({
        ...row,
        secret: this.sealer.seal(row.secret, row.id),
        previousSecret: null,
        previousSecretExpiresAt: null,
      })
      .run();
  }

  getEndpoint(id: string, scope: Scope): WebhookEndpoint | undefined {
    return this.db
      .select(endpointColumns)
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), scopeFilter(webhookEndpoints.agencyId, scope)))
      .get();
  }

  /**
   * The plaintext secrets that sign a delivery to an endpoint at `now`: its current secret, then,
   * during a rotation's overlap (`now` before `previousSecretExpiresAt`), the one it replaced.
   * Throws when one cannot be opened.
   */
  signingSecrets(id: string, now: Date): string[] {
    const row = this.hot.signingSecrets.get(id);
    if (!row) throw new Error(`no webhook endpoint ${id}`);
    const open = (stored: string) =>
      this.sealer.isSealed(stored) ? this.sealer.open(stored, id) : stored;
    const secrets = [open(row.secret)];
    if (
      row.previous_secret !== null &&
      row.previous_secret_expires_at !== null &&
      now.getTime() < row.previous_secret_expires_at
    )
      secrets.push(open(row.previous_secret));
    return secrets;
  }

  /**
   * Secret rotation of one of the scope's endpoints, in one IMMEDIATE transaction: `secret`
   * (plaintext) becomes the current secret, sealed; the secret it replaces is kept, still sealed,
   * as the previous one until `previousExpiresAt` (a previous one of an earlier rotation is
   * dropped), or deleted at once when `previousExpiresAt` is null. Returns the endpoint as
   * stored now, or undefined when the scope holds no such endpoint.
   */
  rotateSecret(
    id: string,
    scope: Scope,
    next: { secret: string; previousExpiresAt: Date | null; now: Date },
  ): WebhookEndpoint | undefined {
    const run = () => {
      const row = this.db
        .select({ secret: webhookEndpoints.secret })
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.id, id), scopeFilter(webhookEndpoints.agencyId, scope)))
        .get();
      if (!row) return undefined;
      const previous =
        next.previousExpiresAt === null
          ? null
          : this.sealer.isSealed(row.secret)
            ? row.secret
            : this.sealer.seal(row.secret, id);
      this.db
        .update(webhookEndpoints)
        .set({
          secret: this.sealer.seal(next.secret, id),
          previousSecret: previous,
          previousSecretExpiresAt: next.previousExpiresAt,
          updatedAt: next.now,
        })
        .where(eq(webhookEndpoints.id, id))
        .run();
      return this.getEndpoint(id, scope);
    };
    if (this.sqlite.inTransaction) return this.sqlite.transaction(run)();
    return this.sqlite.transaction(run).immediate();
  }

  /**
   * Deletes every previous secret whose overlap has ended at `now` (the partial index keeps the
   * check cheap: it runs on every pass of the webhook worker, and writes only when one ended).
   * Returns the endpoints whose previous secret was deleted.
   */
  dropExpiredPreviousSecrets(now: Date): string[] {
    const ids = this.hot.expiredPreviousSecrets.all(now.getTime()).map((r) => r.id);
    if (ids.length === 0) return [];
    const ended = and(
      isNotNull(webhookEndpoints.previousSecretExpiresAt),
      lte(webhookEndpoints.previousSecretExpiresAt, now),
    );
    this.db
      .update(webhookEndpoints)
      .set({ previousSecret: null, previousSecretExpiresAt: null })
      .where(ended)
      .run();
    return ids;
  }

  /** Seals every secret still stored in plaintext (rows of older versions); returns how many. */
  sealPlaintextSecrets(): number {
    return this.rewriteSecrets((r) =>
      this.sealer.isSealed(r.secret) ? undefined : this.sealer.seal(r.secret, r.id),
    ).length;
  }

  /**
   * Key rotation: stores again every secret (current or previous) `rewrite` answers a new text
   * for, all in one IMMEDIATE transaction (a crash or a throwing `rewrite` leaves every row as it
   * was). Returns the secrets rewritten, with the text they had.
   */
  rewriteSecrets(rewrite: (stored: StoredSecret) => string | undefined): StoredSecret[] {
    const run = () => {
      const rewritten: StoredSecret[] = [];
      for (const r of this.storedSecrets()) {
        const next = rewrite(r);
        if (next === undefined) continue;
        this.db
          .update(webhookEndpoints)
          .set(r.column === 'secret' ? { secret: next } : { previousSecret: next })
          .where(eq(webhookEndpoints.id, r.id))
          .run();
        rewritten.push(r);
      }
      return rewritten;
    };
    if (this.sqlite.inTransaction) return this.sqlite.transaction(run)();
    return this.sqlite.transaction(run).immediate();
  }

  /**
   * Every stored (sealed or plaintext) secret with its endpoint id and column, current and
   * previous ones, for start-up checks and key rotation.
   */
  storedSecrets(): StoredSecret[] {
    return this.db
      .select({
        id: webhookEndpoints.id,
        secret: webhookEndpoints.secret,
        previousSecret: webhookEndpoints.previousSecret,
      })
      .from(webhookEndpoints)
      .all()
      .flatMap((r): StoredSecret[] =>
        r.previousSecret === null
          ? [{ id: r.id, column: 'secret', secret: r.secret }]
          : [
              { id: r.id, column: 'secret', secret: r.secret },
              { id: r.id, column: 'previousSecret', secret: r.previousSecret },
            ],
      );
  }

  listEndpoints(
    scope: Scope,
    options: { cursor: Cursor | null; limit: number },
  ): Page<WebhookEndpoint> {
    const rows = this.db
      .select(endpointColumns)
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

  updateEndpoint(id: string, patch: Partial<WebhookEndpoint>): void {
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
  enabledEndpointsOf(agencyIds: string[]): WebhookEndpoint[] {
    if (agencyIds.length === 0) return [];
    return this.enabledOf.all(JSON.stringify(agencyIds)).map((r) => ({
      id: r.id as string,
      agencyId: r.agency_id as string,
      url: r.url as string,
      eventTypes: JSON.parse(r.event_types as string) as string[],
      enabled: r.enabled === 1,
      disabledReason: (r.disabled_reason as string | null) ?? null,
      previousSecretExpiresAt:
        r.previous_secret_expires_at === null
          ? null
          : new Date(r.previous_secret_expires_at as number),
      createdAt: new Date(r.created_at as number),
      updatedAt: new Date(r.updated_at as number),
    }));
  }

  /** Queues one delivery (a prepared statement: it runs for every event with a subscriber). */
  insertDelivery(row: WebhookDeliveryRow): void {
    this.hot.insertDelivery.run(DELIVERY_KEYS.map((k) => toDriver(deliveryColumns[k], row[k])));
  }

  /** Pending deliveries due at `now`, oldest first, with their endpoint. */
  due(now: Date, limit: number): { delivery: WebhookDeliveryRow; endpoint: WebhookEndpoint }[] {
    const split = DELIVERY_KEYS.length;
    return this.hot.due.all('pending', now.getTime(), limit).map((r) => {
      const delivery: Record<string, unknown> = {};
      for (let i = 0; i < split; i++) {
        const k = DELIVERY_KEYS[i]!;
        delivery[k] = fromDriver(deliveryColumns[k], r[i]);
      }
      const endpoint: Record<string, unknown> = {};
      for (let i = 0; i < endpointKeys.length; i++) {
        const k = endpointKeys[i]!;
        endpoint[k] = fromDriver(endpointColumns[k], r[split + i]);
      }
      return {
        delivery: delivery as WebhookDeliveryRow,
        endpoint: endpoint as WebhookEndpoint,
      };
    });
  }

  /**
   * Sets the patch's columns of one delivery (those it leaves `undefined` are kept, as drizzle's
   * `set` does); one prepared statement per set of columns, since every attempt records one.
   */
  updateDelivery(id: string, patch: Partial<WebhookDeliveryRow>): void {
    const keys = DELIVERY_KEYS.filter((k) => patch[k] !== undefined);
    if (keys.length === 0) throw new TypeError(`no column to update on webhook delivery ${id}`);
    const shape = keys.join(',');
    let statement = this.deliveryUpdates.get(shape);
    if (!statement) {
      statement = this.sqlite.prepare(
        `UPDATE webhook_deliveries SET ${keys.map((k) => `"${deliveryColumns[k].name}" = ?`).join(', ')} WHERE id = ?`,
      );
      this.deliveryUpdates.set(shape, statement);
    }
    statement.run([...keys.map((k) => toDriver(deliveryColumns[k], patch[k])), id]);
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
