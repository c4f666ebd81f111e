import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.close());

describe('request logging', () => {
  it('writes one line per request with request id, route, status, duration and error code', async () => {
    const key = t.key('utility', 'utility', 'admin');
    await call(t, 'GET', '/v1/agencies', { key, headers: { 'x-request-id': 'req-123' } });
    await call(t, 'GET', '/v1/docks/dock_nope', { key });
    const lines = t.logs.filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      requestId: 'req-123',
      method: 'GET',
      route: '/v1/agencies',
      status: 200,
      code: null,
      agencyId: t.agencyId('utility'),
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(lines[1]).toMatchObject({ route: '/v1/docks/:id', status: 404, code: 'DOCK_NOT_FOUND' });
  });

  it('never writes an API key into the logs, whatever the request', async () => {
    const key = t.key('utility', 'utility', 'admin');
    const made = await call(t, 'POST', `/v1/agencies/${t.agencyId('utility')}/keys`, {
      key,
      json: { role: 'planner' },
    });
    const fresh: string = made.body.key;
    await call(t, 'GET', '/v1/agencies', { key: fresh });
    await call(t, 'GET', `/v1/agencies?api_key=${fresh}`);
    await call(t, 'GET', '/v1/agencies', { headers: { authorization: `Token ${fresh}` } });
    await call(t, 'POST', '/v1/agencies', { key: fresh, json: { name: fresh, kind: 'nope' } });
    expect(t.logs.length).toBeGreaterThanOrEqual(5);
    const text = t.logText();
    expect(text).not.toContain(fresh);
    expect(text).not.toContain(key);
    expect(text).not.toContain(fresh.slice(3, 30));
  });

  it('answers an unexpected error as a bare 500 and logs its stack', async () => {
    t.deps.store.close();
    const key = 'sf_' + 'a'.repeat(43);
    const res = await call(t, 'GET', '/v1/agencies', { key });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(res.text).not.toMatch(/database|sqlite|stack|at /i);
    const logged = t.logs.find((l) => l.msg === 'unhandled error') as
      { err?: { stack?: string } } | undefined;
    expect(logged?.err?.stack).toContain('Error');
  });
});
