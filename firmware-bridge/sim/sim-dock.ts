/**
 * A simulated dock controller: its own MAVLink system speaking the dock dialect. Roof with travel
 * time (IN_PROGRESS acks while it moves), charger that charges the docked {@link SimDrone},
 * weather (wind, rain, temperature) and alarms, DOCK_STATUS and HEARTBEAT at 1 Hz.
 */
import { common, minimal } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import {
  DOCK_ALARM,
  DOCK_CHARGER_STATE,
  DOCK_ROOF_STATE,
  DockStatus,
  MAV_CMD_DOCK,
} from '../dock/dock-messages';
import type { Clock, MavEndpoint, ReceivedFrame, TimerHandle } from '../link/types';
import { MAV_RESULT } from '../protocol/command';
import { isAddressedTo } from '../protocol/target';
import type { SimDrone } from './sim-drone';

const TICK_MS = 200;
/** The dock refuses to open above this wind speed. */
export const DOCK_MAX_WIND_MPS = 12;
const PROGRESS_EVERY_MS = 1000;

export interface Weather {
  windMps: number;
  rain: 0 | 1 | 2;
  temperatureC: number;
}

export interface SimDockOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  /** `[lon, lat]` of the pad. */
  position: [number, number];
  drone?: SimDrone;
  /** Full roof travel time. */
  roofTravelMs?: number;
  /** Battery % per second the charger adds. */
  chargeRatePctPerS?: number;
  weather?: Partial<Weather>;
}

interface PendingRoof {
  target: 'open' | 'closed';
  command: number;
  from: { systemId: number; componentId: number };
  lastProgressMs: number;
}

/**
 * @example
 * const dock = new SimDock({ endpoint, clock, position: [119.9, 30.3], drone });
 * dock.setWeather({ windMps: 15 }); // opening is now DENIED
 */
export class SimDock {
  roof: 'closed' | 'opening' | 'open' | 'closing' | 'fault' = 'closed';
  roofPositionPct = 0;
  charger: 'idle' | 'charging' | 'full' | 'fault' = 'idle';
  weather: Weather;
  private readonly roofTravelMs: number;
  private readonly chargeRatePctPerS: number;
  private pending: PendingRoof | undefined;
  private readonly bootMs: number;
  private nextStatusMs: number;
  private timer: TimerHandle | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Commands received (tests read confirmations here). */
  readonly commandsReceived: { command: number; confirmation: number }[] = [];

  constructor(private readonly options: SimDockOptions) {
    this.roofTravelMs = options.roofTravelMs ?? 20_000;
    this.chargeRatePctPerS = options.chargeRatePctPerS ?? 0.5;
    this.weather = { windMps: 3, rain: 0, temperatureC: 18, ...options.weather };
    this.bootMs = options.clock.now();
    this.nextStatusMs = this.bootMs;
    this.unsubscribe = options.endpoint.subscribe((f) => this.onFrame(f));
    this.tick();
  }

  get systemId(): number {
    return this.options.endpoint.systemId;
  }

  setWeather(weather: Partial<Weather>): void {
    this.weather = { ...this.weather, ...weather };
  }

  /** The roof jams where it is (cleared by MAV_CMD_DOCK_RESET). */
  injectRoofFault(): void {
    this.roof = 'fault';
    if (this.pending) {
      this.ack(this.pending.from, this.pending.command, MAV_RESULT.FAILED);
      this.pending = undefined;
    }
  }

  get dronePresent(): boolean {
    const d = this.options.drone;
    if (!d || !d.landed) return false;
    const lat = (this.options.position[1] * Math.PI) / 180;
    const dx = (d.position[0] - this.options.position[0]) * 111_320 * Math.cos(lat);
    const dy = (d.position[1] - this.options.position[1]) * 110_540;
    return Math.hypot(dx, dy) < 5;
  }

  get alarms(): number {
    let a = 0;
    if (this.roof === 'fault') a |= DOCK_ALARM.ROOF_FAULT;
    if (this.charger === 'fault') a |= DOCK_ALARM.CHARGER_FAULT;
    if (this.weather.windMps > DOCK_MAX_WIND_MPS) a |= DOCK_ALARM.HIGH_WIND;
    if (this.weather.rain > 0) a |= DOCK_ALARM.RAIN;
    if (this.weather.temperatureC < -20 || this.weather.temperatureC > 50)
      a |= DOCK_ALARM.TEMPERATURE;
    return a;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
  }

