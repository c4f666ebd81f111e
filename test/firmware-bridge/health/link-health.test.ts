import { afterEach, describe, expect, it } from 'vitest';
import { minimal, type MavLinkData } from 'node-mavlink';
import { LinkHealth, type HealthEvent } from '../../../firmware-bridge/health/link-health';
import { MavLink } from '../../../firmware-bridge/link/mav-link';
import type { MavEndpoint, ReceivedFrame } from '../../../firmware-bridge/link/types';
import { UdpTransport } from '../../../firmware-bridge/transport/udp-transport';
import { FakeClock } from '../link/fake-clock';

/** An in-memory endpoint: records sends, lets the test inject received frames, can wedge sends. */
class FakeEndpoint implements MavEndpoint {
  readonly systemId = 255;
  readonly componentId = 190;
  sent: MavLinkData[] = [];
  wedged = false;
  readonly #listeners = new Set<(f: ReceivedFrame) => void>();
  readonly #stuck: (() => void)[] = [];

  send(message: MavLinkData): Promise<void> {
    this.sent.push(message);
    if (this.wedged) return new Promise((resolve) => this.#stuck.push(resolve));
    return Promise.resolve();
  }

  unwedge(): void {
    this.wedged = false;
    for (const r of this.#stuck.splice(0)) r();
  }

  subscribe(listener: (f: ReceivedFrame) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  inject(systemId: number, type = 2): void {
    const message = Object.assign(new minimal.Heartbeat(), {
      type,
      autopilot: 3,
      baseMode: 81,
      customMode: 0,
      systemStatus: 3,
      mavlinkVersion: 3,
    });
    const frame: ReceivedFrame = {
      systemId,
      componentId: 1,
      messageId: 0,
      seq: 0,
      name: 'HEARTBEAT',
      message,
      protocol: 2,
      signed: false,
      raw: Buffer.alloc(0),
      receivedAtMs: 0,
    };
    for (const l of this.#listeners) l(frame);
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LinkHealth (fake clock)', () => {
  it('sends a GCS heartbeat at 1 Hz', async () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    const health = new LinkHealth({ endpoint, clock });
    health.start();
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      await flush();
    }
    expect(endpoint.sent).toHaveLength(11);
    const hb = endpoint.sent[0] as minimal.Heartbeat;
    expect(hb.type).toBe(6);
    expect(hb.autopilot).toBe(8);
    expect(health.stats.heartbeatsSent).toBe(11);
    health.stop();
    clock.advance(5000);
    expect(endpoint.sent).toHaveLength(11);
  });

  it('declares a vehicle lost 3.5 s after its last heartbeat and found when it returns', () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    const health = new LinkHealth({ endpoint, clock });
    const events: HealthEvent[] = [];
    health.on((e) => e.type.startsWith('vehicle') && events.push(e));
    health.start();
    endpoint.inject(1);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      endpoint.inject(1);
    }
    expect(events.map((e) => e.type)).toEqual(['vehicle-found']);
    const lastBeat = clock.now();
    clock.advance(3499);
    expect(health.isAlive(1)).toBe(true);
    clock.advance(1);
    expect(health.isAlive(1)).toBe(false);
    expect(events.at(-1)).toEqual({
      type: 'vehicle-lost',
      systemId: 1,
      atMs: lastBeat + 3500,
      silentForMs: 3500,
    });
    clock.advance(10_000);
    endpoint.inject(1);
    expect(events.map((e) => e.type)).toEqual(['vehicle-found', 'vehicle-lost', 'vehicle-found']);
  });

  it('tracks each system separately and ignores other ground stations', () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    const health = new LinkHealth({ endpoint, clock });
    const events: HealthEvent[] = [];
    health.on((e) => events.push(e));
    health.start();
    endpoint.inject(1);
    endpoint.inject(10, 0);
    endpoint.inject(200, 6); // another GCS
    clock.advance(2000);
    endpoint.inject(10, 0);
    clock.advance(2000);
    expect(health.isAlive(1)).toBe(false);
    expect(health.isAlive(10)).toBe(true);
    expect(
      health
        .vehicles()
        .map((v) => v.systemId)
        .sort(),
    ).toEqual([1, 10]);
  });

