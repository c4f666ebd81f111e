import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call } from '../support/test-app';
import {
  approvedMission,
  createFleetWorld,
  missionBody,
  type FleetWorld,
} from './support/fleet-world';

let w: FleetWorld;
beforeEach(async () => {
  w = await createFleetWorld();
});
afterEach(() => w.t.close());

interface SseEvent {
  event: string;
  id: string | null;
  data: Record<string, unknown>;
}

/** Opens the SSE stream through app.request and parses events as they arrive. */
async function openStream(key: string) {
  const res = await w.t.app.request('/v1/fleet/stream', {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: SseEvent[] = [];
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .find((l) => l.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim() ?? null;
        const data = field('data');
        if (data)
          events.push({
            event: field('event') ?? 'message',
            id: field('id'),
            data: JSON.parse(data),
          });
        cut = buffer.indexOf('\n\n');
      }
    }
  };
  const pumping = pump().catch((err: unknown) => {
    if (!(err instanceof Error && /cancel|abort/i.test(err.message))) throw err;
  });
  return {
    events,
    async until(predicate: (e: SseEvent[]) => boolean) {
      for (let i = 0; i < 200 && !predicate(events); i++)
        await new Promise((r) => setTimeout(r, 5));
      expect(predicate(events)).toBe(true);
    },
    async close() {
      await reader.cancel();
      await pumping;
    },
  };
}

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
