import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DISPATCH_TIMEOUTS } from '../../src/services/fleet/dispatcher';
import {
  SortieDispatch,
  type DispatchEntry,
  type DispatchResult,
} from '../../src/services/fleet/sortie-dispatch';
import {
  checkSortieTransition,
  type SortieState,
} from '../../src/services/fleet/sortie-state-machine';
import { FakeDispatcher, sampleRoute } from './support/fake-dispatcher';
import { ManualClock } from './support/manual-clock';

const T0 = Date.parse('2026-06-01T02:00:00Z');
const timeouts = { ...DEFAULT_DISPATCH_TIMEOUTS, flightMaxMs: 20 * 60_000 };

interface Harness {
  clock: ManualClock;
  vehicle: FakeDispatcher;
  run: SortieDispatch;
  states: SortieState[];
  transitions: { to: SortieState; reasonCode: string | null; actor: string }[];
  events: { kind: string; severity: string }[];
  steps: string[];
  progress: number[];
  failsafe: boolean[];
  result: Promise<DispatchResult>;
}

function start(
  options: {
    entry?: DispatchEntry;
    state?: SortieState;
    startFromItem?: number;
    prepare?: (v: FakeDispatcher) => void;
  } = {},
): Harness {
  const clock = new ManualClock(T0 + 60_000);
  const vehicle = new FakeDispatcher(clock);
  options.prepare?.(vehicle);
  const h = {
    clock,
    vehicle,
    states: [options.state ?? 'preflight'] as SortieState[],
    transitions: [] as Harness['transitions'],
    events: [] as Harness['events'],
    steps: [] as string[],
    progress: [] as number[],
    failsafe: [] as boolean[],
  } as Harness;
  let abortRequested = false;
  let lastReached = options.startFromItem ?? 0;
  h.run = new SortieDispatch(
    vehicle,
    clock,
    {
      target: {
        sortieId: 'srt_1',
        dockId: 'dock_1',
        droneId: 'drone_1',
        linkUrl: 'udpin://0.0.0.0:14550',
        dockSystemId: 100,
        droneSystemId: 1,
      },
      route: sampleRoute(5),
      startFromItem: options.startFromItem ?? 0,
      sortieNeedPct: 40,
      reservePct: 25,
      maxWindMps: 12,
      windowStartMs: T0,
      windowEndMs: T0 + 30 * 60_000,
      state: options.state ?? 'preflight',
      entry: options.entry ?? 'preflight',
      failsafeHold: false,
      abortRequested: false,
      timeouts,
    },
    {
      transition: (to, change) => {
        const from = h.states.at(-1)!;
        if (change.reasonCode === 'ABORTED') abortRequested = true;
        // Every move the sequence makes must be legal in the one transition table.
        const check = checkSortieTransition(from, to, {
          abortRequested,
          lastReachedItem: lastReached,
          reasonCode: change.reasonCode,
        });
        if (!check.ok) throw new Error(check.reason);
        h.states.push(to);
        h.transitions.push({ to, reasonCode: change.reasonCode, actor: change.actor });
      },
      step: (s) => h.steps.push(s),
      progress: (reached) => {
        lastReached = reached;
        h.progress.push(reached);
      },
      event: (kind, severity) => h.events.push({ kind, severity }),
      telemetry: () => undefined,
      failsafeHold: (hold) => h.failsafe.push(hold),
    },
  );
  const originalAbort = h.run.abort.bind(h.run);
  h.run.abort = (reason: string) => {
    abortRequested = true;
    originalAbort(reason);
  };
  h.result = h.run.run();
  return h;
}

/** Runs the preflight until the drone is in flight. */
async function toInFlight(h: Harness): Promise<void> {
  await h.clock.advance(2_000);
  expect(h.states.at(-1)).toBe('in_flight');
}

async function flyItems(h: Harness, items: number[]): Promise<void> {
  for (const i of items) {
    h.vehicle.emit({ type: 'progress', reachedItem: i, totalItems: 7 });
    await h.clock.advance(1_000);
  }
}

let live: Harness | undefined;
afterEach(async () => {
  // Let any unfinished sequence run out its timers so nothing leaks between tests.
  if (live && !live.run.isFinished) await live.clock.advance(60 * 60_000);
  live = undefined;
});

