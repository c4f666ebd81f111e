import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  verifyWebhook,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
} from '../../src/services/alerts/index';
import { hotspot } from './fixtures';
import { call, createAlertsWorld, ingest, type AlertsWorld } from './http-setup';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let w: AlertsWorld;
let server: Server | undefined;
let status = 200;
const received: Received[] = [];

async function receiver(): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
}

beforeEach(() => {
  w = createAlertsWorld();
  status = 200;
  received.length = 0;
});
afterEach(async () => {
  w.service.stop();
  await w.service.deliverDueWebhooks();
  w.t.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function register(key: string, url: string): Promise<{ id: string; secret: string }> {
  const res = await call(w.t, 'POST', '/v1/webhooks', { key, json: { url } });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return res.body;
}

describe('webhooks', () => {
  it('delivers signed events to the routed agency only', async () => {
    const url = await receiver();
    const forestryAdmin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const ep = await register(forestryAdmin, url);
    await register(w.keys.elsewhere, `${url}?elsewhere`);
    await ingest(w, [hotspot()]);
    await w.service.deliverDueWebhooks();
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((r) => r.url.includes('elsewhere'))).toEqual([]);
    const nowS = Math.floor(w.clock.ms / 1000);
    for (const r of received) {
      expect(verifyWebhook(ep.secret, r.headers as Record<string, string>, r.body, nowS)).toEqual({
        ok: true,
      });
    }
    const types = received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types).toContain('alert.dispatched');
    const list = await call(w.t, 'GET', `/v1/webhooks/${ep.id}/deliveries?state=delivered`, {
      key: forestryAdmin,
    });
    expect(list.body.items.length).toBe(received.length);
    // the other agency's endpoint got nothing
    const other = (await call(w.t, 'GET', '/v1/webhooks', { key: w.keys.elsewhere })).body.items[0];
    expect(
      (await call(w.t, 'GET', `/v1/webhooks/${other.id}/deliveries`, { key: w.keys.elsewhere }))
        .body.items,
    ).toEqual([]);
    expect(
      (await call(w.t, 'GET', `/v1/webhooks/${ep.id}/deliveries`, { key: w.keys.elsewhere }))
        .status,
    ).toBe(404);
  });

  it('retries with backoff on 500, then dead-letters after the last attempt', async () => {
    const url = await receiver();
    const forestryAdmin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const ep = await register(forestryAdmin, url);
    status = 500;
    await ingest(w, [hotspot()]);
    await w.service.deliverDueWebhooks();
    let d = (await call(w.t, 'GET', `/v1/webhooks/${ep.id}/deliveries`, { key: forestryAdmin }))
      .body.items[0];
    expect(d).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });
    const delay = Date.parse(d.nextAttemptAt) - w.clock.ms;
    expect(delay).toBeGreaterThanOrEqual(WEBHOOK_RETRY_DELAYS_MS[0] * 0.9);
    expect(delay).toBeLessThanOrEqual(WEBHOOK_RETRY_DELAYS_MS[0] * 1.1);
    // not yet due: nothing is sent
    const before = received.length;
    await w.service.deliverDueWebhooks();
    expect(received.length).toBe(before);
    for (let i = 1; i < WEBHOOK_MAX_ATTEMPTS; i++) {
      w.clock.ms += 11 * 3_600_000;
      await w.service.deliverDueWebhooks();
    }
    d = (
      await call(w.t, 'GET', `/v1/webhooks/${ep.id}/deliveries?state=dead_letter`, {
        key: forestryAdmin,
      })
    ).body.items[0];
    expect(d).toMatchObject({
      state: 'dead_letter',
      attempts: WEBHOOK_MAX_ATTEMPTS,
      lastStatus: 500,
    });
    // every attempt carried the same message id, so the receiver can deduplicate
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(
      new Set(received.map((r) => r.body)).size,
    );
  });

  it('disables the endpoint on 410 Gone and dead-letters what was pending', async () => {
    const url = await receiver();
    const forestryAdmin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const ep = await register(forestryAdmin, url);
    status = 410;
    await ingest(w, [hotspot()]);
    await w.service.deliverDueWebhooks();
    const e = (await call(w.t, 'GET', '/v1/webhooks', { key: forestryAdmin })).body.items[0];
    expect(e).toMatchObject({
      id: ep.id,
      enabled: false,
      disabledReason: 'receiver answered 410 Gone',
    });
    const dead = (
      await call(w.t, 'GET', `/v1/webhooks/${ep.id}/deliveries?state=dead_letter`, {
        key: forestryAdmin,
      })
    ).body.items;
    expect(dead.length).toBeGreaterThan(0);
    const count = received.length;
    await ingest(w, [hotspot({ eastM: 2000, passId: 'p9' })]);
    await w.service.deliverDueWebhooks();
    expect(received.length).toBe(count);
  });
});

async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text)) {
    const left = deadline - Date.now();
    if (left <= 0) return text;
    const chunk = await Promise.race([
      reader.read(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
    ]);
    if (chunk === 'timeout' || chunk.done) return text;
    text += decoder.decode(chunk.value);
  }
  return text;
}

describe('server-sent events', () => {
  it('streams the alerts an agency may see, and nothing of the others', async () => {
    const open = async (key: string, lastEventId?: string) => {
      const res = await w.t.app.request('/v1/alerts/stream', {
        headers: {
          authorization: `Bearer ${key}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      return res.body!.getReader();
    };
    const forestry = await open(w.keys.forestry);
    const elsewhere = await open(w.keys.elsewhere);
    expect(await readUntil(forestry, /event: ready/, 2000)).toMatch(/event: ready/);
    expect(await readUntil(elsewhere, /event: ready/, 2000)).toMatch(/event: ready/);
    const res = await ingest(w, [hotspot()]);
    const id = res.body.results[0].alertId as string;
    const got = await readUntil(forestry, /event: alert\.dispatched/, 2000);
    expect(got).toMatch(/event: alert\.dispatched/);
    expect(got).toContain(id);
    expect(await readUntil(elsewhere, /alert\./, 300)).not.toMatch(/alert\./);
    await forestry.cancel();
    await elsewhere.cancel();
    // a reconnect with Last-Event-ID replays what came after it
    const replay = await open(w.keys.forestry, '1');
    const text = await readUntil(replay, /event: ready/, 2000);
    expect(text).toMatch(/event: alert\.dispatched\ndata: [^\n]*\nid: 2\n/);
    expect(text).not.toMatch(/id: 1\n/);
    await replay.cancel();
  });
});
