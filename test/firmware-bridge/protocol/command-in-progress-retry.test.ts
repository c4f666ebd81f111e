import { describe, expect, it } from 'vitest';
import { sendCommand } from '../../../firmware-bridge/protocol/index';
import { ManualClock, SimDrone } from '../../../firmware-bridge/sim/index';
import { createMemoryLink } from './memory-link';

describe('IN_PROGRESS on a slow link', () => {
  it.each([300, 800, 1400])(
    'keeps every progress report when the first ack is late and the command was resent (one-way %i ms)',
    async (latencyMs) => {
      const clock = new ManualClock();
      const [gcs, vehicle] = createMemoryLink(
        { systemId: 255, componentId: 190 },
        { systemId: 1, componentId: 1 },
        { clock, latencyMs },
      );
      const drone = new SimDrone({
        endpoint: vehicle,
        clock,
        home: [119.9, 30.3],
        failureMode: 'command-in-progress',
      });
      const o = await clock.run(
        sendCommand({
          endpoint: gcs,
          clock,
          target: { systemId: 1, componentId: 1 },
          request: { command: 20 },
        }),
      );
      if (!o.ok) throw new Error(o.reason);
      expect(o.value.progress).toEqual([0, 50, 100]);
      expect(drone.mode).toBe(6);
      drone.close();
    },
  );
});
