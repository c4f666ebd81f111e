import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../support/test-app';

const square = {
  type: 'Polygon',
  coordinates: [
    [
      [119.8, 30.3],
      [119.9, 30.3],
      [119.9, 30.4],
      [119.8, 30.4],
      [119.8, 30.3],
    ],
  ],
};

let t: TestApp;
let admin: string;
beforeEach(() => {
  t = createTestApp();
  admin = t.key('utility', 'utility', 'admin');
});
afterEach(() => t.close());

describe('agencies: happy paths', () => {
  it('lets a utility admin create, read, list and change an agency', async () => {
    const created = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      json: {
        name: 'Yuhang forestry',
        kind: 'forestry',
        jurisdiction: square,
        alertTypes: ['fire', 'illegal_logging'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Yuhang forestry',
      kind: 'forestry',
      alertTypes: ['fire', 'illegal_logging'],
    });
    expect(created.body.id).toMatch(/^agc_/);

    const got = await call(t, 'GET', `/v1/agencies/${created.body.id}`, { key: admin });
    expect(got.body.jurisdiction).toEqual(square);

    const list = await call(t, 'GET', '/v1/agencies', { key: admin });
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual([
      'utility',
      'Yuhang forestry',
    ]);

    const patched = await call(t, 'PATCH', `/v1/agencies/${created.body.id}`, {
      key: admin,
      json: { alertTypes: ['fire'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.alertTypes).toEqual(['fire']);
    expect(patched.body.name).toBe('Yuhang forestry');
  });

  it('pages through agencies with a cursor', async () => {
    for (let i = 0; i < 5; i++)
      await call(t, 'POST', '/v1/agencies', {
        key: admin,
        json: { name: `agency ${i}`, kind: 'other' },
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await call(
        t,
        'GET',
        `/v1/agencies?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: admin },
      );
      seen.push(...page.body.items.map((a) => a.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['utility', 'agency 0', 'agency 1', 'agency 2', 'agency 3', 'agency 4']);
  });

  it('creates a key shown once, lists it without its secret, and revokes it', async () => {
    const agency = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      json: { name: 'water', kind: 'water' },
    });
    const made = await call(t, 'POST', `/v1/agencies/${agency.body.id}/keys`, {
      key: admin,
      json: { role: 'analyst', name: 'dashboards' },
    });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^sf_/);
    const expiresInDays = (Date.parse(made.body.expiresAt) - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(364);
    expect(expiresInDays).toBeLessThanOrEqual(365);

    const own = await call(t, 'GET', '/v1/agencies', { key: made.body.key });
    expect(own.body.items.map((a: { name: string }) => a.name)).toEqual(['water']);

    const listed = await call(t, 'GET', `/v1/agencies/${agency.body.id}/keys`, { key: admin });
    expect(listed.text).not.toContain(made.body.key);
    expect(listed.body.items[0]).toMatchObject({
      id: made.body.id,
      role: 'analyst',
      revokedAt: null,
    });

    const revoked = await call(t, 'DELETE', `/v1/agencies/${agency.body.id}/keys/${made.body.id}`, {
      key: admin,
    });
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await call(t, 'GET', '/v1/agencies', { key: made.body.key });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('API_KEY_REVOKED');
  });
});

describe('agencies: errors', () => {
  it('lists every offending path in one 400', async () => {
    const res = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      json: {
        name: '',
        kind: 'police',
        jurisdiction: {
          type: 'Polygon',
          coordinates: [
            [
              [200, 30],
              [1, 2],
            ],
          ],
        },
        alertTypes: ['earthquake'],
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/body/name', '/body/kind', '/body/alertTypes/0']),
    );
    expect(paths.some((p: string) => p.startsWith('/body/jurisdiction'))).toBe(true);
  });

  it('answers 409 for a duplicate name, 415 for a non-JSON body and 400 for malformed JSON', async () => {
    expect(
      (
        await call(t, 'POST', '/v1/agencies', {
          key: admin,
          json: { name: 'utility', kind: 'utility' },
        })
      ).body.code,
    ).toBe('AGENCY_NAME_TAKEN');
    const media = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      body: 'name=x',
      contentType: 'text/plain',
    });
    expect([media.status, media.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const broken = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      body: '{"name": ',
      contentType: 'application/json',
    });
    expect([broken.status, broken.body.code]).toEqual([400, 'BODY_MALFORMED']);
  });

  it('answers 405 with Allow for a known path and 404 for an unknown one', async () => {
    const res = await call(t, 'DELETE', '/v1/agencies', { key: admin });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
    const missing = await call(t, 'GET', '/v1/nothing-here', { key: admin });
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('answers 413 for a body over the limit', async () => {
    t.close();
    t = createTestApp({ env: { MAX_BODY_BYTES: '2048' } });
    admin = t.key('utility', 'utility', 'admin');
    const res = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      json: { name: 'x'.repeat(5000), kind: 'other' },
    });
    expect([res.status, res.body.code]).toEqual([413, 'BODY_TOO_LARGE']);
  });
});

describe('agencies: security', () => {
  it('requires a bearer key and refuses keys in the URL', async () => {
    const none = await call(t, 'GET', '/v1/agencies');
    expect([none.status, none.body.code]).toEqual([401, 'API_KEY_MISSING']);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const inUrl = await call(t, 'GET', `/v1/agencies?api_key=${admin}`);
    expect(inUrl.status).toBe(401);
    const bad = await call(t, 'GET', '/v1/agencies', { key: 'sf_notarealkeyatallbutlongenough' });
    expect(bad.body.code).toBe('API_KEY_INVALID');
  });

  it('refuses an expired key', async () => {
    const old = t.key('utility', 'utility', 'admin', { expiresAt: new Date(Date.now() - 1000) });
    const res = await call(t, 'GET', '/v1/agencies', { key: old });
    expect([res.status, res.body.code]).toEqual([401, 'API_KEY_EXPIRED']);
  });

  it('keeps other agencies out of agency management', async () => {
    const forestryAdmin = t.key('forestry', 'forestry', 'admin');
    const water = await call(t, 'POST', '/v1/agencies', {
      key: admin,
      json: { name: 'water', kind: 'water' },
    });
    expect(
      (
        await call(t, 'POST', '/v1/agencies', {
          key: forestryAdmin,
          json: { name: 'x', kind: 'other' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(t, 'GET', `/v1/agencies/${water.body.id}`, { key: forestryAdmin })).status,
    ).toBe(404);
    expect(
      (
        await call(t, 'POST', `/v1/agencies/${water.body.id}/keys`, {
          key: forestryAdmin,
          json: { role: 'admin' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(t, 'PATCH', `/v1/agencies/${t.agencyId('forestry')}`, {
          key: forestryAdmin,
          json: { alertTypes: ['flood'] },
        })
      ).status,
    ).toBe(403);
    const planner = t.key('forestry', 'forestry', 'planner');
    expect(
      (
        await call(t, 'POST', `/v1/agencies/${t.agencyId('forestry')}/keys`, {
          key: planner,
          json: { role: 'admin' },
        })
      ).status,
    ).toBe(403);
    const ownKey = await call(t, 'POST', `/v1/agencies/${t.agencyId('forestry')}/keys`, {
      key: forestryAdmin,
      json: { role: 'planner' },
    });
    expect(ownKey.status).toBe(201);
  });
});
