/**
 * Action capability for one vehicle (MAVSDK's `Action`): modes, arm/disarm, takeoff, mission
 * start, pause/continue, return to launch, land, message intervals, home position. Commands are
 * serialised per client (one COMMAND_ACK in flight, as the spec expects per command id).
 */
import { common, minimal } from 'node-mavlink';
import type { Clock, MavEndpoint } from '../link/types';
import { systemClock } from '../link/types';
import { CommandExchange } from './command';
import type { CommandReport, CommandRequest } from './command';
import { autopilotKind, modeCommand } from './flight-modes';
import type { AutopilotKind } from './flight-modes';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import type { Target } from './target';
import type { CommandTiming } from './timing';
import { waitForMessage } from './wait-for-message';

/** MAV_CMD ids used here. */
export const MAV_CMD = {
  NAV_RETURN_TO_LAUNCH: 20,
  NAV_LAND: 21,
  NAV_TAKEOFF: 22,
  DO_SET_MODE: 176,
  DO_PAUSE_CONTINUE: 193,
  MISSION_START: 300,
  COMPONENT_ARM_DISARM: 400,
  GET_HOME_POSITION: 410,
  SET_MESSAGE_INTERVAL: 511,
  REQUEST_MESSAGE: 512,
} as const;

/** Magic param2 of COMPONENT_ARM_DISARM that skips checks (arming) or forces (disarming in air). */
const FORCE_MAGIC = 21196;
/** Between arming attempts while the vehicle is not ready (ArduPilot pre-arm after boot). */
export const ARM_RETRY_INTERVAL_MS = 2000;
export const HOME_POSITION_MSG_ID = 242;

export interface HomePosition {
  /** `[lon, lat]` degrees. */
  position: [number, number];
  altAmslM: number;
}

/** Telemetry messages the CLI and service ask for, with their rates in Hz. */
export const DEFAULT_STREAM_RATES_HZ: Readonly<Record<number, number>> = {
  1: 1, // SYS_STATUS
  24: 1, // GPS_RAW_INT
  33: 4, // GLOBAL_POSITION_INT
  42: 1, // MISSION_CURRENT
  147: 1, // BATTERY_STATUS
  245: 1, // EXTENDED_SYS_STATE
};

export interface ActionClientOptions {
  endpoint: MavEndpoint;
  target: Target;
  clock?: Clock;
  /** When absent, read from the vehicle's first HEARTBEAT. */
  autopilot?: AutopilotKind;
  timing?: Partial<CommandTiming>;
}

/**
 * @example
 * const actions = new ActionClient({ endpoint, target: { systemId: 1, componentId: 1 } });
 * await actions.setMode('GUIDED');
 * await actions.arm({ waitReadyMs: 60_000 });
 * await actions.takeoff(20);
 */
