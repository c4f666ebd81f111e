/**
 * uploadPlan's order (fence, rally, mission last) and what it does when a later part fails:
 * restore (default), clear or keep what it already replaced, and report exactly what the vehicle
 * holds. Virtual time, in-memory link through the real codec, the simulator's mission server.
 */
import { common } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import {
  MissionClient,
  PLAN_UPLOAD_ORDER,
  firstMismatch,
} from '../../../firmware-bridge/protocol/index';
import type { PlanFailurePolicy, PlanUploadFailure } from '../../../firmware-bridge/protocol/index';
import type { MavEndpoint, MissionItem, ReceivedFrame } from '../../../firmware-bridge/index';
import { sampleFence, sampleMission, sampleRally } from './fixtures';
import { VEHICLE, virtualVehicle } from './virtual-vehicle';
const TYPE = { mission: 0, fence: 1, rally: 2 } as const;

const shifted = (items: MissionItem[], d: number): MissionItem[] =>
  items.map((i) => ({ ...i, position: i.position ? [i.position[0] + d, i.position[1]] : null }));

/**
 * The vehicle's endpoint as the mission server sees it: `answer` may reply to a frame itself
 * (and returns true), and then the server never sees that frame.
 */
function answeringFirst(
  vehicle: MavEndpoint,
  answer: (frame: ReceivedFrame) => boolean,
): MavEndpoint {
  const listeners = new Set<(f: ReceivedFrame) => void>();
  vehicle.subscribe((f) => {
    if (answer(f)) return;
    for (const l of listeners) l(f);
  });
  return {
    systemId: vehicle.systemId,
    componentId: vehicle.componentId,
    send: (m) => vehicle.send(m),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

/** Answers the sender of `to` with MISSION_ACK `result` for `missionType` (a MAV_MISSION_TYPE). */
function ack(
  vehicle: MavEndpoint,
  to: ReceivedFrame,
  result: number,
  missionType: number | undefined,
): void {
  const msg = new common.MissionAck();
  Object.assign(msg, {
    targetSystem: to.systemId,
    targetComponent: to.componentId,
    type: result,
    missionType,
  });
  void vehicle.send(msg);
}

/** Hides MISSION_COUNT of one type from the server and answers it with an error ACK instead. */
function rejectUploadsOf(vehicle: MavEndpoint, typeId: number, result: number): MavEndpoint {
  return answeringFirst(vehicle, (f) => {
    const m = f.message;
    if (!(m instanceof common.MissionCount) || (m.missionType ?? 0) !== typeId) return false;
    ack(vehicle, f, result, typeId);
    return true;
  });
}

/**
 * Denies MISSION_REQUEST_LIST from the first rally MISSION_COUNT until `untilMs`: ArduPilot while
 * it still receives an upload that the service abandoned.
 */
function denyListsUntil(
  vehicle: MavEndpoint,
  clock: { now(): number },
  untilMs: number,
): MavEndpoint {
  let receiving = false;
  return answeringFirst(vehicle, (f) => {
    const m = f.message;
    if (m instanceof common.MissionCount && m.missionType === TYPE.rally) receiving = true;
    if (!(m instanceof common.MissionRequestList) || !receiving || clock.now() >= untilMs)
      return false;
    ack(vehicle, f, common.MavMissionResult.DENIED, m.missionType);
    return true;
  });
}

function setup(
  options: {
    drop?: (m: MavLinkData, from: 0 | 1) => boolean;
    rejectType?: keyof typeof TYPE;
    /** Deny downloads until this virtual time. */
    denyListsUntilMs?: number;
  } = {},
) {
  const { clock, gcs, server } = virtualVehicle({
    latencyMs: 10,
    ...(options.drop ? { drop: options.drop } : {}),
    server: { requestNotInt: true },
    wrap: (vehicle, clock) => {
      const rejecting = options.rejectType
        ? rejectUploadsOf(vehicle, TYPE[options.rejectType], common.MavMissionResult.NO_SPACE)
        : vehicle;
      return options.denyListsUntilMs === undefined
        ? rejecting
        : denyListsUntil(rejecting, clock, options.denyListsUntilMs);
    },
  });
  const old = {
    mission: sampleMission(3, 0.01),
    fence: shifted(sampleFence(), 0.02),
    rally: shifted(sampleRally(), 0.02),
  };
  server.preload('mission', [old.mission[0]!, ...old.mission]); // ArduPilot's home slot
  server.preload('fence', old.fence);
  server.preload('rally', old.rally);
  const plan = { mission: sampleMission(5), fence: sampleFence(), rally: sampleRally() };
  const client = new MissionClient({ endpoint: gcs, target: VEHICLE, clock });
  const holds = (type: keyof typeof TYPE): 'old' | 'new' | 'empty' | 'other' => {
    const got = server.stored(type).items;
    const items = type === 'mission' ? got.slice(1) : got;
    if (got.length === 0) return 'empty';
    if (firstMismatch(plan[type], items) < 0) return 'new';
    if (firstMismatch(old[type], items) < 0) return 'old';
    return 'other';
  };
  return { clock, gcs, server, client, plan, old, holds };
}

function uploadCountsOrder(sent: MavLinkData[]): string[] {
  return sent
    .filter((m): m is common.MissionCount => m instanceof common.MissionCount)
    .map((m) => PLAN_UPLOAD_ORDER[[1, 2, 0].indexOf(m.missionType ?? 0)]!);
}

describe('uploadPlan: fence first, mission last, and no mixed plan left behind', () => {
  it('uploads fence, then rally, then the mission, after backing up fence and rally', async () => {
    const { clock, gcs, client, plan, holds } = setup();
    const o = await clock.run(client.uploadPlan(plan));
    if (!o.ok) throw new Error(o.reason);
    expect(o.value.map((r) => r.missionType)).toEqual(['fence', 'rally', 'mission']);
    expect(uploadCountsOrder(gcs.sentMessages)).toEqual(['fence', 'rally', 'mission']);
    const lists = gcs.sentMessages.filter(
      (m): m is common.MissionRequestList => m instanceof common.MissionRequestList,
    );
    // Two backups before anything changed, then one verification download per part.
    expect(lists.slice(0, 2).map((m) => m.missionType)).toEqual([1, 2]);
    expect([holds('fence'), holds('rally'), holds('mission')]).toEqual(['new', 'new', 'new']);
  });

  it('restores the previous fence when the rally upload times out, and says what the vehicle holds', async () => {
    const rallyRequests = (m: MavLinkData, from: 0 | 1): boolean =>
      from === 1 &&
      (m instanceof common.MissionRequest || m instanceof common.MissionRequestInt) &&
      m.missionType === TYPE.rally;
    const { clock, client, plan, holds } = setup({ drop: rallyRequests });
    const o = (await clock.run(client.uploadPlan(plan))) as PlanUploadFailure;
    expect(o.ok).toBe(false);
    expect(o.kind).toBe('timeout');
    expect(o.failedPart).toBe('rally');
    expect(o.holds).toEqual({ fence: 'restored', rally: 'unchanged', mission: 'unchanged' });
    expect(o.reason).toMatch(
      /the vehicle now holds: fence restored, rally unchanged, mission unchanged$/,
    );
    expect([holds('fence'), holds('rally'), holds('mission')]).toEqual(['old', 'old', 'old']);
  });

  it('asks again while the vehicle denies downloads (still receiving the abandoned upload)', async () => {
    const rallyRequests = (m: MavLinkData, from: 0 | 1): boolean =>
      from === 1 &&
      (m instanceof common.MissionRequest || m instanceof common.MissionRequestInt) &&
      m.missionType === TYPE.rally;
    // Backups at t≈0 pass; the rally upload gives up after ~27 s of virtual time; downloads are
    // denied until 35 s, as ArduPilot does for 8 s after the last item it received.
    const { clock, client, plan, holds } = setup({ drop: rallyRequests, denyListsUntilMs: 35_000 });
    const o = (await clock.run(client.uploadPlan(plan))) as PlanUploadFailure;
    expect(o.ok).toBe(false);
    expect(clock.now()).toBeGreaterThan(35_000);
    expect(o.holds).toEqual({ fence: 'restored', rally: 'unchanged', mission: 'unchanged' });
    expect([holds('fence'), holds('rally')]).toEqual(['old', 'old']);
  });

  it('restores fence and rally when the vehicle rejects the mission (no space)', async () => {
    const { clock, client, plan, holds } = setup({ rejectType: 'mission' });
    const o = (await clock.run(client.uploadPlan(plan))) as PlanUploadFailure;
    expect(o.ok).toBe(false);
    expect(o.kind).toBe('rejected');
    expect(o.code).toBe(common.MavMissionResult.NO_SPACE);
    expect(o.holds).toEqual({ fence: 'restored', rally: 'restored', mission: 'unchanged' });
    expect([holds('fence'), holds('rally'), holds('mission')]).toEqual(['old', 'old', 'old']);
  });

  it.each<[PlanFailurePolicy, string, 'old' | 'new' | 'empty']>([
    ['clear', 'cleared', 'empty'],
    ['keep', 'new', 'new'],
  ])('with onFailure %s, a failed mission leaves the fence %s', async (policy, state, fence) => {
    const { clock, gcs, client, plan, holds } = setup({ rejectType: 'mission' });
    const o = (await clock.run(
      client.uploadPlan(plan, { onFailure: policy }),
    )) as PlanUploadFailure;
    expect(o.ok).toBe(false);
    expect(o.holds.fence).toBe(state);
    expect(o.holds.mission).toBe('unchanged');
    expect(holds('fence')).toBe(fence);
    // No backups are downloaded when nothing will be restored.
    const first = gcs.sentMessages.find(
      (m) => m instanceof common.MissionRequestList || m instanceof common.MissionCount,
    );
    expect(first).toBeInstanceOf(common.MissionCount);
  });

  it('keeps the new fence when the link dies during the mission: the vehicle may hold the new mission', async () => {
    let dead = false;
    const { clock, client, plan, server, holds } = setup({
      drop: (m, from) => {
        // Everything from the vehicle is lost once it has asked for the mission's item 2.
        if (from === 1 && m instanceof common.MissionRequest && m.missionType === 0 && m.seq === 2)
          dead = true;
        return dead && from === 1;
      },
    });
    const o = (await clock.run(client.uploadPlan(plan))) as PlanUploadFailure;
    expect(o.ok).toBe(false);
    expect(o.kind).toBe('timeout');
    expect(o.holds).toEqual({ fence: 'new', rally: 'new', mission: 'unknown' });
    expect(server.transferInProgress || holds('mission') === 'old').toBe(true);
    expect(holds('fence')).toBe('new');
  });

  it('carries on when a part that failed is found on the vehicle after all', async () => {
    // Until the service gives up on the fence (its OPERATION_CANCELLED), the vehicle's ACCEPTED
    // acks and the MISSION_COUNTs it reads back for the fence are all lost: the upload cannot
    // confirm and times out, yet the vehicle stored the fence. The download that decides what
    // the vehicle holds then finds it, and the plan carries on. (`keep`: no backup download.)
    let gaveUp = false;
    let lost = 0;
    const { clock, client, plan, holds } = setup({
      drop: (m, from) => {
        if (!('missionType' in m) || m.missionType !== TYPE.fence) return false;
        if (from === 0) {
          if (
            m instanceof common.MissionAck &&
            m.type === common.MavMissionResult.OPERATION_CANCELLED
          )
            gaveUp = true;
          return false;
        }
        const hide =
          !gaveUp &&
          ((m instanceof common.MissionAck && m.type === common.MavMissionResult.ACCEPTED) ||
            m instanceof common.MissionCount);
        if (hide) lost++;
        return hide;
      },
    });
    const o = await clock.run(client.uploadPlan(plan, { onFailure: 'keep' }));
    if (!o.ok) throw new Error(o.reason);
    expect(gaveUp).toBe(true);
    expect(lost).toBeGreaterThan(3);
    expect(o.value.map((r) => [r.missionType, r.acceptedBy, r.verifiedBy])).toEqual([
      ['fence', 'read-back', 'download'],
      ['rally', 'ack', 'download'],
      ['mission', 'ack', 'download'],
    ]);
    expect([holds('fence'), holds('rally'), holds('mission')]).toEqual(['new', 'new', 'new']);
  });
});
