/**
 * Lost final MISSION_ACK, over real UDP through a relay that drops chosen frames on the wire.
 * QGroundControl's answer: send the last item again; a vehicle that already finished confirms by
 * ACK (textbook), by MAV_MISSION_ERROR (real ArduPilot: "not receiving") or by silence (the
 * simulator's ArduPilot profile), and a MISSION_COUNT read-back then confirms the transfer — it is
 * never restarted once the vehicle accepted it.
 */
import { common } from 'node-mavlink';
import { describe, it } from 'vitest';
import {
  MavLink,
  MissionClient,
  MissionServer,
  MissionUpload,
  createMessageRegistry,
  firstMismatch,
  scaledClock,
} from '../../../firmware-bridge/index';
import type {
  FailureKind,
  FailureMode,
  ReceivedFrame,
  UdpTransport,
} from '../../../firmware-bridge/index';
import { sampleMission } from './fixtures';
import { startUdpRelay } from './udp-relay';

/** `ardupilot`: MISSION_REQUEST, no plan ids, ERROR to a late item (as the real one); `ardupilot-silent`: the simulator's profile. */
type Vehicle = 'textbook' | 'ardupilot' | 'ardupilot-silent';

const isAccepted = (f: ReceivedFrame): boolean =>
  f.message instanceof common.MissionAck && f.message.type === common.MavMissionResult.ACCEPTED;

function firstN(n: number, match: (f: ReceivedFrame) => boolean): (f: ReceivedFrame) => boolean {
  let left = n;
  return (f) => match(f) && left-- > 0;
}

async function start(options: {
  vehicle: Vehicle;
  failureMode?: FailureMode;
  dropToService?: (f: ReceivedFrame) => boolean;
  dropToVehicle?: (f: ReceivedFrame) => boolean;
}) {
  const clock = scaledClock(10);
  const registry = createMessageRegistry();
  const vehicleLink = new MavLink({ transport: 'udpin://127.0.0.1:0', clock, registry });
  await vehicleLink.open();
  const vehicle = vehicleLink.endpoint({ systemId: 1, componentId: 1 });
  const server = new MissionServer({
    endpoint: vehicle,
    clock,
    requestNotInt: options.vehicle !== 'textbook',
    lateItemError: options.vehicle === 'ardupilot',
    planIds: options.vehicle === 'textbook',
    ...(options.failureMode ? { failureMode: options.failureMode } : {}),
  });
  const port = (vehicleLink.transport as UdpTransport).localAddress!.port;
  const relay = await startUdpRelay({
    vehiclePort: port,
    registry,
    ...(options.dropToService ? { dropToService: options.dropToService } : {}),
    ...(options.dropToVehicle ? { dropToVehicle: options.dropToVehicle } : {}),
  });
  const serviceLink = new MavLink({ transport: relay.url, clock, registry });
  await serviceLink.open();
  const gcs = serviceLink.endpoint();
  const sent: string[] = [];
  const origSend = gcs.send.bind(gcs);
  gcs.send = (m) => {
    sent.push(m.constructor.name);
    return origSend(m);
  };
  // MISSION_ACK results that reached the service
  const acks: number[] = [];
  gcs.subscribe((f) => {
    if (f.message instanceof common.MissionAck) acks.push(f.message.type);
  });
  const s = server;
  return {
    clock,
    gcs,
    server: s,
    relay,
    sent,
    acks,
    target: { systemId: 1, componentId: 1 },
    close: async () => {
      s.close();
      await serviceLink.close();
      await relay.close();
      await vehicleLink.close();
    },
  };
}

interface Case {
  name: string;
  vehicle: Vehicle;
  failureMode?: FailureMode;
  drop: 'first-accepted-ack' | 'every-accepted-ack' | 'last-item-once' | 'nothing';
  /** Items the vehicle held before (its old mission). */
  oldCount: number;
  expected: 'ack' | 'read-back' | FailureKind;
  /** What the vehicle holds at the end. */
  holds: 'new' | 'old';
}

