/**
 * Mission upload (GCS side) as an explicit state machine on an injected clock.
 *
 * ```
 * idle ──start──▶ awaiting-first-request ──REQUEST(0)──▶ sending-items ──REQUEST(last)──▶ awaiting-ack ──ACK──▶ done
 *                  │ timeout: resend COUNT            │ timeout: resend last item       │ timeout: resend last item
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
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame } from '../link/types';
import type { MissionItem, MissionType } from '../mission-item';
import { MISSION_TYPE_ID, toMissionItemInt } from './mission-wire';
import { fail, succeed } from './outcome';
import type { Failure, Outcome } from './outcome';
import { isAddressedTo, isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING, OneShotTimer } from './timing';
import type { MissionTiming } from './timing';
import { missionResultFailure } from './mission-result';

export type UploadStateName =
  'idle' | 'awaiting-first-request' | 'sending-items' | 'awaiting-ack' | 'done';

export interface UploadReport {
  missionType: MissionType;
  count: number;
  /** Plan id from the final MISSION_ACK; 0 when the vehicle has none (ArduPilot). */
  opaqueId: number;
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
export class MissionUpload {
  private stateName: UploadStateName = 'idle';
  private readonly timing: MissionTiming;
  private readonly timer: OneShotTimer;
  private readonly sentAtMs = new Map<number, number>();
  private readonly everSent = new Set<number>();
  /** Not cleared on restart: counts every re-send of a sequence number over the whole upload. */
  private readonly sentOnce = new Set<number>();
  private lastSentSeq = -1;
  private countSentAtMs = 0;
  private srttMs: number | undefined;
  private retries = 0;
  private totalRetries = 0;
  private restarts = 0;
  private itemSends = 0;
  private duplicateItemSends = 0;
  private duplicateRequestsIgnored = 0;
  private invalidSequenceAcks = 0;
  private startedAtMs = 0;
  private unsubscribe: (() => void) | undefined;
  private resolve: ((o: Outcome<UploadReport>) => void) | undefined;

  constructor(private readonly options: MissionUploadOptions) {
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
    this.timer = new OneShotTimer(options.clock);
  }

  get state(): UploadStateName {
    return this.stateName;
  }

  run(): Promise<Outcome<UploadReport>> {
    if (this.stateName !== 'idle')
      throw new Error(`MissionUpload.run called in state ${this.stateName}, expected idle`);
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.startedAtMs = this.options.clock.now();
      const { signal } = this.options;
      if (signal?.aborted) return this.finish(fail('cancelled', 'upload cancelled before start'));
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.unsubscribe = this.options.endpoint.subscribe((f) => this.onFrame(f));
      this.sendCount();
    });
  }

  private readonly onAbort = (): void => {
    if (this.stateName === 'done') return;
    this.sendAck(common.MavMissionResult.OPERATION_CANCELLED);
    this.finish(fail('cancelled', 'upload cancelled'));
  };

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

  private sendAck(type: number): void {
    const msg = new common.MissionAck();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.type = type;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    msg.opaqueId = 0;
    this.send(msg);
  }

  private send(msg: common.MissionCount | common.MissionItemInt | common.MissionAck): void {
    this.options.endpoint.send(msg).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      this.finish(fail('link-down', `sending ${msg.constructor.name} failed: ${reason}`));
    });
  }

  private armTimer(): void {
    this.timer.arm(this.timing.ackTimeoutMs, () => this.onTimeout());
  }

  private onFrame(frame: ReceivedFrame): void {
    if (this.stateName === 'done' || this.stateName === 'idle') return;
    if (!isFrom(frame, this.options.target)) return;
    const m = frame.message;
    const type = MISSION_TYPE_ID[this.options.missionType];
    if (m instanceof common.MissionRequestInt || m instanceof common.MissionRequest) {
      if (!isAddressedTo(m, this.options.endpoint) || (m.missionType ?? 0) !== type) return;
      this.onRequest(m.seq);
    } else if (m instanceof common.MissionAck) {
      if (!isAddressedTo(m, this.options.endpoint) || (m.missionType ?? 0) !== type) return;
      this.onAck(m.type, m.opaqueId ?? 0);
    }
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
    this.retries = 0;
    this.sendItem(seq);
    this.stateName = seq === count - 1 ? 'awaiting-ack' : 'sending-items';
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
    this.finish(
      succeed({
        missionType: this.options.missionType,
        count,
        opaqueId,
        itemSends: this.itemSends,
        duplicateItemSends: this.duplicateItemSends,
        duplicateRequestsIgnored: this.duplicateRequestsIgnored,
        invalidSequenceAcks: this.invalidSequenceAcks,
        retries: this.totalRetries,
        restarts: this.restarts,
        elapsedMs: this.options.clock.now() - this.startedAtMs,
      }),
    );
  }

  private onTimeout(): void {
    if (this.stateName === 'done') return;
    if (this.retries < this.timing.maxRetries) {
      this.retries++;
      this.totalRetries++;
      if (this.stateName === 'awaiting-first-request' || this.lastSentSeq < 0) this.sendCount();
      else {
        this.sendItem(this.lastSentSeq);
        this.armTimer();
      }
      return;
    }
    if (this.restarts < this.timing.maxRestarts) {
      this.restarts++;
      this.retries = 0;
      this.sentAtMs.clear();
      this.everSent.clear();
      this.lastSentSeq = -1;
      this.sendCount();
      return;
    }
    const where =
      this.stateName === 'awaiting-first-request'
        ? 'no MISSION_REQUEST after MISSION_COUNT'
        : this.stateName === 'awaiting-ack'
          ? 'no final MISSION_ACK'
          : `vehicle stopped requesting after item ${this.lastSentSeq}`;
    this.finish(
      fail(
        'timeout',
        `${this.options.missionType} upload: ${where} (${this.timing.maxRetries} retries, ${this.timing.maxRestarts} restarts)`,
      ),
    );
  }

  private finish(outcome: Outcome<UploadReport> | Failure): void {
    if (this.stateName === 'done') return;
    this.stateName = 'done';
    this.timer.cancel();
    this.unsubscribe?.();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.resolve?.(outcome);
  }
}
