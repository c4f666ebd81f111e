/**
 * The vehicle side of the mission protocol for the simulator, ArduPilot-like: a new mission (or
 * fence, or rally) replaces the stored one only when the last item arrived and the final ACK is
 * ACCEPTED; anything less keeps the old one. Misbehaves on purpose per {@link FailureMode}.
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint, ReceivedFrame, TimerHandle } from '../link/types';
import type { MissionItem, MissionType } from '../mission-item';
import {
  MISSION_TYPE_ID,
  fromMissionItem,
  missionTypeName,
  toMissionItemInt,
} from '../protocol/mission-wire';
import { isAddressedTo } from '../protocol/target';
import type { FailureMode } from './failure-modes';

/** Vehicle re-requests the expected item after this long without it (ArduPilot: 1000 ms). */
export const VEHICLE_ITEM_RETRY_MS = 1000;
/** Vehicle abandons an upload after this long without progress (ArduPilot: 8000 ms). */
export const VEHICLE_UPLOAD_TIMEOUT_MS = 8000;
const UNEXPECTED_ACK_INTERVAL_MS = 700;

export interface StoredMission {
  items: MissionItem[];
  /** Plan id reported in ACK / COUNT / MISSION_CURRENT; 0 when plan ids are off. */
  opaqueId: number;
}

export interface MissionServerOptions {
  endpoint: MavEndpoint;
  clock: Clock;
  failureMode?: FailureMode;
  /** Answer MISSION_COUNT with MISSION_REQUEST (not _INT) as ArduPilot does. Default true. */
  requestNotInt?: boolean;
  /** Report plan ids (opaque_id). Default false (ArduPilot has none). */
  planIds?: boolean;
  /**
   * Answer an item that arrives while no upload of its type is running (e.g. the last item
   * resent after a lost final ACK) with MISSION_ACK MAV_MISSION_ERROR, as ArduPilot does
   * (GCS_Common.cpp handle_mission_item: `if (!prot->receiving) send_mission_ack(…ERROR)`).
   * Default: true with `requestNotInt` (the ArduPilot profile); false stays silent.
   */
  lateItemError?: boolean;
  /** ArduPilot keeps home in mission item 0: returned on download as the current home. */
  homeItem?: () => MissionItem | undefined;
  /** Seed for plan ids. */
  seed?: number;
  onStored?: (type: MissionType, stored: StoredMission) => void;
}

interface Receiving {
  type: MissionType;
  count: number;
  items: MissionItem[];
  gcs: { systemId: number; componentId: number };
  lastProgressMs: number;
}

/**
 * @example
 * const server = new MissionServer({ endpoint, clock });
 * server.stored('mission').items; // what the vehicle flies
 */
export class MissionServer {
  private readonly stores: Record<MissionType, StoredMission> = {
    mission: { items: [], opaqueId: 0 },
    fence: { items: [], opaqueId: 0 },
    rally: { items: [], opaqueId: 0 },
  };
  private receiving: Receiving | undefined;
  private lastCompleted: { type: MissionType; count: number; gcs: Receiving['gcs'] } | undefined;
  private retryTimer: TimerHandle | undefined;
  private idleAckTimer: TimerHandle | undefined;
  private countsSeen = 0;
  private nextOpaqueId: number;
  private readonly unsubscribe: () => void;
  /** Item frames received per upload, duplicates included (for tests). */
  itemFramesReceived = 0;

  constructor(private readonly options: MissionServerOptions) {
    this.nextOpaqueId = ((options.seed ?? 1) * 2654435761) >>> 0 || 1;
    this.unsubscribe = options.endpoint.subscribe((f) => this.onFrame(f));
    if (options.failureMode === 'unexpected-ack-while-idle') this.scheduleIdleAck();
  }

  stored(type: MissionType): StoredMission {
    return this.stores[type];
  }

  /** Replace a store directly (scenario set-up). */
  preload(type: MissionType, items: MissionItem[]): void {
    this.stores[type] = { items: [...items], opaqueId: this.planId(items.length) };
  }

  get transferInProgress(): boolean {
    return this.receiving !== undefined;
  }

  close(): void {
    this.unsubscribe();
    this.stopRetry();
    if (this.idleAckTimer !== undefined) this.options.clock.clearTimeout(this.idleAckTimer);
  }

  private get mode(): FailureMode {
    return this.options.failureMode ?? 'none';
  }

  private planId(count: number): number {
    if (!this.options.planIds) return 0;
    this.nextOpaqueId = (Math.imul(this.nextOpaqueId ^ count, 2246822519) + 1) >>> 0 || 1;
    return this.nextOpaqueId;
  }

