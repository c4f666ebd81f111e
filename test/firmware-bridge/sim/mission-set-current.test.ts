/**
 * DO_SET_MISSION_CURRENT (command 224) and the older MISSION_SET_CURRENT message against the
 * simulated copter over real UDP, as ArduPilot answers them: resume a mission at item k after a
 * GUIDED take-off, MISSION_CURRENT k announced, no item before k flown again.
 */
import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import {
  ActionClient,
  MissionClient,
  sendCommand,
  type ReceivedFrame,
} from '../../../firmware-bridge/index';
import { sampleMission } from '../protocol/fixtures';
import { simSessionPerTest } from './helpers';

const DO_SET_MISSION_CURRENT = 224;
const startSession = simSessionPerTest();

async function connect() {
  const { fleet, vehicle, service } = await startSession({
    drones: 1,
    udpBasePort: 0,
    timeScale: 20,
    drone: { gcsFailsafeTimeoutMs: 0 },
  });
  const target = { systemId: vehicle.systemId, componentId: 1 };
  const frames: ReceivedFrame[] = [];
  service.gcs.subscribe((f) => frames.push(f));
  return {
    drone: vehicle.drone!,
    frames,
    gcs: service.gcs,
    target,
    clock: fleet.clock,
    actions: new ActionClient({ endpoint: service.gcs, clock: fleet.clock, target }),
    missions: new MissionClient({ endpoint: service.gcs, clock: fleet.clock, target }),
  };
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const seqs = <T extends { seq: number }>(frames: ReceivedFrame[], type: new () => T) =>
  frames.filter((f) => f.message instanceof type).map((f) => (f.message as T).seq);

describe('DO_SET_MISSION_CURRENT on the simulated copter (real UDP)', () => {
  it('resumes at item k after a GUIDED take-off: MISSION_CURRENT k, nothing before k flown', async () => {
    const c = await connect();
    // Vehicle items: 0 home, 1 take-off, 2–9 waypoints, 10 RTL.
    const up = await c.missions.upload('mission', sampleMission(8));
    expect(up.ok).toBe(true);
    expect((await c.actions.setMode('GUIDED')).ok).toBe(true);
    expect((await c.actions.arm()).ok).toBe(true);
    expect((await c.actions.takeoff(30)).ok).toBe(true);
    const k = 6;
    c.frames.length = 0;
    const set = await sendCommand({
      endpoint: c.gcs,
      clock: c.clock,
      target: c.target,
      request: { command: DO_SET_MISSION_CURRENT, params: { 1: k } },
    });
    expect(set.ok).toBe(true);
    // Announced at once with MISSION_CURRENT, before AUTO.
    await until(() => seqs(c.frames, common.MissionCurrent).includes(k), 2_000, 'MISSION_CURRENT');
    expect((await c.actions.setMode('AUTO')).ok).toBe(true);
    await until(() => c.drone.landed && !c.drone.armed, 30_000, 'mission flown and landed');
    const reached = seqs(c.frames, common.MissionItemReached);
    expect(reached[0]).toBe(k);
    expect(Math.min(...reached)).toBe(k);
    expect(reached).toEqual([6, 7, 8, 9, 10]);
    expect(c.drone.itemsReached.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
  }, 40_000);

  it('refuses a seq past the last item and a mission holding only home', async () => {
    const c = await connect();
    const send = (seq: number) =>
      sendCommand({
        endpoint: c.gcs,
        clock: c.clock,
        target: c.target,
        request: { command: DO_SET_MISSION_CURRENT, params: { 1: seq } },
      });
    const empty = await send(1);
    expect(empty).toMatchObject({ ok: false, kind: 'rejected' });
    expect((await c.missions.upload('mission', sampleMission(3))).ok).toBe(true);
    // Vehicle items 0–5: 6 is past the end.
    expect(await send(6)).toMatchObject({ ok: false, kind: 'rejected' });
    expect((await send(5)).ok).toBe(true);
    expect(c.drone.missionCurrent).toBe(5);
  }, 20_000);

  it('answers the MISSION_SET_CURRENT message with MISSION_CURRENT, and an invalid seq with nothing', async () => {
    const c = await connect();
    expect((await c.missions.upload('mission', sampleMission(4))).ok).toBe(true);
    const msg = (seq: number) => {
      const m = new common.MissionSetCurrent();
      m.targetSystem = c.target.systemId;
      m.targetComponent = c.target.componentId;
      m.seq = seq;
      return c.gcs.send(m);
    };
    c.frames.length = 0;
    await msg(99);
    await msg(3);
    await until(
      () => seqs(c.frames, common.MissionCurrent).includes(3),
      2_000,
      'MISSION_CURRENT 3',
    );
    expect(seqs(c.frames, common.MissionCurrent)).not.toContain(99);
    expect(c.drone.missionCurrent).toBe(3);
  }, 20_000);

  it('starts a re-armed mission from the first item: ArduCopter resets its mission on disarm', async () => {
    const c = await connect();
    expect((await c.missions.upload('mission', sampleMission(3))).ok).toBe(true);
    expect((await c.actions.setMode('GUIDED')).ok).toBe(true);
    expect((await c.actions.arm()).ok).toBe(true);
    expect(
      (
        await sendCommand({
          endpoint: c.gcs,
          clock: c.clock,
          target: c.target,
          request: { command: DO_SET_MISSION_CURRENT, params: { 1: 3 } },
        })
      ).ok,
    ).toBe(true);
    expect((await c.actions.disarm()).ok).toBe(true);
    expect(c.drone.missionCurrent).toBe(0);
    expect((await c.actions.arm()).ok).toBe(true);
    c.frames.length = 0;
    expect((await c.actions.startMission()).ok).toBe(true);
    await until(
      () => seqs(c.frames, common.MissionItemReached).length > 0,
      10_000,
      'first item reached',
    );
    expect(seqs(c.frames, common.MissionItemReached)[0]).toBe(1);
  }, 20_000);
});
