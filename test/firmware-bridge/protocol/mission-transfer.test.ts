import { describe, expect, it } from 'vitest';
import {
  MissionClient,
  MissionDownload,
  MissionUpload,
  firstMismatch,
} from '../../../firmware-bridge/protocol/index';
import { ManualClock, MissionServer } from '../../../firmware-bridge/sim/index';
import { createMemoryLink } from './memory-link';
import { sampleFence, sampleMission, sampleRally } from './fixtures';

const GCS = { systemId: 255, componentId: 190 };
const VEHICLE = { systemId: 1, componentId: 1 };

function setup(options: { dropRate?: number; seed?: number; latencyMs?: number } = {}) {
  const clock = new ManualClock();
  const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, ...options });
  const server = new MissionServer({ endpoint: vehicle, clock });
  return { clock, gcs, vehicle, server };
}

describe('mission upload and download (in-memory peer, virtual time)', () => {
  it('uploads a mission that the vehicle stores and downloads unchanged', async () => {
    const { clock, gcs, server } = setup();
    const items = sampleMission(20);
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items,
      }).run(),
    );
    expect(up.ok).toBe(true);
    expect(server.stored('mission').items).toHaveLength(items.length);
    const down = await clock.run(
      new MissionDownload({ endpoint: gcs, clock, target: VEHICLE, missionType: 'mission' }).run(),
    );
    if (!down.ok) throw new Error(down.reason);
    expect(firstMismatch(items, down.value.items)).toBe(-1);
  });

  it('answers MISSION_REQUEST (not _INT) with MISSION_ITEM_INT, as ArduPilot expects', async () => {
    const { clock, gcs } = setup();
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items: sampleMission(3),
      }).run(),
    );
    expect(up.ok).toBe(true);
    expect(gcs.sent.filter((n) => n === 'MISSION_ITEM_INT')).toHaveLength(5);
    expect(gcs.sent).not.toContain('MISSION_ITEM');
  });

  it('sends each item once on a clean link (no duplicate item sends)', async () => {
    const { clock, gcs } = setup();
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items: sampleMission(50),
      }).run(),
    );
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBe(0);
    expect(up.value.itemSends).toBe(52);
  });

  it('answers duplicate MISSION_REQUESTs inside one round trip once', async () => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, latencyMs: 20 });
    const server = new MissionServer({
      endpoint: vehicle,
      clock,
      failureMode: 'write-request-duplicates',
    });
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items: sampleMission(10),
      }).run(),
    );
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBe(0);
    expect(up.value.duplicateRequestsIgnored).toBeGreaterThanOrEqual(10);
    expect(server.itemFramesReceived).toBe(12);
  });

  it('round-trips mission, fence and rally through MissionClient with the ArduPilot home slot', async () => {
    const { clock, gcs, server } = setup();
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
    const { clock, gcs, server } = setup({ latencyMs: 1000 });
    const items = sampleMission(4);
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items,
      }).run(),
    );
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.duplicateItemSends).toBeGreaterThan(0);
    expect(up.value.invalidSequenceAcks).toBeGreaterThan(0);
    expect(up.value.restarts).toBe(0);
    expect(firstMismatch(items, server.stored('mission').items)).toBe(-1);
  });

  it('verifies by plan id when the vehicle reports one', async () => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock });
    const server = new MissionServer({ endpoint: vehicle, clock, planIds: true });
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
    const { clock, gcs, server } = setup();
    const client = new MissionClient({ endpoint: gcs, clock, target: VEHICLE, autopilot: 'px4' });
    const items = sampleMission(5);
    const tampered = items.map((i, n) => (n === 3 ? { ...i, altM: i.altM + 1 } : i));
    server.preload('mission', tampered);
    const o = await clock.run(client.verifyByDownload('mission', items));
    expect(o).toMatchObject({ ok: false, kind: 'mismatch' });
    if (!o.ok) expect(o.reason).toContain('at item 3');
  });

  it('clears a mission type', async () => {
    const { clock, gcs, server } = setup();
    server.preload('fence', sampleFence());
    const client = new MissionClient({ endpoint: gcs, clock, target: VEHICLE });
    const o = await clock.run(client.clear('fence'));
    expect(o.ok).toBe(true);
    expect(server.stored('fence').items).toHaveLength(0);
  });

  it('uploads an empty list (MISSION_COUNT 0 answered by the ACK)', async () => {
    const { clock, gcs, server } = setup();
    server.preload('rally', sampleRally());
    const up = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'rally',
        items: [],
      }).run(),
    );
    expect(up.ok).toBe(true);
    expect(server.stored('rally').items).toHaveLength(0);
  });

  it.each([0.05, 0.2])('round-trips at %s frame loss both ways (seeded)', async (dropRate) => {
    for (const seed of [1, 2, 3]) {
      const { clock, gcs, server } = setup({ dropRate, seed, latencyMs: 15 });
      const items = sampleMission(30);
      const up = await clock.run(
        new MissionUpload({
          endpoint: gcs,
          clock,
          target: VEHICLE,
          missionType: 'mission',
          items,
        }).run(),
      );
      if (!up.ok) throw new Error(`seed ${seed}: ${up.reason}`);
      expect(firstMismatch(items, server.stored('mission').items)).toBe(-1);
      const down = await clock.run(
        new MissionDownload({
          endpoint: gcs,
          clock,
          target: VEHICLE,
          missionType: 'mission',
        }).run(),
      );
      if (!down.ok) throw new Error(`seed ${seed}: ${down.reason}`);
      expect(firstMismatch(items, down.value.items)).toBe(-1);
    }
  });

  it('cancels an upload on abort and tells the vehicle, which keeps its old mission', async () => {
    const { clock, gcs, server } = setup({ latencyMs: 10 });
    const old = sampleMission(3, 0.01);
    server.preload('mission', old);
    const controller = new AbortController();
    const run = new MissionUpload({
      endpoint: gcs,
      clock,
      target: VEHICLE,
      missionType: 'mission',
      items: sampleMission(40),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent === 10) controller.abort();
      },
    }).run();
    const o = await clock.run(run);
    expect(o).toMatchObject({ ok: false, kind: 'cancelled' });
    await clock.advance(100);
    expect(server.transferInProgress).toBe(false);
    expect(firstMismatch(old, server.stored('mission').items)).toBe(-1);
  });
});
