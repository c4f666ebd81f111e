import { describe, expect, it } from 'vitest';
import { firstMismatch } from '../../../firmware-bridge/protocol/index';
import type { FailureKind } from '../../../firmware-bridge/protocol/index';
import type { FailureMode } from '../../../firmware-bridge/sim/index';
import { sampleMission } from './fixtures';
import { downloadFrom, uploadTo, virtualVehicle } from './virtual-vehicle';

/** A vehicle in `failureMode` that holds a 2-item mission, 5 ms away. */
function setup(failureMode: FailureMode) {
  const v = virtualVehicle({ latencyMs: 5, server: { failureMode } });
  const old = sampleMission(2, 0.05);
  v.server.preload('mission', old);
  return { v, old };
}

const UPLOAD_CASES: [FailureMode, 'success' | FailureKind][] = [
  ['write-count-no-response', 'timeout'],
  ['write-count-first-no-response', 'success'],
  ['write-request-0-no-response', 'timeout'],
  ['write-request-1-no-response', 'timeout'],
  ['write-request-0-wrong-sequence', 'protocol-error'],
  ['write-request-1-wrong-sequence', 'protocol-error'],
  ['write-request-0-error-ack', 'rejected'],
  ['write-request-1-error-ack', 'rejected'],
  ['write-final-ack-no-response', 'timeout'],
  ['write-final-ack-error-ack', 'rejected'],
  ['write-final-ack-missing-requests', 'protocol-error'],
  ['write-request-duplicates', 'success'],
  ['unexpected-ack-while-idle', 'success'],
];

const DOWNLOAD_CASES: [FailureMode, 'success' | FailureKind][] = [
  ['read-request-list-no-response', 'timeout'],
  ['read-request-0-no-response', 'timeout'],
  ['read-request-1-no-response', 'timeout'],
  ['read-request-0-wrong-sequence', 'protocol-error'],
  ['read-request-1-wrong-sequence', 'protocol-error'],
  ['read-request-0-error-ack', 'rejected'],
  ['read-request-1-error-ack', 'rejected'],
  ['unexpected-ack-while-idle', 'success'],
];

describe('mission failure matrix (QGC MockLink modes, virtual time)', () => {
  it.each(UPLOAD_CASES)('upload against %s ends in %s', async (mode, expected) => {
    const { v, old } = setup(mode);
    const items = sampleMission(6);
    const o = await uploadTo(v, items);
    expect(o.ok ? 'success' : o.kind).toBe(expected);
    if (o.ok) expect(firstMismatch(items, v.server.stored('mission').items)).toBe(-1);
    else expect(firstMismatch(old, v.server.stored('mission').items)).toBe(-1); // replaced only when fully accepted
  });

  it.each(DOWNLOAD_CASES)('download against %s ends in %s', async (mode, expected) => {
    const { v, old } = setup(mode);
    const o = await downloadFrom(v);
    expect(o.ok ? 'success' : o.kind).toBe(expected);
    if (o.ok) expect(firstMismatch(old, o.value.items)).toBe(-1);
  });

  it('restarts the whole transfer after 5 retries, then gives up after 2 restarts (timings as QGC)', async () => {
    const { v } = setup('write-count-no-response');
    const o = await uploadTo(v, sampleMission(2));
    expect(o.ok).toBe(false);
    // (1 + 5 retries) × (1 + 2 restarts) MISSION_COUNTs, one every 1500 ms.
    expect(v.gcs.sent.filter((n) => n === 'MISSION_COUNT')).toHaveLength(18);
    expect(v.clock.now()).toBeGreaterThanOrEqual(18 * 1500);
    expect(v.clock.now()).toBeLessThan(18 * 1500 + 100);
  });

  it('retries a lost item request after 250 ms during download', async () => {
    const { v } = setup('read-request-1-no-response');
    const o = await downloadFrom(v, { timing: { maxRestarts: 0 } });
    expect(o.ok).toBe(false);
    const requests = v.gcs.sent.filter((n) => n === 'MISSION_REQUEST_INT');
    expect(requests).toHaveLength(1 + 6); // item 0 once, item 1 six times
    expect(v.clock.now()).toBeLessThan(2 * 250 * 6);
  });
});
