/**
 * The fleet service flying a sortie over a real UDP socket against the bridge's simulated dock
 * and drone: request → approve → queue → dispatch (dock status, roof opening while the uploads
 * are read back, arm, AUTO) → progress → RTL → landing → roof closed → charging → done.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../support/test-app';
import { FLOW, closeSimWorlds, simWorld, until, waitFor } from './support/sim-world';

afterEach(closeSimWorlds);

describe('BridgeDispatcher over real UDP with the simulator', () => {
  it('flies a shared sortie from request to done and stores its track', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    expect(final.transitions.map((x: { to: string }) => x.to)).toEqual([
      ...FLOW,
      'returning',
      'landed',
      'done',
    ]);
    expect(final.progress.lastReachedItem).toBe(3);
    expect(w.simDock.dock!.roof).toBe('closed');
    const track = await call(
      w.t,
      'GET',
      `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}/track`,
      { key: w.operator },
    );
    expect(track.body.properties.sampleCount).toBeGreaterThan(1);
    expect(w.t.deps.repos.fleetOps.dispatchesOf(ids.sortieId)).toHaveLength(1);
  }, 60_000);

  it('uploads while the roof opens and arms only with the roof open and every upload verified', async () => {
    // 20 s of roof travel (2 s real): the transfers end long before the roof does.
    const w = await simWorld({ roofTravelMs: 20_000 });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('done');
    const calls = w.dispatcher.calls;
    const at = (method: string) => calls.find((c) => c.method === method)!;
    expect(calls.slice(0, 5).map((c) => c.method)).toEqual([
      'openRoof',
      'upload fence',
      'upload rally',
      'upload mission',
      'arm',
    ]);
    // The uploads ran while the roof travelled …
    expect(at('upload fence').startMs).toBeLessThan(at('openRoof').endMs);
    expect(at('upload mission').endMs).toBeLessThan(at('openRoof').endMs);
    // … and the drone was armed only once the roof stood open and held the verified route
    // (ArduPilot keeps home in slot 0: four route items are five on the vehicle).
    expect(at('arm').startMs).toBeGreaterThanOrEqual(at('openRoof').endMs);
    expect(at('arm')).toMatchObject({ roofAtStart: 'open', missionItemsAtStart: 5 });
    expect(at('arm').fenceItemsAtStart).toBe(4);
  }, 60_000);

  it('fails a sortie whose fence the vehicle rejects: roof closed again, drone never armed', async () => {
    const w = await simWorld({ failureMode: 'write-final-ack-error-ack' });
    const ids = await w.request();
    w.fleet.start();
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final).toMatchObject({ state: 'failed', reasonCode: 'UPLOAD_FENCE_FAILED' });
    expect(final.reasonDetail).toMatch(/rejected/);
    expect(w.dispatcher.calls.map((c) => c.method)).toEqual([
      'openRoof',
      'upload fence',
      'closeRoof',
    ]);
    expect(w.simDock.drone!.commandsReceived.map((c) => c.command)).not.toContain(400);
    expect(w.simDock.drone!.armed).toBe(false);
    await waitFor(
      () => (w.simDock.dock!.roof === 'closed' ? true : undefined),
      5_000,
      'roof closed',
    );
  }, 60_000);

  it('holds the launch while the dock reports wind over the drone’s limit, roof never opened', async () => {
    const w = await simWorld({ weatherWindMps: 15 });
    const ids = await w.request();
    w.fleet.tick();
    const held = await until(
      w,
      ids,
      ['queued'].filter(() => true),
      10_000,
    ).then(async () =>
      waitFor(
        async () => {
          const s = await w.sortie(ids);
          return s.reasonCode ? s : undefined;
        },
        10_000,
        'held',
      ),
    );
    expect(held).toMatchObject({ state: 'queued', reasonCode: 'GATE_WIND' });
    // The live picture shows the dock's weather and roof, and the idle drone's position.
    const messages: string[] = [];
    const unsubscribe = w.fleet.bus.subscribe((m) => messages.push(m.type));
    await waitFor(
      () => (messages.includes('dock') && messages.includes('telemetry') ? true : undefined),
      10_000,
      'dock and drone on the stream',
    );
    unsubscribe();
    const snapshot = await call(w.t, 'GET', '/v1/fleet', { key: w.operator });
    expect(snapshot.body.docks[0].state).toMatchObject({
      live: true,
      roof: 'closed',
      windMps: 15,
      dronePresent: true,
    });
    expect(snapshot.body.docks[0].drones[0].position).not.toBeNull();
    expect(held.reasonDetail).toContain('wind 15 m/s');
    expect(w.simDock.dock!.roof).toBe('closed');
  }, 30_000);

  it('aborts mid-flight: the drone is sent home over the link and the sortie ends aborted', async () => {
    const w = await simWorld();
    const ids = await w.request();
    w.fleet.start();
    await until(w, ids, ['in_flight']);
    const abort = await call(
      w.t,
      'POST',
      `/v1/missions/${ids.missionId}/sorties/${ids.sortieId}/abort`,
      {
        key: w.operator,
        json: { reason: 'test abort' },
      },
    );
    expect(abort.body).toMatchObject({ state: 'returning', abortRequested: true });
    const final = await until(w, ids, ['done', 'failed', 'aborted']);
    expect(final.state, JSON.stringify(final.transitions.slice(-3))).toBe('aborted');
    expect(final.progress.lastReachedItem).toBeLessThan(3);
    expect(w.simDock.dock!.roof).toBe('closed');
  }, 60_000);
});
