import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { ActionClient, MAV_RESULT, sendCommand } from '../../../firmware-bridge/protocol/index';
import type { FailureKind } from '../../../firmware-bridge/protocol/index';
import { ManualClock, SimDrone } from '../../../firmware-bridge/sim/index';
import type { FailureMode } from '../../../firmware-bridge/sim/index';
import { createMemoryLink } from './memory-link';

const GCS = { systemId: 255, componentId: 190 };
const VEHICLE = { systemId: 1, componentId: 1 };

function withDrone(failureMode: FailureMode = 'none') {
  const clock = new ManualClock();
  const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, latencyMs: 5 });
  const drone = new SimDrone({ endpoint: vehicle, clock, home: [119.9, 30.3], failureMode });
  return { clock, gcs, drone };
}

describe('command protocol', () => {
  it('retries COMMAND_LONG with confirmation 0, 1, 2, 3 and then times out', async () => {
    const { clock, gcs, drone } = withDrone('command-no-ack');
    const o = await clock.run(
      sendCommand({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        request: { command: 400, params: { 1: 1 } },
      }),
    );
    expect(o).toMatchObject({ ok: false, kind: 'timeout' });
    expect(drone.commandsReceived.map((c) => c.confirmation)).toEqual([0, 1, 2, 3]);
    expect(clock.now()).toBeGreaterThanOrEqual(4 * 1500);
    drone.close();
  });

  it('succeeds on the retry when the first send is lost, reporting confirmation 1', async () => {
    const { clock, gcs, drone } = withDrone('command-no-ack-first');
    const o = await clock.run(
      sendCommand({ endpoint: gcs, clock, target: VEHICLE, request: { command: 20 } }),
    );
    if (!o.ok) throw new Error(o.reason);
    expect(o.value.attempts).toBe(2);
    expect(o.value.lastConfirmation).toBe(1);
    drone.close();
  });

  it('follows IN_PROGRESS to the final result, extending the timeout and reporting progress', async () => {
    const { clock, gcs, drone } = withDrone('command-in-progress');
    const seen: (number | undefined)[] = [];
    const o = await clock.run(
      sendCommand({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        request: { command: 176, params: { 1: 1, 2: 4 } },
        onProgress: (p) => seen.push(p),
      }),
    );
    if (!o.ok) throw new Error(o.reason);
    expect(o.value.progress).toEqual([0, 50, 100]);
    expect(seen).toEqual([0, 50, 100]);
    expect(o.value.attempts).toBe(1);
    expect(drone.mode).toBe(4);
    drone.close();
  });

  it.each<[FailureMode, FailureKind]>([
    ['command-in-progress-then-failed', 'rejected'],
    ['command-in-progress-no-result', 'timeout'],
  ])('IN_PROGRESS under %s ends in %s', async (mode, kind) => {
    const { clock, gcs, drone } = withDrone(mode);
    const o = await clock.run(
      sendCommand({ endpoint: gcs, clock, target: VEHICLE, request: { command: 20 } }),
    );
    expect(o).toMatchObject({ ok: false, kind });
    drone.close();
  });

  it.each<[number, 'success' | FailureKind]>([
    [MAV_RESULT.ACCEPTED, 'success'],
    [MAV_RESULT.TEMPORARILY_REJECTED, 'busy'],
    [MAV_RESULT.DENIED, 'denied'],
    [MAV_RESULT.UNSUPPORTED, 'unsupported'],
    [MAV_RESULT.FAILED, 'rejected'],
    [MAV_RESULT.CANCELLED, 'cancelled'],
    [MAV_RESULT.COMMAND_UNSUPPORTED_MAV_FRAME, 'unsupported'],
    [42, 'protocol-error'],
  ])('maps MAV_RESULT %i to %s', async (result, expected) => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock });
    vehicle.subscribe((f) => {
      if (!(f.message instanceof common.CommandLong)) return;
      const a = new common.CommandAck();
      a.command = f.message.command;
      a.result = result;
      a.progress = 0;
      a.resultParam2 = 7;
      a.targetSystem = f.systemId;
      a.targetComponent = f.componentId;
      void vehicle.send(a);
    });
    const o = await clock.run(
      sendCommand({ endpoint: gcs, clock, target: VEHICLE, request: { command: 31000 } }),
    );
    expect(o.ok ? 'success' : o.kind).toBe(expected);
    if (!o.ok) expect(o.code).toBe(result);
  });

  it('resends as COMMAND_INT when the vehicle answers COMMAND_INT_ONLY', async () => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock });
    vehicle.subscribe((f) => {
      const m = f.message;
      if (!(m instanceof common.CommandLong || m instanceof common.CommandInt)) return;
      const a = new common.CommandAck();
      a.command = m.command;
      a.result = m instanceof common.CommandInt ? MAV_RESULT.ACCEPTED : MAV_RESULT.COMMAND_INT_ONLY;
      a.progress = 0;
      a.resultParam2 = 0;
      a.targetSystem = f.systemId;
      a.targetComponent = f.componentId;
      void vehicle.send(a);
    });
    const o = await clock.run(
      sendCommand({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        request: { command: 192, params: { 5: 30.3, 6: 119.9, 7: 50 } },
      }),
    );
    expect(o.ok).toBe(true);
    expect(gcs.sent).toEqual(['COMMAND_LONG', 'COMMAND_INT']);
  });

  it('ignores acks for other commands and from other systems', async () => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock });
    vehicle.subscribe((f) => {
      if (!(f.message instanceof common.CommandLong)) return;
      const a = new common.CommandAck();
      a.command = f.message.command + 1;
      a.result = 0;
      a.progress = 0;
      a.resultParam2 = 0;
      a.targetSystem = 0;
      a.targetComponent = 0;
      void vehicle.send(a);
    });
    const o = await clock.run(
      sendCommand({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        request: { command: 20 },
        timing: { maxRetries: 1 },
      }),
    );
    expect(o).toMatchObject({ ok: false, kind: 'timeout' });
  });
});

