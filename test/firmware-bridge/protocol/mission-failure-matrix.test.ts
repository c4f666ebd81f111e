import { describe, expect, it } from 'vitest';
import {
  MissionDownload,
  MissionUpload,
  firstMismatch,
} from '../../../firmware-bridge/protocol/index';
import type { FailureKind } from '../../../firmware-bridge/protocol/index';
import { ManualClock, MissionServer } from '../../../firmware-bridge/sim/index';
import type { FailureMode } from '../../../firmware-bridge/sim/index';
import { createMemoryLink } from './memory-link';
import { sampleMission } from './fixtures';

const GCS = { systemId: 255, componentId: 190 };
const VEHICLE = { systemId: 1, componentId: 1 };

function setup(failureMode: FailureMode) {
  const clock = new ManualClock();
  const [gcs, vehicle] = createMemoryLink(GCS, VEHICLE, { clock, latencyMs: 5 });
  const server = new MissionServer({ endpoint: vehicle, clock, failureMode });
  const old = sampleMission(2, 0.05);
  server.preload('mission', old);
  return { clock, gcs, server, old };
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
    const { clock, gcs, server, old } = setup(mode);
    const items = sampleMission(6);
    const o = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items,
      }).run(),
    );
    expect(o.ok ? 'success' : o.kind).toBe(expected);
    if (o.ok) expect(firstMismatch(items, server.stored('mission').items)).toBe(-1);
    else expect(firstMismatch(old, server.stored('mission').items)).toBe(-1); // replaced only when fully accepted
  });

  it.each(DOWNLOAD_CASES)('download against %s ends in %s', async (mode, expected) => {
    const { clock, gcs, old } = setup(mode);
    const o = await clock.run(
      new MissionDownload({ endpoint: gcs, clock, target: VEHICLE, missionType: 'mission' }).run(),
    );
    expect(o.ok ? 'success' : o.kind).toBe(expected);
    if (o.ok) expect(firstMismatch(old, o.value.items)).toBe(-1);
  });

  it('restarts the whole transfer after 5 retries, then gives up after 2 restarts (timings as QGC)', async () => {
    const { clock, gcs } = setup('write-count-no-response');
    const o = await clock.run(
      new MissionUpload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        items: sampleMission(2),
      }).run(),
    );
    expect(o.ok).toBe(false);
    // (1 + 5 retries) × (1 + 2 restarts) MISSION_COUNTs, one every 1500 ms.
    expect(gcs.sent.filter((n) => n === 'MISSION_COUNT')).toHaveLength(18);
    expect(clock.now()).toBeGreaterThanOrEqual(18 * 1500);
    expect(clock.now()).toBeLessThan(18 * 1500 + 100);
  });

  it('retries a lost item request after 250 ms during download', async () => {
    const { clock, gcs } = setup('read-request-1-no-response');
    const o = await clock.run(
      new MissionDownload({
        endpoint: gcs,
        clock,
        target: VEHICLE,
        missionType: 'mission',
        timing: { maxRestarts: 0 },
      }).run(),
    );
    expect(o.ok).toBe(false);
    const requests = gcs.sent.filter((n) => n === 'MISSION_REQUEST_INT');
    expect(requests).toHaveLength(1 + 6); // item 0 once, item 1 six times
    expect(clock.now()).toBeLessThan(2 * 250 * 6);
  });
});
