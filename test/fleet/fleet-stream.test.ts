import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../support/test-app';
import {
  approvedMission,
  createFleetWorld,
  missionBody,
  type FleetWorld,
} from './support/fleet-world';
import { openFleetStream } from './support/sse-stream';

let w: FleetWorld;
beforeEach(async () => {
  w = await createFleetWorld();
});
afterEach(() => w.t.close());

/** The fleet stream of `key`, parsed as events arrive (see support/sse-stream). */
const openStream = (key: string) => openFleetStream(w.t, key);

describe('the live fleet stream (SSE)', () => {
  it('starts with a snapshot and carries sortie changes to the requester and the dock owner only', async () => {
    const forestry = await openStream(w.keys.forestPlanner);
    const utility = await openStream(w.keys.utilityOperator);
    const water = await openStream(w.keys.waterAdmin);
    for (const s of [forestry, utility, water]) await s.until((e) => e[0]?.event === 'snapshot');
    expect(forestry.events[0]!.data).toMatchObject({ sorties: [], events: [] });

    const mission = await approvedMission(w);
    const sortieId = mission.sorties[0].id;
    const states = (s: typeof forestry) =>
      s.events
        .filter((e) => e.event === 'sortie' && e.data.sortieId === sortieId)
        .map((e) => e.data.to);
    await forestry.until((e) => e.filter((x) => x.event === 'sortie').length >= 3);
    await utility.until((e) => e.filter((x) => x.event === 'sortie').length >= 3);
    expect(states(forestry)).toEqual(['requested', 'approved', 'scheduled']);
    expect(states(utility)).toEqual(['requested', 'approved', 'scheduled']);
    expect(forestry.events.find((e) => e.event === 'sortie')!.data).not.toHaveProperty(
      'ownerAgencyId',
    );

    await call(w.t, 'POST', `/v1/missions/${mission.id}/sorties/${sortieId}/abort`, {
      key: w.keys.forestOperator,
      json: { reason: 'not needed' },
    });
    await forestry.until((e) => e.some((x) => x.data.to === 'aborted'));
    expect(forestry.events.at(-1)!.data).toMatchObject({
      from: 'scheduled',
      to: 'aborted',
      reasonCode: 'ABORTED',
    });

    // An event for the water bureau's own eyes still reaches it: the stream is alive, just filtered.
    await call(w.t, 'POST', '/v1/missions', {
      key: w.keys.waterAdmin,
      json: missionBody(w, { areaIds: [w.ids.waterArea] }),
    });
    await water.until((e) => e.some((x) => x.event === 'sortie'));
    expect(
      water.events.filter((e) => e.event === 'sortie').every((e) => e.data.sortieId !== sortieId),
    ).toBe(true);

    for (const s of [forestry, utility, water]) await s.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(w.fleet.bus.size).toBe(0);
  });
});
