import { describe, expect, it } from 'vitest';
import { DOCK_MESSAGES, DockController } from '../../../firmware-bridge/dock/index';
import type { DockEvent } from '../../../firmware-bridge/dock/index';
import { ManualClock, SimDock, SimDrone } from '../../../firmware-bridge/sim/index';
import { createMemoryLink } from '../protocol/memory-link';

const GCS = { systemId: 255, componentId: 190 };
const DOCK = { systemId: 101, componentId: 1 };
const PAD: [number, number] = [119.9, 30.3];

function setup(options: { dropRate?: number; seed?: number } = {}) {
  const clock = new ManualClock();
  const [gcs, dockSide] = createMemoryLink(GCS, DOCK, {
    clock,
    latencyMs: 5,
    extra: DOCK_MESSAGES,
    ...options,
  });
  const [, droneSide] = createMemoryLink(GCS, { systemId: 1, componentId: 1 }, { clock });
  const drone = new SimDrone({ endpoint: droneSide, clock, home: PAD, batteryPct: 60 });
  const sim = new SimDock({
    endpoint: dockSide,
    clock,
    position: PAD,
    drone,
    roofTravelMs: 10_000,
  });
  const dock = new DockController({ endpoint: gcs, clock, dockSystemId: DOCK.systemId });
  const close = (): void => {
    dock.close();
    sim.close();
    drone.close();
  };
  return { clock, gcs, sim, drone, dock, close };
}

describe('dock controller against the simulated dock', () => {
  it('streams dock state and declares the dock stale after 3.5 s of silence', async () => {
    const { clock, dock, sim, close } = setup();
    const events: DockEvent[] = [];
    dock.onEvent((e) => events.push(e));
    await clock.advance(2500);
    expect(dock.liveness).toBe('live');
    expect(dock.state).toMatchObject({
      roof: 'closed',
      charger: 'idle',
      dronePresent: true,
      droneSystemId: 1,
      droneBatteryPct: 60,
      rain: 'none',
    });
    sim.close();
    await clock.advance(4000);
    expect(dock.liveness).toBe('stale');
    expect(events.at(-1)?.liveness).toBe('stale');
    close();
  });

  it('opens the roof with IN_PROGRESS progress, then closes it', async () => {
    const { clock, dock, sim, close } = setup();
    const progress: (number | undefined)[] = [];
    const o = await clock.run(dock.openRoof({ onProgress: (p) => progress.push(p) }));
    if (!o.ok) throw new Error(o.reason);
    expect(sim.roof).toBe('open');
    expect(progress.length).toBeGreaterThanOrEqual(8);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBeGreaterThanOrEqual(80);
    expect(clock.now()).toBeGreaterThanOrEqual(10_000);
    expect((await clock.run(dock.closeRoof())).ok).toBe(true);
    expect(sim.roof).toBe('closed');
    close();
  });

  it('is denied opening in high wind and reports the alarm', async () => {
    const { clock, dock, sim, close } = setup();
    sim.setWeather({ windMps: 16, rain: 1 });
    const o = await clock.run(dock.openRoof());
    expect(o).toMatchObject({ ok: false, kind: 'denied' });
    await clock.advance(1100);
    expect(dock.state?.alarms).toEqual(['high_wind', 'rain']);
    expect(dock.state?.windMps).toBe(16);
    close();
  });

  it('charges the docked drone to full', async () => {
    const { clock, dock, drone, close } = setup();
    expect((await clock.run(dock.startCharging())).ok).toBe(true);
    await clock.advance(100_000);
    expect(drone.batteryPct).toBe(100);
    expect(dock.state?.charger).toBe('full');
    expect((await clock.run(dock.stopCharging())).ok).toBe(true);
    close();
  });

  it('fails on a roof fault and recovers after reset', async () => {
    const { clock, dock, sim, close } = setup();
    const opening = dock.openRoof();
    await clock.advance(3000);
    sim.injectRoofFault();
    expect(await clock.run(opening)).toMatchObject({ ok: false, kind: 'rejected' });
    await clock.advance(1100);
    expect(dock.state?.alarms).toContain('roof_fault');
    expect((await clock.run(dock.reset())).ok).toBe(true);
    expect((await clock.run(dock.openRoof())).ok).toBe(true);
    close();
  });

  it('retries commands over a lossy line with confirmation incrementing', async () => {
    const { clock, dock, sim, close } = setup({ dropRate: 0.5, seed: 4 });
    const o = await clock.run(dock.startCharging());
    if (!o.ok) throw new Error(o.reason);
    const confirmations = sim.commandsReceived.map((c) => c.confirmation);
    expect(confirmations).toEqual([...confirmations].sort((a, b) => a - b));
    expect(o.value.attempts).toBeGreaterThan(1);
    close();
  });
});
