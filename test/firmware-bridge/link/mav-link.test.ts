import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import { parseFrames } from '../../../firmware-bridge/codec/frame-parser';
import { createMessageRegistry } from '../../../firmware-bridge/codec/message-registry';
import { common, minimal } from 'node-mavlink';
import { MavLink } from '../../../firmware-bridge/link/mav-link';
import type { ReceivedFrame } from '../../../firmware-bridge/link/types';
import {
  LinkSigning,
  signingKeyFromPassphrase,
} from '../../../firmware-bridge/signing/link-signing';
import { MemoryTimestampStore } from '../../../firmware-bridge/signing/timestamp-store';
import { openPtyPair } from '../../../firmware-bridge/transport/pty-pair';
import type { Transport } from '../../../firmware-bridge/transport/transport';
import { UdpTransport } from '../../../firmware-bridge/transport/udp-transport';
import { FakeClock } from './fake-clock';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function heartbeat(type = 2): minimal.Heartbeat {
  const m = new minimal.Heartbeat();
  Object.assign(m, {
    type,
    autopilot: 3,
    baseMode: 81,
    customMode: 0,
    systemStatus: 3,
    mavlinkVersion: 3,
  });
  return m;
}

async function groundAndVehicle(
  groundOptions: Partial<ConstructorParameters<typeof MavLink>[0]> = {},
  vehicleOptions: Partial<ConstructorParameters<typeof MavLink>[0]> = {},
): Promise<{ ground: MavLink; vehicle: MavLink; port: number }> {
  const server = new UdpTransport('udpin://127.0.0.1:0', 'udpin', '127.0.0.1', 0);
  const ground = new MavLink({ ...groundOptions, transport: server });
  await ground.open();
  cleanups.push(() => ground.close());
  const port = server.localAddress!.port;
  const vehicle = new MavLink({ ...vehicleOptions, transport: `udpout://127.0.0.1:${port}` });
  await vehicle.open();
  cleanups.push(() => vehicle.close());
  return { ground, vehicle, port };
}

