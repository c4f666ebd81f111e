import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { ActionClient, MissionClient } from '../../../firmware-bridge/protocol/index';
import { ManualClock, SimDrone } from '../../../firmware-bridge/sim/index';
import type { ReceivedFrame } from '../../../firmware-bridge/index';
import { createMemoryLink } from '../protocol/memory-link';
import { sampleMission } from '../protocol/fixtures';

const GCS = { systemId: 255, componentId: 190 };
const VEHICLE = { systemId: 1, componentId: 1 };
const HOME: [number, number] = [119.9, 30.3];

function setup(extra: Partial<ConstructorParameters<typeof SimDrone>[0]> = {}) {
  const clock = new ManualClock();
  const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, latencyMs: 5 });
  const drone = new SimDrone({ endpoint: vehicle, clock, home: HOME, ...extra });
  const frames: ReceivedFrame[] = [];
  gcs.subscribe((f) => frames.push(f));
  const actions = new ActionClient({ endpoint: gcs, clock, target: VEHICLE });
  const missions = new MissionClient({ endpoint: gcs, clock, target: VEHICLE });
  return { clock, gcs, drone, frames, actions, missions };
}

async function heartbeatsFromGcs(
  clock: ManualClock,
  gcs: ReturnType<typeof setup>['gcs'],
  untilMs: number,
): Promise<void> {
  const { minimal } = await import('node-mavlink');
  const beat = (): void => {
    if (clock.now() > untilMs) return;
    const h = new minimal.Heartbeat();
    Object.assign(h, {
      type: 6,
      autopilot: 8,
      baseMode: 0,
      customMode: 0,
      systemStatus: 4,
      mavlinkVersion: 3,
    });
    void gcs.send(h);
    clock.setTimeout(beat, 1000);
  };
  beat();
}

describe('simulated copter', () => {
  it('flies an AUTO mission at cruise speed, reporting MISSION_CURRENT and MISSION_ITEM_REACHED, then RTL and lands', async () => {
    const { clock, drone, frames, actions, missions } = setup();
    const items = sampleMission(3);
    expect((await clock.run(missions.upload('mission', items))).ok).toBe(true);
    await clock.run(actions.setMode('GUIDED'));
    expect((await clock.run(actions.arm())).ok).toBe(true);
    expect((await clock.run(actions.startMission())).ok).toBe(true);
    const startedMs = clock.now();
    await clock.advance(120_000);
    const reached = frames
      .filter((f) => f.message instanceof common.MissionItemReached)
      .map((f) => (f.message as common.MissionItemReached).seq);
    expect(reached).toEqual([1, 2, 3, 4, 5]); // home slot 0 is not flown
    const currents = new Set(
      frames
        .filter((f) => f.message instanceof common.MissionCurrent)
        .map((f) => (f.message as common.MissionCurrent).seq),
    );
    expect([...currents]).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
    expect(drone.landed).toBe(true);
    expect(drone.armed).toBe(false);
    expect(drone.position[0]).toBeCloseTo(HOME[0], 6);
    expect(drone.batteryPct).toBeLessThan(100);
    // 3 legs of ~38 m + return at 10 m/s, climbs at 2.5 m/s: well over 20 s of flight.
    expect(clock.now() - startedMs).toBeGreaterThan(20_000);
  });

  it('returns to launch when the GCS heartbeat stops (link-loss failsafe)', async () => {
    const { clock, gcs, drone, actions } = setup({ gcsFailsafeTimeoutMs: 5000 });
    await heartbeatsFromGcs(clock, gcs, 20_000);
    await clock.run(actions.setMode('GUIDED'));
    await clock.run(actions.arm());
    await clock.run(actions.takeoff(20));
    await clock.advance(15_000);
    expect(drone.mode).toBe(4);
    await clock.advance(12_000); // heartbeats stopped at 20 s; FS_GCS_TIMEOUT 5 s
    expect(drone.mode).toBe(6);
    expect(drone.failsafe).toBe('gcs');
    await clock.advance(60_000);
    expect(drone.landed).toBe(true);
  });

  it('returns at low battery and lands at critical battery', async () => {
    const { clock, drone, actions } = setup({ batteryPct: 27, enduranceS: 300 });
    await clock.run(actions.setMode('GUIDED'));
    await clock.run(actions.arm());
    await clock.run(actions.takeoff(30));
    await clock.advance(10_000);
    expect(drone.mode).toBe(6); // 27 % − 10 s × 0.33 %/s < 25 %
    expect(drone.failsafe).toBe('battery');
    await clock.advance(60_000);
    expect(drone.landed).toBe(true);
  });

  it('refuses takeoff outside GUIDED and disarm in the air', async () => {
    const { clock, actions } = setup();
    await clock.run(actions.setMode('LOITER'));
    await clock.run(actions.arm());
    expect(await clock.run(actions.takeoff(10))).toMatchObject({ ok: false, kind: 'rejected' });
    await clock.run(actions.setMode('GUIDED'));
    expect((await clock.run(actions.takeoff(10))).ok).toBe(true);
    await clock.advance(2000);
    expect(await clock.run(actions.disarm())).toMatchObject({ ok: false, kind: 'rejected' });
  });

  it('pauses and continues a mission', async () => {
    const { clock, drone, actions, missions } = setup();
    await clock.run(missions.upload('mission', sampleMission(2)));
    await clock.run(actions.setMode('GUIDED'));
    await clock.run(actions.arm());
    await clock.run(actions.startMission());
    await clock.advance(15_000);
    expect((await clock.run(actions.pause())).ok).toBe(true);
    const held = [...drone.position];
    await clock.advance(5000);
    expect(drone.position).toEqual(held);
    expect((await clock.run(actions.resume())).ok).toBe(true);
    await clock.advance(3000);
    expect(drone.position).not.toEqual(held);
  });

  it('ardupilot profile: silent until asked, position 0,0 until the estimator converges', async () => {
    const { clock, frames, actions } = setup({ profile: 'ardupilot', ekfConvergeMs: 6000 });
    await clock.advance(3000);
    expect(new Set(frames.map((f) => f.name))).toEqual(new Set(['HEARTBEAT']));
    expect(await clock.run(actions.requestStreams())).toEqual([]);
    await clock.advance(1000);
    const early = frames.filter((f) => f.message instanceof common.GlobalPositionInt).at(-1)!
      .message as common.GlobalPositionInt;
    expect([early.lat, early.lon]).toEqual([0, 0]);
    await clock.advance(4000);
    const late = frames.filter((f) => f.message instanceof common.GlobalPositionInt).at(-1)!
      .message as common.GlobalPositionInt;
    expect(late.lat).toBe(303_000_000);
  });
});
