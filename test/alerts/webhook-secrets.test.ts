// Webhook signing secrets are sealed at rest (AES-256-GCM), shown once, and still sign.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { AlertsService } from '../../src/services/alerts/alerts-service';
import { verifyWebhook } from '../../src/services/alerts/index';
import {
  createSecretBox,
  loadSecretsKey,
  SecretKeyError,
} from '../../src/services/alerts/secret-box';
import { hotspot } from './fixtures';
import { call, createAlertsWorld, ingest, type AlertsWorld } from './http-setup';

const dirs: string[] = [];
const worlds: AlertsWorld[] = [];
let server: Server | undefined;
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    w.service.stop();
    await w.service.deliverDueWebhooks();
    w.t.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sf-secrets-'));
  dirs.push(d);
  return d;
};

const world = (env?: Record<string, string>) => {
  const w = createAlertsWorld(undefined, env);
  worlds.push(w);
  return w;
};

async function receiver(): Promise<{
  url: string;
  received: { headers: IncomingHttpHeaders; body: string }[];
}> {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** Every byte SQLite holds for the store: the file and its write-ahead log. */
function storeBytes(w: AlertsWorld): Buffer {
  const path = w.t.deps.config.DATABASE_PATH;
  const wal = `${path}-wal`;
  let walBytes = Buffer.alloc(0);
  try {
    walBytes = readFileSync(wal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return Buffer.concat([readFileSync(path), walBytes]);
}

describe('the secret box', () => {
  it('seals with a fresh IV each time and opens only with the same key and context', () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal('whsec_c2VjcmV0', 'whk_1');
    const b = box.seal('whsec_c2VjcmV0', 'whk_1');
    expect(a).toMatch(new RegExp(`^sfsec:v1:${box.keyId}:`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('c2VjcmV0');
    expect(box.open(a, 'whk_1')).toBe('whsec_c2VjcmV0');
    expect(box.open(b, 'whk_1')).toBe('whsec_c2VjcmV0');
    // copied onto another row
    expect(() => box.open(a, 'whk_2')).toThrow(/failed authentication/);
    // one character of the ciphertext changed
    const parts = a.split(':');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.open(parts.join(':'), 'whk_1')).toThrow(SecretKeyError);
  });

  it('names the key a secret was sealed with when another key tries to open it', () => {
    const one = createSecretBox(randomBytes(32));
    const other = createSecretBox(randomBytes(32));
    const sealed = one.seal('whsec_x', 'whk_1');
    expect(() => other.open(sealed, 'whk_1')).toThrow(
      new RegExp(`sealed with key ${one.keyId}, but the key in use is ${other.keyId}`),
    );
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('loads SECRETS_KEY, or creates secrets.key beside the database (0600) and reuses it', () => {
    const configured = randomBytes(32).toString('base64');
    expect(
      loadSecretsKey({ configured, databasePath: '/nowhere/sf.db' }).key.toString('base64'),
    ).toBe(configured);
    expect(() => loadSecretsKey({ configured: 'c2hvcnQ=', databasePath: 'x' })).toThrow(
      /SECRETS_KEY must be 32 bytes in base64/,
    );
    const dir = tempDir();
    const databasePath = join(dir, 'sf.db');
    const first = loadSecretsKey({ configured: undefined, databasePath });
    expect(first.source).toBe('generated');
    expect(first.path).toBe(join(dir, 'secrets.key'));
    expect(statSync(first.path!).mode & 0o777).toBe(0o600);
    const again = loadSecretsKey({ configured: undefined, databasePath });
    expect(again.source).toBe('file');
    expect(again.key.equals(first.key)).toBe(true);
    writeFileSync(first.path!, 'not a key\n', { mode: 0o600 });
    expect(() => loadSecretsKey({ configured: undefined, databasePath })).toThrow(
      /secrets\.key must be 32 bytes in base64/,
    );
  });

  it('refuses a malformed SECRETS_KEY at start-up', () => {
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(ConfigError);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(/SECRETS_KEY/);
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({ SECRETS_KEY: key }).SECRETS_KEY).toBe(key);
  });
});

describe('webhook secrets at rest', () => {
  it('shows the secret once, stores and logs none of it, and still signs deliveries', async () => {
    const w = world();
    const { url, received } = await receiver();
    const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const created = await call(w.t, 'POST', '/v1/webhooks', { key: admin, json: { url } });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const secretBytes = Buffer.from(secret.slice('whsec_'.length), 'base64');

    const listed = await call(w.t, 'GET', '/v1/webhooks', { key: admin });
    expect(listed.text).not.toContain(secret.slice(6));
    expect(listed.body.items[0]).not.toHaveProperty('secret');
    const patched = await call(w.t, 'PATCH', `/v1/webhooks/${created.body.id}`, {
      key: admin,
      json: { enabled: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.text).not.toContain(secret.slice(6));

    const bytes = storeBytes(w);
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(Buffer.from(secret.slice(6)))).toBe(false);
    expect(bytes.includes(secretBytes)).toBe(false);
    const stored = w.t.deps.store.sqlite
      .prepare('SELECT secret FROM webhook_endpoints WHERE id = ?')
      .get(created.body.id) as { secret: string };
    expect(stored.secret).toMatch(/^sfsec:v1:[0-9a-f]{8}:/);
    expect(statSync(join(w.t.dir, 'secrets.key')).mode & 0o777).toBe(0o600);

    await ingest(w, [hotspot()]);
    await w.service.deliverDueWebhooks();
    expect(received.length).toBeGreaterThan(0);
    for (const r of received)
      expect(
        verifyWebhook(secret, r.headers as Record<string, string>, r.body, w.clock.ms / 1000),
      ).toEqual({ ok: true });
    expect(w.t.logText()).not.toContain(secret.slice(6));
  });

  it('seals secrets an older version stored in plaintext at start, and they still sign', async () => {
    const w = world();
    const { url, received } = await receiver();
    const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const created = await call(w.t, 'POST', '/v1/webhooks', { key: admin, json: { url } });
    const sqlite = w.t.deps.store.sqlite;
    const legacy = 'whsec_' + randomBytes(24).toString('base64');
    sqlite
      .prepare('UPDATE webhook_endpoints SET secret = ? WHERE id = ?')
      .run(legacy, created.body.id);
    w.service.stop();
    const restarted = new AlertsService({
      store: w.t.deps.store,
      now: () => new Date(w.clock.ms),
      logger: w.t.deps.logger,
    });
    try {
      const row = sqlite
        .prepare('SELECT secret FROM webhook_endpoints WHERE id = ?')
        .get(created.body.id) as { secret: string };
      expect(row.secret).toMatch(/^sfsec:v1:/);
      expect(row.secret).not.toContain(legacy.slice(6));
      expect(w.t.logText()).toContain('sealed webhook secrets stored in plaintext');
      restarted.acceptBatch(
        { agencyId: w.ids.utility, keyId: 'test', seesAll: true },
        [hotspot()],
        undefined,
      );
      await restarted.whenIdle();
      await restarted.deliverDueWebhooks();
      expect(received.length).toBeGreaterThan(0);
      for (const r of received)
        expect(
          verifyWebhook(legacy, r.headers as Record<string, string>, r.body, w.clock.ms / 1000),
        ).toEqual({ ok: true });
    } finally {
      restarted.stop();
    }
  });

  it('refuses to start with another key than the one the secrets were sealed with', async () => {
    const key = randomBytes(32).toString('base64');
    const w = world({ SECRETS_KEY: key });
    const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const { url } = await receiver();
    expect((await call(w.t, 'POST', '/v1/webhooks', { key: admin, json: { url } })).status).toBe(
      201,
    );
    const start = (secretsKey: string | undefined) =>
      new AlertsService({
        store: w.t.deps.store,
        now: () => new Date(w.clock.ms),
        logger: w.t.deps.logger,
        secretsKey,
      });
    // the configured key was not written anywhere; without it the key file is another key
    expect(() => start(undefined)).toThrow(SecretKeyError);
    expect(() => start(randomBytes(32).toString('base64'))).toThrow(
      /sealed with key [0-9a-f]{8}, but the key in use is [0-9a-f]{8}: set SECRETS_KEY/,
    );
    const same = start(key);
    same.stop();
  });
});
