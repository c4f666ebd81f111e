/**
 * Runs `planPatrol` off the main thread: a large forest can take seconds, and the service's
 * event loop must keep answering requests and telemetry meanwhile.
 * Messages to the parent: `{ type: 'progress', fraction }` then `{ type: 'done', result }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { planPatrol, type PatrolInput } from '../../../missions/index';

const input = workerData as PatrolInput;
let lastSent = -1;
const result = planPatrol({
  ...input,
  options: {
    ...input.options,
    onProgress: (fraction) => {
      if (fraction - lastSent >= 0.01 || fraction === 1) {
        lastSent = fraction;
        parentPort?.postMessage({ type: 'progress', fraction });
      }
    },
  },
});
parentPort?.postMessage({ type: 'done', result });
