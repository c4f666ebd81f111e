/**
 * Client for one dock controller: its state stream (DOCK_STATUS, declared stale after
 * {@link DOCK_STALE_AFTER_MS} without one) and its commands (roof, charger, reset) over the
 * command protocol: ack / IN_PROGRESS / timeout / retry with `confirmation` + 1.
 *
 * ```
 * unknown ──DOCK_STATUS──▶ live ──no status for 3.5 s──▶ stale ──DOCK_STATUS──▶ live
 * ```
 */
import type { Clock, MavEndpoint, ReceivedFrame, TimerHandle } from '../link/types';
import { systemClock } from '../link/types';
import { CommandExchange } from '../protocol/command';
import type { CommandReport } from '../protocol/command';
import type { Outcome } from '../protocol/outcome';
import type { CommandTiming } from '../protocol/timing';
import { DockStatus, MAV_CMD_DOCK, dockStateFrom } from './dock-messages';
import type { DockState } from './dock-messages';

/** A dock that sent no DOCK_STATUS for this long is stale (as a vehicle is lost after 3.5 s). */
export const DOCK_STALE_AFTER_MS = 3500;
/** Roof travel can take a while: wait this long after each IN_PROGRESS. */
export const DOCK_IN_PROGRESS_TIMEOUT_MS = 15_000;

export type DockLiveness = 'unknown' | 'live' | 'stale';

export interface DockEvent {
  liveness: DockLiveness;
  state: DockState | undefined;
}

export interface DockControllerOptions {
  endpoint: MavEndpoint;
  dockSystemId: number;
  /** Default 1. */
  dockComponentId?: number;
  clock?: Clock;
  timing?: Partial<CommandTiming>;
}

/**
 * @example
 * const dock = new DockController({ endpoint, dockSystemId: 101 });
 * dock.onEvent((e) => console.log(e.liveness, e.state?.roof));
 * const o = await dock.openRoof({ onProgress: (pct) => console.log(pct) });
 */
export class DockController {
  private latest: DockState | undefined;
  private livenessValue: DockLiveness = 'unknown';
  private staleTimer: TimerHandle | undefined;
  private readonly listeners = new Set<(e: DockEvent) => void>();
  private readonly clock: Clock;
  private readonly unsubscribe: () => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DockControllerOptions) {
    this.clock = options.clock ?? systemClock;
    this.unsubscribe = options.endpoint.subscribe((f) => this.onFrame(f));
  }

  get state(): DockState | undefined {
    return this.latest;
  }

  get liveness(): DockLiveness {
    return this.livenessValue;
  }

  /** State and liveness changes. Returns the unsubscribe function. */
  onEvent(listener: (e: DockEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    if (this.staleTimer !== undefined) this.clock.clearTimeout(this.staleTimer);
  }

  openRoof(
    extra: { onProgress?: (pct: number | undefined) => void } = {},
  ): Promise<Outcome<CommandReport>> {
    return this.command(MAV_CMD_DOCK.SET_ROOF, 1, extra.onProgress);
  }

  closeRoof(
    extra: { onProgress?: (pct: number | undefined) => void } = {},
  ): Promise<Outcome<CommandReport>> {
    return this.command(MAV_CMD_DOCK.SET_ROOF, 0, extra.onProgress);
  }

  startCharging(): Promise<Outcome<CommandReport>> {
    return this.command(MAV_CMD_DOCK.SET_CHARGER, 1);
  }

  stopCharging(): Promise<Outcome<CommandReport>> {
    return this.command(MAV_CMD_DOCK.SET_CHARGER, 0);
  }

  reset(): Promise<Outcome<CommandReport>> {
    return this.command(MAV_CMD_DOCK.RESET, 0);
  }

  private command(
    command: number,
    param1: number,
    onProgress?: (pct: number | undefined) => void,
  ): Promise<Outcome<CommandReport>> {
    const run = (): Promise<Outcome<CommandReport>> =>
      new CommandExchange({
        endpoint: this.options.endpoint,
        clock: this.clock,
        target: {
          systemId: this.options.dockSystemId,
          componentId: this.options.dockComponentId ?? 1,
        },
        request: { command, params: { 1: param1 } },
        timing: { inProgressTimeoutMs: DOCK_IN_PROGRESS_TIMEOUT_MS, ...this.options.timing },
        ...(onProgress ? { onProgress } : {}),
      }).run();
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  private onFrame(frame: ReceivedFrame): void {
    if (frame.systemId !== this.options.dockSystemId || !(frame.message instanceof DockStatus))
      return;
    this.latest = dockStateFrom(frame.systemId, frame.message);
    this.livenessValue = 'live';
    if (this.staleTimer !== undefined) this.clock.clearTimeout(this.staleTimer);
    this.staleTimer = this.clock.setTimeout(() => {
      this.livenessValue = 'stale';
      this.emit();
    }, DOCK_STALE_AFTER_MS);
    this.emit();
  }

  private emit(): void {
    const e = { liveness: this.livenessValue, state: this.latest };
    for (const l of this.listeners) l(e);
  }
}
