import { describe, expect, it } from 'vitest';
import { MissionClient, firstMismatch } from '../../../firmware-bridge/protocol/index';
import { sampleFence, sampleMission, sampleRally } from './fixtures';
import { VEHICLE, downloadFrom, uploadTo, virtualVehicle } from './virtual-vehicle';

describe('mission upload and download (in-memory peer, virtual time)', () => {
  it('uploads a mission that the vehicle stores and downloads unchanged', async () => {
    const v = virtualVehicle();
    const items = sampleMission(20);
    const up = await uploadTo(v, items);
    expect(up.ok).toBe(true);
    expect(v.server.stored('mission').items).toHaveLength(items.length);
    const down = await downloadFrom(v);
    if (!down.ok) throw new Error(down.reason);
    expect(firstMismatch(items, down.value.items)).toBe(-1);
  });

  it('answers MISSION_REQUEST (not _INT) with MISSION_ITEM_INT, as ArduPilot expects', async () => {
    const v = virtualVehicle();
    const up = await uploadTo(v, sampleMission(3));
    expect(up.ok).toBe(true);
    expect(v.gcs.sent.filter((n) => n === 'MISSION_ITEM_INT')).toHaveLength(5);
    expect(v.gcs.sent).not.toContain('MISSION_ITEM');
  });

  it('sends each item once on a clean link (no duplicate item sends)', async () => {
    const up = await uploadTo(virtualVehicle(), sampleMission(50));
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBe(0);
    expect(up.value.itemSends).toBe(52);
  });

  it('answers duplicate MISSION_REQUESTs inside one round trip once', async () => {
    const v = virtualVehicle({
      latencyMs: 20,
      server: { failureMode: 'write-request-duplicates' },
    });
    const up = await uploadTo(v, sampleMission(10));
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBe(0);
    expect(up.value.duplicateRequestsIgnored).toBeGreaterThanOrEqual(10);
    expect(v.server.itemFramesReceived).toBe(12);
  });

  it('round-trips mission, fence and rally through MissionClient with the ArduPilot home slot', async () => {
    const { clock, gcs, server } = virtualVehicle();
    const client = new MissionClient({
      endpoint: gcs,
      clock,
      target: VEHICLE,
      autopilot: 'ardupilot',
    });
    const plan = { mission: sampleMission(8), fence: sampleFence(), rally: sampleRally() };
    const up = await clock.run(client.uploadPlan(plan));
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.map((r) => r.verifiedBy)).toEqual(['download', 'download', 'download']);
    expect(server.stored('mission').items).toHaveLength(plan.mission.length + 1);
    const down = await clock.run(client.downloadPlan());
    if (!down.ok) throw new Error(down.reason);
    expect(firstMismatch(plan.mission, down.value.mission)).toBe(-1);
    expect(firstMismatch(plan.fence, down.value.fence)).toBe(-1);
    expect(firstMismatch(plan.rally, down.value.rally)).toBe(-1);
  });

  it('carries on when the vehicle answers a resent item with INVALID_SEQUENCE, as ArduPilot does', async () => {
    // 1 s one way: our 1500 ms ack timeout fires before the next request can arrive, so each
    // item is sent twice and the vehicle flags every duplicate.
    const v = virtualVehicle({ latencyMs: 1000 });
    const items = sampleMission(4);
    const up = await uploadTo(v, items);
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBeGreaterThan(0);
    expect(up.value.invalidSequenceAcks).toBeGreaterThan(0);
    expect(up.value.restarts).toBe(0);
    expect(firstMismatch(items, v.server.stored('mission').items)).toBe(-1);
  });

  it('verifies by plan id when the vehicle reports one', async () => {
    const { clock, gcs, vehicle, server } = virtualVehicle({ server: { planIds: true } });
    // MISSION_CURRENT carrying the plan ids, as a vehicle streams it.
    const { common } = await import('node-mavlink');
    const stream = (): void => {
      const m = new common.MissionCurrent();
      m.seq = 0;
      m.total = 0;
      m.missionState = 0;
      m.missionMode = 0;
      m.missionId = server.stored('mission').opaqueId;
      m.fenceId = server.stored('fence').opaqueId;
      m.rallyPointsId = server.stored('rally').opaqueId;
      void vehicle.send(m);
      clock.setTimeout(stream, 1000);
    };
    stream();
    const client = new MissionClient({ endpoint: gcs, clock, target: VEHICLE, autopilot: 'px4' });
    const up = await clock.run(client.upload('mission', sampleMission(4)));
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.opaqueId).not.toBe(0);
    expect(up.value.verifiedBy).toBe('plan-id');
  });

  it('reports a mismatch when the vehicle holds something else than was sent', async () => {
    const { clock, gcs, server } = virtualVehicle();
    const client = new MissionClient({ endpoint: gcs, clock, target: VEHICLE, autopilot: 'px4' });
    const items = sampleMission(5);
    const tampered = items.map((i, n) => (n === 3 ? { ...i, altM: i.altM + 1 } : i));
    server.preload('mission', tampered);
    const o = await clock.run(client.verifyByDownload('mission', items));
    expect(o).toMatchObject({ ok: false, kind: 'mismatch' });
    if (!o.ok) expect(o.reason).toContain('at item 3');
  });

  it('clears a mission type', async () => {
    const { clock, gcs, server } = virtualVehicle();
    server.preload('fence', sampleFence());
    const client = new MissionClient({ endpoint: gcs, clock, target: VEHICLE });
    const o = await clock.run(client.clear('fence'));
    expect(o.ok).toBe(true);
    expect(server.stored('fence').items).toHaveLength(0);
  });

  it('uploads an empty list (MISSION_COUNT 0 answered by the ACK)', async () => {
    const v = virtualVehicle();
    v.server.preload('rally', sampleRally());
    const up = await uploadTo(v, [], { missionType: 'rally' });
    expect(up.ok).toBe(true);
    expect(v.server.stored('rally').items).toHaveLength(0);
  });

  it.each([0.05, 0.2])('round-trips at %s frame loss both ways (seeded)', async (dropRate) => {
    for (const seed of [1, 2, 3]) {
      const v = virtualVehicle({ dropRate, seed, latencyMs: 15 });
      const items = sampleMission(30);
      const up = await uploadTo(v, items);
      if (!up.ok) throw new Error(`seed ${seed}: ${up.reason}`);
      expect(firstMismatch(items, v.server.stored('mission').items)).toBe(-1);
      const down = await downloadFrom(v);
      if (!down.ok) throw new Error(`seed ${seed}: ${down.reason}`);
      expect(firstMismatch(items, down.value.items)).toBe(-1);
    }
  });

  it('cancels an upload on abort and tells the vehicle, which keeps its old mission', async () => {
    const v = virtualVehicle({ latencyMs: 10 });
    const old = sampleMission(3, 0.01);
    v.server.preload('mission', old);
    const controller = new AbortController();
    const o = await uploadTo(v, sampleMission(40), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent === 10) controller.abort();
      },
    });
    expect(o).toMatchObject({ ok: false, kind: 'cancelled' });
    await v.clock.advance(100);
    expect(v.server.transferInProgress).toBe(false);
    expect(firstMismatch(old, v.server.stored('mission').items)).toBe(-1);
  });
});