describe('the dispatch sequence on fake time', () => {
  it('flies a sortie from dock ready to charging, in order', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2, 3, 4, 5, 6]);
    h.vehicle.emit({ type: 'mission_complete' });
    await h.clock.advance(500);
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toEqual({ result: 'done' });
    expect(h.states).toEqual([
      'preflight',
      'launching',
      'in_flight',
      'returning',
      'landed',
      'done',
    ]);
    expect(h.vehicle.calls.map((c) => c.method + (c.detail ? `:${c.detail}` : ''))).toEqual([
      'dockStatus',
      'openRoof',
      'uploadAndVerify:fence',
      'uploadAndVerify:rally',
      'uploadAndVerify:mission',
      'dockStatus',
      'arm',
      'startMission:from 0',
      'returnToLaunch',
      'closeRoof',
      'startCharging',
    ]);
    expect(h.steps).toEqual([
      'dock_ready',
      'open_roof',
      'upload_fence',
      'upload_rally',
      'upload_mission',
      'launch_gates',
      'arm',
      'takeoff',
      'track',
      'return',
      'close_roof',
      'charge',
      'done',
    ]);
    expect(h.progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.clock.pending).toBe(0);
  });

  it('holds the launch on a failing gate without touching roof or vehicle', async () => {
    const h = (live = start({ prepare: (v) => (v.status.windMps = 14) }));
    await h.clock.advance(1_000);
    const result = await h.result;
    expect(result.result).toBe('held');
    if (result.result === 'held') expect(result.gate.code).toBe('GATE_WIND');
    expect(h.transitions).toEqual([{ to: 'queued', reasonCode: 'GATE_WIND', actor: 'dispatch' }]);
    expect(h.vehicle.methods()).toEqual(['dockStatus']);
  });

  it('holds when the battery would not cover the sortie plus reserve', async () => {
    const h = (live = start({ prepare: (v) => (v.status.droneBatteryPct = 60) }));
    await h.clock.advance(1_000);
    expect(h.transitions.at(-1)).toMatchObject({ to: 'queued', reasonCode: 'GATE_BATTERY' });
  });

  it('uploads while the roof opens and arms only once the roof is open', async () => {
    const h = (live = start({ prepare: (v) => v.delays.set('openRoof', 20_000) }));
    await h.clock.advance(1_000);
    // The three uploads are done and verified while the roof still travels.
    expect(h.vehicle.answers.map((a) => a.detail ?? a.method)).toEqual([
      'dockStatus',
      'fence',
      'rally',
      'mission',
    ]);
    expect(h.vehicle.methods()).not.toContain('arm');
    await h.clock.advance(19_000);
    expect(h.vehicle.methods()).not.toContain('arm');
    await h.clock.advance(1_000);
    const roofOpenAt = h.vehicle.answers.find((a) => a.method === 'openRoof')!.at;
    const armAt = h.vehicle.calls.find((c) => c.method === 'arm')!.at;
    expect(armAt).toBeGreaterThanOrEqual(roofOpenAt);
    expect(h.states.at(-1)).toBe('in_flight');
  });

  it('arms only once every upload is verified, even when the roof opened long before', async () => {
    const h = (live = start({ prepare: (v) => v.delays.set('uploadAndVerify', 8_000) }));
    await h.clock.advance(10_000);
    expect(h.vehicle.answers.map((a) => a.method)).toContain('openRoof');
    expect(h.vehicle.methods()).not.toContain('arm');
    await h.clock.advance(20_000);
    const lastUploadAt = h.vehicle.answers.filter((a) => a.method === 'uploadAndVerify').at(-1)!;
    expect(lastUploadAt.detail).toBe('mission');
    expect(h.vehicle.calls.find((c) => c.method === 'arm')!.at).toBeGreaterThanOrEqual(
      lastUploadAt.at,
    );
    expect(h.states.at(-1)).toBe('in_flight');
  });

  it('fails when the fence read back differs: waits for the roof, closes it, never arms', async () => {
    const h = (live = start({
      prepare: (v) => {
        v.dropOne = 'fence';
        v.delays.set('openRoof', 20_000);
      },
    }));
    await h.clock.advance(5_000);
    // The roof is never commanded while it travels: the close waits for the open to end.
    expect(h.vehicle.methods()).not.toContain('closeRoof');
    await h.clock.advance(20_000);
    expect(await h.result).toMatchObject({ result: 'failed', code: 'UPLOAD_FENCE_FAILED' });
    expect(h.vehicle.methods()).toEqual(['dockStatus', 'openRoof', 'uploadAndVerify', 'closeRoof']);
    const openedAt = h.vehicle.answers.find((a) => a.method === 'openRoof')!.at;
    expect(h.vehicle.calls.find((c) => c.method === 'closeRoof')!.at).toBeGreaterThanOrEqual(
      openedAt,
    );
    expect(h.states).toEqual(['preflight', 'failed']);
  });

  it('times out an upload that never ends, closes the roof and fails with the step named', async () => {
    const h = (live = start({ prepare: (v) => v.hangs.add('uploadAndVerify') }));
    await h.clock.advance(timeouts.uploadMs - 1);
    expect(h.states.at(-1)).toBe('preflight');
    await h.clock.advance(1_000);
    const result = await h.result;
    expect(result).toMatchObject({ result: 'failed', code: 'UPLOAD_FENCE_FAILED' });
    if (result.result === 'failed') expect(result.detail).toMatch(/timeout/);
    expect(h.vehicle.methods().at(-1)).toBe('closeRoof');
    expect(h.vehicle.methods()).not.toContain('arm');
  });

  it('stops the uploads when the roof reports a fault and fails with ROOF_OPEN_FAILED', async () => {
    const h = (live = start({
      prepare: (v) => {
        v.failures.set('openRoof', { ok: false, kind: 'dock-fault', reason: 'roof motor stall' });
        v.delays.set('openRoof', 2_000);
        v.hangs.add('uploadAndVerify');
      },
    }));
    await h.clock.advance(2_500);
    const result = await h.result;
    expect(result).toMatchObject({ result: 'failed', code: 'ROOF_OPEN_FAILED' });
    // Only the fence upload was begun; it was cancelled, not reported as an upload failure.
    expect(h.vehicle.calls.filter((c) => c.method === 'uploadAndVerify')).toHaveLength(1);
    expect(h.vehicle.methods().at(-1)).toBe('closeRoof');
    expect(h.events.map((e) => e.kind)).toContain('DOCK_ROOF_FAULT');
  });

  it('holds (not fails) when the dock’s own weather interlock refuses to open the roof', async () => {
    const h = (live = start({
      prepare: (v) =>
        v.failures.set('openRoof', { ok: false, kind: 'denied', reason: 'wind 14 m/s' }),
    }));
    await h.clock.advance(2_000);
    const result = await h.result;
    expect(result).toMatchObject({ result: 'held', gate: { code: 'GATE_ROOF' } });
    expect(h.transitions).toEqual([{ to: 'queued', reasonCode: 'GATE_ROOF', actor: 'dispatch' }]);
    expect(h.vehicle.methods()).not.toContain('arm');
    expect(h.vehicle.methods().at(-1)).toBe('closeRoof');
    expect(h.events.map((e) => e.kind)).not.toContain('DOCK_ROOF_FAULT');
  });

  it('closes the roof again and holds when a gate fails while the roof opened', async () => {
    const h = (live = start({ prepare: (v) => v.delays.set('openRoof', 5_000) }));
    await h.clock.advance(1_000);
    h.vehicle.status.windMps = 15; // a gust front arrives while the roof travels
    await h.clock.advance(10_000);
    const result = await h.result;
    expect(result.result).toBe('held');
    if (result.result === 'held') expect(result.gate.code).toBe('GATE_WIND');
    expect(h.vehicle.methods().slice(-2)).toEqual(['dockStatus', 'closeRoof']);
    expect(h.vehicle.methods()).not.toContain('arm');
    expect(h.transitions).toEqual([{ to: 'queued', reasonCode: 'GATE_WIND', actor: 'dispatch' }]);
  });

  it('fails an arm refusal, closing the roof and never taking off', async () => {
    const h = (live = start({
      prepare: (v) =>
        v.failures.set('arm', { ok: false, kind: 'denied', reason: 'PreArm: compass' }),
    }));
    await h.clock.advance(2_000);
    const result = await h.result;
    expect(result).toMatchObject({ result: 'failed', code: 'ARM_FAILED' });
    expect(h.states).toEqual(['preflight', 'launching', 'failed']);
    expect(h.vehicle.methods()).not.toContain('startMission');
    expect(h.vehicle.methods().at(-1)).toBe('closeRoof');
  });

  it('disarms and fails when take-off is refused', async () => {
    const h = (live = start({
      prepare: (v) =>
        v.failures.set('startMission', { ok: false, kind: 'rejected', reason: 'mode change' }),
    }));
    await h.clock.advance(2_000);
    expect(await h.result).toMatchObject({ result: 'failed', code: 'TAKEOFF_FAILED' });
    expect(h.vehicle.methods().slice(-2)).toEqual(['disarm', 'closeRoof']);
  });

  it('sends the drone home on low battery at once and queues it again to resume', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2, 3]);
    h.vehicle.emit({ type: 'battery', pct: 22 });
    await h.clock.advance(10);
    expect(h.events[0]).toEqual({ kind: 'LOW_BATTERY', severity: 'critical' });
    expect(h.transitions.at(-1)).toMatchObject({ to: 'returning', reasonCode: 'LOW_BATTERY' });
    await h.clock.advance(500);
    expect(h.vehicle.methods().at(-1)).toBe('returnToLaunch');
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toEqual({
      result: 'requeued',
      code: 'INTERRUPTED_LOW_BATTERY',
      fromItem: 3,
    });
    expect(h.states.slice(-2)).toEqual(['landed', 'queued']);
  });

  it('resumes an interrupted sortie from its last reached item', async () => {
    const h = (live = start({ startFromItem: 3 }));
    await toInFlight(h);
    expect(h.vehicle.calls.find((c) => c.method === 'startMission')?.detail).toBe('from 3');
    expect(h.transitions.at(-1)).toMatchObject({ to: 'in_flight', reasonCode: 'RESUMED' });
  });

  it('never re-commands a vehicle in its own failsafe until an operator acknowledges', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2]);
    const before = h.vehicle.calls.length;
    h.vehicle.emit({ type: 'failsafe', cause: 'battery failsafe', mode: 'RTL' });
    await h.clock.advance(10);
    expect(h.transitions.at(-1)).toEqual({
      to: 'returning',
      reasonCode: 'VEHICLE_FAILSAFE',
      actor: 'vehicle',
    });
    expect(h.failsafe).toEqual([true]);
    h.run.abort('operator wants it home');
    expect(await h.run.pause()).toMatchObject({ ok: false, kind: 'denied' });
    h.vehicle.emit({ type: 'mission_complete' });
    await h.clock.advance(60_000);
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(2_000);
    expect(await h.result).toEqual({ result: 'failsafe_hold', cause: 'battery failsafe' });
    const after = h.vehicle.calls.slice(before).map((c) => c.method);
    expect(after).toEqual(['closeRoof', 'startCharging']); // dock only, never the vehicle
    expect(h.events.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'VEHICLE_FAILSAFE',
        'COMMAND_WITHHELD',
        'FAILSAFE_AWAITING_OPERATOR',
      ]),
    );
    expect(h.states.at(-1)).toBe('landed');
  });

  it('surfaces link loss at once and its recovery', async () => {
    const h = (live = start());
    await toInFlight(h);
    await h.clock.advance(timeouts.silenceMs + 10);
    expect(h.events).toEqual([{ kind: 'LINK_LOST', severity: 'critical' }]);
    await h.clock.advance(timeouts.silenceMs * 3);
    expect(h.events).toHaveLength(1); // reported once, not once per silence
    h.vehicle.emit({
      type: 'position',
      lon: 119.8,
      lat: 30.36,
      altM: 60,
      groundSpeedMps: 8,
      batteryPct: 80,
      mode: 'AUTO',
      atMs: h.clock.now(),
    });
    await h.clock.advance(10);
    expect(h.events.at(-1)).toEqual({ kind: 'LINK_RESTORED', severity: 'info' });
    expect(h.vehicle.methods()).not.toContain('returnToLaunch'); // the vehicle's own link failsafe decides
  });

  it('aborts mid-flight: return commanded, the sortie ends aborted on landing', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2]);
    h.run.abort('smoke reported elsewhere');
    expect(h.transitions.at(-1)).toMatchObject({ to: 'returning', reasonCode: 'ABORTED' });
    await h.clock.advance(500);
    expect(h.vehicle.methods().at(-1)).toBe('returnToLaunch');
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toEqual({ result: 'aborted' });
    expect(h.states.slice(-3)).toEqual(['returning', 'landed', 'aborted']);
  });

  it('aborts during preflight by cancelling the running steps, closing the roof, never arming', async () => {
    const h = (live = start({ prepare: (v) => v.hangs.add('uploadAndVerify') }));
    await h.clock.advance(1_000);
    h.run.abort('cancelled by the requester');
    await h.clock.advance(200);
    expect(await h.result).toEqual({ result: 'aborted' });
    expect(h.states).toEqual(['preflight', 'aborted']);
    expect(h.vehicle.methods()).toEqual(['dockStatus', 'openRoof', 'uploadAndVerify', 'closeRoof']);
  });

  it('aborts before the roof moves when the abort comes during the dock status', async () => {
    const h = (live = start({ prepare: (v) => v.hangs.add('dockStatus') }));
    await h.clock.advance(1_000);
    h.run.abort('cancelled by the requester');
    await h.clock.advance(200);
    expect(await h.result).toEqual({ result: 'aborted' });
    expect(h.vehicle.methods()).toEqual(['dockStatus']);
  });

  it('pauses and resumes in flight', async () => {
    const h = (live = start());
    await toInFlight(h);
    const paused = h.run.pause();
    await h.clock.advance(200);
    expect(await paused).toEqual({ ok: true, value: undefined });
    expect(h.states.at(-1)).toBe('paused');
    expect(await h.run.pause()).toMatchObject({ ok: false, kind: 'rejected' });
    const resumed = h.run.resume();
    await h.clock.advance(200);
    expect(await resumed).toMatchObject({ ok: true });
    expect(h.states.slice(-2)).toEqual(['paused', 'in_flight']);
    expect(h.vehicle.methods().slice(-2)).toEqual(['hold', 'resumeMission']);
  });

  it('fails with LANDING_TIMEOUT when the drone does not land in time', async () => {
    const h = (live = start());
    await toInFlight(h);
    h.vehicle.emit({ type: 'mission_complete' });
    await h.clock.advance(timeouts.returnMs + 1_000);
    expect(await h.result).toMatchObject({ result: 'failed', code: 'LANDING_TIMEOUT' });
    expect(h.events.map((e) => e.kind)).toContain('LANDING_OVERDUE');
  });

  it('fails with ROOF_CLOSE_FAILED after two failed closes, raising a dock fault each time', async () => {
    const h = (live = start({
      prepare: (v) =>
        v.failures.set('closeRoof', { ok: false, kind: 'dock-fault', reason: 'motor stall' }),
    }));
    await toInFlight(h);
    h.vehicle.emit({ type: 'mission_complete' });
    await h.clock.advance(500);
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toMatchObject({ result: 'failed', code: 'ROOF_CLOSE_FAILED' });
    expect(h.events.filter((e) => e.kind === 'DOCK_ROOF_FAULT')).toHaveLength(2);
    expect(h.states.slice(-2)).toEqual(['landed', 'failed']);
  });

  it('ends the flight when it runs over its longest time and resumes later', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2]);
    for (let i = 0; i < 30; i++) {
      h.vehicle.emit({ type: 'battery', pct: 70 });
      await h.clock.advance(60_000);
    }
    expect(h.transitions.find((t) => t.reasonCode === 'FLIGHT_TIMEOUT')).toBeDefined();
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toMatchObject({
      result: 'requeued',
      code: 'INTERRUPTED_FLIGHT_TIMEOUT',
    });
  });

  it('re-attaches to an airborne sortie after a restart without sending anything first', async () => {
    const h = (live = start({ entry: 'airborne', state: 'in_flight', startFromItem: 4 }));
    await h.clock.advance(1_000);
    expect(h.vehicle.calls).toEqual([]);
    await flyItems(h, [5, 6]);
    h.vehicle.emit({ type: 'mission_complete' });
    await h.clock.advance(500);
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(1_000);
    expect(await h.result).toEqual({ result: 'done' });
    expect(h.vehicle.methods()).toEqual(['returnToLaunch', 'closeRoof', 'startCharging']);
  });

  it('fails a landing away from the pad and still closes the roof', async () => {
    const h = (live = start());
    await toInFlight(h);
    h.vehicle.emit({ type: 'landed', inDock: false });
    await h.clock.advance(1_000);
    expect(await h.result).toMatchObject({ result: 'failed', code: 'LANDED_OUTSIDE_DOCK' });
    expect(h.vehicle.methods().at(-1)).toBe('closeRoof');
  });

  it('leaves the ending to an operator even when the failsafe is acknowledged before landing', async () => {
    const h = (live = start());
    await toInFlight(h);
    await flyItems(h, [1, 2]);
    h.vehicle.emit({ type: 'failsafe', cause: 'GCS failsafe', mode: 'RTL' });
    await h.clock.advance(10);
    h.run.acknowledgeFailsafe();
    expect(h.failsafe).toEqual([true, false]);
    h.vehicle.emit({ type: 'landed', inDock: true });
    await h.clock.advance(2_000);
    expect(await h.result).toEqual({ result: 'failsafe_hold', cause: 'GCS failsafe' });
    expect(h.states.at(-1)).toBe('landed');
  });
});
