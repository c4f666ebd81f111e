/**
 * The command protocol (GCS side): COMMAND_LONG or COMMAND_INT → COMMAND_ACK, as an explicit
 * state machine on an injected clock.
 *
 * ```
 * idle ──start──▶ awaiting-ack ──ACK(final)──▶ done
 *                  │ timeout: resend (COMMAND_LONG: confirmation + 1) … after maxRetries: done(timeout)
 *                  └ ACK(IN_PROGRESS) ──▶ in-progress ──ACK(IN_PROGRESS): progress, timer extended
 *                                          └ ACK(final) ──▶ done;  timeout ──▶ done(timeout)
 * ```
 * Every MAV_RESULT maps to a typed outcome (see {@link mavResultOutcome}). A vehicle that
 * answers MAV_RESULT_COMMAND_INT_ONLY / COMMAND_LONG_ONLY gets the command again in the other form.
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { ProtocolExchange } from './protocol-exchange';
import { isAddressedTo, isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_COMMAND_TIMING } from './timing';
import type { CommandTiming } from './timing';

/** MAV_RESULT values, including those newer than mavlink-mappings 1.0.0. */
export const MAV_RESULT = {
  ACCEPTED: 0,
  TEMPORARILY_REJECTED: 1,
  DENIED: 2,
  UNSUPPORTED: 3,
  FAILED: 4,
  IN_PROGRESS: 5,
  CANCELLED: 6,
  COMMAND_LONG_ONLY: 7,
  COMMAND_INT_ONLY: 8,
  COMMAND_UNSUPPORTED_MAV_FRAME: 9,
} as const;

const RESULT_NAMES = Object.fromEntries(
  Object.entries(MAV_RESULT).map(([k, v]) => [v, k]),
) as Record<number, string>;

/** A command as the caller states it. Params default to 0; NaN means "unchanged" where the spec says so. */
export interface CommandRequest {
  /** MAV_CMD id. */
  command: number;
  params?: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, number>>;
  /** `long` (default) sends COMMAND_LONG; `int` sends COMMAND_INT (x/y as degE7 from params 5/6, frame). */
  kind?: 'long' | 'int';
  /** MAV_FRAME for COMMAND_INT; default 6 = GLOBAL_RELATIVE_ALT_INT. */
  frame?: number;
}

export interface CommandReport {
  command: number;
  /** Sends, first included. */
  attempts: number;
  /** The confirmation value of the last COMMAND_LONG sent (0 on the first send). */
  lastConfirmation: number;
  /** Progress values (0–100) reported with IN_PROGRESS, in order. */
  progress: number[];
  /** result_param2 of the final ACK (command-specific). */
  resultParam2: number;
  elapsedMs: number;
}

export type CommandStateName = 'idle' | 'awaiting-ack' | 'in-progress' | 'done';

export interface CommandOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  target: Target;
  request: CommandRequest;
  timing?: Partial<CommandTiming>;
  signal?: AbortSignal;
  /** Called for each IN_PROGRESS ack; `progressPct` is undefined when the vehicle sends 255 (unknown). */
  onProgress?: (progressPct: number | undefined) => void;
}

/**
 * Maps a final MAV_RESULT to an outcome: ACCEPTED → success; TEMPORARILY_REJECTED → `busy`;
 * DENIED → `denied`; UNSUPPORTED, COMMAND_*_ONLY, COMMAND_UNSUPPORTED_MAV_FRAME → `unsupported`;
 * FAILED → `rejected`; CANCELLED → `cancelled`; unknown → `protocol-error`. IN_PROGRESS is not
 * final and is handled by the state machine.
 *
 * @example
 * mavResultOutcome(2, 'MAV_CMD 400'); // { ok: false, kind: 'denied', … }
 */
export function mavResultOutcome(result: number, what: string): Outcome<null> {
  const name = RESULT_NAMES[result] ?? `result ${result}`;
  const reason = `${what}: vehicle answered MAV_RESULT_${name}`;
  switch (result) {
    case MAV_RESULT.ACCEPTED:
      return succeed(null);
    case MAV_RESULT.TEMPORARILY_REJECTED:
      return fail('busy', reason, result);
    case MAV_RESULT.DENIED:
      return fail('denied', reason, result);
    case MAV_RESULT.UNSUPPORTED:
    case MAV_RESULT.COMMAND_LONG_ONLY:
    case MAV_RESULT.COMMAND_INT_ONLY:
    case MAV_RESULT.COMMAND_UNSUPPORTED_MAV_FRAME:
      return fail('unsupported', reason, result);
    case MAV_RESULT.FAILED:
      return fail('rejected', reason, result);
    case MAV_RESULT.CANCELLED:
      return fail('cancelled', reason, result);
    default:
      return fail('protocol-error', reason, result);
  }
}

/**
 * One command exchange. Create, then `run()` once.
 *
 * @example
 * const outcome = await new CommandExchange({ endpoint, clock, target, request: { command: 400, params: { 1: 1 } } }).run();
 */
