/**
 * Mission clear (GCS side): MISSION_CLEAR_ALL → MISSION_ACK, resent every ack timeout up to
 * `maxRetries` times.
 *
 * ```
 * idle ──start──▶ awaiting-ack ──ACK──▶ done
 *                  └ timeout: resend CLEAR_ALL … after maxRetries: done(timeout)
 * ```
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import type { MissionType } from '../mission-item';
import { missionResultFailure } from './mission-result';
import { MISSION_TYPE_ID } from './mission-wire';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { isAddressedTo, isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING, OneShotTimer } from './timing';
import type { MissionTiming } from './timing';

export type ClearStateName = 'idle' | 'awaiting-ack' | 'done';

export interface MissionClearOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  target: Target;
  missionType: MissionType;
  timing?: Partial<MissionTiming>;
}

/**
 * One clear transfer. Create, then `run()` once.
 *
 * @example
 * const outcome = await new MissionClear({ endpoint, clock, target, missionType: 'rally' }).run();
 */
export class MissionClear {
  private stateName: ClearStateName = 'idle';
  private readonly timing: MissionTiming;
  private readonly timer: OneShotTimer;
  private retries = 0;
  private unsubscribe: (() => void) | undefined;
  private resolve: ((o: Outcome<{ missionType: MissionType }>) => void) | undefined;

  constructor(private readonly options: MissionClearOptions) {
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
    this.timer = new OneShotTimer(options.clock);
  }

  get state(): ClearStateName {
    return this.stateName;
  }

  run(): Promise<Outcome<{ missionType: MissionType }>> {
    if (this.stateName !== 'idle')
      throw new Error(`MissionClear.run called in state ${this.stateName}, expected idle`);
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.unsubscribe = this.options.endpoint.subscribe((f) => this.onFrame(f));
      this.stateName = 'awaiting-ack';
      this.sendClear();
    });
  }

  private sendClear(): void {
    const msg = new common.MissionClearAll();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    this.options.endpoint.send(msg).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      this.finish(fail('link-down', `sending MISSION_CLEAR_ALL failed: ${reason}`));
    });
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  private onFrame(frame: ReceivedFrame): void {
    if (this.stateName !== 'awaiting-ack' || !isFrom(frame, this.options.target)) return;
    const m = frame.message;
    if (!(m instanceof common.MissionAck)) return;
    if (!isAddressedTo(m, this.options.endpoint)) return;
    if ((m.missionType ?? 0) !== MISSION_TYPE_ID[this.options.missionType]) return;
    if (m.type === common.MavMissionResult.ACCEPTED)
      this.finish(succeed({ missionType: this.options.missionType }));
    else this.finish(missionResultFailure(m.type, `${this.options.missionType} clear`));
  }

  private onTimeout(): void {
    if (this.stateName !== 'awaiting-ack') return;
    if (this.retries < this.timing.maxRetries) {
      this.retries++;
      this.sendClear();
      return;
    }
    this.finish(
      fail(
        'timeout',
        `${this.options.missionType} clear: no MISSION_ACK (${this.timing.maxRetries} retries)`,
      ),
    );
  }

  private finish(outcome: Outcome<{ missionType: MissionType }>): void {
    if (this.stateName === 'done') return;
    this.stateName = 'done';
    this.timer.cancel();
    this.unsubscribe?.();
    this.resolve?.(outcome);
  }
}
