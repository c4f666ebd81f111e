/**
 * Mission download (GCS side) as an explicit state machine on an injected clock.
 *
 * ```
 * idle ──start──▶ awaiting-count ──COUNT(n>0)──▶ receiving-items ──ITEM(n-1)──▶ done (send ACK)
 *                  │ timeout: resend REQUEST_LIST  │ item timeout: resend REQUEST_INT(seq)
 *                  └── after maxRetries: restart (REQUEST_LIST again) … after maxRestarts: done(timeout)
 * ```
 * Items are requested one at a time with MISSION_REQUEST_INT; MISSION_ITEM (float) answers are
 * accepted too. Duplicate items (seq already held) are ignored; an item beyond the one requested
 * is a protocol error; an error ACK from the vehicle ends the transfer.
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import type { MissionItem, MissionType } from '../mission-item';
import { missionResultFailure } from './mission-result';
import {
  MISSION_TYPE_ID,
  fromMissionItem,
  isMissionReplyTo,
  missionAck,
  missionRequestList,
} from './mission-wire';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { ProtocolExchange } from './protocol-exchange';
import { isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING, RetryBudget } from './timing';
import type { MissionTiming } from './timing';

export type DownloadStateName = 'idle' | 'awaiting-count' | 'receiving-items' | 'done';

export interface DownloadReport {
  missionType: MissionType;
  items: MissionItem[];
  /** Plan id from MISSION_COUNT; 0 when the vehicle has none. */
  opaqueId: number;
  retries: number;
  restarts: number;
  elapsedMs: number;
}

export interface MissionDownloadOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  target: Target;
  missionType: MissionType;
  timing?: Partial<MissionTiming>;
  signal?: AbortSignal;
  onProgress?: (progress: { received: number; total: number }) => void;
}

/**
 * One download transfer. Create, then `run()` once.
 *
 * @example
 * const outcome = await new MissionDownload({ endpoint, clock, target, missionType: 'fence' }).run();
 */
export class MissionDownload extends ProtocolExchange<DownloadStateName, DownloadReport> {
  private readonly timing: MissionTiming;
  private readonly budget: RetryBudget;
  private items: MissionItem[] = [];
  private count = 0;
  private opaqueId = 0;

  constructor(private readonly options: MissionDownloadOptions) {
    super(options);
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
    this.budget = new RetryBudget(this.timing);
  }

  run(): Promise<Outcome<DownloadReport>> {
    return this.start('download cancelled before start', () => this.requestList());
  }

  protected onCancel(): void {
    if (this.stateName === 'receiving-items')
      this.sendAck(common.MavMissionResult.OPERATION_CANCELLED);
    this.finish(fail('cancelled', 'download cancelled'));
  }

  private requestList(): void {
    this.stateName = 'awaiting-count';
    this.send(missionRequestList(this.options.target, this.options.missionType));
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  private requestItem(seq: number): void {
    const msg = new common.MissionRequestInt();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.seq = seq;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    this.send(msg);
    this.timer.arm(this.timing.itemTimeoutMs, () => this.onTimeout());
  }

  private sendAck(result: number): void {
    this.send(missionAck(this.options.target, this.options.missionType, result));
  }

  protected onFrame(frame: ReceivedFrame): void {
    if (this.stateName === 'done' || this.stateName === 'idle') return;
    if (!isFrom(frame, this.options.target)) return;
    const m = frame.message;
    const { endpoint, missionType } = this.options;
    if (m instanceof common.MissionCount) {
      if (!isMissionReplyTo(m, endpoint, missionType)) return;
      if (this.stateName !== 'awaiting-count') return; // duplicate COUNT
      this.count = m.count;
      this.opaqueId = m.opaqueId ?? 0;
      this.items = [];
      this.budget.answered();
      if (m.count === 0) {
        this.sendAck(common.MavMissionResult.ACCEPTED);
        this.finishSuccess();
        return;
      }
      this.stateName = 'receiving-items';
      this.requestItem(0);
      return;
    }
    const got = fromMissionItem(m);
    if (got) {
      if (got.missionType !== MISSION_TYPE_ID[missionType] || this.stateName !== 'receiving-items')
        return;
      const expected = this.items.length;
      if (got.seq < expected) return; // duplicate of an item we hold
      if (got.seq > expected) {
        this.sendAck(common.MavMissionResult.INVALID_SEQUENCE);
        this.finish(
          fail(
            'protocol-error',
            `vehicle sent item ${got.seq} when item ${expected} was requested`,
          ),
        );
        return;
      }
      this.items.push(got.item);
      this.budget.answered();
      this.options.onProgress?.({ received: this.items.length, total: this.count });
      if (this.items.length === this.count) {
        this.sendAck(common.MavMissionResult.ACCEPTED);
        this.finishSuccess();
      } else this.requestItem(this.items.length);
      return;
    }
    if (m instanceof common.MissionAck) {
      if (!isMissionReplyTo(m, endpoint, missionType)) return;
      if (m.type === common.MavMissionResult.ACCEPTED) return; // not meaningful while downloading
      this.finish(missionResultFailure(m.type, `${missionType} download`));
    }
  }

  private onTimeout(): void {
    if (this.stateName === 'done') return;
    if (this.budget.retry()) {
      if (this.stateName === 'awaiting-count') this.requestList();
      else this.requestItem(this.items.length);
      return;
    }
    if (this.budget.restart()) {
      this.requestList();
      return;
    }
    const where =
      this.stateName === 'awaiting-count'
        ? 'no MISSION_COUNT after MISSION_REQUEST_LIST'
        : `no item ${this.items.length} of ${this.count}`;
    this.finish(
      fail('timeout', `${this.options.missionType} download: ${where} ${this.budget.limits}`),
    );
  }

  private finishSuccess(): void {
    this.finish(
      succeed({
        missionType: this.options.missionType,
        items: this.items,
        opaqueId: this.opaqueId,
        retries: this.budget.retries,
        restarts: this.budget.restarts,
        elapsedMs: this.elapsedMs,
      }),
    );
  }
}
