// Rotating the key that seals webhook secrets at rest: nothing is lost, every endpoint still
// signs with its original secret, a missing key is named, and a crash mid-rotation loses nothing.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { verifyWebhook } from '../../src/services/alerts/index';
import {
  createSecretBox,
  keyIdOf,
  loadPreviousSecretsKeys,
  replaceSecretsKeyFile,
  SecretKeyError,
} from '../../src/services/alerts/secret-box';
import { rotateWebhookSecrets } from '../../src/services/alerts/secrets-key-rotation';
import { runTsx, spawnTsx } from '../support/spawn-tsx';
import { hotspot } from './fixtures';
import { call, ingest, type AlertsWorld } from './http-setup';
import { idOf, newKey, useWebhookWorlds, type Received } from './webhook-worlds';

const { world, restart, receiver } = useWebhookWorlds();

interface Endpoint {
  id: string;
  path: string;
  secret: string;
}

/** Registers `n` endpoints of Yuhang Forestry at `/hook/<i>` and answers their secrets. */
async function register(w: AlertsWorld, base: string, n: number): Promise<Endpoint[]> {
  const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
  const out: Endpoint[] = [];
  for (let i = 0; i < n; i++) {
    const path = `/hook/${i}`;
    const res = await call(w.t, 'POST', '/v1/webhooks', { key: admin, json: { url: base + path } });
    expect(res.status).toBe(201);
    out.push({ id: res.body.id as string, path, secret: res.body.secret as string });
  }
  return out;
}

function storedSecrets(w: AlertsWorld): Map<string, string> {
  const rows = w.t.deps.store.sqlite
    .prepare('SELECT id, secret FROM webhook_endpoints ORDER BY id')
    .all() as { id: string; secret: string }[];
  return new Map(rows.map((r) => [r.id, r.secret]));
}

/** A fire near the origin; then every endpoint has deliveries that verify under its own secret. */
async function expectEveryEndpointDelivers(
  w: AlertsWorld,
  endpoints: Endpoint[],
  received: Received[],
  passId: string,
) {
  received.length = 0;
  const res = await ingest(w, [hotspot({ passId })]);
  expect(res.status).toBe(202);
  await w.service.deliverDueWebhooks();
  for (const [i, e] of endpoints.entries()) {
    const got = received.filter((r) => r.path === e.path);
    expect(got.length, `deliveries to ${e.path}`).toBeGreaterThan(0);
    const other = endpoints[(i + 1) % endpoints.length]!;
    for (const r of got) {
      const headers = r.headers as Record<string, string>;
      expect(verifyWebhook(e.secret, headers, r.body, w.clock.ms / 1000)).toEqual({ ok: true });
      if (other !== e)
        expect(verifyWebhook(other.secret, headers, r.body, w.clock.ms / 1000).ok).toBe(false);
    }
  }
  const pending = w.t.deps.store.sqlite
    .prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE state != 'delivered'")
    .get() as { n: number };
  expect(pending.n).toBe(0);
}

