/**
 * The scheduler's pass: the per-mission next-occurrence index never misses or duplicates an
 * occurrence, and the sliced pass (what the running service uses) yields to the event loop and
 * ends where a whole pass would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetService } from '../../src/services/fleet/index';
import { T0, approvedMission, createFleetWorld, type FleetWorld } from './support/fleet-world';

const fireSeason = {
  kind: 'recurring',
  rule: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
  startsAt: '2026-04-01T00:00:00+08:00',
  endsAt: '2026-07-01T00:00:00+08:00',
  timeZone: 'Asia/Shanghai',
};

let w: FleetWorld;
beforeEach(async () => {
  w = await createFleetWorld();
});
afterEach(() => w.t.close());

const occurrences = (missionId: string) =>
  w.t.deps.repos.missions
    .sortiesOfMission(missionId)
    .map((s) => s.occurrenceAt.getTime())
    .sort((a, b) => a - b);

/** Every 10:00 and 14:00 Asia/Shanghai (02:00 and 06:00 UTC) in [fromMs, toMs). */
function expected(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let day = Date.parse('2026-06-01T00:00:00Z'); day < toMs; day += 86_400_000) {
    for (const h of [2, 6]) {
      const at = day + h * 3_600_000;
      if (at >= fromMs && at < toMs) out.push(at);
    }
  }
  return out;
}

describe('the scheduler pass', () => {
  it('materialises every occurrence exactly once over three days of ticks, each within the look-ahead', async () => {
    const mission = await approvedMission(w, { schedule: fireSeason, windowMin: 30 });
    // Ticks every 13 minutes for three days (the index must catch each day's two occurrences).
    for (let i = 0; i < (3 * 24 * 60) / 13; i++) {
      w.fleet.tick();
      const horizon = w.clock.now() + 24 * 3_600_000;
      expect(occurrences(mission.id)).toEqual(expected(T0, horizon));
      await w.clock.advance(13 * 60_000);
    }
    expect(occurrences(mission.id)).toHaveLength(8);
  });

  it('picks up a mission approved by another process at its next pass', async () => {
    const other = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    w.fleet.tick(); // the index is built, with no mission yet
    const mission = await approvedMission(w, { schedule: fireSeason });
    other.tick();
    w.fleet.tick();
    expect(occurrences(mission.id)).toEqual(expected(T0, T0 + 24 * 3_600_000));
  });

  it('stops materialising a mission that is no longer approved', async () => {
    const mission = await approvedMission(w, { schedule: fireSeason });
    w.fleet.tick();
    w.t.deps.repos.missions.updateMission(mission.id, { status: 'rejected' });
    await w.clock.advance(2 * 24 * 3_600_000);
    w.fleet.tick();
    expect(occurrences(mission.id)).toEqual(expected(T0, T0 + 24 * 3_600_000));
  });

  it('yields to the event loop between slices and ends where a whole pass ends', async () => {
    const missions = [];
    for (let i = 0; i < 40; i++)
      missions.push(await approvedMission(w, { schedule: fireSeason, name: `patrol ${i}` }));
    // A 1 ms slice: 40 missions to expand cannot fit in one.
    let turns = 0;
    let counting = true;
    const count = () => {
      if (!counting) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    await w.fleet.tickInSlices(1);
    counting = false;
    expect(turns).toBeGreaterThan(1);
    for (const m of missions) expect(occurrences(m.id)).toEqual(expected(T0, T0 + 24 * 3_600_000));

    await w.clock.advance(6 * 60_000); // 10:01 local: 40 sorties due at once
    await w.fleet.tickInSlices(1);
    const states = missions.flatMap((m) =>
      w.t.deps.repos.missions.sortiesOfMission(m.id).map((s) => s.state),
    );
    expect(states.filter((s) => s === 'queued')).toHaveLength(40);
    expect(states.filter((s) => s === 'scheduled')).toHaveLength(40 * 2);
  });

  it('skips a due sortie aborted between two slices instead of failing the pass', async () => {
    const missions = [];
    for (let i = 0; i < 20; i++)
      missions.push(await approvedMission(w, { schedule: fireSeason, name: `patrol ${i}` }));
    w.fleet.tick();
    await w.clock.advance(6 * 60_000);
    const due = missions.map((m) => w.t.deps.repos.missions.sortiesOfMission(m.id)[0]!);
    const victim = due.at(-1)!;
    let aborted = false;
    const abortSoon = () => {
      if (aborted) return;
      aborted = true;
      w.fleet.transition(victim.id, 'aborted', {
        actor: 'test',
        reasonCode: 'ABORTED',
        reason: 'aborted between slices',
      });
    };
    setImmediate(abortSoon);
    await w.fleet.tickInSlices(0);
    expect(aborted).toBe(true);
    expect(w.t.deps.repos.missions.getSortie(victim.id)?.state).toBe('aborted');
    const queued = due.filter((s) => w.t.deps.repos.missions.getSortie(s.id)?.state === 'queued');
    expect(queued).toHaveLength(19);
  });
});