export class CommandExchange extends ProtocolExchange<CommandStateName, CommandReport> {
  private readonly timing: CommandTiming;
  private kind: 'long' | 'int';
  private attempts = 0;
  private confirmation = 0;
  private switchedKind = false;
  private readonly progress: number[] = [];

  constructor(private readonly options: CommandOptions) {
    super(options);
    this.timing = { ...DEFAULT_COMMAND_TIMING, ...options.timing };
    this.kind = options.request.kind ?? 'long';
  }

  private get label(): string {
    return `MAV_CMD ${this.options.request.command}`;
  }

  run(): Promise<Outcome<CommandReport>> {
    return this.start(`${this.label} cancelled before sending`, () => {
      this.stateName = 'awaiting-ack';
      this.sendCommand();
    });
  }

  protected onCancel(): void {
    this.finish(fail('cancelled', `${this.label} cancelled`));
  }

  private sendCommand(): void {
    const { target, request } = this.options;
    const p = (i: 1 | 2 | 3 | 4 | 5 | 6 | 7): number => request.params?.[i] ?? 0;
    let msg: common.CommandLong | common.CommandInt;
    if (this.kind === 'long') {
      const m = new common.CommandLong();
      m.targetSystem = target.systemId;
      m.targetComponent = target.componentId;
      m.command = request.command;
      m.confirmation = this.confirmation;
      m._param1 = p(1);
      m._param2 = p(2);
      m._param3 = p(3);
      m._param4 = p(4);
      m._param5 = p(5);
      m._param6 = p(6);
      m._param7 = p(7);
      msg = m;
    } else {
      const m = new common.CommandInt();
      m.targetSystem = target.systemId;
      m.targetComponent = target.componentId;
      m.command = request.command;
      m.frame = request.frame ?? 6;
      m.current = 0;
      m.autocontinue = 0;
      m._param1 = p(1);
      m._param2 = p(2);
      m._param3 = p(3);
      m._param4 = p(4);
      m._param5 = Math.round(p(5) * 1e7);
      m._param6 = Math.round(p(6) * 1e7);
      m._param7 = p(7);
      msg = m;
    }
    this.attempts++;
    this.send(msg, this.label);
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  protected onFrame(frame: ReceivedFrame): void {
    if (this.stateName !== 'awaiting-ack' && this.stateName !== 'in-progress') return;
    if (!isFrom(frame, this.options.target)) return;
    const m = frame.message;
    if (!(m instanceof common.CommandAck) || m.command !== this.options.request.command) return;
    // target fields are extensions: a vehicle that omits them sends 0 (broadcast).
    if (!isAddressedTo(m, this.options.endpoint)) return;
    const result = m.result as number;
    if (result === MAV_RESULT.IN_PROGRESS) {
      this.stateName = 'in-progress';
      const pct = m.progress;
      const known = typeof pct === 'number' && pct <= 100 ? pct : undefined;
      if (known !== undefined) this.progress.push(known);
      this.options.onProgress?.(known);
      this.timer.arm(this.timing.inProgressTimeoutMs, () => this.onTimeout());
      return;
    }
    if (
      !this.switchedKind &&
      (result === MAV_RESULT.COMMAND_INT_ONLY || result === MAV_RESULT.COMMAND_LONG_ONLY)
    ) {
      this.switchedKind = true;
      this.kind = result === MAV_RESULT.COMMAND_INT_ONLY ? 'int' : 'long';
      this.confirmation = 0;
      this.sendCommand();
      return;
    }
    const outcome = mavResultOutcome(result, this.label);
    if (!outcome.ok) return this.finish(outcome);
    this.finish(
      succeed({
        command: this.options.request.command,
        attempts: this.attempts,
        lastConfirmation: this.confirmation,
        progress: this.progress,
        resultParam2: m.resultParam2 ?? 0,
        elapsedMs: this.elapsedMs,
      }),
    );
  }

  private onTimeout(): void {
    if (this.stateName === 'in-progress') {
      this.finish(
        fail(
          'timeout',
          `${this.label}: no result ${this.timing.inProgressTimeoutMs} ms after IN_PROGRESS`,
        ),
      );
      return;
    }
    if (this.stateName !== 'awaiting-ack') return;
    if (this.attempts <= this.timing.maxRetries) {
      if (this.kind === 'long') this.confirmation = Math.min(255, this.confirmation + 1);
      this.sendCommand();
      return;
    }
    this.finish(fail('timeout', `${this.label}: no COMMAND_ACK after ${this.attempts} sends`));
  }
}

/**
 * Sends one command and resolves with its outcome.
 *
 * @example
 * const outcome = await sendCommand({ endpoint, clock, target, request: { command: 20 } }); // RTL
 */
export function sendCommand(options: CommandOptions): Promise<Outcome<CommandReport>> {
  return new CommandExchange(options).run();
}
