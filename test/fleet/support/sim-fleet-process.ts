/**
 * A simulated fleet in its own process (so a benchmark measures only the service): starts
 * `SIM_DOCKS` docks with their drones on loopback UDP, prints one JSON line with their URLs and
 * system ids, and runs until stdin closes.
 */
import { startSimFleet } from '../../../firmware-bridge/index';

const docks = Number(process.env.SIM_DOCKS ?? '10');
const fleet = await startSimFleet({
  docks,
  udpBasePort: 0,
  home: [119.81, 30.38],
  drone: { gcsFailsafeTimeoutMs: 0, ekfConvergeMs: 0, armingReadyMs: 0 },
});
const lines = fleet.vehicles
  .filter((v) => v.kind === 'dock')
  .map((v) => ({ url: v.url, dockSystemId: v.systemId, droneSystemId: v.drone!.systemId }));
process.stdout.write(`${JSON.stringify(lines)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void fleet.close().then(() => process.exit(0));
});
