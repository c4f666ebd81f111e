/**
 * Over real UDP with the simulator, what goes wrong in flight: a restart of the service mid-flight,
 * a vehicle failsafe the service must not override, and a link cut and restored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeDispatcher } from '../../src/services/fleet/bridge-dispatcher';
import { call } from '../support/test-app';
import { cleanups, closeSimWorlds, simWorld, until, waitFor } from './support/sim-world';

afterEach(closeSimWorlds);

describe('BridgeDispatcher in trouble, over real UDP with the simulator', () => {
  it('restarts mid-flight: a new service re-attaches over a new link and finishes without dispatching again', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    // The old process goes away (its link closes); the vehicle flies on in AUTO.
    await w.fleet.release();
    await w.dispatcher.close();
    const { FleetService } = await import('../../src/services/fleet/index');
    const restarted = new FleetService({
      repos: w.t.deps.repos,
      logger: w.t.deps.logger,
      now: w.t.deps.now,
    });
    const relinked = new BridgeDispatcher({ heartbeatIntervalMs: 100, lostAfterMs: 3_000 });
    cleanups.push(() => relinked.close());
    restarted.useDispatcher(relinked);
    cleanups.push(() => restarted.release());
    expect(restarted.recover()).toEqual({ requeued: 0, reattached: 1, unattached: 0 });
    restarted.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.transitions.filter((x: { to: string }) => x.to === 'preflight')).toHaveLength(1);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(1);
  }, 60_000);

  it('never overrides a vehicle failsafe: the sortie waits landed for an operator', async () => {
    // The drone's own battery failsafe (25 %) comes before the service's reserve (10 %).
    const w = await simWorld({ drone: { batteryPct: 40, enduranceS: 120 }, batteryReservePct: 10 });
    const ids = await w.request();
    w.fleet.start();
    const held = await until(w, ids, ['landed', 'done', 'failed', 'aborted']);
    const events = w.t.deps.repos.fleetOps
      .recentEvents({ agencyId: '', seesAll: true }, 20)
      .map((e) => `${e.kind}: ${e.detail}`);
    expect(held.state, events.join('\n')).toBe('landed');
    const failsafe = held.transitions.find(
      (x: { reasonCode: string | null }) => x.reasonCode === 'VEHICLE_FAILSAFE',
    );
    expect(failsafe).toMatchObject({ from: 'in_flight', to: 'returning', actor: 'vehicle' });
    expect(events.join('\n')).toMatch(/VEHICLE_FAILSAFE: .*Battery Failsafe/);
    await waitFor(
      async () => ((await w.sortie(ids)).failsafeHold ? true : undefined),
      5_000,
      'hold',
    );
    const base = `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}`;
    const pause = await call(w.t, 'POST', `${base}/pause`, { key: w.operator, json: {} });
    expect([pause.status, pause.body.code]).toEqual([409, 'FAILSAFE_HOLD']);
    await waitFor(
      async () => (w.simDock.dock!.roof === 'closed' ? true : undefined),
      10_000,
      'roof closed',
    );
    const ack = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.operator,
      json: { action: 'acknowledge_failsafe' },
    });
    expect(ack.body.failsafeHold, JSON.stringify(ack.body)).toBe(false);
    const end = await call(w.t, 'POST', `${base}/operator-actions`, {
      key: w.operator,
      json: { action: 'end_after_failsafe' },
    });
    expect(end.body).toMatchObject({ state: 'failed', reasonCode: 'VEHICLE_FAILSAFE' });
  }, 60_000);

  it('reports link loss at once and its recovery, and the sortie still completes', async () => {
    const w = await simWorld({ relay: true, waypoints: 10 });
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    const kinds: string[] = [];
    const unsubscribe = w.fleet.bus.subscribe((m) => {
      if (m.type === 'event') kinds.push(m.kind);
    });
    w.relay!.cut();
    await waitFor(() => (kinds.includes('LINK_LOST') ? true : undefined), 5_000, 'LINK_LOST');
    expect((await w.sortie(ids)).state).toBe('in_flight'); // the vehicle flies on; nothing fails
    w.relay!.restore();
    await waitFor(
      () => (kinds.includes('LINK_RESTORED') ? true : undefined),
      5_000,
      'LINK_RESTORED',
    );
    unsubscribe();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.progress.lastReachedItem).toBe(10);
  }, 60_000);
});
