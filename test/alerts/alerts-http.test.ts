import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { ACK_DEADLINE_MS } from '../../src/services/alerts/index';
import { validateCap } from './cap-xsd';
import { at, canopyChange, hotspot, plume, T0 } from './fixtures';
import { call, createAlertsWorld, ingest, type AlertsWorld } from './http-setup';

let w: AlertsWorld;
beforeEach(() => {
  w = createAlertsWorld();
});
afterEach(() => {
  w.service.stop();
  w.t.close();
});

async function fireAlert(): Promise<string> {
  const res = await ingest(w, [hotspot()]);
  expect(res.status).toBe(202);
  expect(res.body.results[0]).toMatchObject({ outcome: 'created' });
  return res.body.results[0].alertId as string;
}

describe('alerts over HTTP: happy paths', () => {
  it('turns a hotspot into a fire alert routed to forestry, as JSON, GeoJSON and valid CAP', async () => {
    const id = await fireAlert();
    const one = await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.forestry });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      type: 'fire',
      status: 'dispatched',
      confidence: 'low',
      version: 1,
      primaryKind: 'ir_hotspot',
    });
    expect(one.body.routes).toEqual([
      expect.objectContaining({
        agencyId: w.ids.forestry,
        kind: 'routed',
        state: 'pending',
        light: 'green',
      }),
    ]);
    const [lon, lat] = one.body.centroid;
    const [eLon, eLat] = at(0, 0);
    expect(Math.abs(lon - eLon) * 96_000).toBeLessThan(1);
    expect(Math.abs(lat - eLat) * 111_000).toBeLessThan(1);

    const geo = await call(w.t, 'GET', '/v1/alerts?format=geojson', { key: w.keys.forestry });
    expect(geo.headers.get('content-type')).toContain('application/geo+json');
    expect(geo.body.type).toBe('FeatureCollection');
    expect(geo.body.features).toHaveLength(1);
    expect(geo.body.features[0]).toMatchObject({
      type: 'Feature',
      id,
      geometry: { type: 'Polygon' },
      properties: { severity: one.body.severity },
    });

    const cap = await call(w.t, 'GET', `/v1/alerts/${id}`, {
      key: w.keys.forestry,
      headers: { accept: 'application/cap+xml' },
    });
    expect(cap.status).toBe(200);
    expect(cap.headers.get('content-type')).toContain('application/cap+xml');
    expect((await validateCap(cap.text)).errors).toEqual([]);
    const doc = new XMLParser().parse(cap.text) as {
      alert: { msgType: string; scope: string; addresses: string };
    };
    expect(doc.alert).toMatchObject({
      msgType: 'Alert',
      scope: 'Restricted',
      addresses: w.ids.forestry,
    });
  });

  it('grows the alert on a second pass: confidence high, version 2, CAP Update referencing version 1', async () => {
    const id = await fireAlert();
    w.clock.ms += 20 * 60_000;
    const res = await ingest(w, [hotspot({ eastM: 40, passId: 'pass-2', atMs: T0 + 20 * 60_000 })]);
    expect(res.body.results[0]).toMatchObject({ outcome: 'merged', alertId: id });
    const one = await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.forestry });
    expect(one.body).toMatchObject({ confidence: 'high', version: 2, observationCount: 2 });
    const cap = await call(w.t, 'GET', `/v1/alerts/${id}`, {
      key: w.keys.forestry,
      headers: { accept: 'application/cap+xml' },
    });
    expect(cap.text).toContain('<msgType>Update</msgType>');
    expect(cap.text).toMatch(new RegExp(`<references>[^<]*urn:shared-flights:alert:${id}:v1,`));
    expect((await validateCap(cap.text)).valid).toBe(true);
  });

  it('closes the loop: acknowledge, start, resolve, rate; history, stats and an intact audit chain', async () => {
    const id = await fireAlert();
    w.clock.ms += 5 * 60_000;
    const ack = await call(w.t, 'POST', `/v1/alerts/${id}/acknowledge`, {
      key: w.keys.forestry,
      json: { note: 'ranger team 3 on the way' },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged' });
    expect(ack.body.routes[0]).toMatchObject({ state: 'acknowledged', light: 'done' });
    w.clock.ms += 10 * 60_000;
    expect(
      (await call(w.t, 'POST', `/v1/alerts/${id}/start`, { key: w.keys.forestry })).body.status,
    ).toBe('in_progress');
    w.clock.ms += 45 * 60_000;
    const resolved = await call(w.t, 'POST', `/v1/alerts/${id}/resolve`, {
      key: w.keys.forestry,
      json: { outcomeLabel: 'confirmed_handled', note: 'put out' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', outcomeLabel: 'confirmed_handled' });
    expect(
      (
        await call(w.t, 'POST', `/v1/alerts/${id}/rate`, {
          key: w.keys.forestry,
          json: { stars: 5 },
        })
      ).body.routes[0].rating,
    ).toBe(5);

    const events = await call(w.t, 'GET', `/v1/alerts/${id}/events`, { key: w.keys.forestry });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'alert.created',
      'alert.dispatched',
      'alert.acknowledged',
      'alert.started',
      'alert.closed',
      'alert.rated',
    ]);
    expect(events.body.items[2]).toMatchObject({
      actor: `agency:${w.ids.forestry}`,
      note: 'ranger team 3 on the way',
      fromStatus: 'dispatched',
      toStatus: 'acknowledged',
    });

    const stats = await call(w.t, 'GET', '/v1/alerts/stats', { key: w.keys.forestry });
    expect(stats.body).toMatchObject({
      agencyId: w.ids.forestry,
      byStatus: { resolved: 1 },
      acknowledged: { count: 1, meanTimeToAcknowledgeS: 300 },
      closed: { count: 1, meanTimeToCloseS: 60 * 60 },
      falseAlarmRateByKind: { ir_hotspot: { closed: 1, falseAlarms: 0, rate: 0 } },
    });
    const audit = await call(w.t, 'GET', '/v1/audit/verify', { key: w.keys.utilityAdmin });
    expect(audit.body).toMatchObject({ ok: true, checked: 5 }); // dispatched, acknowledged, started, resolved, rated
  });

  it('hands an alert over ("not ours") with a reason; the new agency sees and acknowledges it', async () => {
    const res = await ingest(w, [canopyChange(0, 0, 40)]);
    const id = res.body.results[0].alertId;
    const h = await call(w.t, 'POST', `/v1/alerts/${id}/handover`, {
      key: w.keys.forestry,
      json: { toAgencyId: w.ids.water, reason: 'river bank works, not logging' },
    });
    expect(h.status).toBe(200);
    expect(h.body.routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          agencyId: w.ids.forestry,
          state: 'handed_over',
          handedOverTo: w.ids.water,
          handoverReason: 'river bank works, not logging',
          light: 'done',
        }),
        expect.objectContaining({ agencyId: w.ids.water, kind: 'handover', state: 'pending' }),
      ]),
    );
    expect(
      (await call(w.t, 'POST', `/v1/alerts/${id}/acknowledge`, { key: w.keys.water })).status,
    ).toBe(200);
    expect(
      (
        await call(w.t, 'POST', `/v1/alerts/${id}/handover`, {
          key: w.keys.forestry,
          json: { toAgencyId: w.ids.water, reason: 'again' },
        })
      ).status,
    ).toBe(409);
  });

  it('reminds a late agency (yellow), then escalates to emergency management (red), on fake time', async () => {
    const id = await fireAlert();
    const severity = (await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.forestry })).body
      .severity as keyof typeof ACK_DEADLINE_MS;
    const windowMs = ACK_DEADLINE_MS[severity];
    w.clock.ms += windowMs - 1000;
    expect(w.service.sweepDeadlines()).toEqual({ reminded: 0, escalated: 0 });
    w.clock.ms += 2000;
    expect(w.service.sweepDeadlines()).toEqual({ reminded: 1, escalated: 0 });
    expect(w.service.sweepDeadlines()).toEqual({ reminded: 0, escalated: 0 });
    expect(
      (await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.forestry })).body.routes[0],
    ).toMatchObject({ light: 'yellow' });
    expect((await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.emergency })).status).toBe(
      404,
    );
    w.clock.ms += windowMs;
    expect(w.service.sweepDeadlines()).toEqual({ reminded: 0, escalated: 1 });
    const now = await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.emergency });
    expect(now.status).toBe(200);
    const forestryRoute = now.body.routes.find(
      (r: { agencyId: string }) => r.agencyId === w.ids.forestry,
    );
    expect(forestryRoute).toMatchObject({ light: 'red' });
    expect(
      now.body.routes.find((r: { agencyId: string }) => r.agencyId === w.ids.emergency),
    ).toMatchObject({ kind: 'escalated', state: 'pending' });
    const types = (
      await call(w.t, 'GET', `/v1/alerts/${id}/events`, { key: w.keys.emergency })
    ).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['alert.reminder', 'alert.escalated']));
  });

  it('filters by bbox, time, type, status and severity and pages with a cursor', async () => {
    await ingest(w, [
      hotspot({ eastM: 0 }),
      hotspot({ eastM: 1500, passId: 'b' }),
      plume(-1000, 0, 9),
      canopyChange(2000, 0, 40),
    ]);
    const all = await call(w.t, 'GET', '/v1/alerts', { key: w.keys.utilityAdmin });
    expect(all.body.items).toHaveLength(4);
    const [w0, s0] = at(-200, -200);
    const [e0, n0] = at(200, 200);
    const box = await call(w.t, 'GET', `/v1/alerts?bbox=${w0},${s0},${e0},${n0}&type=fire`, {
      key: w.keys.utilityAdmin,
    });
    expect(box.body.items).toHaveLength(1);
    const fires = await call(w.t, 'GET', '/v1/alerts?type=fire,pollution&status=dispatched', {
      key: w.keys.utilityAdmin,
    });
    expect(fires.body.items.map((a: { type: string }) => a.type).sort()).toEqual([
      'fire',
      'fire',
      'pollution',
    ]);
    const later = await call(
      w.t,
      'GET',
      `/v1/alerts?from=${new Date(T0 + 3_600_000).toISOString()}`,
      { key: w.keys.utilityAdmin },
    );
    expect(later.body.items).toHaveLength(0);
    const water = await call(w.t, 'GET', `/v1/alerts?agencyId=${w.ids.water}`, {
      key: w.keys.utilityAdmin,
    });
    expect(water.body.items.map((a: { type: string }) => a.type)).toEqual(['pollution']);
    const p1 = await call(w.t, 'GET', '/v1/alerts?limit=3', { key: w.keys.utilityAdmin });
    expect(p1.body.items).toHaveLength(3);
    const p2 = await call(w.t, 'GET', `/v1/alerts?limit=3&cursor=${p1.body.nextCursor}`, {
      key: w.keys.utilityAdmin,
    });
    expect(p2.body.items).toHaveLength(1);
    expect(p2.body.nextCursor).toBeNull();
    expect(
      new Set([...p1.body.items, ...p2.body.items].map((a: { id: string }) => a.id)).size,
    ).toBe(4);
  });

  it('registers a kiln and a stricter rule through the API and the rules follow them', async () => {
    const sup = await call(w.t, 'POST', '/v1/suppressions', {
      key: w.keys.forestry,
      json: { kind: 'kiln', geometry: { type: 'Point', coordinates: at(0, 0) }, radiusM: 30 },
    });
    expect(sup.status).toBe(201);
    expect((await ingest(w, [hotspot()])).body.results[0]).toMatchObject({ outcome: 'suppressed' });
    const rule = await call(w.t, 'POST', '/v1/alert-rules', {
      key: w.keys.utilityAdmin,
      json: { alertType: 'fire', settings: { minMaxTempC: 500 } },
    });
    expect(rule.status).toBe(201);
    expect((await ingest(w, [hotspot({ eastM: 800 })])).body.results[0]).toMatchObject({
      outcome: 'below_threshold',
      reason: 'maxTempC 180 < 500',
    });
    await call(w.t, 'PATCH', `/v1/alert-rules/${rule.body.id}`, {
      key: w.keys.utilityAdmin,
      json: { enabled: false },
    });
    expect((await ingest(w, [hotspot({ eastM: 800 })])).body.results[0]).toMatchObject({
      outcome: 'created',
    });
  });

  it('imports a FIRMS CSV: a hotspot over a drone alert lifts it to the highest confidence', async () => {
    const id = await fireAlert();
    const [lon, lat] = at(300, 200);
    const csv = [
      'latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight',
      `${lat},${lon},335.1,1.1,1.0,2026-04-02,0400,A,80,6.1NRT,295.2,35.5,D`,
      `${lat + 5},${lon},335.1,1.1,1.0,2026-04-02,0400,A,80,6.1NRT,295.2,35.5,D`,
    ].join('\n');
    const areaRes = await call(w.t, 'POST', '/v1/areas?kind=forest&name=Changle', {
      key: w.t.key('Yuhang Forestry', 'forestry', 'planner'),
      json: {
        type: 'Polygon',
        coordinates: [
          [at(-3000, -3000), at(3000, -3000), at(3000, 3000), at(-3000, 3000), at(-3000, -3000)],
        ],
      },
    });
    expect(areaRes.status).toBe(201);
    const imp = await call(w.t, 'POST', `/v1/satellite/firms?areaId=${areaRes.body.id}`, {
      key: w.keys.forestry,
      body: csv,
      contentType: 'text/csv',
    });
    expect(imp.status).toBe(200);
    expect(imp.body).toMatchObject({ parsed: 2, inArea: 1, merged: 1, created: 0, alertIds: [id] });
    expect(
      (await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.forestry })).body,
    ).toMatchObject({ confidence: 'highest', sources: ['drone', 'satellite'] });
    const again = await call(w.t, 'POST', `/v1/satellite/firms?areaId=${areaRes.body.id}`, {
      key: w.keys.forestry,
      body: csv,
      contentType: 'text/csv',
    });
    expect(again.body).toMatchObject({ duplicates: 1, merged: 0 });
  });

  it('stores and lists a verification sortie request from the nearest dock with an IR drone', async () => {
    const id = await fireAlert();
    const v = await call(w.t, 'POST', `/v1/alerts/${id}/verification`, {
      key: w.keys.forestry,
      json: { note: 'close-up please' },
    });
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ alertId: id, status: 'requested', dockId: null });
    const list = await call(w.t, 'GET', `/v1/alerts/${id}/verification`, { key: w.keys.forestry });
    expect(list.body.items).toHaveLength(1);
  });

  it('documents every alert endpoint in the OpenAPI document', async () => {
    const res = await w.t.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const spec = (await res.json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/v1/detections',
      '/v1/detections/batches/{id}',
      '/v1/detections/{id}',
      '/v1/alerts',
      '/v1/alerts/{id}',
      '/v1/alerts/{id}/acknowledge',
      '/v1/alerts/{id}/handover',
      '/v1/alerts/stream',
      '/v1/alerts/stats',
      '/v1/webhooks',
      '/v1/alert-rules',
      '/v1/suppressions',
      '/v1/satellite/firms',
      '/v1/audit/verify',
    ]) {
      expect(spec.paths, p).toHaveProperty([p]);
    }
  });
});

