import { describe, expect, it } from 'vitest';
import { ActionClient, MissionClient, firstMismatch } from '../../../firmware-bridge/index';
import type { ReceivedFrame } from '../../../firmware-bridge/index';
import { sampleMission } from '../protocol/fixtures';
import { simSessionPerTest } from './helpers';

const startSession = simSessionPerTest();

describe('a vehicle that behaves like real ArduPilot, over real UDP', () => {
  it('copes with boot text, MISSION_REQUEST, no plan id, late estimator and pre-arm delays', async () => {
    const { fleet, vehicle, service } = await startSession({
      drones: 1,
      udpBasePort: 0,
      timeScale: 5,
      profile: 'ardupilot',
      drone: { ekfConvergeMs: 4000, armingReadyMs: 8000 },
    });
    const names = new Set<string>();
    service.link.subscribe((f: ReceivedFrame) => names.add(f.name));
    const target = { systemId: vehicle.systemId, componentId: 1 };
    const actions = new ActionClient({ endpoint: service.gcs, clock: fleet.clock, target });
    const missions = new MissionClient({ endpoint: service.gcs, clock: fleet.clock, target });

    const items = sampleMission(12);
    const up = await missions.upload('mission', items);
    if (!up.ok) throw new Error(up.reason);
    expect(up.value.opaqueId).toBe(0);
    expect(up.value.verifiedBy).toBe('download');
    expect(names.has('MISSION_REQUEST')).toBe(true);
    expect(names.has('MISSION_REQUEST_INT')).toBe(false);
    expect(names.has('GLOBAL_POSITION_INT')).toBe(false); // nothing streamed until asked

    // Plain text from the autopilot's console sat between frames; the parser skipped it.
    expect(service.link.stats.parser.bytesSkipped).toBeGreaterThan(40);

    const home = await actions.getHomePosition({ timeoutMs: 20_000 });
    expect(home.ok).toBe(false); // estimator not converged yet: TEMPORARILY_REJECTED
    expect((await actions.setMode('GUIDED')).ok).toBe(true);
    const waits: string[] = [];
    const armed = await actions.arm({ waitReadyMs: 60_000, onWaiting: (r) => waits.push(r) });
    if (!armed.ok) throw new Error(armed.reason);
    expect(waits[0]).toMatch(/PreArm/);
    const later = await actions.getHomePosition();
    if (!later.ok) throw new Error(later.reason);
    expect(later.value.position[1]).toBeCloseTo(30.3, 6);
    const down = await missions.download('mission');
    if (!down.ok) throw new Error(down.reason);
    expect(firstMismatch(items, down.value.items)).toBe(-1);
  });
});
