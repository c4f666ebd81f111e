// Back-pressure: when the rules fall behind, new batches are refused before they are
// acknowledged (503 + Retry-After); replays are still answered; nothing accepted is lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hotspot } from './fixtures';
import { call, createAlertsWorld, post, type AlertsWorld } from './http-setup';

let w: AlertsWorld;
beforeEach(() => {
  w = createAlertsWorld(undefined, { INGEST_MAX_PENDING: '100' });
});
afterEach(() => {
  w.service.stop();
  w.t.close();
});

const batch = (n: number, offsetM: number) =>
  Array.from({ length: n }, (_, i) => hotspot({ eastM: offsetM + i * 3000 }));

describe('detections: back-pressure', () => {
  it('refuses a batch that would exceed the backlog, answers replays, and accepts again once the rules catch up', async () => {
    w.service.pauseProcessing();
    const first = await post(w, batch(60, 0), { 'Idempotency-Key': 'b1' });
    expect(first.status).toBe(202);
    const second = await post(w, batch(41, 500), { 'Idempotency-Key': 'b2' });
    expect(second.status).toBe(503);
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(second.headers.get('retry-after')).toBe('5');
    expect(second.body).toMatchObject({ code: 'INGEST_BACKLOGGED' });
    expect(second.body.detail).toContain('60 detections are waiting');
    // a batch that still fits is accepted; the replay of an accepted one is answered as before
    const third = await post(w, batch(40, 900), { 'Idempotency-Key': 'b3' });
    expect(third.status).toBe(202);
    const replay = await post(w, batch(60, 0), { 'Idempotency-Key': 'b1' });
    expect([replay.status, replay.body.batchId]).toEqual([202, first.body.batchId]);

    w.service.resumeProcessing();
    await w.service.whenIdle();
    const retried = await post(w, batch(41, 500), { 'Idempotency-Key': 'b2' });
    expect(retried.status).toBe(202);
    await w.service.whenIdle();
    for (const accepted of [first, third, retried]) {
      const done = await call(w.t, 'GET', accepted.body.statusUrl, { key: w.keys.operator });
      expect(done.body.status).toBe('processed');
      expect(done.body.results).toHaveLength(accepted.body.results.length);
    }
  });
});
