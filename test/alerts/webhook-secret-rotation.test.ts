// Per-endpoint signing-secret rotation (Standard Webhooks): the new secret is shown once; during
// the overlap every delivery carries both signatures (new first), each verifiable on its own;
// after it only the new secret signs and the replaced one is deleted from the row.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase } from '../../db/index';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SECRET_OVERLAP_MAX_S,
  WEBHOOK_SECRET_OVERLAP_S,
} from '../../src/services/alerts/index';
import { createSecretBox, SecretKeyError } from '../../src/services/alerts/secret-box';
import { rotateWebhookSecrets } from '../../src/services/alerts/secrets-key-rotation';
import { hotspot } from './fixtures';
import { call, ingest, type AlertsWorld } from './http-setup';
import { idOf, newKey, useWebhookWorlds, type Received } from './webhook-worlds';

const HOUR_MS = 3_600_000;
const { world, restart, receiver, removeLater } = useWebhookWorlds();

interface Setup {
  w: AlertsWorld;
  admin: string;
  id: string;
  secret: string;
  received: Received[];
}

async function setup(w: AlertsWorld): Promise<Setup> {
  const { url, received } = await receiver();
  const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
  const res = await call(w.t, 'POST', '/v1/webhooks', { key: admin, json: { url } });
  expect(res.status).toBe(201);
  // answers that carry a secret are kept by no cache
  expect(res.headers.get('cache-control')).toBe('no-store');
  return { w, admin, id: res.body.id as string, secret: res.body.secret as string, received };
}

function row(w: AlertsWorld, id: string) {
  return w.t.deps.store.sqlite
    .prepare(
      'SELECT secret, previous_secret, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?',
    )
    .get(id) as {
    secret: string;
    previous_secret: string | null;
    previous_secret_expires_at: number | null;
  };
}

/** A new fire (or more of it) at the world's time; answers what the receiver got for it. */
async function deliveries(s: Setup, passId: string): Promise<Received[]> {
  s.received.length = 0;
  const res = await ingest(s.w, [hotspot({ passId, atMs: s.w.clock.ms })]);
  expect(res.status).toBe(202);
  await s.w.service.deliverDueWebhooks();
  expect(s.received.length, 'deliveries').toBeGreaterThan(0);
  return [...s.received];
}

/** The `v1,` entries of a delivery's `webhook-signature`, in order. */
const entries = (r: Received) => String(r.headers['webhook-signature']).split(' ');

/** Verifies with one signature entry only, as a receiver checking entry by entry would. */
function verifiesAlone(secret: string, r: Received, entry: string, nowMs: number): boolean {
  const headers = { ...(r.headers as Record<string, string>), 'webhook-signature': entry };
  return verifyWebhook(secret, headers, r.body, nowMs / 1000).ok;
}

const rotate = (s: Setup, json?: unknown, key = s.admin, id = s.id) =>
  call(s.w.t, 'POST', `/v1/webhooks/${id}/rotate-secret`, {
    key,
    ...(json === undefined ? {} : { json }),
  });

describe('signing with several secrets', () => {
  it('writes one v1 entry per secret, in the order given, each the single-secret signature', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const one = (secret: string) => signWebhook(secret, 'msg_1', 1_700_000_000, '{}');
    const both = signWebhook([a, b], 'msg_1', 1_700_000_000, '{}');
    expect(both['webhook-signature']).toBe(
      `${one(a)['webhook-signature']} ${one(b)['webhook-signature']}`,
    );
    expect(both['webhook-signature']).not.toBe(
      signWebhook([b, a], 'msg_1', 1_700_000_000, '{}')['webhook-signature'],
    );
    expect(() => signWebhook([], 'msg_1', 1_700_000_000, '{}')).toThrow(/no webhook secret/);
  });
});