describe('MavLink over real UDP loopback', () => {
  it('delivers a vehicle heartbeat to the ground endpoint and a command back', async () => {
    const { ground, vehicle } = await groundAndVehicle();
    const gcs = ground.endpoint({ remoteSystemId: 1 });
    const drone = vehicle.endpoint({ systemId: 1, componentId: 1 });
    const atGround: ReceivedFrame[] = [];
    const atDrone: ReceivedFrame[] = [];
    gcs.subscribe((f) => atGround.push(f));
    drone.subscribe((f) => atDrone.push(f));
    await drone.send(heartbeat());
    await waitFor(() => atGround.length === 1);
    expect(atGround[0]).toMatchObject({
      name: 'HEARTBEAT',
      systemId: 1,
      componentId: 1,
      protocol: 2,
      signed: false,
    });
    const cmd = new common.CommandLong();
    Object.assign(cmd, {
      targetSystem: 1,
      targetComponent: 1,
      command: 400,
      confirmation: 0,
      _param1: 1,
    });
    await gcs.send(cmd);
    await waitFor(() => atDrone.length === 1);
    const got = atDrone[0]!;
    expect(got).toMatchObject({ name: 'COMMAND_LONG', systemId: 255, componentId: 190 });
    expect((got.message as common.CommandLong).command).toBe(400);
    expect(ground.stats).toMatchObject({ framesIn: 1, framesOut: 1, pendingWrites: 0 });
  });

  it('counts and drops frames from systems outside the allow-list', async () => {
    const { ground, vehicle, port } = await groundAndVehicle({ allowSystemIds: [1] });
    const stranger = new MavLink({ transport: `udpout://127.0.0.1:${port}` });
    await stranger.open();
    cleanups.push(() => stranger.close());
    const seen: number[] = [];
    ground.subscribe((f) => seen.push(f.systemId));
    await stranger.endpoint({ systemId: 7, componentId: 1 }).send(heartbeat());
    await vehicle.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    await waitFor(() => seen.length === 1 && ground.stats.droppedNotAllowed === 1);
    expect(seen).toEqual([1]);
  });

  it('numbers frames per endpoint and estimates loss from sequence gaps', async () => {
    const { ground, vehicle } = await groundAndVehicle();
    const a = vehicle.endpoint({ systemId: 1, componentId: 1 });
    const b = vehicle.endpoint({ systemId: 1, componentId: 154 });
    const seqs: string[] = [];
    ground.subscribe((f) => seqs.push(`${f.componentId}:${f.seq}`));
    await a.send(heartbeat());
    await b.send(heartbeat());
    await a.send(heartbeat());
    await waitFor(() => seqs.length === 3);
    expect(seqs.sort()).toEqual(['154:0', '1:0', '1:1']);
    expect(ground.stats.lostFramesEstimate).toBe(0);
    expect(ground.systems()).toMatchObject([{ systemId: 1, framesIn: 3, lostFramesEstimate: 0 }]);
  });

  it('keeps delivering when one subscriber throws, and reports the error', async () => {
    const errors: string[] = [];
    const { ground, vehicle } = await groundAndVehicle({
      onListenerError: (e, f) => errors.push(`${f?.name}:${e.message}`),
    });
    const got: string[] = [];
    ground.subscribe(() => {
      throw new Error('boom');
    });
    ground.subscribe((f) => got.push(f.name));
    await vehicle.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    await waitFor(() => got.length === 1);
    expect(errors).toEqual(['HEARTBEAT:boom']);
    expect(ground.stats.listenerErrors).toBe(1);
  });

  it('records accepted frames in both directions', async () => {
    const recorded: Buffer[] = [];
    const recorder = { record: (raw: Buffer) => recorded.push(Buffer.from(raw)) };
    const { ground, vehicle } = await groundAndVehicle({ recorder });
    const seen: ReceivedFrame[] = [];
    ground.subscribe((f) => seen.push(f));
    await vehicle.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    await waitFor(() => seen.length === 1);
    await ground.endpoint().send(heartbeat(6));
    expect(recorded).toHaveLength(2);
    expect(recorded[0]!.equals(seen[0]!.raw)).toBe(true);
    expect(recorded[1]![5]).toBe(255);
  });
});

it('keeps the link up when the recorder fails, counting the failures', async () => {
  const errors: string[] = [];
  const recorder = {
    record: () => {
      throw new Error('disk full');
    },
  };
  const { ground, vehicle } = await groundAndVehicle({
    recorder,
    onListenerError: (e, f) =>
      errors.push(`${f?.name ?? 'out'}:${String((e.cause as Error).message)}`),
  });
  const seen: ReceivedFrame[] = [];
  ground.subscribe((f) => seen.push(f));
  await vehicle.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
  await waitFor(() => seen.length === 1);
  await ground.endpoint().send(heartbeat(6));
  expect(errors).toEqual(['HEARTBEAT:disk full', 'out:disk full']);
  expect(ground.stats).toMatchObject({ recorderErrors: 2, framesIn: 1, framesOut: 1 });
});

