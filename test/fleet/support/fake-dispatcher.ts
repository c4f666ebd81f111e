import type { Clock, MissionItem } from '../../../firmware-bridge/index';
import type {
  DispatchOutcome,
  DispatchTarget,
  Dispatcher,
  DockStatus,
  UploadKind,
  VehicleEvent,
} from '../../../src/services/fleet/dispatcher';

type Method = Exclude<keyof Dispatcher, 'watch'>;

/**
 * An in-test Dispatcher: answers after `delayMs` on the injected clock, records every call,
 * and can be told to fail or hang any command. `emit` plays the vehicle.
 */
export class FakeDispatcher implements Dispatcher {
  readonly calls: { method: Method; at: number; detail?: string }[] = [];
  readonly failures = new Map<Method, DispatchOutcome<never>>();
  readonly hangs = new Set<Method>();
  /** Per-method answer delay, ms (default `delayMs`), e.g. a roof that travels for 20 s. */
  readonly delays = new Map<Method, number>();
  /** When each call was answered (clock ms), in answer order. */
  readonly answers: { method: Method; at: number; detail?: string; ok: boolean }[] = [];
  status: DockStatus = {
    roof: 'closed',
    roofOk: true,
    droneInDock: true,
    droneBatteryPct: 100,
    windMps: 3,
    raining: false,
    charging: true,
    linkHealthy: true,
  };
  /** Items the vehicle holds per kind (after verify). Set `dropOne` to fake a mismatch count. */
  readonly held = new Map<UploadKind, number>();
  dropOne: UploadKind | null = null;
  private readonly listeners = new Set<(e: VehicleEvent) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly delayMs = 100,
  ) {}

  emit(event: VehicleEvent): void {
    for (const l of this.listeners) l(event);
  }

  methods(): Method[] {
    return this.calls.map((c) => c.method);
  }

  watch(_target: DispatchTarget, listener: (e: VehicleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private answer<T>(
    method: Method,
    value: T,
    signal: AbortSignal,
    detail?: string,
  ): Promise<DispatchOutcome<T>> {
    this.calls.push({ method, at: this.clock.now(), ...(detail ? { detail } : {}) });
    if (this.hangs.has(method)) {
      return new Promise((resolve) =>
        signal.addEventListener('abort', () =>
          resolve({ ok: false, kind: 'cancelled', reason: 'aborted by caller' }),
        ),
      );
    }
    const failure = this.failures.get(method);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          this.answers.push({
            method,
            at: this.clock.now(),
            ...(detail ? { detail } : {}),
            ok: !failure,
          });
          resolve(failure ?? { ok: true, value });
        },
        this.delays.get(method) ?? this.delayMs,
      );
      // A cancelled call answers at once (as the bridge's protocol clients do).
      const onAbort = () => {
        this.clock.clearTimeout(timer);
        resolve({ ok: false, kind: 'cancelled', reason: 'aborted by caller' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  dockStatus(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('dockStatus', { ...this.status }, signal);
  }
  openRoof(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('openRoof', undefined, signal);
  }
  closeRoof(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('closeRoof', undefined, signal);
  }
  uploadAndVerify(
    _t: DispatchTarget,
    kind: UploadKind,
    items: readonly MissionItem[],
    signal: AbortSignal,
  ) {
    const count = items.length - (this.dropOne === kind ? 1 : 0);
    this.held.set(kind, count);
    return this.answer('uploadAndVerify', { count }, signal, kind);
  }
  arm(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('arm', undefined, signal);
  }
  disarm(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('disarm', undefined, signal);
  }
  startMission(_t: DispatchTarget, fromItem: number, signal: AbortSignal) {
    return this.answer('startMission', undefined, signal, `from ${fromItem}`);
  }
  hold(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('hold', undefined, signal);
  }
  resumeMission(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('resumeMission', undefined, signal);
  }
  returnToLaunch(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('returnToLaunch', undefined, signal);
  }
  land(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('land', undefined, signal);
  }
  startCharging(_t: DispatchTarget, signal: AbortSignal) {
    return this.answer('startCharging', undefined, signal);
  }
}

/** A small route: take-off, n waypoints, RTL; a 4-vertex fence; one rally point. */
export function sampleRoute(n = 5): {
  mission: MissionItem[];
  fence: MissionItem[];
  rally: MissionItem[];
} {
  const item = (command: number, position: [number, number] | null, altM = 60): MissionItem => ({
    command,
    frame: 3,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    position,
    altM,
    autocontinue: true,
  });
  const mission = [item(22, null)];
  for (let i = 0; i < n; i++) mission.push(item(16, [119.8 + i * 0.002, 30.36 + (i % 2) * 0.002]));
  mission.push(item(20, null, 0));
  const fence = [
    [119.79, 30.35],
    [119.82, 30.35],
    [119.82, 30.37],
    [119.79, 30.37],
  ].map((p) => ({ ...item(5001, p as [number, number], 0), param1: 4 }));
  const rally = [item(5100, [119.795, 30.355], 30)];
  return { mission, fence, rally };
}
