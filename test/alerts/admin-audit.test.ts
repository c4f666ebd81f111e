// Administrative changes that decide which alerts are raised and where they go (suppressions,
// rules, webhook endpoints and their signing secrets) are on the hash-chained audit log with
// their actor, in the same transaction as the change; a refused change records nothing, and no
// secret is ever written there.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at } from './fixtures';
import { call, createAlertsWorld, type AlertsWorld } from './http-setup';

let w: AlertsWorld;
beforeEach(() => {
  w = createAlertsWorld();
});
afterEach(() => {
  w.service.stop();
  w.t.close();
});

/** The audit entries as stored, oldest first. */
const entries = () =>
  w.service.audit.after(0, 1000).map((r) => ({
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));

describe('audit of administrative changes', () => {
  it('records suppressions, rules and webhook endpoints with their actor, and the chain verifies', async () => {
    const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const sup = await call(w.t, 'POST', '/v1/suppressions', {
      key: w.keys.forestry,
      json: { kind: 'kiln', geometry: { type: 'Point', coordinates: at(0, 0) }, radiusM: 30 },
    });
    expect(sup.status).toBe(201);
    const rule = await call(w.t, 'POST', '/v1/alert-rules', {
      key: w.keys.utilityAdmin,
      json: { alertType: 'fire', settings: { minMaxTempC: 500 } },
    });
    expect(rule.status).toBe(201);
    expect(
      (
        await call(w.t, 'PATCH', `/v1/alert-rules/${rule.body.id}`, {
          key: w.keys.utilityAdmin,
          json: { enabled: false },
        })
      ).status,
    ).toBe(200);
    const hook = await call(w.t, 'POST', '/v1/webhooks', {
      key: admin,
      json: { url: 'https://forestry.example/hooks' },
    });
    expect(hook.status).toBe(201);
    const rotated = await call(w.t, 'POST', `/v1/webhooks/${hook.body.id}/rotate-secret`, {
      key: admin,
      json: { overlapSeconds: 3600 },
    });
    expect(rotated.status).toBe(200);
    const disabled = await call(w.t, 'PATCH', `/v1/webhooks/${hook.body.id}`, {
      key: admin,
      json: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    for (const [path, key] of [
      [`/v1/webhooks/${hook.body.id}`, admin],
      [`/v1/alert-rules/${rule.body.id}`, w.keys.utilityAdmin],
      [`/v1/suppressions/${sup.body.id}`, w.keys.forestry],
    ] as const)
      expect((await call(w.t, 'DELETE', path, { key })).status).toBe(204);

    const forestry = `agency:${w.ids.forestry}`;
    const utility = `agency:${w.ids.utility}`;
    expect(entries().map((e) => [e.actor, e.action, e.subject])).toEqual([
      [forestry, 'suppression.created', `suppression:${sup.body.id}`],
      [utility, 'rule.created', `rule:${rule.body.id}`],
      [utility, 'rule.changed', `rule:${rule.body.id}`],
      [forestry, 'webhook.created', `webhook:${hook.body.id}`],
      [forestry, 'webhook.secret_rotated', `webhook:${hook.body.id}`],
      [forestry, 'webhook.disabled', `webhook:${hook.body.id}`],
      [forestry, 'webhook.deleted', `webhook:${hook.body.id}`],
      [utility, 'rule.deleted', `rule:${rule.body.id}`],
      [forestry, 'suppression.deleted', `suppression:${sup.body.id}`],
    ]);
    const all = entries();
    expect(all[3]!.data).toMatchObject({ url: 'https://forestry.example/hooks' });
    expect(all[4]!.data).toEqual({
      keyId: expect.any(String),
      overlapSeconds: 3600,
      previousSecretExpiresAt: rotated.body.previousSecretExpiresAt,
    });
    expect(all[2]!.data).toMatchObject({ enabled: false, settings: { minMaxTempC: 500 } });
    // every entry names the API key that made the change, and no secret is ever written
    for (const e of all) expect(e.data.keyId).toEqual(expect.stringMatching(/\S/));
    const stored = JSON.stringify(w.service.audit.after(0, 1000));
    for (const secret of [hook.body.secret, rotated.body.secret]) {
      expect(secret).toMatch(/^whsec_/);
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain((secret as string).slice('whsec_'.length));
    }

    const verify = await call(w.t, 'GET', '/v1/audit/verify', { key: w.keys.utilityAdmin });
    expect(verify.body).toMatchObject({ ok: true, checked: 9 });
  });

  it('records nothing for a change that is refused or finds nothing', async () => {
    const admin = w.t.key('Yuhang Forestry', 'forestry', 'admin');
    const hook = await call(w.t, 'POST', '/v1/webhooks', {
      key: admin,
      json: { url: 'https://forestry.example/hooks' },
    });
    expect(hook.status).toBe(201);
    const before = entries().length;
    // another agency's admin: 404 for its endpoint, nothing recorded
    for (const [method, path] of [
      ['DELETE', `/v1/webhooks/${hook.body.id}`],
      ['POST', `/v1/webhooks/${hook.body.id}/rotate-secret`],
      ['PATCH', `/v1/webhooks/${hook.body.id}`],
    ] as const) {
      const res = await call(w.t, method, path, {
        key: w.keys.elsewhere,
        ...(method === 'PATCH' ? { json: { enabled: false } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call(w.t, 'DELETE', '/v1/alert-rules/rule_guessed', { key: admin })).status).toBe(
      404,
    );
    expect(
      (await call(w.t, 'DELETE', '/v1/suppressions/sup_guessed', { key: w.keys.forestry })).status,
    ).toBe(404);
    expect(entries()).toHaveLength(before);
  });
});