describe('alerts over HTTP: errors', () => {
  it('answers 422 IDEMPOTENCY_KEY_REUSED for a key reused with another body, and the earlier answer for a replay', async () => {
    const first = await ingest(w, [hotspot()], { 'idempotency-key': 'batch-42' });
    const replay = await ingest(w, [hotspot()], { 'idempotency-key': 'batch-42' });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.accepted).toEqual(first.accepted);
    expect(first.accepted.results[0]).toMatchObject({ outcome: 'pending' });
    expect(replay.body).toEqual(first.body);
    // the same detection with its keys in another order is the same body
    const reordered = Object.fromEntries(Object.entries(hotspot()).reverse());
    const again = await ingest(w, [reordered], { 'idempotency-key': 'batch-42' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.accepted).toEqual(first.accepted);
    const other = await ingest(w, [hotspot({ maxTempC: 300 })], { 'idempotency-key': 'batch-42' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(w.service.ingest.countDetections()).toBe(1);
  });

  it('deduplicates per-item client keys and refuses a reused one with the item path', async () => {
    const a = await ingest(w, [
      hotspot({ clientKey: 'frame-1' }),
      hotspot({ clientKey: 'frame-2', eastM: 900 }),
    ]);
    const b = await ingest(w, [
      hotspot({ clientKey: 'frame-1' }),
      hotspot({ clientKey: 'frame-3', eastM: 1800 }),
    ]);
    expect(b.body.results[0]).toEqual(a.body.results[0]);
    expect(w.service.ingest.countDetections()).toBe(3);
    const c = await ingest(w, [hotspot({ clientKey: 'frame-2', maxTempC: 999 })]);
    expect(c.status).toBe(422);
    expect(c.body.errors[0].path).toBe('/body/detections/0/clientKey');
  });

  it('lists every offending path of an invalid batch', async () => {
    const bad = hotspot() as unknown as {
      hotspot: { maxTempC: unknown };
      pose: { gimbalPitchDeg: unknown };
    };
    bad.hotspot.maxTempC = 'hot';
    bad.pose.gimbalPitchDeg = -120;
    const res = await ingest(w, [bad]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/body/detections/0/hotspot/maxTempC',
      '/body/detections/0/pose/gimbalPitchDeg',
    ]);
  });

  it('reports a hotspot whose ray misses the ground as rejected, and keeps the rest of the batch', async () => {
    const sky = hotspot();
    sky.pose.gimbalPitchDeg = 20;
    const res = await ingest(w, [sky, hotspot({ eastM: 500 })]);
    expect(res.status).toBe(202);
    expect(res.body.results[0]).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/horizon/),
    });
    expect(res.body.results[1]).toMatchObject({ outcome: 'created' });
  });

  it('refuses impossible steps (409), unknown alerts (404), analysts posting detections (403) and non-JSON (415)', async () => {
    const id = await fireAlert();
    await call(w.t, 'POST', `/v1/alerts/${id}/resolve`, { key: w.keys.forestry });
    const again = await call(w.t, 'POST', `/v1/alerts/${id}/start`, { key: w.keys.forestry });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALERT_TRANSITION_INVALID');
    expect(
      (
        await call(w.t, 'POST', `/v1/alerts/${id}/rate`, {
          key: w.keys.forestry,
          json: { stars: 9 },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call(w.t, 'GET', '/v1/alerts/alr_doesnotexist', { key: w.keys.forestry })).body.code,
    ).toBe('ALERT_NOT_FOUND');
    expect(
      (
        await call(w.t, 'POST', '/v1/detections', {
          key: w.keys.forestryAnalyst,
          json: { detections: [hotspot()] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(w.t, 'POST', '/v1/detections', {
          key: w.keys.operator,
          body: 'x',
          contentType: 'text/plain',
        })
      ).status,
    ).toBe(415);
    expect((await call(w.t, 'GET', '/v1/alerts?bbox=1,2,3', { key: w.keys.forestry })).status).toBe(
      400,
    );
    expect(
      (await call(w.t, 'GET', '/v1/alerts?cursor=bm9wZQ', { key: w.keys.forestry })).body.code,
    ).toBe('CURSOR_INVALID');
  });
});

describe('alerts over HTTP: another agency’s alerts are never returned', () => {
  it('hides them from every endpoint, guessed ids included', async () => {
    const id = await fireAlert();
    const other = w.keys.elsewhere;
    expect((await call(w.t, 'GET', '/v1/alerts', { key: other })).body.items).toEqual([]);
    expect(
      (await call(w.t, 'GET', '/v1/alerts?format=geojson', { key: other })).body.features,
    ).toEqual([]);
    for (const [method, path, json] of [
      ['GET', `/v1/alerts/${id}`, undefined],
      ['GET', `/v1/alerts/${id}/events`, undefined],
      ['GET', `/v1/alerts/${id}/verification`, undefined],
      ['POST', `/v1/alerts/${id}/acknowledge`, {}],
      ['POST', `/v1/alerts/${id}/start`, {}],
      ['POST', `/v1/alerts/${id}/resolve`, {}],
      ['POST', `/v1/alerts/${id}/false-alarm`, {}],
      ['POST', `/v1/alerts/${id}/handover`, { toAgencyId: w.ids.elsewhere, reason: 'x' }],
      ['POST', `/v1/alerts/${id}/share`, { agencyId: w.ids.elsewhere }],
      ['POST', `/v1/alerts/${id}/verification`, {}],
    ] as const) {
      const res = await call(w.t, method, path, {
        key: other,
        ...(json === undefined ? {} : { json }),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe('ALERT_NOT_FOUND');
      expect(res.text).not.toContain('fire');
    }
    const cap = await call(w.t, 'GET', `/v1/alerts/${id}`, {
      key: other,
      headers: { accept: 'application/cap+xml' },
    });
    expect(cap.status).toBe(404);
    expect(
      (
        await call(w.t, 'POST', `/v1/alerts/${id}/duplicate`, {
          key: other,
          json: { duplicateOf: id },
        })
      ).status,
    ).toBe(404);
    // the unknown and the hidden answer alike
    const unknown = await call(w.t, 'GET', '/v1/alerts/alr_AAAAAAAAAAAAAAAA', { key: other });
    const hidden = await call(w.t, 'GET', `/v1/alerts/${id}`, { key: other });
    expect(hidden.body.detail.replace(id, 'X')).toBe(
      unknown.body.detail.replace('alr_AAAAAAAAAAAAAAAA', 'X'),
    );
    // stats count only one's own routes; the alert is not the other agency's to mark a duplicate of
    const otherStats = (
      await call(w.t, 'GET', `/v1/alerts/stats?agencyId=${w.ids.forestry}`, { key: other })
    ).body;
    expect(otherStats.agencyId).toBe(w.ids.elsewhere);
    expect(otherStats.byStatus).toEqual({});
    const mine = (await ingest(w, [canopyChange(0, 0, 40)])).body.results[0].alertId;
    const dup = await call(w.t, 'POST', `/v1/alerts/${mine}/duplicate`, {
      key: w.keys.forestry,
      json: { duplicateOf: 'alr_guess' },
    });
    expect(dup.status).toBe(422);
    // the utility's admins see all
    expect((await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.utilityAdmin })).status).toBe(
      200,
    );
  });

  it('refuses rules and suppressions outside the agency’s own jurisdiction', async () => {
    const sup = await call(w.t, 'POST', '/v1/suppressions', {
      key: w.keys.elsewhere,
      json: { kind: 'chimney', geometry: { type: 'Point', coordinates: at(0, 0) }, radiusM: 5000 },
    });
    expect(sup.status).toBe(400);
    expect(sup.body.errors).toEqual([
      expect.objectContaining({ path: '/body/geometry', code: 'OUTSIDE_JURISDICTION' }),
    ]);
    const rule = await call(w.t, 'POST', '/v1/alert-rules', {
      key: w.keys.elsewhere,
      json: { alertType: 'fire', settings: { minMaxTempC: 9999 } },
    });
    expect(rule.status).toBe(400);
    expect((await ingest(w, [hotspot()])).body.results[0]).toMatchObject({ outcome: 'created' });
  });

  it('shares explicitly: the shared agency sees it, still not the others', async () => {
    const id = await fireAlert();
    expect(
      (
        await call(w.t, 'POST', `/v1/alerts/${id}/share`, {
          key: w.keys.forestry,
          json: { agencyId: w.ids.water, note: 'near the reservoir' },
        })
      ).status,
    ).toBe(200);
    expect((await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.water })).status).toBe(200);
    expect((await call(w.t, 'GET', `/v1/alerts/${id}`, { key: w.keys.elsewhere })).status).toBe(
      404,
    );
  });
});

describe('idempotency under concurrent replays', () => {
  it('answers every concurrent replay of one key with the same batch and stores it once', async () => {
    const batch = [hotspot(), hotspot({ eastM: 900, passId: 'x' }), plume(-1000, 0, 9)];
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => ingest(w, batch, { 'idempotency-key': 'replayed-batch' })),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
    expect(new Set(answers.map((a) => a.body.batchId)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(w.service.ingest.countDetections()).toBe(3);
    expect(
      (await call(w.t, 'GET', '/v1/alerts', { key: w.keys.utilityAdmin })).body.items,
    ).toHaveLength(3);
  });
});
