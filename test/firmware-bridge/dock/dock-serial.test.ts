import { describe, expect, it } from 'vitest';
import {
  ActionClient,
  DockController,
  MissionClient,
  firstMismatch,
} from '../../../firmware-bridge/index';
import type { ReceivedFrame } from '../../../firmware-bridge/index';
import { sampleMission } from '../protocol/fixtures';
import { simSessionPerTest } from '../sim/helpers';

const startSession = simSessionPerTest();

describe('dock on a real pseudo-terminal carrying its drone', () => {
  it('routes dock and drone frames by system id on one serial line, both ways', async () => {
    const {
      fleet,
      vehicle: dockVehicle,
      service,
    } = await startSession(
      { docks: 1, serial: true, timeScale: 5, roofTravelMs: 5000, seed: 3 },
      (vehicles) => vehicles.find((v) => v.kind === 'dock'),
    );
    expect(dockVehicle.url).toMatch(/^serial:\/\/\/dev\/pts\/\d+:57600$/);
    const droneSystemId = dockVehicle.drone!.systemId;

    const seen = new Map<number, Set<string>>();
    service.link.subscribe((f: ReceivedFrame) => {
      if (!seen.has(f.systemId)) seen.set(f.systemId, new Set());
      seen.get(f.systemId)!.add(f.name);
    });

    const dock = new DockController({
      endpoint: service.gcs,
      clock: fleet.clock,
      dockSystemId: dockVehicle.systemId,
    });
    const opened = await dock.openRoof();
    if (!opened.ok) throw new Error(opened.reason);
    expect(dock.state).toMatchObject({ dronePresent: true, droneSystemId });

    // Commands and missions to the drone go through the dock's line and its forwarding.
    const drone = { systemId: droneSystemId, componentId: 1 };
    const missions = new MissionClient({
      endpoint: service.gcs,
      clock: fleet.clock,
      target: drone,
    });
    const items = sampleMission(10);
    const up = await missions.upload('mission', items);
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.verifiedBy).toBe('plan-id');
    expect(firstMismatch(items, dockVehicle.drone!.missions.stored('mission').items.slice(1))).toBe(
      -1,
    );
    const actions = new ActionClient({ endpoint: service.gcs, clock: fleet.clock, target: drone });
    expect((await actions.setMode('GUIDED')).ok).toBe(true);

    expect(seen.get(dockVehicle.systemId)).toEqual(
      new Set(['HEARTBEAT', 'DOCK_STATUS', 'COMMAND_ACK']),
    );
    expect(seen.get(droneSystemId)).toContain('GLOBAL_POSITION_INT');
    expect(seen.get(droneSystemId)).toContain('MISSION_REQUEST_INT');
    expect(seen.get(droneSystemId)).not.toContain('DOCK_STATUS');
    // The dock answered only its own commands: the drone's DO_SET_MODE ack came from the drone.
    expect(dockVehicle.dock!.commandsReceived.every((c) => c.command === 42700)).toBe(true);
    expect(dockVehicle.drone!.commandsReceived.some((c) => c.command === 176)).toBe(true);
  });
});
