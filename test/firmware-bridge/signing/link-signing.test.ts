import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MavLinkPacketSignature, MavLinkProtocolV2, common, minimal } from 'node-mavlink';
import { FrameEncoder } from '../../../firmware-bridge/codec/frame-encoder';
import { parseFrames } from '../../../firmware-bridge/codec/frame-parser';
import { createMessageRegistry } from '../../../firmware-bridge/codec/message-registry';
import {
  LinkSigning,
  SIGNING_EPOCH_MS,
  signingKeyFromPassphrase,
} from '../../../firmware-bridge/signing/link-signing';
import {
  FileTimestampStore,
  MemoryTimestampStore,
} from '../../../firmware-bridge/signing/timestamp-store';
import type { ReceivedFrame } from '../../../firmware-bridge/link/types';
import { frameCrc } from '../../../firmware-bridge/codec/crc';
import { FakeClock } from '../link/fake-clock';

const registry = createMessageRegistry();
const key = signingKeyFromPassphrase('shared flights test key');
const otherKey = signingKeyFromPassphrase('not the key');

function heartbeat(): minimal.Heartbeat {
  const m = new minimal.Heartbeat();
  Object.assign(m, {
    type: 2,
    autopilot: 3,
    baseMode: 81,
    customMode: 0,
    systemStatus: 3,
    mavlinkVersion: 3,
  });
  return m;
}

function decodeOne(raw: Buffer): ReceivedFrame {
  const [f] = parseFrames(raw, registry).frames;
  if (!f) throw new Error('frame did not decode');
  return f;
}

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

