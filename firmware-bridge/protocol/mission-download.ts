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
import { MISSION_TYPE_ID, fromMissionItem } from './mission-wire';
import { fail, succeed } from './outcome';
import type { Failure, Outcome } from './outcome';
import { isAddressedTo, isFrom } from './target';
import type { Target } from './target';
import { DEFAULT_MISSION_TIMING, OneShotTimer } from './timing';
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
export class MissionDownload {
  private stateName: DownloadStateName = 'idle';
  private readonly timing: MissionTiming;
  private readonly timer: OneShotTimer;
  private items: MissionItem[] = [];
  private count = 0;
  private opaqueId = 0;
  private retries = 0;
  private totalRetries = 0;
  private restarts = 0;
  private startedAtMs = 0;
  private unsubscribe: (() => void) | undefined;
  private resolve: ((o: Outcome<DownloadReport>) => void) | undefined;

  constructor(private readonly options: MissionDownloadOptions) {
    this.timing = { ...DEFAULT_MISSION_TIMING, ...options.timing };
    this.timer = new OneShotTimer(options.clock);
  }

  get state(): DownloadStateName {
    return this.stateName;
  }

  run(): Promise<Outcome<DownloadReport>> {
    if (this.stateName !== 'idle')
      throw new Error(`MissionDownload.run called in state ${this.stateName}, expected idle`);
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.startedAtMs = this.options.clock.now();
      const { signal } = this.options;
      if (signal?.aborted) return this.finish(fail('cancelled', 'download cancelled before start'));
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.unsubscribe = this.options.endpoint.subscribe((f) => this.onFrame(f));
      this.requestList();
    });
  }

  private readonly onAbort = (): void => {
    if (this.stateName === 'done') return;
    if (this.stateName === 'receiving-items')
      this.sendAck(common.MavMissionResult.OPERATION_CANCELLED);
    this.finish(fail('cancelled', 'download cancelled'));
  };

  private requestList(): void {
    const msg = new common.MissionRequestList();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    this.stateName = 'awaiting-count';
    this.send(msg);
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

  private sendAck(type: number): void {
    const msg = new common.MissionAck();
    msg.targetSystem = this.options.target.systemId;
    msg.targetComponent = this.options.target.componentId;
    msg.type = type;
    msg.missionType = MISSION_TYPE_ID[this.options.missionType];
    msg.opaqueId = 0;
    this.send(msg);
  }

  private send(
    msg: common.MissionRequestList | common.MissionRequestInt | common.MissionAck,
  ): void {
    this.options.endpoint.send(msg).catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      this.finish(fail('link-down', `sending ${msg.constructor.name} failed: ${reason}`));
    });
  }

  private onFrame(frame: ReceivedFrame): void {
    if (this.stateName === 'done' || this.stateName === 'idle') return;
    if (!isFrom(frame, this.options.target)) return;
    const m = frame.message;
    const type = MISSION_TYPE_ID[this.options.missionType];
    if (m instanceof common.MissionCount) {
      if (!isAddressedTo(m, this.options.endpoint) || (m.missionType ?? 0) !== type) return;
      if (this.stateName !== 'awaiting-count') return; // duplicate COUNT
      this.count = m.count;
      this.opaqueId = m.opaqueId ?? 0;
      this.items = [];
      this.retries = 0;
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
      if (got.missionType !== type || this.stateName !== 'receiving-items') return;
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
      this.retries = 0;
      this.options.onProgress?.({ received: this.items.length, total: this.count });
      if (this.items.length === this.count) {
        this.sendAck(common.MavMissionResult.ACCEPTED);
        this.finishSuccess();
      } else this.requestItem(this.items.length);
      return;
    }
    if (m instanceof common.MissionAck) {
      if (!isAddressedTo(m, this.options.endpoint) || (m.missionType ?? 0) !== type) return;
      if (m.type === common.MavMissionResult.ACCEPTED) return; // not meaningful while downloading
      this.finish(missionResultFailure(m.type, `${this.options.missionType} download`));
    }
  }

  private onTimeout(): void {
    if (this.stateName === 'done') return;
    if (this.retries < this.timing.maxRetries) {
      this.retries++;
      this.totalRetries++;
      if (this.stateName === 'awaiting-count') this.requestList();
      else this.requestItem(this.items.length);
      return;
    }
    if (this.restarts < this.timing.maxRestarts) {
      this.restarts++;
      this.retries = 0;
      this.requestList();
      return;
    }
    const where =
      this.stateName === 'awaiting-count'
        ? 'no MISSION_COUNT after MISSION_REQUEST_LIST'
        : `no item ${this.items.length} of ${this.count}`;
    this.finish(
      fail(
        'timeout',
        `${this.options.missionType} download: ${where} (${this.timing.maxRetries} retries, ${this.timing.maxRestarts} restarts)`,
      ),
    );
  }

  private finishSuccess(): void {
    this.finish(
      succeed({
        missionType: this.options.missionType,
        items: this.items,
        opaqueId: this.opaqueId,
        retries: this.totalRetries,
        restarts: this.restarts,
        elapsedMs: this.options.clock.now() - this.startedAtMs,
      }),
    );
  }

  private finish(outcome: Outcome<DownloadReport> | Failure): void {
    if (this.stateName === 'done') return;
    this.stateName = 'done';
    this.timer.cancel();
    this.unsubscribe?.();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.resolve?.(outcome);
  }
}