describe('MavLink over real TCP loopback', () => {
  it('talks to a TCP vehicle and carries on after the vehicle drops the connection', async () => {
    const registry = createMessageRegistry();
    const vehicleEncoder = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    const sockets: Socket[] = [];
    const heardFromGcs: string[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk: Buffer) => {
        for (const f of parseFrames(chunk, registry).frames) {
          heardFromGcs.push(f.name);
          socket.write(vehicleEncoder.encode(heartbeat()));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanups.push(async () => sockets.forEach((s) => s.destroy()));
    const port = (server.address() as { port: number }).port;
    const link = new MavLink({
      transport: `tcp://127.0.0.1:${port}`,
      transportOptions: { backoff: { initialMs: 20 } },
    });
    await link.open();
    cleanups.push(() => link.close());
    // The reconnect takes ~20 ms: record the states rather than poll for a short stay.
    const states: string[] = [];
    link.transport.onStateChange((c) => states.push(c.state));
    const got: ReceivedFrame[] = [];
    const gcs = link.endpoint({ remoteSystemId: 1 });
    gcs.subscribe((f) => got.push(f));
    await gcs.send(heartbeat(6));
    await waitFor(() => got.length === 1);
    sockets[0]!.destroy();
    await waitFor(() => states.includes('open'));
    expect(states[0]).toBe('reconnecting');
    await gcs.send(heartbeat(6));
    await waitFor(() => got.length === 2);
    expect(heardFromGcs).toEqual(['HEARTBEAT', 'HEARTBEAT']);
    expect(got.map((f) => [f.systemId, f.name])).toEqual([
      [1, 'HEARTBEAT'],
      [1, 'HEARTBEAT'],
    ]);
  });
});

describe('signed link', () => {
  const key = signingKeyFromPassphrase('link test');

  it('accepts frames signed with the shared key and drops unsigned and forged ones', async () => {
    const { ground, vehicle, port } = await groundAndVehicle(
      { signing: new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() }) },
      { signing: new LinkSigning({ key, linkId: 1, store: new MemoryTimestampStore() }) },
    );
    const plain = new MavLink({ transport: `udpout://127.0.0.1:${port}` });
    const forger = new MavLink({
      transport: `udpout://127.0.0.1:${port}`,
      signing: new LinkSigning({
        key: signingKeyFromPassphrase('guess'),
        linkId: 1,
        store: new MemoryTimestampStore(),
      }),
    });
    await plain.open();
    await forger.open();
    cleanups.push(
      () => plain.close(),
      () => forger.close(),
    );
    const seen: ReceivedFrame[] = [];
    ground.subscribe((f) => seen.push(f));
    await plain.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    await forger.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    for (let i = 0; i < 20; i++)
      await vehicle.endpoint({ systemId: 1, componentId: 1 }).send(heartbeat());
    await waitFor(
      () =>
        seen.length === 20 &&
        ground.stats.droppedSigning['bad-signature'] === 1 &&
        ground.stats.droppedSigning.unsigned === 1,
    );
    expect(seen.every((f) => f.signed)).toBe(true);
    // The ground answers signed as well.
    const back: ReceivedFrame[] = [];
    vehicle.subscribe((f) => back.push(f));
    await ground.endpoint().send(heartbeat(6));
    await waitFor(() => back.length === 1);
    expect(back[0]!.signed).toBe(true);
  });
});