describe('LinkSigning', () => {
  it('accepts every legitimately signed frame and produces signatures node-mavlink verifies', () => {
    const clock = new FakeClock();
    const tx = new LinkSigning({ key, linkId: 3, store: new MemoryTimestampStore(), clock });
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore(), clock });
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: tx });
    for (let i = 0; i < 1000; i++) {
      const raw = enc.encode(heartbeat());
      const frame = decodeOne(raw);
      expect(frame.signed).toBe(true);
      expect(rx.verify(frame)).toBe('ok');
      if (i === 0) expect(new MavLinkPacketSignature(raw).matches(key)).toBe(true);
      if (i % 10 === 0) clock.advance(1);
    }
    expect(rx.stats.accepted).toBe(1000);
  });

  it('accepts a frame signed by node-mavlink (interoperability the other way)', () => {
    const protocol = new MavLinkProtocolV2(1, 1, MavLinkProtocolV2.IFLAG_SIGNED);
    const raw = protocol.sign(protocol.serialize(heartbeat(), 0), 5, key);
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() });
    const frame = decodeOne(raw);
    expect(frame.signed).toBe(true);
    expect(rx.verify(frame)).toBe('ok');
  });

  it('rejects a forged frame (signed with another key)', () => {
    const forger = new LinkSigning({ key: otherKey, linkId: 3, store: new MemoryTimestampStore() });
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() });
    const raw = new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: forger }).encode(
      heartbeat(),
    );
    expect(rx.verify(decodeOne(raw))).toBe('bad-signature');
  });

  it('rejects a frame whose payload was altered after signing (CRC fixed up)', () => {
    const tx = new LinkSigning({ key, linkId: 3, store: new MemoryTimestampStore() });
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() });
    const raw = Buffer.from(
      new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: tx }).encode(heartbeat()),
    );
    raw[10] = 4; // custom_mode: now GUIDED
    const crcAt = 10 + raw[1]!;
    raw.writeUInt16LE(frameCrc(raw, 1, crcAt, 50), crcAt);
    const frame = decodeOne(raw);
    expect((frame.message as minimal.Heartbeat).customMode).toBe(4);
    expect(rx.verify(frame)).toBe('bad-signature');
  });

  it('rejects a replayed frame and an older timestamp on the same stream', () => {
    const clock = new FakeClock();
    const tx = new LinkSigning({ key, linkId: 3, store: new MemoryTimestampStore(), clock });
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore(), clock });
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: tx });
    const first = enc.encode(heartbeat());
    const second = enc.encode(heartbeat());
    expect(rx.verify(decodeOne(second))).toBe('ok');
    expect(rx.verify(decodeOne(second))).toBe('replay');
    expect(rx.verify(decodeOne(first))).toBe('replay');
    // The same timestamp on another stream (other link id) is independent.
    const tx2 = new LinkSigning({ key, linkId: 4, store: new MemoryTimestampStore(), clock });
    expect(
      rx.verify(
        decodeOne(
          new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: tx2 }).encode(
            heartbeat(),
          ),
        ),
      ),
    ).toBe('ok');
  });

  it('rejects a stream more than 60 s behind our clock', () => {
    const senderClock = new FakeClock(1_700_000_000_000);
    const rxClock = new FakeClock(1_700_000_000_000 + 61_000);
    const tx = new LinkSigning({
      key,
      linkId: 3,
      store: new MemoryTimestampStore(),
      clock: senderClock,
    });
    const rx = new LinkSigning({
      key,
      linkId: 0,
      store: new MemoryTimestampStore(),
      clock: rxClock,
    });
    const enc = new FrameEncoder({ registry, systemId: 1, componentId: 1, signer: tx });
    expect(rx.verify(decodeOne(enc.encode(heartbeat())))).toBe('stale');
    senderClock.advance(2_000);
    expect(rx.verify(decodeOne(enc.encode(heartbeat())))).toBe('ok');
  });

  it('rejects unsigned frames except RADIO_STATUS (injected unsigned by SiK radios)', () => {
    const rx = new LinkSigning({ key, linkId: 0, store: new MemoryTimestampStore() });
    const plain = new FrameEncoder({ registry, systemId: 1, componentId: 1 });
    expect(rx.verify(decodeOne(plain.encode(heartbeat())))).toBe('unsigned');
    const radio = new common.RadioStatus();
    Object.assign(radio, {
      rssi: 200,
      remrssi: 190,
      txbuf: 90,
      noise: 40,
      remnoise: 41,
      rxerrors: 0,
      fixed: 0,
    });
    const radioEnc = new FrameEncoder({ registry, systemId: 51, componentId: 68 });
    expect(rx.verify(decodeOne(radioEnc.encode(radio)))).toBe('unsigned-accepted');
    const strict = new LinkSigning({
      key,
      linkId: 0,
      store: new MemoryTimestampStore(),
      acceptUnsigned: () => false,
    });
    expect(strict.verify(decodeOne(radioEnc.encode(radio)))).toBe('unsigned');
  });

  it('never reuses a timestamp across a restart, even with the clock stepped back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signing-'));
    dirs.push(dir);
    const path = join(dir, 'link.ts');
    const clock = new FakeClock();
    const first = new LinkSigning({ key, linkId: 1, store: new FileTimestampStore(path), clock });
    let last = 0n;
    for (let i = 0; i < 50; i++) last = first.nextTimestamp();
    // Restart with the wall clock 10 minutes earlier (NTP step, RTC reset).
    const earlier = new FakeClock(clock.now() - 600_000);
    const second = new LinkSigning({
      key,
      linkId: 1,
      store: new FileTimestampStore(path),
      clock: earlier,
    });
    expect(second.nextTimestamp()).toBeGreaterThan(last);
  });

  it('saves the timestamp high-water mark rarely (about once a minute), not per frame', () => {
    const clock = new FakeClock();
    const store = new MemoryTimestampStore();
    const s = new LinkSigning({ key, linkId: 1, store, clock });
    for (let i = 0; i < 600; i++) {
      s.nextTimestamp();
      clock.advance(500);
    }
    expect(store.saves).toBeLessThanOrEqual(6);
    const ts = s.nextTimestamp();
    expect(store.value! > ts).toBe(true);
  });

  it('timestamps count 10 µs units since 2015-01-01', () => {
    const clock = new FakeClock(SIGNING_EPOCH_MS + 1000);
    const s = new LinkSigning({ key, linkId: 1, store: new MemoryTimestampStore(), clock });
    expect(s.nowTimestamp()).toBe(100_000n);
  });

  it('never shows the key in JSON or inspect output', () => {
    const s = new LinkSigning({ key, linkId: 1, store: new MemoryTimestampStore() });
    const hex = key.toString('hex');
    expect(JSON.stringify(s)).not.toContain(hex);
    expect(JSON.stringify(s)).not.toContain(key.toString('base64'));
    expect(inspect(s, { showHidden: true, depth: 5 })).not.toContain(hex);
    expect(
      () =>
        new LinkSigning({ key: Buffer.alloc(16), linkId: 1, store: new MemoryTimestampStore() }),
    ).toThrow(/32-byte/);
  });
});