describe('the secret box with previous keys', () => {
  it('opens what a previous key sealed, seals only under the current key, and names a key it lacks', () => {
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const old = createSecretBox(k1);
    const sealed = old.seal('whsec_b2xk', 'whk_1');
    const box = createSecretBox(k2, { previousKeys: [k1, k1, k2] });
    expect(box.previousKeyIds).toEqual([old.keyId]);
    expect(box.needsReseal(sealed)).toBe(true);
    expect(box.needsReseal('whsec_plaintext')).toBe(true);
    expect(box.open(sealed, 'whk_1')).toBe('whsec_b2xk');
    const again = box.seal(box.open(sealed, 'whk_1'), 'whk_1');
    expect(again.split(':')[2]).toBe(box.keyId);
    expect(box.needsReseal(again)).toBe(false);
    // the previous key does not widen what opens: context and integrity still hold
    expect(() => box.open(sealed, 'whk_2')).toThrow(/failed authentication under key/);

    const lacking = createSecretBox(k3, { previousKeys: [k2] });
    let error: unknown;
    try {
      lacking.open(sealed, 'whk_1');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretKeyError);
    expect((error as SecretKeyError).keyId).toBe(old.keyId);
    expect((error as SecretKeyError).message).toContain(
      `sealed with key ${old.keyId}, but the key in use is ${lacking.keyId}`,
    );
    expect((error as SecretKeyError).message).toContain(
      `SECRETS_KEY_PREVIOUS to rotate away from it (previous keys given: ${keyIdOf(k2)})`,
    );
    expect(() => createSecretBox(k2, { previousKeys: [randomBytes(31)] })).toThrow(
      /previous secrets key 1 has 32 bytes, got 31/,
    );
  });

  it('takes SECRETS_KEY_PREVIOUS as one or more comma-separated keys, naming a bad entry without echoing it', () => {
    const [a, b] = [newKey(), newKey()];
    expect(loadConfig({ SECRETS_KEY_PREVIOUS: a }).SECRETS_KEY_PREVIOUS).toBe(a);
    expect(loadConfig({ SECRETS_KEY_PREVIOUS: `${a}, ${b}` }).SECRETS_KEY_PREVIOUS).toBe(
      `${a}, ${b}`,
    );
    const leaked = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
    let error: unknown;
    try {
      loadConfig({ SECRETS_KEY_PREVIOUS: `${a},${leaked}` });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SECRETS_KEY_PREVIOUS: entry 2 of 2 must be 32 bytes in base64 (openssl rand -base64 32); separate keys with commas',
    ]);
    expect((error as ConfigError).message).not.toContain(leaked);
    expect((error as ConfigError).message).not.toContain(a);

    const keys = loadPreviousSecretsKeys({ configured: `${a},${b}`, databasePath: ':memory:' });
    expect(keys.keys.map((k) => k.toString('base64'))).toEqual([a, b]);
  });
});

