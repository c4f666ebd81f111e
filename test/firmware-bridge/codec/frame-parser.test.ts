import { describe, expect, it } from 'vitest';
import {
  MavLinkPacketParser,
  MavLinkPacketSplitter,
  MavLinkProtocolV2,
  common,
  minimal,
  x25crc,
  type MavLinkData,
  type MavLinkPacket,
} from 'node-mavlink';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import {
  FrameParser,
  MAX_FRAME_LENGTH,
  parseFrames,
} from '../../../firmware-bridge/codec/frame-parser';
import { createMessageRegistry } from '../../../firmware-bridge/codec/message-registry';
import { frameCrc } from '../../../firmware-bridge/codec/crc';
import type { ReceivedFrame } from '../../../firmware-bridge/link/types';
import { noisyStream, randomBytes, seededRandom, telemetryFrames } from './corpus';

const registry = createMessageRegistry();

function heartbeat(customMode = 4): minimal.Heartbeat {
  const m = new minimal.Heartbeat();
  Object.assign(m, {
    type: 2,
    autopilot: 3,
    baseMode: 217,
    customMode,
    systemStatus: 4,
    mavlinkVersion: 3,
  });
  return m;
}

describe('crc', () => {
  it('matches node-mavlink x25crc with CRC_EXTRA', () => {
    const rand = seededRandom(7);
    for (let n = 0; n < 50; n++) {
      const buf = randomBytes(rand, 40);
      const extra = Math.floor(rand() * 256);
      expect(frameCrc(buf, 1, 38, extra)).toBe(x25crc(buf, 1, 2, extra));
    }
  });
});

describe('FrameEncoder', () => {
  it('writes MAVLink 2 by default, byte-identical to node-mavlink except for keeping one payload byte', () => {
    const enc = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
    const msg = new common.GlobalPositionInt();
    Object.assign(msg, {
      timeBootMs: 1234,
      lat: 473977418,
      lon: 85455939,
      alt: 500000,
      relativeAlt: 20000,
      vx: 1,
      vy: -2,
      vz: 3,
      hdg: 9000,
    });
    const ours = enc.encode(msg);
    const theirs = new MavLinkProtocolV2(255, 190).serialize(msg, 0);
    expect(ours[0]).toBe(0xfd);
    expect(ours.equals(theirs)).toBe(true);
  });

  it('trims trailing zero bytes of a MAVLink 2 payload but keeps the first byte', () => {
    const enc = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
    const zero = new common.MissionCurrent();
    Object.assign(zero, {
      seq: 0,
      total: 0,
      missionState: 0,
      missionMode: 0,
      missionId: 0,
      fenceId: 0,
      rallyPointsId: 0,
    });
    const frame = enc.encode(zero);
    expect(frame[1]).toBe(1);
    const [decoded] = parseFrames(frame, registry).frames;
    expect(decoded?.name).toBe('MISSION_CURRENT');
    expect((decoded?.message as common.MissionCurrent).total).toBe(0);
  });

  it('numbers frames per encoder, wrapping at 255, independent of other encoders', () => {
    const a = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
    const b = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    for (let i = 0; i < 300; i++) a.encode(heartbeat());
    expect(a.nextSeq).toBe(300 % 256);
    expect(b.encode(heartbeat())[4]).toBe(0);
  });

  it('writes MAVLink 1 without extension fields when asked', () => {
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1, protocol: 1 });
    const gps = telemetryFrames(registry, 1, 1);
    expect(gps).toHaveLength(1);
    const msg = new common.GpsRawInt();
    Object.assign(msg, {
      timeUsec: 5n,
      fixType: 3,
      lat: 1,
      lon: 2,
      alt: 3,
      eph: 1,
      epv: 1,
      vel: 1,
      cog: 1,
      satellitesVisible: 9,
    });
    const frame = enc.encode(msg);
    expect(frame[0]).toBe(0xfe);
    expect(frame[1]).toBe(30);
    const [decoded] = parseFrames(frame, registry).frames;
    expect(decoded?.protocol).toBe(1);
    expect((decoded?.message as common.GpsRawInt).satellitesVisible).toBe(9);
    expect((decoded?.message as common.GpsRawInt).timeUsec).toBe(5n);
  });

  it('maps mavlink-mappings enum defaults (names) to their numbers', () => {
    const enc = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
    const item = new common.MissionItemInt();
    item.x = 473977418;
    const [decoded] = parseFrames(enc.encode(item), registry).frames;
    const m = decoded?.message as common.MissionItemInt;
    expect(m.command).toBe(16);
    expect(m.x).toBe(473977418);
  });

  it('rejects a value that is neither a number nor an enum default, naming the field', () => {
    const enc = new FrameEncoder({ registry, systemId: 255, componentId: 190 });
    const m = heartbeat();
    (m as unknown as Record<string, unknown>).customMode = 'banana';
    expect(() => enc.encode(m)).toThrow(/HEARTBEAT\.customMode/);
  });
});

