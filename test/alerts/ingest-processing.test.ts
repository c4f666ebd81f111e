// Acceptance answers at once; the rules run right after, in order; clients read the outcomes.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/services/alerts/audit-chain';
import { AlertsService } from '../../src/services/alerts/alerts-service';
import { at, hotspot, T0 } from './fixtures';
import { call, createAlertsWorld, ingest, post, type AlertsWorld } from './http-setup';

let w: AlertsWorld;
const extra: AlertsService[] = [];
beforeEach(() => {
  w = createAlertsWorld();
});
afterEach(() => {
  for (const s of extra.splice(0)) s.stop();
  w.service.stop();
  w.t.close();
});

const utility = () => ({ agencyId: w.ids.utility, keyId: 'test', seesAll: true });

describe('detections: accepted first, processed right after', () => {
  it('answers 202 with pending outcomes, then the batch and each detection show outcome and alert', async () => {
    w.service.pauseProcessing();
    const res = await post(w, [hotspot(), hotspot({ eastM: 800, maxTempC: 30, ambientTempC: 25 })]);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.body.statusUrl);
    expect(res.body).toMatchObject({
      status: 'pending',
      statusUrl: `/v1/detections/batches/${res.body.batchId}`,
    });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'pending',
      'pending',
    ]);
    const waiting = await call(w.t, 'GET', res.body.statusUrl, { key: w.keys.operator });
    expect(waiting.body).toMatchObject({ status: 'pending', processedAt: null });
    expect((await call(w.t, 'GET', '/v1/alerts', { key: w.keys.utilityAdmin })).body.items).toEqual(
      [],
    );

    w.service.resumeProcessing();
    await w.service.whenIdle();
    const done = await call(w.t, 'GET', res.body.statusUrl, { key: w.keys.operator });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('processed');
    expect(done.body.results[0]).toMatchObject({
      index: 0,
      detectionId: res.body.results[0].detectionId,
      outcome: 'created',
      alertId: expect.stringMatching(/^alr_/),
    });
    expect(done.body.results[1]).toMatchObject({
      outcome: 'below_threshold',
      reason: expect.stringContaining('maxTempC'),
    });
    const one = await call(w.t, 'GET', `/v1/detections/${res.body.results[0].detectionId}`, {
      key: w.keys.operator,
    });
    expect(one.body).toMatchObject({
      batchId: res.body.batchId,
      kind: 'ir_hotspot',
      outcome: 'created',
      alertId: done.body.results[0].alertId,
    });
    const [lon, lat] = one.body.location as [number, number];
    const [eLon, eLat] = at(0, 0);
    expect(Math.abs(lon - eLon) * 96_000).toBeLessThan(1);
    expect(Math.abs(lat - eLat) * 111_000).toBeLessThan(1);
    const alert = await call(w.t, 'GET', `/v1/alerts/${one.body.alertId}`, {
      key: w.keys.forestry,
    });
    expect(alert.status).toBe(200);
  });

  it('hides another agency’s batches and detections (404, like unknown ones)', async () => {
    const res = await ingest(w, [hotspot()]);
    const other = w.t.key('Lin’an Forestry', 'forestry', 'operator');
    for (const path of [
      res.accepted.statusUrl as string,
      `/v1/detections/${res.body.results[0].detectionId}`,
      '/v1/detections/batches/batch_unknown',
      '/v1/detections/det_unknown',
    ]) {
      const r = await call(w.t, 'GET', path, { key: other });
      expect(r.status, path).toBe(404);
      expect(r.text).not.toContain('ir_hotspot');
    }
    // the utility's admins see all
    expect(
      (await call(w.t, 'GET', res.accepted.statusUrl, { key: w.keys.utilityAdmin })).status,
    ).toBe(200);
  });

  it('processes batches in the order they were accepted: the second pass grows the first alert', async () => {
    w.service.pauseProcessing();
    const first = await post(w, [hotspot({ passId: 'pass-1' })]);
    const second = await post(w, [
      hotspot({ eastM: 30, passId: 'pass-2', atMs: T0 + 10 * 60_000 }),
    ]);
    w.service.resumeProcessing();
    await w.service.whenIdle();
    const a = await call(w.t, 'GET', first.body.statusUrl, { key: w.keys.operator });
    const b = await call(w.t, 'GET', second.body.statusUrl, { key: w.keys.operator });
    expect(a.body.results[0].outcome).toBe('created');
    expect(b.body.results[0]).toMatchObject({
      outcome: 'merged',
      alertId: a.body.results[0].alertId,
    });
  });

  it('lets a replayed clientKey stand for the earlier detection', async () => {
    const a = await ingest(w, [hotspot({ clientKey: 'frame-1' })]);
    const b = await ingest(w, [
      hotspot({ clientKey: 'frame-1' }),
      hotspot({ clientKey: 'frame-9', eastM: 1800 }),
    ]);
    expect(b.accepted.results[0]).toEqual(a.body.results[0]);
    expect(b.body.results[0]).toEqual(a.body.results[0]);
    expect(b.body.results[1]).toMatchObject({ index: 1, outcome: 'created' });
    expect(w.service.ingest.countDetections()).toBe(2);
  });

  it('marks a detection that cannot be processed failed, logs it, and goes on with its batch', async () => {
    w.service.stop();
    // a DEM that has no tile east of the origin: an internal error, not a georeferencing result
    const [edgeLon] = at(500, 0);
    const service = new AlertsService({
      store: w.t.deps.store,
      now: () => new Date(w.clock.ms),
      logger: w.t.deps.logger,
      background: false,
      dem: ([lon]) => {
        if (lon > edgeLon) throw new Error('no DEM tile here');
        return 50;
      },
    });
    extra.push(service);
    const { response } = service.acceptBatch(
      utility(),
      [hotspot({ eastM: 2000 }), hotspot({ eastM: 0, passId: 'p2' })],
      undefined,
    );
    await service.whenIdle();
    const status = service.batchStatus(utility(), response.batchId);
    expect(status.status).toBe('processed');
    expect(status.results[0]).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^processing failed: detection 0 could not be observed/),
    });
    expect(status.results[1]).toMatchObject({ outcome: 'created' });
    expect(w.t.logText()).toContain('a detection could not be processed; marked failed');
    // the failed detection left nothing half-written: one alert, an intact audit chain
    expect(
      (w.t.deps.store.sqlite.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n,
    ).toBe(1);
    expect(service.verifyAudit().ok).toBe(true);
  });

  it('answers a key stored before acceptance was split from processing with its stored answer', async () => {
    const legacy = {
      batchId: 'batch_legacy',
      results: [{ index: 0, detectionId: 'det_legacy', outcome: 'created', alertId: 'alr_x' }],
    };
    // what the earlier version stored: sha256 of the canonical JSON of the detections
    const d = hotspot();
    const hash = createHash('sha256')
      .update(canonicalJson([JSON.parse(JSON.stringify(d))]))
      .digest('hex');
    w.service.ingest.putKey(w.ids.utility, 'batch', 'old-key', hash, JSON.stringify(legacy), T0);
    const replay = await post(w, [d], { 'idempotency-key': 'old-key' });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({ ...legacy, status: 'processed' });
    const other = await post(w, [hotspot({ maxTempC: 999 })], { 'idempotency-key': 'old-key' });
    expect(other.status).toBe(422);
  });
});
