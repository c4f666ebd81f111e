import { describe, expect, it } from 'vitest';
import { MissionClient, firstMismatch } from '../../../firmware-bridge/index';
import { sampleFence, sampleMission, sampleRally } from '../protocol/fixtures';
import { simSessionPerTest } from './helpers';

const startSession = simSessionPerTest();

describe('mission round trips over real UDP with a seeded lossy link', () => {
  it.each([
    [0.05, 11],
    [0.2, 12],
    [0.2, 13],
  ])(
    'uploads and downloads mission, fence and rally equal at %s loss both ways (seed %i)',
    async (dropRate, seed) => {
      const { fleet, vehicle, service } = await startSession({
        drones: 1,
        udpBasePort: 0,
        timeScale: 10,
        seed,
        loss: {
          dropRate,
          duplicateRate: 0.02,
          reorderRate: 0.02,
          corruptRate: 0.01,
          latencyMs: 20,
        },
      });
      const client = new MissionClient({
        endpoint: service.gcs,
        clock: fleet.clock,
        target: { systemId: vehicle.systemId, componentId: 1 },
      });
      const plan = { mission: sampleMission(25), fence: sampleFence(), rally: sampleRally() };
      const up = await client.uploadPlan(plan, { verify: 'none' });
      if (!up.ok) throw new Error(up.reason);
      const down = await client.downloadPlan();
      if (!down.ok) throw new Error(down.reason);
      expect(firstMismatch(plan.mission, down.value.mission)).toBe(-1);
      expect(firstMismatch(plan.fence, down.value.fence)).toBe(-1);
      expect(firstMismatch(plan.rally, down.value.rally)).toBe(-1);
      const loss = vehicle.loss;
      expect(loss.outbound.dropped + loss.inbound.dropped).toBeGreaterThan(0);
    },
  );
});
