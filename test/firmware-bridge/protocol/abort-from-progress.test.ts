/**
 * A caller that aborts from inside its own `onProgress` callback: the exchange finishes as
 * `cancelled` there and then, and nothing it does after finishing may reach the vehicle — no
 * request, item or ACK sent, no timer armed, no state other than `done`.
 */
import { common } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import {
  CommandExchange,
  MissionDownload,
  MissionUpload,
} from '../../../firmware-bridge/protocol/index';
import type { Clock, TimerHandle } from '../../../firmware-bridge/index';
import { ManualClock, SimDrone } from '../../../firmware-bridge/sim/index';
import { sampleMission } from './fixtures';
import { createMemoryLink } from './memory-link';
import { GCS, VEHICLE, virtualVehicle } from './virtual-vehicle';

/** Virtual time after the outcome in which a stray timer or resend would show. */
const AFTERMATH_MS = 60_000;

/**
 * The exchange's own view of `clock`: the vehicle keeps its timers on the same clock, so the
 * exchange's are counted apart — `live` holds those armed and neither fired nor cleared.
 */
function exchangeClock(clock: ManualClock): Clock & { live: Set<TimerHandle> } {
  const live = new Set<TimerHandle>();
  return {
    live,
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      const handle: TimerHandle = clock.setTimeout(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      live.delete(handle);
      clock.clearTimeout(handle);
    },
  };
}

describe('aborting from inside onProgress', () => {
  it('a download cancelled at item 5 of 30 sends its cancel ACK last and arms no timer', async () => {
    const v = virtualVehicle({ latencyMs: 10 });
    v.server.preload('mission', sampleMission(30));
    const clock = exchangeClock(v.clock);
    const controller = new AbortController();
    const download = new MissionDownload({
      endpoint: v.gcs,
      clock,
      target: VEHICLE,
      missionType: 'mission',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.received === 5) controller.abort();
      },
    });
    const outcome = await v.clock.run(download.run());
    expect(outcome).toEqual({ ok: false, kind: 'cancelled', reason: 'download cancelled' });
    expect(clock.live.size).toBe(0);
    await v.clock.advance(AFTERMATH_MS);
    expect(v.gcs.sent).toEqual([
      'MISSION_REQUEST_LIST',
      ...Array<string>(5).fill('MISSION_REQUEST_INT'),
      'MISSION_ACK',
    ]);
    expect(v.gcs.sentMessages.at(-1)).toMatchObject({
      type: common.MavMissionResult.OPERATION_CANCELLED,
    });
    expect(download.state).toBe('done');
  });

  it('a download cancelled on its last item does not accept it after cancelling', async () => {
    const v = virtualVehicle({ latencyMs: 10 });
    v.server.preload('mission', sampleMission(4));
    const controller = new AbortController();
    const outcome = await v.clock.run(
      new MissionDownload({
        endpoint: v.gcs,
        clock: v.clock,
        target: VEHICLE,
        missionType: 'mission',
        signal: controller.signal,
        onProgress: (p) => {
          if (p.received === p.total) controller.abort();
        },
      }).run(),
    );
    expect(outcome).toMatchObject({ ok: false, kind: 'cancelled' });
    await v.clock.advance(AFTERMATH_MS);
    const acks = v.gcs.sentMessages.filter((m) => m instanceof common.MissionAck);
    expect(acks.map((m) => m.type)).toEqual([common.MavMissionResult.OPERATION_CANCELLED]);
  });

  it('an upload cancelled when item 3 of 6 is requested sends no item after its cancel ACK', async () => {
    const v = virtualVehicle({ latencyMs: 10 });
    const clock = exchangeClock(v.clock);
    const controller = new AbortController();
    const upload = new MissionUpload({
      endpoint: v.gcs,
      clock,
      target: VEHICLE,
      missionType: 'mission',
      items: sampleMission(6),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent === 3) controller.abort();
      },
    });
    const outcome = await v.clock.run(upload.run());
    expect(outcome).toEqual({ ok: false, kind: 'cancelled', reason: 'upload cancelled' });
    expect(upload.state).toBe('done');
    expect(clock.live.size).toBe(0);
    await v.clock.advance(AFTERMATH_MS);
    expect(v.gcs.sent).toEqual([
      'MISSION_COUNT',
      'MISSION_ITEM_INT',
      'MISSION_ITEM_INT',
      'MISSION_ACK',
    ]);
    expect(v.gcs.sentMessages.at(-1)).toMatchObject({
      type: common.MavMissionResult.OPERATION_CANCELLED,
    });
    expect(upload.state).toBe('done');
  });

  it('a command cancelled on its first IN_PROGRESS arms no timer and sends nothing more', async () => {
    const vehicleClock = new ManualClock();
    const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock: vehicleClock, latencyMs: 5 });
    const drone = new SimDrone({
      endpoint: vehicle,
      clock: vehicleClock,
      home: [119.9, 30.3],
      failureMode: 'command-in-progress',
    });
    const clock = exchangeClock(vehicleClock);
    const controller = new AbortController();
    const command = new CommandExchange({
      endpoint: gcs,
      clock,
      target: VEHICLE,
      request: { command: 176, params: { 1: 1, 2: 4 } },
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const outcome = await vehicleClock.run(command.run());
    expect(outcome).toEqual({ ok: false, kind: 'cancelled', reason: 'MAV_CMD 176 cancelled' });
    expect(clock.live.size).toBe(0);
    await vehicleClock.advance(AFTERMATH_MS);
    expect(gcs.sent).toEqual(['COMMAND_LONG']);
    expect(command.state).toBe('done');
    drone.close();
  });
});
