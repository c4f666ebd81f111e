// The webhook delivery queue runs on prepared statements (insert, update, due) where it built
// drizzle queries: drizzle's own queries are the oracle. The same rows are written, byte for byte
// and type for type, the same patches change the same columns, and the due list is the same.
import { and, asc, eq, lte } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { getTableColumns } from 'drizzle-orm';
import { seededRandom } from '../../missions/index';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema/index';
import type { WebhookDeliveryRow } from '../../db/index';
import { T0 } from './fixtures';
import { processingWorld, type ProcessingWorld } from './processing-world';

let w: ProcessingWorld | undefined;
afterEach(() => w?.close());

const STATES = ['pending', 'delivered', 'dead_letter'] as const;

function randomDelivery(random: () => number, id: string, endpointId: string): WebhookDeliveryRow {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const maybe = <T>(v: T): T | null => (random() < 0.5 ? null : v);
  return {
    id,
    endpointId,
    agencyId: 'agc_x',
    messageId: `msg_${Math.floor(random() * 1e9)}`,
    eventType: pick(['alert.created', 'alert.updated', 'alert.dispatched']),
    payload: pick([
      { alertId: 'alr_1', eventSeq: Math.floor(random() * 1000), version: 2, status: 'new' },
      { note: 'Jingshan 径山 “quoted”', nested: { list: [1, 2.5, null, true] }, empty: {} },
      { ratio: random(), big: 2 ** 53 - 1, negative: -0.001 },
    ]),
    state: pick(STATES),
    attempts: Math.floor(random() * 8),
    // some due times shared, so that the due list's order has ties to break
    nextAttemptAt: new Date(T0 + Math.floor(random() * 20) * 1000),
    lastStatus: maybe(pick([200, 204, 410, 500, 503])),
    lastError: maybe(pick(['timeout', 'connect ECONNREFUSED', 'HTTP 503'])),
    deliveredAt: maybe(new Date(T0 + Math.floor(random() * 1e6))),
    createdAt: new Date(T0 - Math.floor(random() * 1e6)),
  };
}

/** Every column's stored value and SQLite type of a delivery, id left out. */
function stored(world: ProcessingWorld, id: string): Record<string, unknown> {
  const columns = Object.values(getTableColumns(webhookDeliveries))
    .map((c) => c.name)
    .filter((n) => n !== 'id');
  const row = world.store.sqlite
    .prepare(
      `SELECT ${columns.map((c) => `"${c}", typeof("${c}") AS "${c}:type"`).join(', ')} FROM webhook_deliveries WHERE id = ?`,
    )
    .get(id) as Record<string, unknown> | undefined;
  if (!row) throw new Error(`no delivery ${id}`);
  return row;
}

describe('webhook delivery rows through prepared statements', () => {
  it('inserts and updates the same rows as drizzle’s queries', () => {
    w = processingWorld();
    const world = w;
    const repo = world.service.webhooks;
    const random = seededRandom(5);
    const keys = Object.keys(getTableColumns(webhookDeliveries)).filter(
      (k) => k !== 'id',
    ) as (keyof WebhookDeliveryRow)[];
    for (let i = 0; i < 200; i++) {
      const row = randomDelivery(random, `p-${i}`, 'whk_forestry');
      repo.insertDelivery(row);
      world.store.db
        .insert(webhookDeliveries)
        .values({ ...row, id: `d-${i}` })
        .run();
      expect(stored(world, `p-${i}`)).toEqual(stored(world, `d-${i}`));

      // a patch of random columns, some of them undefined (kept) or null (cleared)
      const other = randomDelivery(random, 'unused', 'whk_forestry');
      const patch: Partial<WebhookDeliveryRow> = {};
      for (const k of keys) {
        const r = random();
        if (r < 0.4) Object.assign(patch, { [k]: other[k] });
        else if (r < 0.5) Object.assign(patch, { [k]: undefined });
      }
      if (Object.values(patch).every((v) => v === undefined)) patch.attempts = i;
      repo.updateDelivery(`p-${i}`, patch);
      world.store.db
        .update(webhookDeliveries)
        .set(patch)
        .where(eq(webhookDeliveries.id, `d-${i}`))
        .run();
      expect(stored(world, `p-${i}`)).toEqual(stored(world, `d-${i}`));
    }
  });

  it('refuses an update that sets nothing, naming the delivery', () => {
    w = processingWorld();
    const row = randomDelivery(seededRandom(2), 'whd_1', 'whk_forestry');
    w.service.webhooks.insertDelivery(row);
    expect(() => w!.service.webhooks.updateDelivery('whd_1', {})).toThrow(
      /no column to update on webhook delivery whd_1/,
    );
  });

  it('lists the same due deliveries with their endpoints as drizzle’s query, in the same order', () => {
    w = processingWorld();
    const world = w;
    const repo = world.service.webhooks;
    const random = seededRandom(9);
    const {
      secret: _s,
      previousSecret: _p,
      ...endpointColumns
    } = getTableColumns(webhookEndpoints);
    for (let i = 0; i < 300; i++)
      repo.insertDelivery(
        randomDelivery(random, `whd_${String(i).padStart(3, '0')}`, 'whk_forestry'),
      );
    let compared = 0;
    for (const [nowS, limit] of [
      [0, 100],
      [7, 100],
      [19, 100],
      [19, 30],
      [12, 5],
      [-1, 100],
    ] as const) {
      const now = new Date(T0 + nowS * 1000);
      const oracle = world.store.db
        .select({ delivery: webhookDeliveries, endpoint: endpointColumns })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(
          and(eq(webhookDeliveries.state, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)),
        )
        .orderBy(asc(webhookDeliveries.nextAttemptAt))
        .limit(limit)
        .all();
      const got = repo.due(now, limit);
      expect(got).toEqual(oracle);
      expect(got.map((d) => d.delivery.id)).toEqual(oracle.map((d) => d.delivery.id));
      compared += got.length;
    }
    expect(compared).toBeGreaterThan(150);
  });
});
