import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { common, minimal } from 'node-mavlink';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import { createMessageRegistry } from '../../../firmware-bridge/codec/message-registry';
import { MavLink } from '../../../firmware-bridge/link/mav-link';
import type { ReceivedFrame } from '../../../firmware-bridge/link/types';
import {
  LinkSigning,
  signingKeyFromPassphrase,
} from '../../../firmware-bridge/signing/link-signing';
import { MemoryTimestampStore } from '../../../firmware-bridge/signing/timestamp-store';
import { Telemetry } from '../../../firmware-bridge/telemetry/telemetry';
import {
  emptyTlogStats,
  readTlog,
  tlogRecord,
  TlogReplay,
  tlogStats,
  TlogWriter,
} from '../../../firmware-bridge/tlog/tlog';
import { UdpTransport } from '../../../firmware-bridge/transport/udp-transport';
import { randomBytes, seededRandom, telemetryFrames } from '../codec/corpus';
import { FakeClock } from '../link/fake-clock';

const registry = createMessageRegistry();
const dirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tlog-'));
  dirs.push(d);
  return d;
}

const T0_US = 1_763_900_000_000_000n;

function tlogOf(frames: Buffer[], stepUs = 100_000n): Buffer {
  return Buffer.concat(frames.map((f, i) => tlogRecord(f, T0_US + BigInt(i) * stepUs)));
}

describe('tlog reader', () => {
  it('reads every record with its big-endian microsecond timestamp', () => {
    const frames = telemetryFrames(registry, 8, 500);
    const bytes = tlogOf(frames);
    expect(bytes.readBigUInt64BE(0)).toBe(T0_US);
    const stats = emptyTlogStats();
    const records = [...readTlog(bytes, registry, stats)];
    expect(records).toHaveLength(500);
    expect(records[7]!.timestampUs).toBe(T0_US + 700_000n);
    expect(records.every((r, i) => r.frame.raw.equals(frames[i]!))).toBe(true);
    expect(stats.total).toBe(500);
    expect(Object.values(stats.byName).reduce((a, b) => a + b, 0)).toBe(500);
    expect(stats.byName.GLOBAL_POSITION_INT).toBeGreaterThan(50);
  });

  it('counts corrupted and unknown-id records as dropped and keeps the rest', () => {
    const frames = telemetryFrames(registry, 9, 100).map((f) => Buffer.from(f));
    const corrupt = frames[10]!;
    corrupt[corrupt.length - 3] = corrupt[corrupt.length - 3]! ^ 0xff;
    const unknown = Buffer.from([0xfd, 3, 0, 0, 0, 1, 1, 0x11, 0x22, 0x33, 1, 2, 3, 0xaa, 0xbb]);
    const all = [...frames.slice(0, 50), unknown, ...frames.slice(50)];
    const stats = emptyTlogStats();
    const records = [...readTlog(tlogOf(all), registry, stats)];
    expect(records).toHaveLength(99);
    expect(stats).toMatchObject({
      total: 99,
      droppedBadCrc: 1,
      droppedUnknownId: 1,
      bytesSkipped: 0,
    });
  });

  it('resynchronises after garbage between records and stops cleanly at a truncated tail', () => {
    const frames = telemetryFrames(registry, 10, 60);
    const rand = seededRandom(3);
    const bytes = Buffer.concat([
      randomBytes(rand, 13),
      tlogOf(frames.slice(0, 30)),
      randomBytes(rand, 57),
      tlogOf(frames.slice(30)).subarray(0, -5),
    ]);
    const stats = emptyTlogStats();
    const records = [...readTlog(bytes, registry, stats)];
    expect(records.length).toBe(59);
    expect(stats.bytesSkipped).toBeGreaterThanOrEqual(13 + 57);
  });
});

