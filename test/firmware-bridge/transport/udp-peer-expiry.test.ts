/**
 * `udpin://` forgets the addresses of vehicles that went away: a system silent for longer than
 * `peerTimeoutMs` (on the injected clock) is no longer sent broadcasts, and the table keeps at most
 * `maxPeers` systems, forgetting the one heard least recently. Real sockets on loopback; only the
 * transport's sense of time is a fake.
 */
import { createSocket } from 'node:dgram';
import { common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FrameEncoder,
  UDP_MAX_PEERS,
  UDP_PEER_TIMEOUT_MS,
  VEHICLE_LOST_AFTER_MS,
  createMessageRegistry,
  createTransport,
} from '../../../firmware-bridge/index';
import type { TransportOptions, UdpTransport } from '../../../firmware-bridge/index';
import { FakeClock } from '../link/fake-clock';

const registry = createMessageRegistry();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Long enough on loopback for a datagram that was sent to have arrived. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

function heartbeat(): minimal.Heartbeat {
  return Object.assign(new minimal.Heartbeat(), {
    type: 2,
    autopilot: 3,
    baseMode: 0,
    customMode: 0,
    systemStatus: 4,
    mavlinkVersion: 3,
  });
}

/** Our frames, as system 255. */
const gcs = new FrameEncoder({ registry, systemId: 255, componentId: 190 });

async function listen(options: TransportOptions): Promise<UdpTransport> {
  const service = createTransport('udpin://127.0.0.1:0', options) as UdpTransport;
  await service.open();
  cleanups.push(() => service.close());
  return service;
}

/** A vehicle on its own socket; `say` sends one frame (or raw bytes) and waits until it arrived. */
async function vehicle(service: UdpTransport, systemId: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  const encoder = new FrameEncoder({ registry, systemId, componentId: 1 });
  const say = async (raw?: Buffer): Promise<void> => {
    const before = service.stats.chunksIn;
    socket.send(raw ?? encoder.encode(heartbeat()), service.localAddress!.port, '127.0.0.1');
    await until(() => service.stats.chunksIn > before, `a datagram from system ${systemId}`);
  };
  return { systemId, port: socket.address().port, got, say };
}

const systems = (service: UdpTransport): number[] =>
  [...service.peersBySystem.keys()].sort((a, b) => a - b);

/** Writes `frame` and returns how many bytes went out (one copy per address). */
async function bytesOut(service: UdpTransport, frame: Buffer, toSystemId?: number) {
  const before = service.stats.bytesOut;
  await service.write(frame, toSystemId === undefined ? {} : { toSystemId });
  return service.stats.bytesOut - before;
}

describe('udpin forgets vehicles that went away', () => {
  it('stops broadcasting to a system silent for longer than peerTimeoutMs, and learns it again when it speaks', async () => {
    const clock = new FakeClock();
    const service = await listen({ clock, peerTimeoutMs: 10_000 });
    const one = await vehicle(service, 1);
    const two = await vehicle(service, 2);
    await one.say();
    await two.say();
    clock.advance(6_000);
    await two.say();
    clock.advance(4_000); // system 1 silent for exactly peerTimeoutMs: still kept
    expect(systems(service)).toEqual([1, 2]);
    clock.advance(1);
    expect(systems(service)).toEqual([2]);
    expect(service.stats.peersForgotten).toBe(1);

    const beat = gcs.encode(heartbeat());
    expect(await bytesOut(service, beat)).toBe(beat.length);
    await until(() => two.got.length === 1, 'the heartbeat at system 2');
    await settle();
    expect(one.got).toEqual([]);
    // A frame for the forgotten system goes where a frame for an unknown one goes: every address.
    const rtl = Object.assign(new common.CommandLong(), {
      targetSystem: 1,
      targetComponent: 1,
      command: 20,
    });
    expect(await bytesOut(service, gcs.encode(rtl), 1)).toBeGreaterThan(0);
    await until(() => two.got.length === 2, 'the command at system 2, the only address left');

    await one.say();
    expect(service.peersBySystem.get(1)).toEqual({ address: '127.0.0.1', port: one.port });
    expect(await bytesOut(service, beat)).toBe(2 * beat.length);
    await until(() => one.got.length === 1 && two.got.length === 3, 'the heartbeat at both');
  });

  it('keeps at most maxPeers systems, forgetting the one heard least recently', async () => {
    const clock = new FakeClock();
    const service = await listen({ clock, maxPeers: 2 });
    const [one, two, three] = await Promise.all([1, 2, 3].map((id) => vehicle(service, id)));
    await one!.say();
    clock.advance(100);
    await two!.say();
    clock.advance(100);
    await one!.say(); // now system 2 is the one heard least recently
    clock.advance(100);
    await three!.say();
    expect(systems(service)).toEqual([1, 3]);
    expect(service.stats.peersForgotten).toBe(1);
    const beat = gcs.encode(heartbeat());
    expect(await bytesOut(service, beat)).toBe(2 * beat.length);
    await until(() => one!.got.length === 1 && three!.got.length === 1, 'the heartbeat at 1, 3');
    await settle();
    expect(two!.got).toEqual([]);
  });

  it('forgets a sender of bytes without a frame header after peerTimeoutMs as well', async () => {
    const clock = new FakeClock();
    const service = await listen({ clock, peerTimeoutMs: 5_000 });
    const console = await vehicle(service, 1);
    await console.say(Buffer.from('APM: boot'));
    expect(systems(service)).toEqual([]);
    const beat = gcs.encode(heartbeat());
    expect(await bytesOut(service, beat)).toBe(beat.length);
    clock.advance(5_001);
    expect(await bytesOut(service, beat)).toBe(0);
    expect(service.stats.writesWithoutPeer).toBe(1);
    expect(service.peer).toBeUndefined();
  });

  it('by default forgets a system after 4 × the vehicle-lost timeout and keeps every system id', async () => {
    expect(UDP_PEER_TIMEOUT_MS).toBe(4 * VEHICLE_LOST_AFTER_MS);
    expect(UDP_MAX_PEERS).toBe(256);
    const clock = new FakeClock();
    const service = await listen({ clock });
    const one = await vehicle(service, 1);
    await one.say();
    clock.advance(UDP_PEER_TIMEOUT_MS);
    expect(systems(service)).toEqual([1]);
    clock.advance(1);
    expect(systems(service)).toEqual([]);
  });

  it('refuses a peerTimeoutMs or maxPeers it cannot use, naming the value', () => {
    expect(() => createTransport('udpin://127.0.0.1:0', { peerTimeoutMs: 0 })).toThrow(
      'peerTimeoutMs must be a positive number of milliseconds, got 0',
    );
    expect(() => createTransport('udpin://127.0.0.1:0', { maxPeers: 1.5 })).toThrow(
      'maxPeers must be a positive integer, got 1.5',
    );
  });
});