  private send(msg: Parameters<MavEndpoint['send']>[0]): void {
    this.options.endpoint.send(msg).catch((err: unknown) => {
      // The sim is a peer: a failed send is a lost frame, as on a radio.
      process.emitWarning(
        `sim mission server: send failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  private ack(gcs: Receiving['gcs'], type: MissionType, result: number, opaqueId = 0): void {
    const m = new common.MissionAck();
    m.targetSystem = gcs.systemId;
    m.targetComponent = gcs.componentId;
    m.type = result;
    m.missionType = MISSION_TYPE_ID[type];
    m.opaqueId = opaqueId;
    this.send(m);
  }

  private request(gcs: Receiving['gcs'], type: MissionType, seq: number): void {
    const m =
      this.options.requestNotInt === false
        ? new common.MissionRequestInt()
        : new common.MissionRequest();
    m.targetSystem = gcs.systemId;
    m.targetComponent = gcs.componentId;
    m.seq = seq;
    m.missionType = MISSION_TYPE_ID[type];
    this.send(m);
    if (this.mode === 'write-request-duplicates') this.send(m);
  }

  private scheduleIdleAck(): void {
    this.idleAckTimer = this.options.clock.setTimeout(() => {
      if (!this.receiving)
        this.ack({ systemId: 0, componentId: 0 }, 'mission', common.MavMissionResult.ACCEPTED);
      this.scheduleIdleAck();
    }, UNEXPECTED_ACK_INTERVAL_MS);
  }

  private onFrame(frame: ReceivedFrame): void {
    const m = frame.message;
    const gcs = { systemId: frame.systemId, componentId: frame.componentId };
    const me = this.options.endpoint;
    if (m instanceof common.MissionCount && isAddressedTo(m, me)) this.onCount(gcs, m);
    else if (
      (m instanceof common.MissionItemInt || m instanceof common.MissionItem) &&
      isAddressedTo(m, me)
    )
      this.onItem(gcs, m);
    else if (m instanceof common.MissionRequestList && isAddressedTo(m, me))
      this.onRequestList(gcs, m.missionType ?? 0);
    else if (
      (m instanceof common.MissionRequestInt || m instanceof common.MissionRequest) &&
      isAddressedTo(m, me)
    )
      this.onDownloadRequest(gcs, m.missionType ?? 0, m.seq);
    else if (m instanceof common.MissionClearAll && isAddressedTo(m, me))
      this.onClear(gcs, m.missionType ?? 0);
    else if (m instanceof common.MissionAck && isAddressedTo(m, me)) {
      if (this.receiving && m.type === common.MavMissionResult.OPERATION_CANCELLED)
        this.abortReceive();
    }
  }

  private onCount(gcs: Receiving['gcs'], m: common.MissionCount): void {
    const type = missionTypeName(m.missionType ?? 0);
    if (!type) return this.ack(gcs, 'mission', common.MavMissionResult.UNSUPPORTED);
    this.countsSeen++;
    if (this.mode === 'write-count-no-response') return;
    if (this.mode === 'write-count-first-no-response' && this.countsSeen === 1) return;
    this.stopRetry();
    this.receiving = undefined;
    if (m.count === 0) {
      this.commit(type, [], gcs);
      return;
    }
    if (this.mode === 'write-request-0-error-ack')
      return this.ack(gcs, type, common.MavMissionResult.ERROR);
    this.receiving = {
      type,
      count: m.count,
      items: [],
      gcs,
      lastProgressMs: this.options.clock.now(),
    };
    this.itemFramesReceived = 0;
    if (this.mode === 'write-request-0-no-response') return;
    if (this.mode === 'write-request-0-wrong-sequence') return this.request(gcs, type, m.count);
    this.request(gcs, type, 0);
    this.armRetry();
  }

  private onItem(gcs: Receiving['gcs'], m: common.MissionItemInt | common.MissionItem): void {
    const got = fromMissionItem(m);
    const type = got ? missionTypeName(got.missionType) : undefined;
    if (!got || !type) return;
    const r = this.receiving;
    if (!r || r.type !== type) {
      // The GCS resends the last item when our final ACK was lost: ACK again.
      const done = this.lastCompleted;
      // A textbook vehicle acknowledges again; ArduPilot answers ERROR (not receiving).
      if (
        this.options.requestNotInt === false &&
        done &&
        done.type === type &&
        got.seq === done.count - 1
      ) {
        this.ack(gcs, type, common.MavMissionResult.ACCEPTED, this.stores[type].opaqueId);
      } else if (this.options.lateItemError ?? this.options.requestNotInt !== false) {
        this.ack(gcs, type, common.MavMissionResult.ERROR);
      }
      return;
    }
    this.itemFramesReceived++;
    if (got.seq !== r.items.length) {
      // As ArduPilot: an item that was not requested is answered INVALID_SEQUENCE, and the
      // transfer goes on (the request timer asks for the expected item again).
      this.ack(gcs, type, common.MavMissionResult.INVALID_SEQUENCE);
      return;
    }
    r.items.push(got.item);
    r.lastProgressMs = this.options.clock.now();
    if (r.items.length === r.count) {
      this.stopRetry();
      this.receiving = undefined;
      if (this.mode === 'write-final-ack-no-response') return;
      if (this.mode === 'write-final-ack-error-ack')
        return this.ack(gcs, type, common.MavMissionResult.ERROR);
      this.commit(type, r.items, gcs);
      return;
    }
    const next = r.items.length;
    if (next === 1) {
      if (this.mode === 'write-request-1-no-response') return this.stopRetry();
      if (this.mode === 'write-request-1-wrong-sequence')
        return this.request(gcs, type, r.count + 1);
      if (this.mode === 'write-request-1-error-ack') {
        this.stopRetry();
        this.receiving = undefined;
        return this.ack(gcs, type, common.MavMissionResult.ERROR);
      }
      if (this.mode === 'write-final-ack-missing-requests' && r.count > 2) {
        this.stopRetry();
        this.receiving = undefined;
        return this.ack(gcs, type, common.MavMissionResult.ACCEPTED);
      }
    }
    this.request(gcs, type, next);
    this.armRetry();
  }

  private commit(type: MissionType, items: MissionItem[], gcs: Receiving['gcs']): void {
    const stored = { items, opaqueId: this.planId(items.length) };
    this.stores[type] = stored;
    this.lastCompleted = { type, count: items.length, gcs };
    this.options.onStored?.(type, stored);
    this.ack(gcs, type, common.MavMissionResult.ACCEPTED, stored.opaqueId);
  }

  private armRetry(): void {
    this.stopRetry();
    this.retryTimer = this.options.clock.setTimeout(() => {
      const r = this.receiving;
      if (!r) return;
      if (this.options.clock.now() - r.lastProgressMs >= VEHICLE_UPLOAD_TIMEOUT_MS) {
        this.ack(r.gcs, r.type, common.MavMissionResult.OPERATION_CANCELLED);
        this.abortReceive();
        return;
      }
      this.request(r.gcs, r.type, r.items.length);
      this.armRetry();
    }, VEHICLE_ITEM_RETRY_MS);
  }

  private stopRetry(): void {
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private abortReceive(): void {
    this.stopRetry();
    this.receiving = undefined;
  }

  private onRequestList(gcs: Receiving['gcs'], typeId: number): void {
    const type = missionTypeName(typeId);
    if (!type) return this.ack(gcs, 'mission', common.MavMissionResult.UNSUPPORTED);
    if (this.mode === 'read-request-list-no-response') return;
    const m = new common.MissionCount();
    m.targetSystem = gcs.systemId;
    m.targetComponent = gcs.componentId;
    m.count = this.stores[type].items.length;
    m.missionType = typeId;
    m.opaqueId = this.stores[type].opaqueId;
    this.send(m);
  }

  private onDownloadRequest(gcs: Receiving['gcs'], typeId: number, seq: number): void {
    const type = missionTypeName(typeId);
    if (!type) return;
    // While receiving an upload, requests are ours to send, not to answer.
    if (this.receiving) return;
    if (seq <= 1) {
      const tag = `read-request-${seq}-`;
      if (this.mode === `${tag}no-response`) return;
      if (this.mode === `${tag}error-ack`)
        return this.ack(gcs, type, common.MavMissionResult.ERROR);
      if (this.mode === `${tag}wrong-sequence`) return this.sendItem(gcs, type, seq + 1);
    }
    this.sendItem(gcs, type, seq);
  }

  private sendItem(gcs: Receiving['gcs'], type: MissionType, seq: number): void {
    const items = this.stores[type].items;
    let item = items[seq];
    if (!item) return this.ack(gcs, type, common.MavMissionResult.INVALID_SEQUENCE);
    if (type === 'mission' && seq === 0) item = this.options.homeItem?.() ?? item;
    this.send(toMissionItemInt(item, seq, type, gcs));
  }

  private onClear(gcs: Receiving['gcs'], typeId: number): void {
    const type = missionTypeName(typeId);
    if (!type) return this.ack(gcs, 'mission', common.MavMissionResult.UNSUPPORTED);
    this.abortReceive();
    this.commit(type, [], gcs);
  }
}