describe('recording a live link', () => {
  it('writes both directions of a UDP link as a tlog the reader decodes', async () => {
    const dir = await tmp();
    const path = join(dir, 'link.tlog');
    const writer = new TlogWriter(path);
    const server = new UdpTransport('udpin://127.0.0.1:0', 'udpin', '127.0.0.1', 0);
    const key = signingKeyFromPassphrase('tlog');
    const ground = new MavLink({
      transport: server,
      recorder: writer,
      signing: new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() }),
    });
    await ground.open();
    cleanups.push(() => ground.close());
    const vehicle = new MavLink({
      transport: `udpout://127.0.0.1:${server.localAddress!.port}`,
      signing: new LinkSigning({ key, linkId: 1, store: new MemoryTimestampStore() }),
    });
    await vehicle.open();
    cleanups.push(() => vehicle.close());
    const seen: ReceivedFrame[] = [];
    ground.subscribe((f) => seen.push(f));
    const drone = vehicle.endpoint({ systemId: 1, componentId: 1 });
    const gps = Object.assign(new common.GlobalPositionInt(), {
      timeBootMs: 1,
      lat: 300000000,
      lon: 1200000000,
      alt: 1000,
      relativeAlt: 0,
      vx: 0,
      vy: 0,
      vz: 0,
      hdg: 0,
    });
    for (let i = 0; i < 5; i++) await drone.send(gps);
    const start = Date.now();
    while (seen.length < 5 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 5));
    await ground.endpoint().send(
      Object.assign(new minimal.Heartbeat(), {
        type: 6,
        autopilot: 8,
        baseMode: 0,
        customMode: 0,
        systemStatus: 4,
        mavlinkVersion: 3,
      }),
    );
    await writer.close();
    const stats = await tlogStats(path, registry);
    expect(stats).toMatchObject({
      total: 6,
      byName: { GLOBAL_POSITION_INT: 5, HEARTBEAT: 1 },
      signed: 6,
      droppedBadCrc: 0,
    });
    const firstUs = Number((await readFile(path)).readBigUInt64BE(0));
    expect(Math.abs(firstUs / 1000 - Date.now())).toBeLessThan(10_000);
    // The key is never in the file.
    expect((await readFile(path)).includes(key)).toBe(false);
  });

  it('counts and drops frames a link still sends after the tlog was closed, keeping the file whole', async () => {
    const dir = await tmp();
    const path = join(dir, 'late.tlog');
    const writer = new TlogWriter(path);
    const frame = new FrameEncoder({ registry, systemId: 1, componentId: 1 }).encode(
      Object.assign(new minimal.Heartbeat(), {
        type: 2,
        autopilot: 3,
        baseMode: 0,
        customMode: 0,
        systemStatus: 3,
        mavlinkVersion: 3,
      }),
    );
    writer.record(frame, Date.now());
    const closing = writer.close();
    expect(() => writer.record(frame, Date.now())).not.toThrow();
    await closing;
    writer.record(frame, Date.now());
    expect(writer.records).toBe(1);
    expect(writer.droppedAfterClose).toBe(2);
    expect((await tlogStats(path, registry)).total).toBe(1);
  });
});

describe('replay', () => {
  it('feeds a recorded flight into telemetry', async () => {
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    const frames = [0, 1, 2].map((i) =>
      enc.encode(
        Object.assign(new common.GlobalPositionInt(), {
          timeBootMs: i,
          lat: 300000000 + i * 1000,
          lon: 1200000000,
          alt: 5000,
          relativeAlt: 1000 * i,
          vx: 0,
          vy: 0,
          vz: 0,
          hdg: 0,
        }),
      ),
    );
    const replay = new TlogReplay(tlogOf(frames), registry);
    const telemetry = new Telemetry(replay);
    const track: number[] = [];
    telemetry.on('position', (e) => track.push(e.altitudeRelativeM));
    const stats = await replay.run();
    expect(track).toEqual([0, 1, 2]);
    expect(stats.total).toBe(3);
    expect(telemetry.snapshot(1).position?.atMs).toBe(Number((T0_US + 200_000n) / 1000n));
  });

  it('paces frames by their recorded timestamps on the injected clock', async () => {
    const frames = telemetryFrames(registry, 4, 3);
    const clock = new FakeClock();
    const replay = new TlogReplay(tlogOf(frames, 1_000_000n), registry);
    const times: number[] = [];
    replay.subscribe(() => times.push(clock.now()));
    const done = replay.run({ speed: 2, clock });
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(250);
    }
    await done;
    expect(times.map((t) => t - times[0]!)).toEqual([0, 500, 1000]);
  });
});

describe('npm run tlog -- stats', () => {
  it('prints one JSON object with totals, names, drops and signed count', async () => {
    const dir = await tmp();
    const file = join(dir, 'flight.tlog');
    const frames = telemetryFrames(registry, 12, 200).map((f) => Buffer.from(f));
    const bad = frames[5]!;
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
    await writeFile(file, tlogOf(frames));
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      'src/cli/tlog.ts',
      'stats',
      file,
    ]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(out).toMatchObject({ total: 199, droppedBadCrc: 1, droppedUnknownId: 0, signed: 0 });
    const byName = out.byName as Record<string, number>;
    expect(Object.values(byName).reduce((a, b) => a + b, 0)).toBe(199);
    expect(Object.keys(byName)).toContain('GLOBAL_POSITION_INT');
    expect(out.durationS).toBeCloseTo(19.9, 6);
  });

  it('exits non-zero with the reason when the file is missing', async () => {
    await expect(
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        'src/cli/tlog.ts',
        'stats',
        '/nonexistent/x.tlog',
      ]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('ENOENT'),
    });
  });
});