describe('FrameParser', () => {
  it('round-trips a mixed telemetry corpus split into arbitrary chunks', () => {
    const frames = telemetryFrames(registry, 11, 2000);
    const stream = Buffer.concat(frames);
    const rand = seededRandom(12);
    const got: ReceivedFrame[] = [];
    const parser = new FrameParser({ registry, onFrame: (f) => got.push(f) });
    for (let i = 0; i < stream.length;) {
      const n = 1 + Math.floor(rand() * 64);
      parser.push(stream.subarray(i, i + n));
      i += n;
    }
    expect(got).toHaveLength(frames.length);
    got.forEach((f, i) => expect(f.raw.equals(frames[i]!)).toBe(true));
    expect(parser.stats).toMatchObject({
      framesOk: 2000,
      badCrc: 0,
      unknownId: 0,
      bytesSkipped: 0,
    });
  });

  it('decodes the same values node-mavlink does', () => {
    const frames = telemetryFrames(registry, 3, 300);
    const ours = parseFrames(Buffer.concat(frames), registry).frames;
    const parser = new MavLinkPacketParser();
    const stock: MavLinkPacket[] = [];
    parser.on('data', (p: MavLinkPacket) => stock.push(p));
    for (const f of frames) parser.write({ buffer: f, timestamp: null });
    expect(stock).toHaveLength(ours.length);
    ours.forEach((f, i) => {
      const p = stock[i]!;
      const clazz = registry.byId(p.header.msgid)!.clazz;
      const ref = p.protocol.data(p.payload, clazz) as MavLinkData;
      expect({ ...f.message }).toEqual({ ...ref });
    });
  });

  it('recovers at least 99.9 % of frames when each is preceded by 1–8 random bytes', () => {
    const frames = telemetryFrames(registry, 21, 20_000);
    const stream = noisyStream(frames, 22);
    const { frames: got } = parseFrames(stream, registry);
    const want = new Set(frames.map((f) => f.toString('hex')));
    const recovered = got.filter((f) => want.has(f.raw.toString('hex'))).length;
    const pct = (recovered / frames.length) * 100;
    expect(pct).toBeGreaterThanOrEqual(99.9);
    // No invented frames either (a false CRC match is 1 in 65 536 per known-id candidate).
    expect(got.length - recovered).toBeLessThanOrEqual(2);
  });

  it('shows the stock splitter losing frames on the same stream (the reason this parser exists)', async () => {
    const frames = telemetryFrames(registry, 21, 5_000);
    const stream = noisyStream(frames, 22);
    const splitter = new MavLinkPacketSplitter();
    let n = 0;
    splitter.on('data', () => n++);
    splitter.write(stream);
    await new Promise((r) => setImmediate(r));
    expect(n / frames.length).toBeLessThan(0.95);
  });

  it('delivers a frame behind a noise byte that claims a long length without waiting for more bytes', () => {
    const got: ReceivedFrame[] = [];
    const parser = new FrameParser({ registry, onFrame: (f) => got.push(f) });
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    // 0xFD 0xFF … claims a 255-byte payload of HEARTBEAT (id 0): incomplete, but the real frame follows.
    parser.push(
      Buffer.concat([Buffer.from([0xfd, 0xff, 0, 0, 0, 1, 1, 0, 0, 0]), enc.encode(heartbeat())]),
    );
    expect(got.map((f) => f.name)).toEqual(['HEARTBEAT']);
    expect(parser.pendingBytes).toBe(0);
  });

  it('counts bad CRC and unknown ids and resyncs after them', () => {
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    const good = enc.encode(heartbeat());
    const corrupt = Buffer.from(enc.encode(heartbeat()));
    corrupt[12] = corrupt[12]! ^ 0x55;
    const unknown = Buffer.from([0xfd, 2, 0, 0, 0, 1, 1, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4]);
    const { frames, stats } = parseFrames(Buffer.concat([corrupt, unknown, good]), registry);
    expect(frames).toHaveLength(1);
    expect(stats.badCrc).toBe(1);
    expect(stats.unknownId).toBe(1);
    expect(stats.framesOk).toBe(1);
    expect(stats.bytesSkipped).toBe(corrupt.length + unknown.length);
  });

  it('decodes extra registered message classes (a dialect)', () => {
    class DockPing extends minimal.Heartbeat {
      static override MSG_ID = 52500;
      static override MSG_NAME = 'DOCK_PING';
      static override MAGIC_NUMBER = 77;
    }
    const reg = createMessageRegistry({ extra: [DockPing] });
    const enc = new FrameEncoder({ registry: reg, systemId: 9, componentId: 1 });
    const m = new DockPing();
    Object.assign(m, heartbeat(7));
    const [f] = parseFrames(enc.encode(m), reg).frames;
    expect(f?.name).toBe('DOCK_PING');
    expect(f?.message).toBeInstanceOf(DockPing);
    expect((f?.message as DockPing).customMode).toBe(7);
    expect(parseFrames(enc.encode(m), registry).stats.unknownId).toBe(1);
  });

  it('survives fuzzing: random bytes and mutated frames never throw, stall or grow the buffer', () => {
    const rand = seededRandom(99);
    const valid = telemetryFrames(registry, 5, 500);
    let emitted = 0;
    const parser = new FrameParser({ registry, onFrame: () => emitted++ });
    let maxPending = 0;
    for (let round = 0; round < 3000; round++) {
      let chunk: Buffer;
      const kind = rand();
      if (kind < 0.4) chunk = randomBytes(rand, 1 + Math.floor(rand() * 300));
      else {
        chunk = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
        const flips = Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++)
          chunk[Math.floor(rand() * chunk.length)] = Math.floor(rand() * 256);
        if (rand() < 0.2) chunk = chunk.subarray(0, Math.floor(rand() * chunk.length));
      }
      parser.push(chunk);
      maxPending = Math.max(maxPending, parser.pendingBytes);
    }
    expect(maxPending).toBeLessThan(MAX_FRAME_LENGTH);
    // After garbage, a clean frame still comes through (no stall).
    const before = emitted;
    parser.push(Buffer.alloc(MAX_FRAME_LENGTH)); // zeros flush any pending claim
    parser.push(valid[0]!);
    expect(emitted).toBe(before + 1);
    const s = parser.stats;
    expect(s.framesOk).toBe(emitted);
    expect(s.badCrc + s.unknownId).toBeGreaterThan(0);
  });

  it('keeps memory flat on a long stream of pure garbage', () => {
    const rand = seededRandom(1234);
    const parser = new FrameParser({ registry, onFrame: () => undefined });
    for (let i = 0; i < 2000; i++) {
      parser.push(randomBytes(rand, 512));
      expect(parser.pendingBytes).toBeLessThan(MAX_FRAME_LENGTH);
    }
    expect(parser.stats.bytesIn).toBe(2000 * 512);
  });
});