const N = 6; // sampleMission(4) has 6 items
const CASES: Case[] = [
  {
    name: 'textbook vehicle, final ACK lost once: it acknowledges the resent item',
    vehicle: 'textbook',
    drop: 'first-accepted-ack',
    oldCount: 3,
    expected: 'ack',
    holds: 'new',
  },
  {
    name: 'ArduPilot, final ACK lost once: ERROR to the resent item, count read back',
    vehicle: 'ardupilot',
    drop: 'first-accepted-ack',
    oldCount: 3,
    expected: 'read-back',
    holds: 'new',
  },
  {
    name: 'silent ArduPilot profile, final ACK lost once: count read back after a second silence',
    vehicle: 'ardupilot-silent',
    drop: 'first-accepted-ack',
    oldCount: 3,
    expected: 'read-back',
    holds: 'new',
  },
  {
    name: 'ArduPilot, every ACCEPTED ack lost: count read back',
    vehicle: 'ardupilot',
    drop: 'every-accepted-ack',
    oldCount: 3,
    expected: 'read-back',
    holds: 'new',
  },
  {
    name: 'ArduPilot, the last item lost once: the vehicle asks again and acknowledges',
    vehicle: 'ardupilot',
    drop: 'last-item-once',
    oldCount: 3,
    expected: 'ack',
    holds: 'new',
  },
  {
    name: 'vehicle drops the upload without a word (old list of another length): restarts, then times out',
    vehicle: 'ardupilot-silent',
    failureMode: 'write-final-ack-no-response',
    drop: 'nothing',
    oldCount: 3,
    expected: 'timeout',
    holds: 'old',
  },
  {
    name: 'ArduPilot, final ACK ERROR itself: rejected at once, no read-back',
    vehicle: 'ardupilot',
    failureMode: 'write-final-ack-error-ack',
    drop: 'nothing',
    oldCount: 3,
    expected: 'rejected',
    holds: 'old',
  },
];

describe('lost final MISSION_ACK over real UDP (simulated time ×10)', () => {
  it.concurrent.for(CASES)('$name', async (c, { expect }) => {
    const items = sampleMission(4);
    expect(items).toHaveLength(N);
    const last = (f: ReceivedFrame): boolean =>
      f.message instanceof common.MissionItemInt && f.message.seq === N - 1;
    const env = await start({
      vehicle: c.vehicle,
      ...(c.failureMode ? { failureMode: c.failureMode } : {}),
      ...(c.drop === 'first-accepted-ack' ? { dropToService: firstN(1, isAccepted) } : {}),
      ...(c.drop === 'every-accepted-ack' ? { dropToService: isAccepted } : {}),
      ...(c.drop === 'last-item-once' ? { dropToVehicle: firstN(1, last) } : {}),
    });
    try {
      const old = sampleMission(c.oldCount - 2, 0.05);
      env.server.preload('mission', old);
      const o = await new MissionUpload({
        endpoint: env.gcs,
        clock: env.clock,
        target: env.target,
        missionType: 'mission',
        items,
      }).run();
      const held = env.server.stored('mission').items;
      expect(firstMismatch(c.holds === 'new' ? items : old, held)).toBe(-1);
      if (c.expected === 'ack' || c.expected === 'read-back') {
        if (!o.ok) throw new Error(o.reason);
        expect(o.value.acceptedBy).toBe(c.expected);
        // Accepted transfers are never restarted, and only the last item went out again.
        expect(o.value.restarts).toBe(0);
        expect(o.value.itemSends).toBeLessThanOrEqual(N + 1);
        if (c.vehicle === 'textbook') expect(o.value.opaqueId).not.toBe(0);
        if (c.expected === 'read-back') expect(env.sent).toContain('MissionRequestList');
        // the ArduPilot profile answers the resent last item with ERROR; the silent one does not
        if (c.vehicle === 'ardupilot' && c.drop === 'first-accepted-ack')
          expect(env.acks).toContain(common.MavMissionResult.ERROR);
        if (c.vehicle === 'ardupilot-silent')
          expect(env.acks).not.toContain(common.MavMissionResult.ERROR);
        if (c.drop !== 'nothing' && c.drop !== 'last-item-once')
          expect(env.relay.dropped[0]).toBe('→service MISSION_ACK');
      } else {
        expect(o.ok ? 'success' : o.kind).toBe(c.expected);
        if (c.expected === 'rejected') expect(env.sent).not.toContain('MissionRequestList');
      }
    } finally {
      await env.close();
    }
  });

  it('does not take a count read back for proof: an old list of the same length is caught by download and reported', async ({
    expect,
  }) => {
    // The vehicle drops the upload silently and holds an old mission with the same count: the
    // read-back count matches, so only the contents tell. MissionClient downloads, sees the old
    // list, uploads once more, and ends in `mismatch` with the old mission kept.
    const env = await start({
      vehicle: 'ardupilot-silent',
      failureMode: 'write-final-ack-no-response',
    });
    try {
      const items = sampleMission(4);
      const old = [...sampleMission(4, 0.05)]; // 6 items, as many as the new mission
      env.server.preload('mission', [old[0]!, ...old]); // + ArduPilot's home slot
      const client = new MissionClient({ endpoint: env.gcs, clock: env.clock, target: env.target });
      const o = await client.upload('mission', items);
      expect(o.ok ? 'success' : o.kind).toBe('mismatch');
      expect(env.sent.filter((n) => n === 'MissionCount')).toHaveLength(2);
      expect(firstMismatch([old[0]!, ...old], env.server.stored('mission').items)).toBe(-1);
    } finally {
      await env.close();
    }
  });
});
