/**
 * An interrupted sortie resumes from its last reached item over real UDP: the simulated copter is
 * pointed at that item with DO_SET_MISSION_CURRENT and never flies an earlier one again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeSimWorlds, simWorld, until } from './support/sim-world';

afterEach(closeSimWorlds);

describe('resume over the bridge', () => {
  it('resumes an interrupted sortie at its last reached item: DO_SET_MISSION_CURRENT k, nothing before k flown again', async () => {
    // Flights longer than 4.5 s (45 s simulated) are cut short: the drone is sent home, lands,
    // and the sortie is queued again to resume from the last item it reached.
    const w = await simWorld({ waypoints: 10, fleetOptions: { timeouts: { flightMaxMs: 4_500 } } });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted'], 90_000);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    type T = { from: string; to: string; reasonCode: string | null; reason: string | null };
    const transitions = final.transitions as T[];
    const requeues = transitions.filter((x) => x.reasonCode === 'INTERRUPTED_FLIGHT_TIMEOUT');
    const resumes = transitions.filter((x) => x.to === 'in_flight' && x.reasonCode === 'RESUMED');
    expect(
      requeues.length,
      JSON.stringify(transitions.map((x) => [x.to, x.reasonCode, x.reason])),
    ).toBeGreaterThanOrEqual(1);
    expect(resumes).toHaveLength(requeues.length);
    const k = Number(/resumes from item (\d+)/.exec(requeues[0]!.reason ?? '')?.[1]);
    expect(k).toBeGreaterThan(0);
    expect(resumes[0]!.reason).toBe(`resumed from item ${k}`);

    const drone = w.simDock.drone!;
    // The vehicle was pointed at route item k (vehicle seq k + 1: home holds slot 0) …
    const setCurrent = drone.commandsReceived.filter((c) => c.command === 224);
    expect(setCurrent).toHaveLength(resumes.length);
    expect(setCurrent[0]!.params[0]).toBe(k + 1);
    // … and each later flight reached its resume item first and nothing before it.
    const flight = (n: number) =>
      drone.itemsReached.filter((r) => r.flight === n).map((r) => r.seq);
    expect(Math.max(...flight(1))).toBe(k + 1);
    requeues.forEach((requeue, i) => {
      const from = Number(/resumes from item (\d+)/.exec(requeue.reason ?? '')?.[1]);
      expect(setCurrent[i]!.params[0]).toBe(from + 1);
      expect(flight(i + 2)[0]).toBe(from + 1);
      expect(Math.min(...flight(i + 2))).toBe(from + 1);
    });
    // Every item was reached over the flights, the last one at the end.
    const all = new Set(drone.itemsReached.map((r) => r.seq));
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(final.progress.lastReachedItem).toBe(10);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(requeues.length + 1);
  }, 120_000);
});
