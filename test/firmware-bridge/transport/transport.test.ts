import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../firmware-bridge/transport/backoff';
import { createTransport } from '../../../firmware-bridge/transport/create-transport';
import { openPtyPair, type PtyPair } from '../../../firmware-bridge/transport/pty-pair';
import type { Transport } from '../../../firmware-bridge/transport/transport';
import { parseTransportUrl } from '../../../firmware-bridge/transport/transport-url';
import { UdpTransport } from '../../../firmware-bridge/transport/udp-transport';
import { FakeClock } from '../link/fake-clock';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function track<T extends Transport | PtyPair>(t: T): T {
  cleanups.push(() => t.close());
  return t;
}

function nextData(t: Transport, minBytes = 1, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no data on ${t.url} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = t.onData((chunk) => {
      parts.push(chunk);
      const all = Buffer.concat(parts);
      if (all.length >= minBytes) {
        clearTimeout(timer);
        off();
        resolve(all);
      }
    });
  });
}

function waitForState(t: Transport, state: string, timeoutMs = 5000): Promise<void> {
  if (t.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${t.url} did not reach ${state} (is ${t.state})`));
    }, timeoutMs);
    const off = t.onStateChange((c) => {
      if (c.state === state) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

describe('parseTransportUrl', () => {
  it.each([
    ['serial:///dev/ttyUSB0:57600', { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 57600 }],
    ['serial:///dev/ttyACM0:921600', { kind: 'serial', path: '/dev/ttyACM0', baudRate: 921600 }],
    ['serial:///dev/ttyS1', { kind: 'serial', path: '/dev/ttyS1', baudRate: 57600 }],
    ['udpin://0.0.0.0:14550', { kind: 'udpin', host: '0.0.0.0', port: 14550 }],
    ['udp://:14540', { kind: 'udpin', host: '0.0.0.0', port: 14540 }],
    ['udpout://10.0.0.5:14550', { kind: 'udpout', host: '10.0.0.5', port: 14550 }],
    ['tcp://127.0.0.1:5760', { kind: 'tcp', host: '127.0.0.1', port: 5760 }],
    ['tcp://[::1]:5760', { kind: 'tcp', host: '::1', port: 5760 }],
  ])('reads the MAVSDK URL form %s', (url, expected) => {
    expect(parseTransportUrl(url)).toEqual(expected);
  });

  it('rejects malformed URLs naming the value and what was expected', () => {
    expect(() => parseTransportUrl('http://x:1')).toThrow(/"http:\/\/x:1".*scheme serial, udpin/);
    expect(() => parseTransportUrl('tcp://host')).toThrow(/HOST:PORT/);
    expect(() => parseTransportUrl('udpin://h:70000')).toThrow(/0\.\.65535/);
    expect(() => parseTransportUrl('/dev/ttyUSB0')).toThrow(/TRANSPORT|expected/);
  });
});

describe('backoff', () => {
  it('doubles from 250 ms and caps at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelayMs(a))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(backoffDelayMs(2, { initialMs: 100, factor: 3, maxMs: 10_000 })).toBe(900);
  });

  it('retries a refused TCP connection on the injected clock', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const clock = new FakeClock();
    const t = track(createTransport(`tcp://127.0.0.1:${port}`, { clock }));
    const errors: string[] = [];
    t.onStateChange((c) => c.error && errors.push(c.state));
    void t.open().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(249);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBe(1);
    clock.advance(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(2);
  });

  it('rejects open() after openTimeoutMs', async () => {
    const clock = new FakeClock();
    const t = track(createTransport('tcp://127.0.0.1:1', { clock, openTimeoutMs: 1000 }));
    const opening = t.open();
    clock.advance(1000);
    await expect(opening).rejects.toMatchObject({ code: 'TRANSPORT_OPEN_TIMEOUT' });
    expect(t.state).toBe('closed');
  });
});

