/**
 * Mission upload (GCS side) as an explicit state machine on an injected clock.
 *
 * ```
 * idle ──start──▶ awaiting-first-request ──REQUEST(0)──▶ sending-items ──REQUEST(last)──▶ awaiting-ack ──ACK──▶ done
 *                  │ timeout: resend COUNT            │ timeout: resend last item       │ 1st timeout: resend last item
 *                  │                                  │                                 │ ERROR to that resend, or 2nd timeout
 *                  │                                  │                                 ▼
 *                  │                                  │                      confirming: REQUEST_LIST ──COUNT = ours──▶ done (read-back)
 *                  │                                  │                                 └── COUNT ≠ ours: restart
 *                  └── after maxRetries: restart (send COUNT again) … after maxRestarts: done(timeout)
 * ```
 * - MISSION_REQUEST (float, what ArduPilot sends) and MISSION_REQUEST_INT are both answered with
 *   MISSION_ITEM_INT (the spec allows it and ArduPilot accepts it).
 * - A request for an item sent less than one round trip ago is a duplicate: answered once.
 * - MISSION_ACK INVALID_SEQUENCE is what ArduPilot answers to an item it did not request (a
 *   duplicate); the transfer goes on, so it is counted and ignored.
 * - An ACCEPTED ack before the first request is stale (an earlier transfer's, or a spurious one
 *   from an idle vehicle) and ignored; an error ack at any point ends the transfer.
 * - An ACCEPTED ack before every item was requested is a protocol error (the vehicle may hold a
 *   partial mission; verify by download).
 * - Lost final ACK (as QGroundControl resolves it): the last item is sent once more. A textbook
 *   vehicle acknowledges again; a vehicle that never got the item requests it again; ArduPilot,
 *   which has already finished, answers MISSION_ACK ERROR ("not receiving", GCS_Common.cpp) or
 *   nothing. That ERROR, or a second silent timeout, starts a read-back: MISSION_REQUEST_LIST,
 *   and a MISSION_COUNT equal to ours (with its plan id, when the vehicle has them) confirms the
 *   transfer was accepted — it is not restarted. A different count means the vehicle did not
 *   take it: the transfer restarts. `acceptedBy: 'read-back'` tells the caller to verify (the
 *   `MissionClient` downloads and compares, since ArduPilot has no plan id).
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import type { MissionItem, MissionType } from '../mission-item';
import {
  MISSION_TYPE_ID,
  isMissionReplyTo,
  missionAck,
  missionRequestList,
  toMissionItemInt,
} from './mission-wire';
import { fail, succeed } from './outcome';
import type { Outcome } from './outcome';
import { ProtocolExchange } from './protocol-exchange';
import { isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING, RetryBudget } from './timing';
import type { MissionTiming } from './timing';
import { missionResultFailure } from './mission-result';

export type UploadStateName =
  'idle' | 'awaiting-first-request' | 'sending-items' | 'awaiting-ack' | 'confirming' | 'done';

export interface UploadReport {
  missionType: MissionType;
  count: number;
  /** Plan id from the final MISSION_ACK (or the read-back COUNT); 0 when the vehicle has none (ArduPilot). */
  opaqueId: number;
  /**
   * `ack`: the final MISSION_ACK arrived. `read-back`: it was lost, and MISSION_COUNT read back
   * from the vehicle equals ours (count only: verify the contents).
   */
  acceptedBy: 'ack' | 'read-back';
  /** MISSION_ITEM_INT frames sent, retries included. */
  itemSends: number;
  /** Item sends beyond the first per sequence number (retries after loss). */
  duplicateItemSends: number;
  /** Requests ignored because the same item went out less than one round trip ago. */
  duplicateRequestsIgnored: number;
  /** MISSION_ACK INVALID_SEQUENCE answers to duplicate items (ArduPilot), ignored. */
  invalidSequenceAcks: number;
  retries: number;
  restarts: number;
  elapsedMs: number;
}

export interface UploadProgress {
  /** Items requested by the vehicle so far (distinct). */
  sent: number;
  total: number;
}

export interface MissionUploadOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  target: Target;
  missionType: MissionType;
  items: readonly MissionItem[];
  timing?: Partial<MissionTiming>;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

/** Duplicate window = this factor times the smoothed round trip. */
const DUPLICATE_WINDOW_FACTOR = 1.0;

/**
 * One upload transfer. Create, then `run()` once.
 *
 * @example
 * const outcome = await new MissionUpload({ endpoint, clock, target, missionType: 'mission', items }).run();
 */