describe('one serial line carrying a dock and its drone (real pseudo-terminal)', () => {
  it('keeps decoding after the serial device vanishes mid-frame and returns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'link-pty-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const linkA = join(dir, 'dock');
    const linkB = join(dir, 'service');
    const first = await openPtyPair({ linkA, linkB });
    const service = new MavLink({
      transport: `serial://${linkB}:57600`,
      transportOptions: { backoff: { initialMs: 50, maxMs: 200 } },
    });
    await service.open();
    cleanups.push(() => service.close());
    // Every state the transport passes through, so a short stay is never missed by polling.
    const states: string[] = [];
    service.transport.onStateChange((c) => states.push(c.state));
    const names: string[] = [];
    service.subscribe((f) => names.push(f.name));
    const dockA = new MavLink({ transport: `serial://${first.pathA}:57600` });
    await dockA.open();
    const frame = Buffer.from(
      new FrameEncoder({ registry: dockA.registry, systemId: 10, componentId: 1 }).encode(
        heartbeat(0),
      ),
    );
    // Half a frame, then the adapter is unplugged.
    await dockA.sendRaw(frame.subarray(0, 7));
    await new Promise((r) => setTimeout(r, 50));
    await dockA.close();
    await first.close();
    await waitFor(() => states.includes('reconnecting'), 5000);
    // Nothing opens at the path while the device is gone (a few retries at 50–200 ms).
    await new Promise((r) => setTimeout(r, 400));
    expect(new Set(states)).toEqual(new Set(['reconnecting']));
    const second = await openPtyPair({ linkA, linkB });
    cleanups.push(() => second.close());
    await waitFor(() => states.includes('open'), 5000);
    const dockB = new MavLink({ transport: `serial://${second.pathA}:57600` });
    await dockB.open();
    cleanups.push(() => dockB.close());
    await dockB.endpoint({ systemId: 10, componentId: 1 }).send(heartbeat(0));
    await waitFor(() => names.length === 1);
    expect(names).toEqual(['HEARTBEAT']);
    expect(service.stats.transport).toMatchObject({ connects: 2, disconnects: 1 });
  });

  it('routes frames to subscribers by system id', async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const dockSide = new MavLink({ transport: `serial://${pair.pathA}:57600` });
    const service = new MavLink({
      transport: `serial://${pair.pathB}:57600`,
      allowSystemIds: [1, 10],
    });
    await Promise.all([dockSide.open(), service.open()]);
    cleanups.push(
      () => dockSide.close(),
      () => service.close(),
    );
    const dockFrames: ReceivedFrame[] = [];
    const droneFrames: ReceivedFrame[] = [];
    service.endpoint({ remoteSystemId: 10 }).subscribe((f) => dockFrames.push(f));
    service.endpoint({ remoteSystemId: 1 }).subscribe((f) => droneFrames.push(f));
    const dock = dockSide.endpoint({ systemId: 10, componentId: 1 });
    const drone = dockSide.endpoint({ systemId: 1, componentId: 1 });
    const gps = new common.GlobalPositionInt();
    Object.assign(gps, {
      timeBootMs: 1,
      lat: 301234567,
      lon: 1201234567,
      alt: 20000,
      relativeAlt: 0,
      vx: 0,
      vy: 0,
      vz: 0,
      hdg: 0,
    });
    for (let i = 0; i < 10; i++) {
      await dock.send(heartbeat(0));
      await drone.send(gps);
    }
    await waitFor(() => dockFrames.length === 10 && droneFrames.length === 10);
    expect(new Set(dockFrames.map((f) => f.name))).toEqual(new Set(['HEARTBEAT']));
    expect(new Set(droneFrames.map((f) => f.name))).toEqual(new Set(['GLOBAL_POSITION_INT']));
    expect((droneFrames[0]!.message as common.GlobalPositionInt).lon).toBe(1201234567);
  });
});

describe('pending writes (the deadman signal)', () => {
  it('reports the age of the oldest unfinished write until it completes', async () => {
    const clock = new FakeClock();
    const resolvers: (() => void)[] = [];
    const stuck: Transport = {
      url: 'test://stuck',
      state: 'open',
      stats: {
        bytesIn: 0,
        bytesOut: 0,
        chunksIn: 0,
        writes: 0,
        writeErrors: 0,
        writesWithoutPeer: 0,
        peersForgotten: 0,
        connects: 1,
        disconnects: 0,
      },
      open: () => Promise.resolve(),
      write: () => new Promise<void>((resolve) => resolvers.push(resolve)),
      onData: () => () => undefined,
      onStateChange: () => () => undefined,
      close: () => Promise.resolve(),
    };
    const link = new MavLink({ transport: stuck, clock });
    const gcs = link.endpoint();
    const first = gcs.send(heartbeat(6));
    clock.advance(1000);
    const second = gcs.send(heartbeat(6));
    clock.advance(2000);
    expect(link.oldestPendingWriteAgeMs()).toBe(3000);
    expect(link.stats.pendingWrites).toBe(2);
    resolvers[0]!();
    await first;
    expect(link.oldestPendingWriteAgeMs()).toBe(2000);
    resolvers[1]!();
    await second;
    expect(link.oldestPendingWriteAgeMs()).toBe(0);
    expect(link.stats.framesOut).toBe(2);
  });
});