describe('UDP over loopback', () => {
  it('udpout reaches udpin, which replies to the sender', async () => {
    const server = track(new UdpTransport('udpin://127.0.0.1:0', 'udpin', '127.0.0.1', 0));
    await server.open();
    const port = server.localAddress!.port;
    const client = track(createTransport(`udpout://127.0.0.1:${port}`));
    await client.open();
    // Before any peer spoke, udpin has nowhere to send: counted, not thrown.
    await server.write(Buffer.from('early'));
    expect(server.stats.writesWithoutPeer).toBe(1);
    const got = nextData(server);
    await client.write(Buffer.from('ping'));
    expect((await got).toString()).toBe('ping');
    const back = nextData(client);
    await server.write(Buffer.from('pong'));
    expect((await back).toString()).toBe('pong');
    expect(server.stats).toMatchObject({ bytesIn: 4, bytesOut: 4 });
  });

  it('rejects writes when not open with TRANSPORT_NOT_OPEN', async () => {
    const t = createTransport('udpout://127.0.0.1:9');
    await expect(t.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'TRANSPORT_NOT_OPEN' });
  });
});

describe('TCP over loopback', () => {
  it('round-trips and reconnects when the peer drops the connection', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const port = (server.address() as { port: number }).port;
    const t = track(createTransport(`tcp://127.0.0.1:${port}`, { backoff: { initialMs: 20 } }));
    await t.open();
    let reply = nextData(t, 9);
    await t.write(Buffer.from('hello'));
    expect((await reply).toString()).toBe('echo:hello');

    const states: string[] = [];
    t.onStateChange((c) => states.push(c.state));
    sockets[0]!.destroy();
    await waitForState(t, 'reconnecting');
    await waitForState(t, 'open');
    expect(states).toEqual(['reconnecting', 'open']);
    reply = nextData(t, 9);
    await t.write(Buffer.from('again'));
    expect((await reply).toString()).toBe('echo:again');
    expect(t.stats).toMatchObject({ connects: 2, disconnects: 1 });
  });
});

describe('serial over a real pseudo-terminal pair', () => {
  it('carries bytes both ways, unchanged (raw mode, no CR/LF mangling)', async () => {
    const pair = track(await openPtyPair());
    const a = track(createTransport(`serial://${pair.pathA}:57600`));
    const b = track(createTransport(`serial://${pair.pathB}:57600`));
    await Promise.all([a.open(), b.open()]);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const got = nextData(b, 256);
    await a.write(bytes);
    expect((await got).equals(bytes)).toBe(true);
    const back = nextData(a, 3);
    await b.write(Buffer.from([0x0d, 0x0a, 0x03]));
    expect([...(await back)]).toEqual([0x0d, 0x0a, 0x03]);
  });

  it('rejects open() with TRANSPORT_CLOSED when closed while the device is opening', async () => {
    const pair = track(await openPtyPair());
    const t = createTransport(`serial://${pair.pathA}:57600`);
    const opening = t.open();
    await t.close();
    await expect(opening).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(t.state).toBe('closed');
  });

  it('reconnects when the device vanishes and returns at the same path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pty-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const linkA = join(dir, 'ttyA');
    const linkB = join(dir, 'ttyB');
    const first = await openPtyPair({ linkA, linkB });
    const ground = track(
      createTransport(`serial://${linkB}:115200`, { backoff: { initialMs: 50, maxMs: 200 } }),
    );
    await ground.open();
    await first.close();
    await waitForState(ground, 'reconnecting');
    const second = track(await openPtyPair({ linkA, linkB }));
    await waitForState(ground, 'open');
    const dock = track(createTransport(`serial://${second.pathA}:115200`));
    await dock.open();
    const got = nextData(ground, 4);
    await dock.write(Buffer.from('back'));
    expect((await got).toString()).toBe('back');
    expect(ground.stats.connects).toBe(2);
  });
});