describe('FrameParser on an ArduPilot boot stream', () => {
  it('skips plain-text boot messages mixed into the byte stream', () => {
    const frames = telemetryFrames(registry, 31, 50);
    const text = Buffer.from(
      '\r\nArduCopter V4.5.7 (2a3dc4b7)\r\nChibiOS: 6a85082c\r\nInit ArduCopter\r\n',
    );
    const stream = Buffer.concat(frames.flatMap((f, i) => (i % 10 === 0 ? [text, f] : [f])));
    const { frames: got, stats } = parseFrames(stream, registry);
    expect(got).toHaveLength(50);
    expect(stats.bytesSkipped).toBe(text.length * 5);
  });
});

describe('probe sanity checks', () => {
  it('treats a MAVLink 1 candidate whose length does not fit its message as noise, not a CRC check', () => {
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1, protocol: 1 });
    const good = enc.encode(heartbeat());
    // 0xFE, length 200, … HEARTBEAT (id 0) is 9 bytes in MAVLink 1.
    const bogus = Buffer.from([0xfe, 200, 0, 1, 1, 0]);
    const { frames, stats } = parseFrames(Buffer.concat([bogus, good]), registry);
    expect(frames).toHaveLength(1);
    expect(stats.badCrc).toBe(0);
    expect(stats.bytesSkipped).toBe(bogus.length);
  });

  it('rejects MAVLink 2 headers with unknown incompatibility flags', () => {
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    const frame = Buffer.from(enc.encode(heartbeat()));
    frame[2] = 0x02;
    expect(parseFrames(frame, registry).frames).toHaveLength(0);
  });
});

describe('chunking independence', () => {
  it('yields the same frames from a noisy stream whether fed whole, byte by byte or in random chunks', () => {
    const frames = telemetryFrames(registry, 41, 1500);
    const stream = noisyStream(frames, 42);
    const whole = parseFrames(stream, registry).frames.map((f) => f.raw.toString('hex'));
    const feed = (sizes: () => number): string[] => {
      const out: string[] = [];
      const parser = new FrameParser({ registry, onFrame: (f) => out.push(f.raw.toString('hex')) });
      for (let i = 0; i < stream.length;) {
        const n = sizes();
        parser.push(stream.subarray(i, i + n));
        i += n;
      }
      return out;
    };
    const rand = seededRandom(43);
    expect(feed(() => 1)).toEqual(whole);
    expect(feed(() => 1 + Math.floor(rand() * 300))).toEqual(whole);
    expect(whole.length).toBe(frames.length);
  });
});
