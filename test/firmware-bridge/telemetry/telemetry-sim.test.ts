/**
 * The core stack (link, health, telemetry, recording) against the simulator over real sockets:
 * UDP for a lone drone, a real pseudo-terminal for a dock carrying its drone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkHealth, type HealthEvent } from '../../../firmware-bridge/health/link-health';
import { MavLink } from '../../../firmware-bridge/link/mav-link';
import { startSimFleet } from '../../../firmware-bridge/sim/sim-fleet';
import { Telemetry, type TelemetryEvent } from '../../../firmware-bridge/telemetry/telemetry';
import { tlogStats, TlogWriter } from '../../../firmware-bridge/tlog/tlog';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor(cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('telemetry from the simulator', () => {
  it('follows a simulated drone over UDP: mode, position, battery, liveness, recorded to a tlog', async () => {
    const fleet = await startSimFleet({ drones: 1, udpBasePort: 0 });
    cleanups.push(() => fleet.close());
    const drone = fleet.vehicles.find((v) => v.kind === 'drone')!;
    const dir = await mkdtemp(join(tmpdir(), 'sim-tlog-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const tlog = new TlogWriter(join(dir, 'sim.tlog'));
    const link = new MavLink({
      transport: drone.url,
      allowSystemIds: [drone.systemId],
      recorder: tlog,
    });
    await link.open();
    cleanups.push(() => link.close());
    const health = new LinkHealth({
      endpoint: link.endpoint(),
      pendingWriteAgeMs: () => link.oldestPendingWriteAgeMs(),
    });
    const healthEvents: HealthEvent[] = [];
    health.on((e) => healthEvents.push(e));
    health.start();
    cleanups.push(async () => health.stop());
    const telemetry = new Telemetry(link);
    const kinds = new Set<TelemetryEvent['kind']>();
    telemetry.on('*', (e) => kinds.add(e.kind));
    await waitFor(() => kinds.has('heartbeat') && kinds.has('position') && kinds.has('battery'));
    const snap = telemetry.snapshot(drone.systemId);
    expect(snap.heartbeat).toMatchObject({ autopilot: 'ardupilot', armed: false });
    expect(typeof snap.heartbeat?.mode).toBe('string');
    expect(snap.position?.position[0]).toBeGreaterThan(119);
    expect(snap.position?.position[1]).toBeGreaterThan(29);
    expect(healthEvents[0]).toMatchObject({ type: 'vehicle-found', systemId: drone.systemId });
    expect(link.stats.parser.framesOk).toBeGreaterThan(2);
    await link.close();
    await tlog.close();
    const stats = await tlogStats(tlog.path, link.registry);
    expect(stats.byName.HEARTBEAT).toBeGreaterThanOrEqual(1);
    expect(stats.droppedBadCrc).toBe(0);
  }, 20_000);

  it('sees a dock and its drone as two systems on one real pseudo-terminal line', async () => {
    const fleet = await startSimFleet({ docks: 1, serial: true, udpBasePort: 0 });
    cleanups.push(() => fleet.close());
    const dock = fleet.vehicles.find((v) => v.kind === 'dock')!;
    const drone = { systemId: dock.drone!.systemId };
    expect(drone.systemId).not.toBe(dock.systemId);
    expect(dock.url.startsWith('serial://')).toBe(true);
    const link = new MavLink({
      transport: dock.url,
      allowSystemIds: [dock.systemId, drone.systemId],
    });
    await link.open();
    cleanups.push(() => link.close());
    const health = new LinkHealth({ endpoint: link.endpoint() });
    health.start();
    cleanups.push(async () => health.stop());
    await waitFor(() => health.isAlive(dock.systemId) && health.isAlive(drone.systemId));
    expect(
      health
        .vehicles()
        .map((v) => v.systemId)
        .sort((a, b) => a - b),
    ).toEqual([dock.systemId, drone.systemId].sort((a, b) => a - b));
    expect(link.stats.droppedNotAllowed).toBe(0);
  }, 20_000);
});
