/**
 * `udpin://` with several vehicles on one port: each frame addressed to a system goes to the
 * address that system speaks from; broadcasts (our HEARTBEAT) reach every vehicle. Real sockets.
 */
import { common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MavLink,
  MissionServer,
  MissionUpload,
  firstMismatch,
  senderSystemId,
  systemClock,
} from '../../../firmware-bridge/index';
import type { ReceivedFrame, UdpTransport } from '../../../firmware-bridge/index';
import { sampleMission } from '../protocol/fixtures';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function heartbeat(type: number): minimal.Heartbeat {
  return Object.assign(new minimal.Heartbeat(), {
    type,
    autopilot: type === 6 ? 8 : 3,
    baseMode: 0,
    customMode: 0,
    systemStatus: 4,
    mavlinkVersion: 3,
  });
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setup() {
  const service = new MavLink({ transport: 'udpin://127.0.0.1:0' });
  await service.open();
  cleanups.push(() => service.close());
  const port = (service.transport as UdpTransport).localAddress!.port;
  const vehicles = await Promise.all(
    [1, 2].map(async (systemId) => {
      const link = new MavLink({ transport: `udpout://127.0.0.1:${port}` });
      await link.open();
      cleanups.push(() => link.close());
      const endpoint = link.endpoint({ systemId, componentId: 1 });
      const got: ReceivedFrame[] = [];
      endpoint.subscribe((f) => got.push(f));
      return { systemId, link, endpoint, got };
    }),
  );
  return { service, transport: service.transport as UdpTransport, vehicles };
}

describe('udpin with several vehicles on one port', () => {
  it('reads the sender system id from a frame header', () => {
    expect(senderSystemId(Buffer.from([0xfd, 9, 0, 0, 7, 42, 1, 0, 0, 0]))).toBe(42);
    expect(senderSystemId(Buffer.from([0xfe, 9, 7, 42, 1, 0]))).toBe(42);
    expect(senderSystemId(Buffer.from('APM: boot'))).toBeUndefined();
  });

  it('sends each addressed frame to its own vehicle and broadcasts to all', async () => {
    const { service, transport, vehicles } = await setup();
    const [one, two] = vehicles as [(typeof vehicles)[0], (typeof vehicles)[0]];
    await one.endpoint.send(heartbeat(2));
    await two.endpoint.send(heartbeat(2)); // the last sender: where the old udpin sent everything
    await until(() => transport.peersBySystem.size === 2, 'both vehicles heard');
    const gcs = service.endpoint();
    const command = (target: number): common.CommandLong =>
      Object.assign(new common.CommandLong(), {
        targetSystem: target,
        targetComponent: 1,
        command: 20, // MAV_CMD_NAV_RETURN_TO_LAUNCH
        confirmation: 0,
        _param1: 0,
      });
    await gcs.send(command(1));
    await gcs.send(command(2));
    await gcs.send(command(1));
    await gcs.send(heartbeat(6));
    const commands = (v: typeof one): number[] =>
      v.got
        .filter((f) => f.message instanceof common.CommandLong)
        .map((f) => (f.message as common.CommandLong).targetSystem);
    const beats = (v: typeof one): number =>
      v.got.filter((f) => f.message instanceof minimal.Heartbeat).length;
    await until(() => beats(one) === 1 && beats(two) === 1, 'the broadcast heartbeat on both');
    expect(commands(one)).toEqual([1, 1]);
    expect(commands(two)).toEqual([2]);
  });

  it('uploads a mission to one vehicle while another chatters on the same port', async () => {
    const { service, transport, vehicles } = await setup();
    const [one, two] = vehicles as [(typeof vehicles)[0], (typeof vehicles)[0]];
    const server = new MissionServer({ endpoint: one.endpoint, clock: systemClock });
    cleanups.push(() => server.close());
    await one.endpoint.send(heartbeat(2));
    // Vehicle 2 speaks every 2 ms: with replies to the last sender, vehicle 1 would hear nothing.
    const chatter = setInterval(() => void two.endpoint.send(heartbeat(2)), 2);
    cleanups.push(() => clearInterval(chatter));
    await until(() => transport.peersBySystem.size === 2, 'both vehicles heard');
    const items = sampleMission(8);
    const o = await new MissionUpload({
      endpoint: service.endpoint(),
      clock: systemClock,
      target: { systemId: 1, componentId: 1 },
      missionType: 'mission',
      items,
      timing: { maxRestarts: 0 },
    }).run();
    if (!o.ok) throw new Error(o.reason);
    expect(o.value.retries).toBe(0);
    expect(firstMismatch(items, server.stored('mission').items)).toBe(-1);
    expect(two.got.some((f) => f.message instanceof common.MissionItemInt)).toBe(false);
  });
});
