/**
 * Named timing constants. Mission values follow the MAVLink mission protocol and QGroundControl's
 * PlanManager: 1500 ms for a response, 250 ms for a mission item, 5 retries; then the whole
 * transfer restarts up to {@link MISSION_MAX_RESTARTS} times. Command values follow QGC's Vehicle
 * command worker. All durations are in clock milliseconds (the injected {@link Clock}).
 */
import type { Clock, TimerHandle } from '../link/types';

/** Wait for the vehicle's response (MISSION_REQUEST, MISSION_COUNT, MISSION_ACK) before retrying. */
export const MISSION_ACK_TIMEOUT_MS = 1500;
/** Wait for a requested MISSION_ITEM_INT during a download before requesting it again. */
export const MISSION_ITEM_TIMEOUT_MS = 250;
/** Retries of one step before the whole transfer restarts. */
export const MISSION_MAX_RETRIES = 5;
/** Whole-transfer restarts before the transfer ends with `timeout`. */
export const MISSION_MAX_RESTARTS = 2;

/** Wait for COMMAND_ACK before resending with `confirmation + 1`. */
export const COMMAND_ACK_TIMEOUT_MS = 1500;
/** Resends of a COMMAND_LONG / COMMAND_INT after the first send. */
export const COMMAND_MAX_RETRIES = 3;
/** After MAV_RESULT_IN_PROGRESS, wait this long for the next ACK (progress or final). */
export const COMMAND_IN_PROGRESS_TIMEOUT_MS = 10_000;

export interface MissionTiming {
  ackTimeoutMs: number;
  itemTimeoutMs: number;
  maxRetries: number;
  maxRestarts: number;
}

export const DEFAULT_MISSION_TIMING: MissionTiming = {
  ackTimeoutMs: MISSION_ACK_TIMEOUT_MS,
  itemTimeoutMs: MISSION_ITEM_TIMEOUT_MS,
  maxRetries: MISSION_MAX_RETRIES,
  maxRestarts: MISSION_MAX_RESTARTS,
};

export interface CommandTiming {
  ackTimeoutMs: number;
  maxRetries: number;
  inProgressTimeoutMs: number;
}

export const DEFAULT_COMMAND_TIMING: CommandTiming = {
  ackTimeoutMs: COMMAND_ACK_TIMEOUT_MS,
  maxRetries: COMMAND_MAX_RETRIES,
  inProgressTimeoutMs: COMMAND_IN_PROGRESS_TIMEOUT_MS,
};

/**
 * One re-armable timer on an injected clock: arming it again cancels the previous deadline;
 * `close()` cancels it for good (later `arm` calls do nothing).
 *
 * @example
 * const t = new OneShotTimer(clock);
 * t.arm(1500, () => onTimeout());
 * t.close(); // the exchange is over
 */
export class OneShotTimer {
  private handle: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Calls `fn` after `ms` clock milliseconds, replacing any pending deadline; no-op once closed. */
  arm(ms: number, fn: () => void): void {
    this.cancel();
    if (this.closed) return;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** Cancels the pending deadline and refuses every later `arm`. */
  close(): void {
    this.closed = true;
    this.cancel();
  }
}

/**
 * The retry and restart counts of one mission transfer, as QGroundControl's PlanManager keeps
 * them: a step is retried up to `maxRetries` times, then the whole transfer restarts, up to
 * `maxRestarts` times; an answer from the vehicle gives the current step its retries back.
 *
 * @example
 * const budget = new RetryBudget(DEFAULT_MISSION_TIMING);
 * if (budget.retry()) resendStep();
 * else if (budget.restart()) startOver();
 * else giveUp(`no answer ${budget.limits}`); // 'no answer (5 retries, 2 restarts)'
 */
export class RetryBudget {
  /** Retries over the whole transfer, restarts included. */
  retries = 0;
  restarts = 0;
  private stepRetries = 0;

  constructor(private readonly timing: Pick<MissionTiming, 'maxRetries' | 'maxRestarts'>) {}

  /** Counts one retry of the current step; false when the step has used all of its retries. */
  retry(): boolean {
    if (this.stepRetries >= this.timing.maxRetries) return false;
    this.stepRetries++;
    this.retries++;
    return true;
  }

  /** Counts one restart of the whole transfer; false when all restarts are used. */
  restart(): boolean {
    if (this.restarts >= this.timing.maxRestarts) return false;
    this.restarts++;
    this.stepRetries = 0;
    return true;
  }

  /** The vehicle answered: the next step starts with all of its retries. */
  answered(): void {
    this.stepRetries = 0;
  }

  /** The limits for a timeout reason: `(5 retries, 2 restarts)`. */
  get limits(): string {
    return `(${this.timing.maxRetries} retries, ${this.timing.maxRestarts} restarts)`;
  }
}