describe('actions against the simulated copter', () => {
  it('changes ArduPilot modes by name and confirms them by HEARTBEAT', async () => {
    const { clock, gcs, drone } = withDrone();
    const actions = new ActionClient({ endpoint: gcs, clock, target: VEHICLE });
    for (const mode of ['GUIDED', 'LOITER', 'BRAKE', 'RTL', 'LAND', 'AUTO']) {
      const o = await clock.run(actions.setMode(mode));
      if (!o.ok) throw new Error(`${mode}: ${o.reason}`);
    }
    expect(drone.mode).toBe(3);
    const bad = await clock.run(actions.setMode('WARP'));
    expect(bad).toMatchObject({ ok: false, kind: 'unsupported' });
    drone.close();
  });

  it('refuses to arm in AUTO, arms in GUIDED, takes off and returns to launch', async () => {
    const { clock, gcs, drone } = withDrone();
    const actions = new ActionClient({ endpoint: gcs, clock, target: VEHICLE });
    await clock.run(actions.setMode('AUTO'));
    expect(await clock.run(actions.arm())).toMatchObject({ ok: false, kind: 'rejected' });
    await clock.run(actions.setMode('GUIDED'));
    expect((await clock.run(actions.arm())).ok).toBe(true);
    expect((await clock.run(actions.takeoff(20))).ok).toBe(true);
    await clock.advance(12_000);
    expect(drone.altRelM).toBe(20);
    expect((await clock.run(actions.returnToLaunch())).ok).toBe(true);
    await clock.advance(30_000);
    expect(drone.landed).toBe(true);
    expect(drone.armed).toBe(false);
    drone.close();
  });

  it('waits for ArduPilot pre-arm checks after boot (arming refused, then accepted)', async () => {
    const clock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, latencyMs: 5 });
    const drone = new SimDrone({
      endpoint: vehicle,
      clock,
      home: [119.9, 30.3],
      profile: 'ardupilot',
      armingReadyMs: 9000,
      ekfConvergeMs: 5000,
    });
    const actions = new ActionClient({ endpoint: gcs, clock, target: VEHICLE });
    await clock.run(actions.setMode('GUIDED'));
    const waiting: string[] = [];
    const o = await clock.run(
      actions.arm({ waitReadyMs: 30_000, onWaiting: (r) => waiting.push(r) }),
    );
    expect(o.ok).toBe(true);
    expect(waiting.length).toBeGreaterThan(2);
    expect(waiting[0]).toContain('PreArm');
    expect(clock.now()).toBeGreaterThanOrEqual(9000);
    drone.close();
  });

  it('reads home position through REQUEST_MESSAGE and asks for streams', async () => {
    const { clock, gcs, drone } = withDrone();
    const actions = new ActionClient({ endpoint: gcs, clock, target: VEHICLE });
    const home = await clock.run(actions.getHomePosition());
    if (!home.ok) throw new Error(home.reason);
    expect(home.value.position[0]).toBeCloseTo(119.9, 6);
    expect(home.value.position[1]).toBeCloseTo(30.3, 6);
    expect(await clock.run(actions.requestStreams())).toEqual([]);
    drone.close();
  });
});