  private send(m: MavLinkData): void {
    this.options.endpoint.send(m).catch((err: unknown) => {
      process.emitWarning(
        `sim dock ${this.systemId}: send failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  private ack(
    to: { systemId: number; componentId: number },
    command: number,
    result: number,
    progress = 0,
  ): void {
    const a = new common.CommandAck();
    a.command = command;
    a.result = result;
    a.progress = progress;
    a.resultParam2 = 0;
    a.targetSystem = to.systemId;
    a.targetComponent = to.componentId;
    this.send(a);
  }

  private text(severity: number, text: string): void {
    const m = new common.StatusText();
    m.severity = severity;
    m.text = text.slice(0, 50);
    m.id = 0;
    m.chunkSeq = 0;
    this.send(m);
  }

  private onFrame(frame: ReceivedFrame): void {
    const m = frame.message;
    if (!(m instanceof common.CommandLong) || !isAddressedTo(m, this.options.endpoint)) return;
    const from = { systemId: frame.systemId, componentId: frame.componentId };
    this.commandsReceived.push({ command: m.command, confirmation: m.confirmation });
    switch (m.command as number) {
      case MAV_CMD_DOCK.SET_ROOF:
        return this.onRoof(from, m._param1 >= 0.5 ? 'open' : 'closed');
      case MAV_CMD_DOCK.SET_CHARGER:
        if (m._param1 >= 0.5) {
          if (!this.dronePresent || this.roof !== 'closed') {
            this.text(4, 'Charger: needs drone on pad and roof closed');
            return this.ack(from, m.command, MAV_RESULT.DENIED);
          }
          if (this.charger === 'fault') return this.ack(from, m.command, MAV_RESULT.FAILED);
          this.charger = 'charging';
        } else if (this.charger !== 'fault') this.charger = 'idle';
        return this.ack(from, m.command, MAV_RESULT.ACCEPTED);
      case MAV_CMD_DOCK.RESET:
        if (this.roof === 'fault') this.roof = this.roofPositionPct >= 100 ? 'open' : 'closed';
        if (this.roof === 'closed') this.roofPositionPct = 0;
        if (this.charger === 'fault') this.charger = 'idle';
        return this.ack(from, m.command, MAV_RESULT.ACCEPTED);
      default:
        return this.ack(from, m.command, MAV_RESULT.UNSUPPORTED);
    }
  }

  private onRoof(from: { systemId: number; componentId: number }, target: 'open' | 'closed'): void {
    const cmd = MAV_CMD_DOCK.SET_ROOF;
    if (this.roof === 'fault') return this.ack(from, cmd, MAV_RESULT.FAILED);
    if (this.pending?.target === target)
      return this.ack(from, cmd, MAV_RESULT.IN_PROGRESS, Math.round(this.progressPct(target)));
    if (this.roof === target) return this.ack(from, cmd, MAV_RESULT.ACCEPTED);
    if (
      target === 'open' &&
      (this.weather.windMps > DOCK_MAX_WIND_MPS || this.weather.rain === 2)
    ) {
      this.text(
        4,
        `Roof: not opening (wind ${this.weather.windMps.toFixed(1)} m/s, rain ${this.weather.rain})`,
      );
      return this.ack(from, cmd, MAV_RESULT.DENIED);
    }
    if (target === 'open' && this.charger === 'charging') this.charger = 'idle';
    if (this.pending) this.ack(this.pending.from, cmd, MAV_RESULT.CANCELLED);
    this.pending = { target, command: cmd, from, lastProgressMs: this.options.clock.now() };
    this.roof = target === 'open' ? 'opening' : 'closing';
    this.ack(from, cmd, MAV_RESULT.IN_PROGRESS, Math.round(this.progressPct(target)));
  }

  private progressPct(target: 'open' | 'closed'): number {
    return target === 'open' ? this.roofPositionPct : 100 - this.roofPositionPct;
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.options.clock.now();
    const dtS = TICK_MS / 1000;
    if (this.roof === 'opening' || this.roof === 'closing') {
      const step = (TICK_MS / this.roofTravelMs) * 100;
      this.roofPositionPct = Math.max(
        0,
        Math.min(100, this.roofPositionPct + (this.roof === 'opening' ? step : -step)),
      );
      const done =
        this.roof === 'opening' ? this.roofPositionPct >= 100 : this.roofPositionPct <= 0;
      const p = this.pending;
      if (done) {
        this.roof = this.roof === 'opening' ? 'open' : 'closed';
        if (p) this.ack(p.from, p.command, MAV_RESULT.ACCEPTED);
        this.pending = undefined;
      } else if (p && now - p.lastProgressMs >= PROGRESS_EVERY_MS) {
        p.lastProgressMs = now;
        this.ack(p.from, p.command, MAV_RESULT.IN_PROGRESS, Math.round(this.progressPct(p.target)));
      }
    }
    const drone = this.options.drone;
    if (this.charger === 'charging' || this.charger === 'full') {
      if (!drone || !this.dronePresent) this.charger = 'idle';
      else {
        drone.charge(this.chargeRatePctPerS * dtS);
        this.charger = drone.batteryPct >= 100 ? 'full' : 'charging';
      }
    }
    if (now >= this.nextStatusMs) {
      this.nextStatusMs += 1000;
      this.sendHeartbeat();
      this.sendStatus(now);
    }
    this.timer = this.options.clock.setTimeout(() => this.tick(), TICK_MS);
  }

  private sendHeartbeat(): void {
    const h = new minimal.Heartbeat();
    h.type = 0; // MAV_TYPE_GENERIC
    h.autopilot = 8; // MAV_AUTOPILOT_INVALID: not a flight controller
    h.baseMode = 0 as minimal.MavModeFlag;
    h.customMode = 0;
    h.systemStatus = this.roof === 'fault' ? 5 : 4;
    h.mavlinkVersion = 3;
    this.send(h);
  }

  private sendStatus(now: number): void {
    const s = new DockStatus();
    const drone = this.options.drone;
    s.timeBootMs = Math.round(now - this.bootMs) >>> 0;
    s.alarms = this.alarms;
    s.windSpeed = this.weather.windMps;
    s.temperature = this.weather.temperatureC;
    s.roofState = DOCK_ROOF_STATE[this.roof.toUpperCase() as keyof typeof DOCK_ROOF_STATE];
    s.roofPosition = Math.round(this.roofPositionPct);
    s.chargerState =
      DOCK_CHARGER_STATE[this.charger.toUpperCase() as keyof typeof DOCK_CHARGER_STATE];
    s.dronePresent = this.dronePresent ? 1 : 0;
    s.droneSystemId = drone?.systemId ?? 0;
    s.droneBatteryRemaining = drone && this.dronePresent ? Math.round(drone.batteryPct) : -1;
    s.rain = this.weather.rain;
    this.send(s);
  }
}