describe('rotating an endpoint’s signing secret', () => {
  it('answers the new secret once, signs with both during the overlap (new first), then with the new one only and deletes the old', async () => {
    const s = await setup(world());
    const { w } = s;
    const rotatedAtMs = w.clock.ms;
    const res = await rotate(s);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const fresh = res.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(s.secret);
    expect(res.body).toMatchObject({
      id: s.id,
      previousSecretExpiresAt: new Date(
        rotatedAtMs + WEBHOOK_SECRET_OVERLAP_S * 1000,
      ).toISOString(),
    });

    // never shown again, never stored or logged in the clear; both columns sealed for this row
    const listed = await call(w.t, 'GET', '/v1/webhooks', { key: s.admin });
    expect(listed.text).not.toContain(fresh.slice(6));
    expect(listed.body.items[0].previousSecretExpiresAt).toBe(res.body.previousSecretExpiresAt);
    const stored = row(w, s.id);
    expect(stored.secret).toMatch(/^sfsec:v1:[0-9a-f]{8}:/);
    expect(stored.previous_secret).toMatch(/^sfsec:v1:[0-9a-f]{8}:/);
    for (const text of [stored.secret, stored.previous_secret!])
      for (const plain of [fresh, s.secret]) expect(text).not.toContain(plain.slice(6));
    expect(w.t.logText()).not.toContain(fresh.slice(6));
    expect(w.t.logs.find((l) => l.msg === 'rotated a webhook signing secret')).toMatchObject({
      endpointId: s.id,
      overlapSeconds: WEBHOOK_SECRET_OVERLAP_S,
    });

    // during the overlap: two entries, the new secret's first, each verifying on its own
    w.clock.ms = rotatedAtMs + 23 * HOUR_MS;
    for (const r of await deliveries(s, 'during')) {
      const [first, second, ...more] = entries(r);
      expect(more).toEqual([]);
      expect(verifiesAlone(fresh, r, first!, w.clock.ms)).toBe(true);
      expect(verifiesAlone(s.secret, r, first!, w.clock.ms)).toBe(false);
      expect(verifiesAlone(s.secret, r, second!, w.clock.ms)).toBe(true);
      expect(verifiesAlone(fresh, r, second!, w.clock.ms)).toBe(false);
      const headers = r.headers as Record<string, string>;
      expect(verifyWebhook(fresh, headers, r.body, w.clock.ms / 1000)).toEqual({ ok: true });
      expect(verifyWebhook(s.secret, headers, r.body, w.clock.ms / 1000)).toEqual({ ok: true });
      expect(verifyWebhook(generateWebhookSecret(), headers, r.body, w.clock.ms / 1000).ok).toBe(
        false,
      );
    }
    expect(row(w, s.id).previous_secret).not.toBeNull();

    // the overlap ends at its instant: the worker deletes the old secret, only the new one signs
    const endsMs = rotatedAtMs + WEBHOOK_SECRET_OVERLAP_S * 1000;
    expect(w.service.webhooks.signingSecrets(s.id, new Date(endsMs - 1))).toEqual([
      fresh,
      s.secret,
    ]);
    expect(w.service.webhooks.signingSecrets(s.id, new Date(endsMs))).toEqual([fresh]);
    w.clock.ms = endsMs + 1000;
    await w.service.deliverDueWebhooks();
    expect(row(w, s.id)).toEqual({
      secret: stored.secret,
      previous_secret: null,
      previous_secret_expires_at: null,
    });
    expect(
      w.t.logs.find((l) => l.msg === 'deleted the previous webhook secrets whose overlap ended'),
    ).toMatchObject({ endpointIds: [s.id] });
    for (const r of await deliveries(s, 'after')) {
      expect(entries(r)).toHaveLength(1);
      const headers = r.headers as Record<string, string>;
      expect(verifyWebhook(fresh, headers, r.body, w.clock.ms / 1000)).toEqual({ ok: true });
      expect(verifyWebhook(s.secret, headers, r.body, w.clock.ms / 1000)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
    const listedAfter = await call(w.t, 'GET', '/v1/webhooks', { key: s.admin });
    expect(listedAfter.body.items[0].previousSecretExpiresAt).toBeNull();
  });

  it('takes an overlap in seconds: 0 stops the old secret at once; a second rotation keeps only the secret it replaces', async () => {
    const s = await setup(world());
    const { w } = s;
    const immediate = await rotate(s, { overlapSeconds: 0 });
    expect(immediate.status).toBe(200);
    expect(immediate.body.previousSecretExpiresAt).toBeNull();
    expect(row(w, s.id).previous_secret).toBeNull();
    const b = immediate.body.secret as string;
    for (const r of await deliveries(s, 'zero')) {
      expect(entries(r)).toHaveLength(1);
      expect(verifiesAlone(b, r, entries(r)[0]!, w.clock.ms)).toBe(true);
      expect(verifiesAlone(s.secret, r, entries(r)[0]!, w.clock.ms)).toBe(false);
    }

    const startMs = w.clock.ms;
    const second = await rotate(s, { overlapSeconds: 3600 });
    expect(second.body.previousSecretExpiresAt).toBe(new Date(startMs + HOUR_MS).toISOString());
    w.clock.ms = startMs + 60_000;
    const third = await rotate(s, { overlapSeconds: 7200 });
    const [c, d] = [second.body.secret as string, third.body.secret as string];
    expect(third.body.previousSecretExpiresAt).toBe(
      new Date(startMs + 60_000 + 2 * HOUR_MS).toISOString(),
    );
    for (const r of await deliveries(s, 'twice')) {
      const [first, next] = entries(r);
      expect(verifiesAlone(d, r, first!, w.clock.ms)).toBe(true);
      expect(verifiesAlone(c, r, next!, w.clock.ms)).toBe(true);
      expect(
        verifyWebhook(b, r.headers as Record<string, string>, r.body, w.clock.ms / 1000).ok,
      ).toBe(false);
    }
  });

  it('lets only the owning agency’s admins rotate: another agency, the utility and unknown ids answer 404, an operator 403, and nothing changes', async () => {
    const s = await setup(world());
    const { w } = s;
    const before = row(w, s.id);
    const utilityAdmin = w.keys.utilityAdmin;
    // the utility's admins see the endpoint, but its secret is the owner's alone
    expect((await call(w.t, 'GET', '/v1/webhooks', { key: utilityAdmin })).text).toContain(s.id);
    for (const key of [w.keys.elsewhere, utilityAdmin]) {
      const res = await rotate(s, undefined, key);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'WEBHOOK_NOT_FOUND', status: 404 });
      expect(res.text).not.toContain('whsec_');
    }
    const unknown = await rotate(s, undefined, s.admin, 'whk_guessed');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('WEBHOOK_NOT_FOUND');
    const operator = await rotate(s, undefined, w.t.key('Yuhang Forestry', 'forestry', 'operator'));
    expect(operator.status).toBe(403);
    expect(operator.body.code).toBe('FORBIDDEN');
    expect((await call(w.t, 'POST', `/v1/webhooks/${s.id}/rotate-secret`)).status).toBe(401);
    expect(row(w, s.id)).toEqual(before);
    for (const r of await deliveries(s, 'unchanged')) {
      expect(entries(r)).toHaveLength(1);
      expect(verifiesAlone(s.secret, r, entries(r)[0]!, w.clock.ms)).toBe(true);
    }
  });

  it('answers a bad overlap, an unknown field or a malformed body with 400 VALIDATION_FAILED naming the path, and changes nothing', async () => {
    const s = await setup(world());
    const { w } = s;
    const before = row(w, s.id);
    for (const overlapSeconds of [-1, WEBHOOK_SECRET_OVERLAP_MAX_S + 1, 1.5, '3600', null]) {
      const res = await rotate(s, { overlapSeconds });
      expect(res.status, JSON.stringify(overlapSeconds)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([
        '/body/overlapSeconds',
      ]);
    }
    const typo = await rotate(s, { overlap: 0 });
    expect(typo.status).toBe(400);
    expect(typo.body.code).toBe('VALIDATION_FAILED');
    expect(typo.body.errors[0].message).toContain('overlap');
    const malformed = await call(w.t, 'POST', `/v1/webhooks/${s.id}/rotate-secret`, {
      key: s.admin,
      body: '{"overlapSeconds":',
      contentType: 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(row(w, s.id)).toEqual(before);
    // the bounds themselves are accepted
    expect((await rotate(s, { overlapSeconds: WEBHOOK_SECRET_OVERLAP_MAX_S })).status).toBe(200);
  });

  it('keeps the overlap across a restart: both signatures after it, only the new one once it ends', async () => {
    const s = await setup(world());
    const rotatedAtMs = s.w.clock.ms;
    const res = await rotate(s, { overlapSeconds: 3600 });
    const fresh = res.body.secret as string;

    const again = restart(s.w);
    const s2: Setup = { ...s, w: again };
    again.clock.ms = rotatedAtMs + 30 * 60_000;
    for (const r of await deliveries(s2, 'restarted')) {
      const [first, second] = entries(r);
      expect(verifiesAlone(fresh, r, first!, again.clock.ms)).toBe(true);
      expect(verifiesAlone(s.secret, r, second!, again.clock.ms)).toBe(true);
    }
    again.clock.ms = rotatedAtMs + HOUR_MS;
    for (const r of await deliveries(s2, 'ended')) {
      expect(entries(r)).toHaveLength(1);
      expect(verifiesAlone(fresh, r, entries(r)[0]!, again.clock.ms)).toBe(true);
    }
    expect(row(again, s.id).previous_secret).toBeNull();
  });

  it('re-seals both the current and the previous secret under a new server key at start, and checks both', async () => {
    const [k1, k2, k3] = [newKey(), newKey(), newKey()];
    const s = await setup(world({ SECRETS_KEY: k1 }));
    const rotatedAtMs = s.w.clock.ms;
    const fresh = (await rotate(s, { overlapSeconds: 3600 })).body.secret as string;
    const sealedUnderK1 = row(s.w, s.id);
    for (const text of [sealedUnderK1.secret, sealedUnderK1.previous_secret])
      expect(text).toMatch(new RegExp(`^sfsec:v1:${idOf(k1)}:`));

    const rotated = restart(s.w, { SECRETS_KEY: k2, SECRETS_KEY_PREVIOUS: k1 });
    const stored = row(rotated, s.id);
    for (const text of [stored.secret, stored.previous_secret])
      expect(text).toMatch(new RegExp(`^sfsec:v1:${idOf(k2)}:`));
    expect(stored.previous_secret_expires_at).toBe(rotatedAtMs + HOUR_MS);
    expect(
      rotated.t.logs.find((l) => l.msg === 're-sealed webhook secrets under the current key'),
    ).toMatchObject({ endpoints: 1, secrets: 2, keyId: idOf(k2), fromKeyIds: { [idOf(k1)]: 2 } });
    for (const k of [k1, k2]) expect(rotated.t.logText()).not.toContain(k);

    const s2: Setup = { ...s, w: rotated };
    rotated.clock.ms = rotatedAtMs + 60_000;
    for (const r of await deliveries(s2, 'new-key')) {
      const [first, second] = entries(r);
      expect(verifiesAlone(fresh, r, first!, rotated.clock.ms)).toBe(true);
      expect(verifiesAlone(s.secret, r, second!, rotated.clock.ms)).toBe(true);
    }

    // a previous secret sealed under a key nobody gave stops the rotation, named, nothing written
    rotated.service.stop();
    const stray = createSecretBox(Buffer.from(k3, 'base64')).seal(s.secret, s.id);
    rotated.t.deps.store.sqlite
      .prepare('UPDATE webhook_endpoints SET previous_secret = ? WHERE id = ?')
      .run(stray, s.id);
    const before = row(rotated, s.id);
    const box = createSecretBox(Buffer.from(newKey(), 'base64'), {
      previousKeys: [Buffer.from(k2, 'base64')],
    });
    let error: unknown;
    try {
      rotateWebhookSecrets(rotated.t.deps.store, box);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretKeyError);
    expect((error as SecretKeyError).keyId).toBe(idOf(k3));
    expect((error as SecretKeyError).message).toContain(
      `sealed with key ${idOf(k3)} (1 endpoint, e.g. ${s.id})`,
    );
    expect(row(rotated, s.id)).toEqual(before);
  });

  it('documents the route in the OpenAPI document', async () => {
    const w = world();
    const doc = await call(w.t, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const op = doc.body.paths['/v1/webhooks/{id}/rotate-secret']?.post;
    expect(op).toBeDefined();
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
    expect(op.requestBody.required).toBe(false);
    const schema = op.requestBody.content['application/json'].schema;
    expect(schema.properties.overlapSeconds).toMatchObject({
      minimum: 0,
      maximum: WEBHOOK_SECRET_OVERLAP_MAX_S,
      default: WEBHOOK_SECRET_OVERLAP_S,
    });
  });

  it('rotates an endpoint stored before migration 0011 (no previous secret columns then)', async () => {
    // the committed migrations up to 0010, with one endpoint as an older version stored it
    const folder = mkdtempSync(join(tmpdir(), 'sf-migrations-'));
    const dataDir = mkdtempSync(join(tmpdir(), 'sf-0011-'));
    removeLater(folder, dataDir);
    cpSync(MIGRATIONS_DIR, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx < 11);
    writeFileSync(journalPath, JSON.stringify(journal));
    const path = join(dataDir, 'store.db');
    const old = openDatabase(path, { migrate: false });
    migrate(drizzle(old.sqlite), { migrationsFolder: folder });
    const { url, received } = await receiver();
    const legacy = generateWebhookSecret();
    old.sqlite
      .prepare(
        "INSERT INTO agencies (id, name, kind, alert_types, created_at, updated_at) VALUES ('agc_old', 'Yuhang Forestry', 'forestry', '[]', 0, 0)",
      )
      .run();
    old.sqlite
      .prepare(
        "INSERT INTO webhook_endpoints (id, agency_id, url, secret, event_types, enabled, created_at, updated_at) VALUES ('whk_old', 'agc_old', ?, ?, '[]', 1, 0, 0)",
      )
      .run(url, legacy);
    old.close();

    const w = world({ DATABASE_PATH: path });
    const s: Setup = {
      w,
      admin: w.t.key('Yuhang Forestry', 'forestry', 'admin'),
      id: 'whk_old',
      secret: legacy,
      received,
    };
    expect(row(w, s.id)).toMatchObject({ previous_secret: null, previous_secret_expires_at: null });
    expect(row(w, s.id).secret).toMatch(/^sfsec:v1:/);
    const res = await rotate(s, { overlapSeconds: 600 });
    expect(res.status).toBe(200);
    const fresh = res.body.secret as string;
    for (const r of await deliveries(s, 'migrated')) {
      const [first, second] = entries(r);
      expect(verifiesAlone(fresh, r, first!, w.clock.ms)).toBe(true);
      expect(verifiesAlone(legacy, r, second!, w.clock.ms)).toBe(true);
    }
  });
});