export class ActionClient {
  private readonly clock: Clock;
  private autopilot: AutopilotKind | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ActionClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.autopilot = options.autopilot;
  }

  /** Sends any command (queued behind earlier ones). */
  command(
    request: CommandRequest,
    extra: { signal?: AbortSignal; onProgress?: (pct: number | undefined) => void } = {},
  ): Promise<Outcome<CommandReport>> {
    const run = (): Promise<Outcome<CommandReport>> =>
      new CommandExchange({
        endpoint: this.options.endpoint,
        clock: this.clock,
        target: this.options.target,
        request,
        ...(this.options.timing ? { timing: this.options.timing } : {}),
        ...(extra.signal ? { signal: extra.signal } : {}),
        ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
      }).run();
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  /** The vehicle's autopilot kind, from the constructor or its first HEARTBEAT (3 s). */
  async detectAutopilot(): Promise<Outcome<AutopilotKind>> {
    if (this.autopilot) return succeed(this.autopilot);
    const hb = await waitForMessage({
      endpoint: this.options.endpoint,
      clock: this.clock,
      from: this.options.target,
      what: 'HEARTBEAT',
      timeoutMs: 3000,
      match: (f) => (f.message instanceof minimal.Heartbeat ? f.message : undefined),
    });
    if (!hb.ok) return hb;
    this.autopilot = autopilotKind(hb.value.autopilot);
    return succeed(this.autopilot);
  }

  /**
   * DO_SET_MODE by name (ArduPilot Copter custom modes or PX4 main/sub modes), then, unless
   * `confirmMs` is 0, waits for a HEARTBEAT showing the mode.
   */
  async setMode(
    name: string,
    options: { confirmMs?: number } = {},
  ): Promise<Outcome<{ mode: string }>> {
    const ap = await this.detectAutopilot();
    if (!ap.ok) return ap;
    const mc = modeCommand(ap.value, name);
    if (!mc) return fail('unsupported', `mode ${JSON.stringify(name)} is not a ${ap.value} mode`);
    const ack = await this.command({
      command: MAV_CMD.DO_SET_MODE,
      params: { 1: mc.baseMode, 2: mc.customMode, 3: mc.subMode },
    });
    if (!ack.ok) return ack;
    const confirmMs = options.confirmMs ?? 3000;
    if (confirmMs > 0) {
      const seen = await waitForMessage({
        endpoint: this.options.endpoint,
        clock: this.clock,
        from: this.options.target,
        what: `HEARTBEAT in mode ${name.toUpperCase()}`,
        timeoutMs: confirmMs,
        match: (f) =>
          f.message instanceof minimal.Heartbeat && f.message.customMode === mc.heartbeatCustomMode
            ? true
            : undefined,
      });
      if (!seen.ok) return seen;
    }
    return succeed({ mode: name.toUpperCase() });
  }

  /**
   * Arms. With `waitReadyMs`, a vehicle that is not ready yet (FAILED / TEMPORARILY_REJECTED, as
   * ArduPilot answers during its pre-arm checks after boot) is asked again every
   * {@link ARM_RETRY_INTERVAL_MS} until the deadline; the last STATUSTEXT is the reason.
   */
  async arm(
    options: { force?: boolean; waitReadyMs?: number; onWaiting?: (reason: string) => void } = {},
  ): Promise<Outcome<CommandReport>> {
    const deadline = this.clock.now() + (options.waitReadyMs ?? 0);
    let lastText = '';
    const unsubscribe = this.options.endpoint.subscribe((f) => {
      if (f.systemId === this.options.target.systemId && f.message instanceof common.StatusText)
        lastText = f.message.text;
    });
    try {
      for (;;) {
        const o = await this.command({
          command: MAV_CMD.COMPONENT_ARM_DISARM,
          params: { 1: 1, 2: options.force ? FORCE_MAGIC : 0 },
        });
        if (o.ok || (o.kind !== 'rejected' && o.kind !== 'busy')) return o;
        if (this.clock.now() + ARM_RETRY_INTERVAL_MS > deadline) {
          return lastText ? fail(o.kind, `${o.reason} (${lastText})`, o.code) : o;
        }
        options.onWaiting?.(lastText || o.reason);
        await new Promise<void>((r) => this.clock.setTimeout(r, ARM_RETRY_INTERVAL_MS));
      }
    } finally {
      unsubscribe();
    }
  }

  disarm(options: { force?: boolean } = {}): Promise<Outcome<CommandReport>> {
    return this.command({
      command: MAV_CMD.COMPONENT_ARM_DISARM,
      params: { 1: 0, 2: options.force ? FORCE_MAGIC : 0 },
    });
  }

  /** NAV_TAKEOFF to `altitudeM` above home (ArduPilot: in GUIDED and armed). */
  takeoff(altitudeM: number): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.NAV_TAKEOFF, params: { 7: altitudeM } });
  }

  /** MISSION_START from the first item (ArduPilot switches to AUTO when armed). */
  startMission(): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.MISSION_START, params: { 1: 0, 2: 0 } });
  }

  pause(): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.DO_PAUSE_CONTINUE, params: { 1: 0 } });
  }

  resume(): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.DO_PAUSE_CONTINUE, params: { 1: 1 } });
  }

  returnToLaunch(): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.NAV_RETURN_TO_LAUNCH });
  }

  /** NAV_LAND at the current position. */
  land(): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.NAV_LAND, params: { 5: 0, 6: 0 } });
  }

  /** SET_MESSAGE_INTERVAL: `intervalUs` µs between messages; -1 disables, 0 default rate. */
  setMessageInterval(messageId: number, intervalUs: number): Promise<Outcome<CommandReport>> {
    return this.command({
      command: MAV_CMD.SET_MESSAGE_INTERVAL,
      params: { 1: messageId, 2: intervalUs },
    });
  }

  /** REQUEST_MESSAGE: the vehicle sends `messageId` once. */
  requestMessage(messageId: number, param2 = 0): Promise<Outcome<CommandReport>> {
    return this.command({ command: MAV_CMD.REQUEST_MESSAGE, params: { 1: messageId, 2: param2 } });
  }

  /**
   * Asks for each stream in `ratesHz` (a real ArduPilot streams nothing but HEARTBEAT until
   * asked). Returns the message ids the vehicle refused.
   */
  async requestStreams(
    ratesHz: Readonly<Record<number, number>> = DEFAULT_STREAM_RATES_HZ,
  ): Promise<number[]> {
    const refused: number[] = [];
    for (const [id, hz] of Object.entries(ratesHz)) {
      const o = await this.setMessageInterval(Number(id), Math.round(1e6 / hz));
      if (!o.ok) refused.push(Number(id));
    }
    return refused;
  }

  /** HOME_POSITION via REQUEST_MESSAGE, falling back to GET_HOME_POSITION on older firmware. */
  async getHomePosition(options: { timeoutMs?: number } = {}): Promise<Outcome<HomePosition>> {
    const timeoutMs = options.timeoutMs ?? 3000;
    const wait = waitForMessage({
      endpoint: this.options.endpoint,
      clock: this.clock,
      from: this.options.target,
      what: 'HOME_POSITION',
      timeoutMs,
      match: (f) =>
        f.message instanceof common.HomePosition &&
        (f.message.latitude !== 0 || f.message.longitude !== 0)
          ? f.message
          : undefined,
    });
    let ack = await this.requestMessage(HOME_POSITION_MSG_ID);
    if (!ack.ok && ack.kind === 'unsupported')
      ack = await this.command({ command: MAV_CMD.GET_HOME_POSITION });
    if (!ack.ok) return ack;
    const hp = await wait;
    if (!hp.ok) return hp;
    return succeed({
      position: [hp.value.longitude / 1e7, hp.value.latitude / 1e7],
      altAmslM: hp.value.altitude / 1000,
    });
  }
}
