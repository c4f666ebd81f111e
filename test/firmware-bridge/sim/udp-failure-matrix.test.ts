import { describe, it } from 'vitest';
import {
  ActionClient,
  MissionDownload,
  MissionUpload,
  firstMismatch,
  startSimFleet,
} from '../../../firmware-bridge/index';
import type { FailureKind, FailureMode, SimFleet } from '../../../firmware-bridge/index';
import { sampleMission } from '../protocol/fixtures';
import { connectService } from './helpers';

async function start(failureMode: FailureMode) {
  const fleet: SimFleet = await startSimFleet({
    drones: 1,
    udpBasePort: 0,
    timeScale: 10,
    failureMode,
  });
  const vehicle = fleet.vehicles[0]!;
  const old = sampleMission(2, 0.05);
  vehicle.drone!.missions.preload('mission', old);
  const service = await connectService(vehicle.url, fleet.clock);
  const close = async (): Promise<void> => {
    await service.close();
    await fleet.close();
  };
  return {
    close,
    vehicle,
    old,
    gcs: service.gcs,
    clock: fleet.clock,
    target: { systemId: vehicle.systemId, componentId: 1 },
  };
}

const CASES: ['upload' | 'download' | 'command', FailureMode, 'success' | FailureKind][] = [
  ['upload', 'write-count-no-response', 'timeout'],
  ['upload', 'write-count-first-no-response', 'success'],
  ['upload', 'write-request-0-no-response', 'timeout'],
  ['upload', 'write-request-1-no-response', 'timeout'],
  ['upload', 'write-request-0-wrong-sequence', 'protocol-error'],
  ['upload', 'write-request-1-wrong-sequence', 'protocol-error'],
  ['upload', 'write-request-0-error-ack', 'rejected'],
  ['upload', 'write-request-1-error-ack', 'rejected'],
  ['upload', 'write-final-ack-no-response', 'timeout'],
  ['upload', 'write-final-ack-error-ack', 'rejected'],
  ['upload', 'write-final-ack-missing-requests', 'protocol-error'],
  ['upload', 'write-request-duplicates', 'success'],
  ['upload', 'unexpected-ack-while-idle', 'success'],
  ['download', 'read-request-list-no-response', 'timeout'],
  ['download', 'read-request-0-no-response', 'timeout'],
  ['download', 'read-request-1-no-response', 'timeout'],
  ['download', 'read-request-0-wrong-sequence', 'protocol-error'],
  ['download', 'read-request-1-wrong-sequence', 'protocol-error'],
  ['download', 'read-request-0-error-ack', 'rejected'],
  ['download', 'read-request-1-error-ack', 'rejected'],
  ['download', 'unexpected-ack-while-idle', 'success'],
  ['command', 'command-no-ack', 'timeout'],
  ['command', 'command-no-ack-first', 'success'],
  ['command', 'command-in-progress', 'success'],
  ['command', 'command-in-progress-then-failed', 'rejected'],
  ['command', 'command-in-progress-no-result', 'timeout'],
];

describe('failure matrix over real UDP (simulated time ×10)', () => {
  // Each case has its own sockets and vehicle, so they run side by side.
  // Concurrent tests must assert with their own `expect` (from the test context).
  it.concurrent.for(CASES)(
    '%s against %s ends in %s',
    async ([what, mode, expected], { expect }) => {
      const { vehicle, old, gcs, clock, target, close } = await start(mode);
      try {
        const stored = (): unknown[] => vehicle.drone!.missions.stored('mission').items;
        if (what === 'upload') {
          const items = sampleMission(5);
          const o = await new MissionUpload({
            endpoint: gcs,
            clock,
            target,
            missionType: 'mission',
            items,
          }).run();
          expect(o.ok ? 'success' : o.kind).toBe(expected);
          expect(firstMismatch(o.ok ? items : old, stored() as typeof items)).toBe(-1);
        } else if (what === 'download') {
          const o = await new MissionDownload({
            endpoint: gcs,
            clock,
            target,
            missionType: 'mission',
          }).run();
          expect(o.ok ? 'success' : o.kind).toBe(expected);
        } else {
          const actions = new ActionClient({ endpoint: gcs, clock, target });
          const o = await actions.returnToLaunch();
          expect(o.ok ? 'success' : o.kind).toBe(expected);
          if (mode === 'command-no-ack')
            expect(vehicle.drone!.commandsReceived.map((c) => c.confirmation)).toEqual([
              0, 1, 2, 3,
            ]);
          // Exact progress sequences are asserted in virtual time (protocol/command.test.ts).
          if (mode === 'command-in-progress' && o.ok)
            expect(o.value.progress.length).toBeGreaterThan(0);
        }
      } finally {
        await close();
      }
    },
  );
});