export class MissionUpload extends ProtocolExchange<UploadStateName, UploadReport> {
  private readonly timing: MissionTiming;
  private readonly budget: RetryBudget;
  private readonly sentAtMs = new Map<number, number>();
  private readonly everSent = new Set<number>();
  /** Not cleared on restart: counts every re-send of a sequence number over the whole upload. */
  private readonly sentOnce = new Set<number>();
  private lastSentSeq = -1;
  /** The last item went out again while waiting for the final ACK (a lost ACK is suspected). */
  private finalItemResent = false;
  /** Timeouts in awaiting-ack since the last item was first sent. */
  private ackTimeouts = 0;
  private countSentAtMs = 0;
  private srttMs: number | undefined;
  private itemSends = 0;
  private duplicateItemSends = 0;
  private duplicateRequestsIgnored = 0;
  private invalidSequenceAcks = 0;

  constructor(private readonly options: MissionUploadOptions) {
    super(options);
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
    this.budget = new RetryBudget(this.timing);
  }

  run(): Promise<Outcome<UploadReport>> {
    return this.start('upload cancelled before start', () => this.sendCount());
  }

  protected onCancel(): void {
    this.sendAck(common.MavMissionResult.OPERATION_CANCELLED);
    this.finish(fail('cancelled', 'upload cancelled'));
  }

  private sendCount(): void {
    const { items, target, missionType } = this.options;
    const msg = new common.MissionCount();
    msg.targetSystem = target.systemId;
    msg.targetComponent = target.componentId;
    msg.count = items.length;
    msg.missionType = MISSION_TYPE_ID[missionType];
    this.countSentAtMs = this.options.clock.now();
    this.stateName = items.length === 0 ? 'awaiting-ack' : 'awaiting-first-request';
    this.send(msg);
    this.armTimer();
  }

  private sendItem(seq: number): void {
    const { items, target, missionType } = this.options;
    const item = items[seq];
    if (!item) return;
    this.itemSends++;
    if (this.sentOnce.has(seq)) this.duplicateItemSends++;
    this.sentOnce.add(seq);
    this.everSent.add(seq);
    this.sentAtMs.set(seq, this.options.clock.now());
    this.lastSentSeq = seq;
    this.send(toMissionItemInt(item, seq, missionType, target));
  }

  private sendAck(result: number): void {
    this.send(missionAck(this.options.target, this.options.missionType, result));
  }

  private sendRequestList(): void {
    this.stateName = 'confirming';
    this.send(missionRequestList(this.options.target, this.options.missionType));
    this.armTimer();
  }

