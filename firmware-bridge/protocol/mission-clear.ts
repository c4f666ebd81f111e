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
import { MISSION_TYPE_ID, isMissionReplyTo } from './mission-wire';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { ProtocolExchange } from './protocol-exchange';
import { isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING } from './timing';
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
export class MissionClear extends ProtocolExchange<ClearStateName, { missionType: MissionType }> {
  private readonly timing: MissionTiming;
  private retries = 0;

  constructor(private readonly options: MissionClearOptions) {
    super(options);
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
  }

  run(): Promise<Outcome<{ missionType: MissionType }>> {
    // MissionClearOptions has no signal, so this cannot be cancelled before start.
    return this.start('clear cancelled before start', () => {
      this.stateName = 'awaiting-ack';
      this.sendClear();
    });
  }

  protected onCancel(): void {
    this.finish(fail('cancelled', `${this.options.missionType} clear cancelled`));
  }

  private sendClear(): void {
    const msg = new common.MissionClearAll();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    this.send(msg, 'MISSION_CLEAR_ALL');
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  protected onFrame(frame: ReceivedFrame): void {
    if (this.stateName !== 'awaiting-ack' || !isFrom(frame, this.options.target)) return;
    const m = frame.message;
    if (!(m instanceof common.MissionAck)) return;
    if (!isMissionReplyTo(m, this.options.endpoint, this.options.missionType)) return;
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
}
