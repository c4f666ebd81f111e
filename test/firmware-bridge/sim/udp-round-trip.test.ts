import { afterEach, describe, expect, it } from 'vitest';
import { MissionClient, firstMismatch, startSimFleet } from '../../../firmware-bridge/index';
import type { SimFleet } from '../../../firmware-bridge/index';
import { sampleFence, sampleMission, sampleRally } from '../protocol/fixtures';
import { connectService } from './helpers';

let fleet: SimFleet | undefined;
let closeService: (() => Promise<void>) | undefined;

afterEach(async () => {
  await closeService?.();
  await fleet?.close();
  fleet = undefined;
  closeService = undefined;
});

describe('mission round trips over real UDP with a seeded lossy link', () => {
  it.each([
    [0.05, 11],
    [0.2, 12],
    [0.2, 13],
  ])(
    'uploads and downloads mission, fence and rally equal at %s loss both ways (seed %i)',
    async (dropRate, seed) => {
      fleet = await startSimFleet({
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
      const vehicle = fleet.vehicles[0]!;
      const service = await connectService(vehicle.url, fleet.clock);
      closeService = service.close;
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