  private armTimer(): void {
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  protected onFrame(frame: ReceivedFrame): void {
    if (this.stateName === 'done' || this.stateName === 'idle') return;
    if (!isFrom(frame, this.options.target)) return;
    const m = frame.message;
    const { endpoint, missionType } = this.options;
    if (m instanceof common.MissionRequestInt || m instanceof common.MissionRequest) {
      if (isMissionReplyTo(m, endpoint, missionType)) this.onRequest(m.seq);
    } else if (m instanceof common.MissionAck) {
      if (isMissionReplyTo(m, endpoint, missionType)) this.onAck(m.type, m.opaqueId ?? 0);
    } else if (m instanceof common.MissionCount && this.stateName === 'confirming') {
      if (isMissionReplyTo(m, endpoint, missionType))
        this.onReadBackCount(m.count, m.opaqueId ?? 0);
    }
  }

  /** Everything was requested and sent: only the final ACK is missing. */
  private get allItemsSent(): boolean {
    return this.everSent.size === this.options.items.length && this.options.items.length > 0;
  }

  private onReadBackCount(count: number, opaqueId: number): void {
    const expected = this.options.items.length;
    if (count === expected) {
      this.succeed(opaqueId, 'read-back');
      return;
    }
    // The vehicle holds something else: it did not take this transfer. Start it again.
    this.restart(`read-back found ${count} items, not ${expected}`);
  }

  private onRequest(seq: number): void {
    const count = this.options.items.length;
    if (seq >= count) {
      this.sendAck(common.MavMissionResult.INVALID_SEQUENCE);
      this.finish(
        fail(
          'protocol-error',
          `vehicle requested item ${seq} of a ${count}-item ${this.options.missionType}`,
        ),
      );
      return;
    }
    const now = this.options.clock.now();
    const sentAt = this.sentAtMs.get(seq);
    if (
      sentAt !== undefined &&
      this.srttMs !== undefined &&
      now - sentAt < this.srttMs * DUPLICATE_WINDOW_FACTOR
    ) {
      this.duplicateRequestsIgnored++;
      return;
    }
    // Round trip sample: our previous send (count or item seq-1) to this request.
    const prevSentAt = seq === 0 ? this.countSentAtMs : this.sentAtMs.get(seq - 1);
    if (prevSentAt !== undefined && !this.everSent.has(seq)) {
      const sample = now - prevSentAt;
      this.srttMs = this.srttMs === undefined ? sample : this.srttMs * 0.875 + sample * 0.125;
    }
    if (!this.everSent.has(seq))
      this.options.onProgress?.({ sent: this.everSent.size + 1, total: count });
    this.budget.answered();
    this.sendItem(seq);
    this.stateName = seq === count - 1 ? 'awaiting-ack' : 'sending-items';
    if (this.stateName === 'awaiting-ack') {
      // A request means the vehicle is still receiving: whatever we suspected about the ACK,
      // the final one is still to come.
      this.ackTimeouts = 0;
      this.finalItemResent = false;
    }
    this.armTimer();
  }

  private onAck(type: number, opaqueId: number): void {
    const count = this.options.items.length;
    // ArduPilot answers an item it did not ask for (a duplicate, or our resend crossing its next
    // request) with INVALID_SEQUENCE and carries on receiving: not the end of the transfer.
    if (type === common.MavMissionResult.INVALID_SEQUENCE) {
      this.invalidSequenceAcks++;
      return;
    }
    // ArduPilot answers an item that arrives after it completed the upload with a plain ERROR
    // (it is no longer receiving). After our resend of the last item, that is the sign of a lost
    // final ACK, not a rejection: read the count back to tell which.
    if (
      type === common.MavMissionResult.ERROR &&
      this.finalItemResent &&
      this.allItemsSent &&
      this.stateName === 'awaiting-ack'
    ) {
      this.sendRequestList();
      return;
    }
    // While reading back, ArduPilot denies REQUEST_LIST if it is still receiving: the upload is
    // still open on the vehicle, so the last item goes out again and the final ACK is awaited.
    if (type === common.MavMissionResult.DENIED && this.stateName === 'confirming') {
      this.stateName = 'awaiting-ack';
      this.sendItem(this.lastSentSeq);
      this.armTimer();
      return;
    }
    if (type !== common.MavMissionResult.ACCEPTED) {
      const failure = missionResultFailure(type, `${this.options.missionType} upload`);
      this.finish(failure);
      return;
    }
    if (this.stateName === 'awaiting-first-request') return; // stale or spurious ACK
    if (this.everSent.size < count) {
      const missing = [];
      for (let s = 0; s < count && missing.length < 5; s++)
        if (!this.everSent.has(s)) missing.push(s);
      this.finish(
        fail(
          'protocol-error',
          `vehicle accepted the ${this.options.missionType} before requesting items ${missing.join(', ')}…`,
        ),
      );
      return;
    }
    this.succeed(opaqueId, 'ack');
  }

  private succeed(opaqueId: number, acceptedBy: UploadReport['acceptedBy']): void {
    this.finish(
      succeed({
        missionType: this.options.missionType,
        count: this.options.items.length,
        opaqueId,
        acceptedBy,
        itemSends: this.itemSends,
        duplicateItemSends: this.duplicateItemSends,
        duplicateRequestsIgnored: this.duplicateRequestsIgnored,
        invalidSequenceAcks: this.invalidSequenceAcks,
        retries: this.budget.retries,
        restarts: this.budget.restarts,
        elapsedMs: this.elapsedMs,
      }),
    );
  }

  private onTimeout(): void {
    if (this.stateName === 'done') return;
    if (this.budget.retry()) {
      if (this.stateName === 'awaiting-first-request' || this.lastSentSeq < 0) this.sendCount();
      else if (this.stateName === 'confirming') this.sendRequestList();
      else if (this.stateName === 'awaiting-ack' && this.allItemsSent) {
        // First silence: the item or the ACK was lost; send the item again (a textbook vehicle
        // acknowledges again). Second silence: the vehicle says nothing to a late item (as
        // ArduPilot may not), so ask it what it holds.
        this.ackTimeouts++;
        if (this.ackTimeouts >= 2) this.sendRequestList();
        else {
          this.finalItemResent = true;
          this.sendItem(this.lastSentSeq);
          this.armTimer();
        }
      } else {
        this.sendItem(this.lastSentSeq);
        this.armTimer();
      }
      return;
    }
    this.restart();
  }

  private restart(why?: string): void {
    if (this.budget.restart()) {
      this.ackTimeouts = 0;
      this.finalItemResent = false;
      this.sentAtMs.clear();
      this.everSent.clear();
      this.lastSentSeq = -1;
      this.sendCount();
      return;
    }
    const where =
      why ??
      (this.stateName === 'awaiting-first-request'
        ? 'no MISSION_REQUEST after MISSION_COUNT'
        : this.stateName === 'awaiting-ack' || this.stateName === 'confirming'
          ? 'no final MISSION_ACK and no read-back confirming it'
          : `vehicle stopped requesting after item ${this.lastSentSeq}`);
    // Tell the vehicle we gave up (the spec's cancel), so it stops waiting for items and answers
    // a download at once instead of after its own upload timeout.
    this.sendAck(common.MavMissionResult.OPERATION_CANCELLED);
    this.finish(
      fail('timeout', `${this.options.missionType} upload: ${where} ${this.budget.limits}`),
    );
  }
}