describe('rotating the secrets key', () => {
  it('re-seals every secret at start under the new key in one go; each endpoint still signs with its original secret', async () => {
    const [k1, k2] = [newKey(), newKey()];
    const first = world({ SECRETS_KEY: k1 });
    const { base, received } = await receiver();
    const endpoints = await register(first, base, 3);
    // one row as an older version left it: the secret in plaintext
    const legacy = 'whsec_' + randomBytes(24).toString('base64');
    first.t.deps.store.sqlite
      .prepare('UPDATE webhook_endpoints SET secret = ? WHERE id = ?')
      .run(legacy, endpoints[2]!.id);
    endpoints[2]!.secret = legacy;
    await expectEveryEndpointDelivers(first, endpoints, received, 'before');

    const rotated = restart(first, { SECRETS_KEY: k2, SECRETS_KEY_PREVIOUS: `${newKey()},${k1}` });
    const stored = storedSecrets(rotated);
    expect(stored.size).toBe(3);
    for (const s of stored.values()) expect(s).toMatch(new RegExp(`^sfsec:v1:${idOf(k2)}:`));
    const logs = rotated.t.logs;
    expect(
      logs.find((l) => l.msg === 're-sealed webhook secrets under the current key'),
    ).toMatchObject({ endpoints: 2, keyId: idOf(k2), fromKeyIds: { [idOf(k1)]: 2 } });
    expect(logs.find((l) => l.msg === 'sealed webhook secrets stored in plaintext')).toMatchObject({
      endpoints: 1,
    });
    expect(rotated.t.logText()).toContain(
      'SECRETS_KEY_PREVIOUS (and secrets.key.previous) can be removed',
    );
    for (const k of [k1, k2]) expect(rotated.t.logText()).not.toContain(k);
    for (const e of endpoints) expect(rotated.t.logText()).not.toContain(e.secret.slice(6));
    await expectEveryEndpointDelivers(rotated, endpoints, received, 'after');

    // the old key is no longer needed, and no longer enough
    const withoutPrevious = restart(rotated, { SECRETS_KEY: k2 });
    expect(storedSecrets(withoutPrevious)).toEqual(stored);
    await expectEveryEndpointDelivers(withoutPrevious, endpoints, received, 'later');
    expect(() =>
      rotateWebhookSecrets(
        withoutPrevious.t.deps.store,
        createSecretBox(Buffer.from(k1, 'base64')),
      ),
    ).toThrow(new RegExp(`sealed with key ${idOf(k2)} \\(3 endpoints, e\\.g\\. whk_`));
  });

  it('refuses a wrong previous key, naming the key that sealed the secrets, and changes nothing', async () => {
    const [k1, k2, k3] = [newKey(), newKey(), newKey()];
    const first = world({ SECRETS_KEY: k1 });
    const { base } = await receiver();
    await register(first, base, 2);
    const before = storedSecrets(first);
    first.service.stop();

    const box = createSecretBox(Buffer.from(k2, 'base64'), {
      previousKeys: [Buffer.from(k3, 'base64')],
    });
    let error: unknown;
    try {
      rotateWebhookSecrets(first.t.deps.store, box);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretKeyError);
    expect((error as SecretKeyError).keyId).toBe(idOf(k1));
    expect((error as SecretKeyError).message).toMatch(
      new RegExp(
        `sealed with key ${idOf(k1)} \\(2 endpoints, e\\.g\\. whk_[\\w-]+\\), which is neither the key in use \\(${idOf(k2)}\\) nor a previous key given \\(${idOf(k3)}\\): add the key that sealed them to SECRETS_KEY_PREVIOUS`,
      ),
    );
    expect(storedSecrets(first)).toEqual(before);

    // the service itself refuses to start, naming the key (and never printing one)
    const child = spawnTsx('src/main.ts', [], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: first.t.deps.config.DATABASE_PATH,
      FLEET_DISPATCH: 'off',
      SECRETS_KEY: k2,
      SECRETS_KEY_PREVIOUS: k3,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    expect(code).toBe(78);
    expect(stderr).toContain(
      `cannot start: SecretKeyError: webhook secrets are sealed with key ${idOf(k1)}`,
    );
    expect(stderr).not.toContain('    at ');
    for (const k of [k1, k2, k3]) expect(stderr).not.toContain(k);
    expect(storedSecrets(first)).toEqual(before);

    const badConfig = await runTsx('src/cli/secrets-rotate.ts', [], {
      DATABASE_PATH: first.t.deps.config.DATABASE_PATH,
      SECRETS_KEY: k2,
      SECRETS_KEY_PREVIOUS: 'not-a-key',
    });
    expect(badConfig.code).toBe(78);
    expect(badConfig.stderr).toContain('SECRETS_KEY_PREVIOUS: entry 1 of 1 must be 32 bytes');
    const wrong = await runTsx('src/cli/secrets-rotate.ts', [], {
      DATABASE_PATH: first.t.deps.config.DATABASE_PATH,
      SECRETS_KEY: k2,
      SECRETS_KEY_PREVIOUS: k3,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`sealed with key ${idOf(k1)}`);
    expect(storedSecrets(first)).toEqual(before);
  }, 120_000);

  it('npm run secrets:rotate -- --new-key replaces the key file, keeps the old key until --forget-previous, and every endpoint still delivers', async () => {
    const first = world();
    const { base, received } = await receiver();
    const endpoints = await register(first, base, 2);
    const dir = first.t.dir;
    const keyFile = join(dir, 'secrets.key');
    const oldKey = readFileSync(keyFile, 'utf8').trim();
    first.service.stop();
    const env = { DATABASE_PATH: first.t.deps.config.DATABASE_PATH };

    const run = await runTsx('src/cli/secrets-rotate.ts', ['--new-key'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const newKeyText = readFileSync(keyFile, 'utf8').trim();
    expect(newKeyText).not.toBe(oldKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const previousFile = join(dir, 'secrets.key.previous');
    expect(readFileSync(previousFile, 'utf8')).toBe(`${oldKey}\n`);
    expect(statSync(previousFile).mode & 0o777).toBe(0o600);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `new key ${idOf(newKeyText)} in ${keyFile}; the previous key ${idOf(oldKey)} is kept in ${previousFile}`,
    );
    expect(lines[1]).toBe(
      `re-sealed 2 webhook secrets under key ${idOf(newKeyText)} (2 from key ${idOf(oldKey)}); sealed 0 stored in plaintext; 2 endpoints in all`,
    );
    expect(run.stdout).not.toContain(oldKey);
    expect(run.stdout).not.toContain(newKeyText);
    for (const s of storedSecrets(first).values())
      expect(s).toMatch(new RegExp(`^sfsec:v1:${idOf(newKeyText)}:`));

    const restarted = restart(first);
    await expectEveryEndpointDelivers(restarted, endpoints, received, 'after-cli');
    restarted.service.stop();

    const forget = await runTsx('src/cli/secrets-rotate.ts', ['--forget-previous'], env);
    expect(forget.code).toBe(0);
    expect(forget.stdout).toBe(
      `re-sealed 0 webhook secrets under key ${idOf(newKeyText)}; sealed 0 stored in plaintext; 2 endpoints in all\nremoved ${previousFile}\n`,
    );
    expect(() => statSync(previousFile)).toThrow(/ENOENT/);
    const again = restart(restarted);
    await expectEveryEndpointDelivers(again, endpoints, received, 'after-forget');

    const refused = await runTsx('src/cli/secrets-rotate.ts', ['--new-key'], {
      ...env,
      SECRETS_KEY: newKey(),
    });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('SECRETS_KEY is set');
    const usage = await runTsx('src/cli/secrets-rotate.ts', ['--new-keys'], env);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain("Unknown option '--new-keys'");
    expect(usage.stderr).toContain('usage:');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(newKeyText);
  }, 60_000);

  it('a process killed in the middle of a rotation loses nothing, and the next start finishes it', async () => {
    const [k1, k2] = [newKey(), newKey()];
    const first = world({ SECRETS_KEY: k1 });
    const { base, received } = await receiver();
    const endpoints = await register(first, base, 4);
    const before = storedSecrets(first);
    first.service.stop();

    const child = await runTsx('test/alerts/secrets-rotation-crash-child.ts', [], {
      DATABASE_PATH: first.t.deps.config.DATABASE_PATH,
      SECRETS_KEY: k2,
      SECRETS_KEY_PREVIOUS: k1,
    });
    expect(child.stdout).toBe('killed after 2 secrets\n');
    expect(child.code).toBeNull();
    // the rotation is one transaction: none of its writes survived the kill
    expect(storedSecrets(first)).toEqual(before);

    const restarted = restart(first, { SECRETS_KEY: k2, SECRETS_KEY_PREVIOUS: k1 });
    for (const s of storedSecrets(restarted).values())
      expect(s).toMatch(new RegExp(`^sfsec:v1:${idOf(k2)}:`));
    await expectEveryEndpointDelivers(restarted, endpoints, received, 'after-crash');
  }, 60_000);

  it('a crash between replacing the key file and re-sealing is finished by the next start', async () => {
    const first = world();
    const { base, received } = await receiver();
    const endpoints = await register(first, base, 2);
    first.service.stop();
    // what `--new-key` does before its transaction; the process dies right after
    const replaced = replaceSecretsKeyFile(first.t.deps.config.DATABASE_PATH);
    for (const s of storedSecrets(first).values())
      expect(s).toMatch(new RegExp(`^sfsec:v1:${replaced.previousKeyId}:`));
    // a stray `.next` file of an even earlier crash is not a key in use
    writeFileSync(join(first.t.dir, 'secrets.key.next'), 'junk', { mode: 0o600 });

    const restarted = restart(first);
    expect(
      restarted.t.logs.find((l) => l.msg === 're-sealed webhook secrets under the current key'),
    ).toMatchObject({ endpoints: 2, keyId: replaced.keyId });
    for (const s of storedSecrets(restarted).values())
      expect(s).toMatch(new RegExp(`^sfsec:v1:${replaced.keyId}:`));
    await expectEveryEndpointDelivers(restarted, endpoints, received, 'after-file-crash');

    // a previous-key file others can read is refused, like the key file
    const previousFile = join(first.t.dir, 'secrets.key.previous');
    chmodSync(previousFile, 0o644);
    expect(() =>
      loadPreviousSecretsKeys({
        configured: undefined,
        databasePath: first.t.deps.config.DATABASE_PATH,
      }),
    ).toThrow(/secrets\.key\.previous is readable by others \(mode 644\): chmod 600 it/);
  });
});