  it('stops the heartbeat while sends are wedged and resumes when they drain', async () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    const health = new LinkHealth({ endpoint, clock });
    const events: HealthEvent[] = [];
    health.on((e) => events.push(e));
    health.start();
    await flush();
    endpoint.wedged = true;
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      await flush();
    }
    // Beats at t=1,2,3 s were attempted (stuck); from t=4 s the oldest is 3 s old: paused.
    expect(endpoint.sent).toHaveLength(4);
    expect(health.paused).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'heartbeat-paused', reason: 'send-stalled' }),
    );
    endpoint.unwedge();
    await flush();
    clock.advance(1000);
    await flush();
    expect(health.paused).toBe(false);
    expect(endpoint.sent).toHaveLength(5);
    expect(events.at(-1)?.type).toBe('heartbeat-resumed');
  });

  it('stops the heartbeat when the owner stops kicking (deadman)', async () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    const health = new LinkHealth({ endpoint, clock, kickTimeoutMs: 2500 });
    health.start();
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      health.kick();
      await flush();
    }
    expect(endpoint.sent).toHaveLength(5);
    clock.advance(3000);
    await flush();
    expect(health.paused).toBe(true);
    expect(endpoint.sent).toHaveLength(7); // 1 s and 2 s after the last kick sent, 3 s skipped
    health.kick();
    clock.advance(1000);
    expect(health.paused).toBe(false);
    expect(endpoint.sent).toHaveLength(8);
  });

  it('uses the link-wide pending write age when given', () => {
    const clock = new FakeClock();
    const endpoint = new FakeEndpoint();
    let age = 0;
    const health = new LinkHealth({ endpoint, clock, pendingWriteAgeMs: () => age });
    health.start();
    age = 5000;
    clock.advance(1000);
    expect(health.paused).toBe(true);
    expect(endpoint.sent).toHaveLength(1);
  });
});

describe('LinkHealth over real UDP', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  it('declares the vehicle lost within 3–4.5 s after its heartbeats stop', async () => {
    const server = new UdpTransport('udpin://127.0.0.1:0', 'udpin', '127.0.0.1', 0);
    const ground = new MavLink({ transport: server });
    await ground.open();
    cleanups.push(() => ground.close());
    const vehicle = new MavLink({ transport: `udpout://127.0.0.1:${server.localAddress!.port}` });
    await vehicle.open();
    cleanups.push(() => vehicle.close());
    const health = new LinkHealth({
      endpoint: ground.endpoint(),
      pendingWriteAgeMs: () => ground.oldestPendingWriteAgeMs(),
    });
    cleanups.push(async () => health.stop());
    const events: HealthEvent[] = [];
    health.on((e) => events.push(e));
    health.start();
    const drone = vehicle.endpoint({ systemId: 1, componentId: 1 });
    const hb = Object.assign(new minimal.Heartbeat(), {
      type: 2,
      autopilot: 3,
      baseMode: 81,
      customMode: 0,
      systemStatus: 3,
      mavlinkVersion: 3,
    });
    let lastSentAt = 0;
    for (let i = 0; i < 3; i++) {
      await drone.send(hb);
      lastSentAt = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(health.isAlive(1)).toBe(true);
    const lost = await new Promise<number>((resolve) =>
      health.on((e) => e.type === 'vehicle-lost' && resolve(Date.now())),
    );
    const silenceMs = lost - lastSentAt;
    expect(silenceMs).toBeGreaterThanOrEqual(3000);
    expect(silenceMs).toBeLessThanOrEqual(4500);
    expect(events.map((e) => e.type)).toEqual(['vehicle-found', 'vehicle-lost']);
    // Our own heartbeat reached the vehicle side meanwhile.
    expect(vehicle.stats.framesIn).toBeGreaterThanOrEqual(4);
  }, 15_000);
});
