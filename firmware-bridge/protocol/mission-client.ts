/**
 * Mission capability for one vehicle: upload / download / clear of mission, fence and rally,
 * verification, and ArduPilot's home slot (item 0 of the mission type is home there: we send a
 * placeholder and strip it on download, as QGroundControl does).
 */
import { common } from 'node-mavlink';
import type { Clock, MavEndpoint } from '../link/types';
import { systemClock } from '../link/types';
import type { MissionItem, MissionType } from '../mission-item';
import type { AutopilotKind } from './flight-modes';
import { MissionClear } from './mission-clear';
import { MissionDownload } from './mission-download';
import type { DownloadReport } from './mission-download';
import { MissionUpload } from './mission-upload';
import type { UploadProgress, UploadReport } from './mission-upload';
import { firstMismatch } from './mission-wire';
import { fail, succeed } from './outcome';
import type { Failure, FailureKind, Outcome } from './outcome';
import type { Target } from './target';
import type { MissionTiming } from './timing';
import { waitForMessage } from './wait-for-message';

/** A whole plan as the bridge uploads it; absent parts are left untouched on the vehicle. */
export interface MissionPlan {
  mission?: readonly MissionItem[];
  fence?: readonly MissionItem[];
  rally?: readonly MissionItem[];
}

export type VerifyMode = 'auto' | 'download' | 'plan-id' | 'none';

export interface MissionClientOptions {
  endpoint: MavEndpoint;
  target: Target;
  clock?: Clock;
  /** Decides the home slot; default `ardupilot` (what the fleet flies). */
  autopilot?: AutopilotKind;
  timing?: Partial<MissionTiming>;
}

export interface UploadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress & { missionType: MissionType }) => void;
  /** `auto`: plan id when the vehicle reports one, else download-and-compare (default). */
  verify?: VerifyMode;
  /** `[lon, lat]` for ArduPilot's home placeholder; default the first positioned item. */
  homePosition?: [number, number];
}

export interface VerifiedUpload extends UploadReport {
  /** How the upload was verified. */
  verifiedBy: 'plan-id' | 'download' | 'none';
}

/**
 * What to do with the parts of a plan already replaced when a later part fails: `restore` the
 * vehicle's previous fence / rally (backed up by download before the upload; cleared when no
 * backup could be made), `clear` them, or `keep` the new ones.
 */
export type PlanFailurePolicy = 'restore' | 'clear' | 'keep';

export interface UploadPlanOptions extends UploadOptions {
  /** Default `restore`. */
  onFailure?: PlanFailurePolicy;
}

/**
 * What the vehicle holds of one part of the plan after `uploadPlan`: `new` (this plan's),
 * `unchanged` (what it held before; never replaced), `restored` (replaced, then put back),
 * `cleared` (replaced, then emptied), `unknown` (the link could not tell).
 */
export type PlanPartState = 'new' | 'unchanged' | 'restored' | 'cleared' | 'unknown';

/** A failed `uploadPlan`: which part failed and what the vehicle now holds of each part. */
export interface PlanUploadFailure extends Failure {
  failedPart: MissionType;
  holds: Partial<Record<MissionType, PlanPartState>>;
}

/** Fence first, then rally, the mission last: a vehicle never flies a new mission under an old fence. */
export const PLAN_UPLOAD_ORDER: readonly MissionType[] = ['fence', 'rally', 'mission'];

/** Waits, and how many, for a vehicle that still receives an abandoned upload (ArduPilot: 8 s). */
const STILL_RECEIVING_WAIT_MS = 3000;
const STILL_RECEIVING_RETRIES = 4;

/** Failures after which the vehicle has said no: it keeps what it held (replace only when accepted). */
const DEFINITIVE: ReadonlySet<FailureKind> = new Set(['rejected', 'denied', 'unsupported', 'busy']);

const HOME_PLACEHOLDER_CMD = 16; // MAV_CMD_NAV_WAYPOINT, frame GLOBAL: what QGC sends for home

/**
 * @example
 * const missions = new MissionClient({ endpoint, target: { systemId: 1, componentId: 1 } });
 * const outcome = await missions.uploadPlan({ mission: items, fence, rally });
 * if (!outcome.ok) throw new BridgeError('mission', outcome);
 */
export class MissionClient {
  private readonly clock: Clock;
  private readonly autopilot: AutopilotKind;

  constructor(private readonly options: MissionClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.autopilot = options.autopilot ?? 'ardupilot';
  }

  private hasHomeSlot(type: MissionType): boolean {
    return type === 'mission' && this.autopilot === 'ardupilot';
  }

  /**
   * Uploads one mission type (replacing it on the vehicle when accepted) and verifies it. When
   * the final ACK was lost and only a count read-back confirmed the transfer, the contents are
   * verified by download (whatever `verify` says, except `none`), and a mismatch (the vehicle
   * held an older list of the same length) uploads once more.
   */
  async upload(
    missionType: MissionType,
    items: readonly MissionItem[],
    options: UploadOptions = {},
  ): Promise<Outcome<VerifiedUpload>> {
    const first = await this.uploadOnce(missionType, items, options);
    if (!first.ok && first.kind === 'mismatch' && 'readBack' in first && first.readBack) {
      return this.uploadOnce(missionType, items, options);
    }
    return first;
  }

  private async uploadOnce(
    missionType: MissionType,
    items: readonly MissionItem[],
    options: UploadOptions,
  ): Promise<
    Outcome<VerifiedUpload> | (Failure & { readBack?: boolean; inVerification?: boolean })
  > {
    let wire = items;
    const slot = this.hasHomeSlot(missionType) && items.length > 0 ? 1 : 0;
    if (slot) {
      const home = options.homePosition ?? items.find((i) => i.position)?.position ?? null;
      wire = [
        {
          command: HOME_PLACEHOLDER_CMD,
          frame: 0,
          param1: 0,
          param2: 0,
          param3: 0,
          param4: 0,
          position: home,
          altM: 0,
          autocontinue: true,
        },
        ...items,
      ];
    }
    const upload = await new MissionUpload({
      endpoint: this.options.endpoint,
      clock: this.clock,
      target: this.options.target,
      missionType,
      items: wire,
      ...(this.options.timing ? { timing: this.options.timing } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress
        ? {
            onProgress: (p: UploadProgress) =>
              options.onProgress?.({
                sent: Math.max(0, p.sent - slot),
                total: p.total - slot,
                missionType,
              }),
          }
        : {}),
    }).run();
    if (!upload.ok) return upload;
    // Report the caller's items; ArduPilot's home slot is an implementation detail.
    const report = { ...upload.value, count: items.length };
    const mode = options.verify ?? 'auto';
    if (mode === 'none') return succeed({ ...report, verifiedBy: 'none' });
    if (upload.value.acceptedBy === 'read-back') {
      // The read-back proved the count, not the contents, and its plan id (if any) is whatever
      // the vehicle holds: only a download tells whether that is this upload.
      const check = await this.verifyByDownload(missionType, items);
      if (!check.ok) return { ...check, readBack: true, inVerification: true };
      return succeed({ ...report, verifiedBy: 'download' });
    }
    if ((mode === 'auto' || mode === 'plan-id') && upload.value.opaqueId !== 0) {
      const byId = await this.verifyPlanId(missionType, upload.value.opaqueId);
      if (byId.ok) return succeed({ ...report, verifiedBy: 'plan-id' });
      if (mode === 'plan-id') return { ...byId, inVerification: true };
    } else if (mode === 'plan-id') {
      return fail(
        'unsupported',
        `${missionType} upload: vehicle reports no plan id (opaque_id = 0)`,
      );
    }
    const check = await this.verifyByDownload(missionType, items);
    if (!check.ok) return { ...check, inVerification: true };
    return succeed({ ...report, verifiedBy: 'download' });
  }

  /**
   * Uploads a plan's parts in {@link PLAN_UPLOAD_ORDER} (fence, rally, mission last), so a
   * vehicle never holds a new mission with an old fence. With `onFailure: 'restore'` (default)
   * the vehicle's fence and rally are downloaded first when a later part follows them; if a part
   * fails, the parts already replaced are put back (or cleared, per the policy), unless the
   * failed part is the mission and the vehicle may hold it (never an old fence under a new
   * mission). A failed part whose failure leaves doubt (timeout, link down, protocol error,
   * mismatch) is read back: if the vehicle holds it after all, the upload carries on. The
   * failure says exactly what the vehicle now holds (`holds`, and in `reason`).
   */
  async uploadPlan(
    plan: MissionPlan,
    options: UploadPlanOptions = {},
  ): Promise<Outcome<VerifiedUpload[]> | PlanUploadFailure> {
    const policy = options.onFailure ?? 'restore';
    const order = PLAN_UPLOAD_ORDER.filter((t) => plan[t] !== undefined);
    const holds: Partial<Record<MissionType, PlanPartState>> = {};
    for (const t of order) holds[t] = 'unchanged';
    const backups: Partial<Record<MissionType, readonly MissionItem[]>> = {};
    if (policy === 'restore') {
      // Only parts that a later part follows can need putting back.
      for (const t of order.slice(0, -1)) {
        const d = await this.download(t, options.signal ? { signal: options.signal } : {});
        if (d.ok) backups[t] = d.value.items;
        else if (d.kind === 'cancelled') return this.planFailure(d, t, holds);
        // Without a backup this part is cleared instead of restored if a later part fails.
      }
    }
    const reports: VerifiedUpload[] = [];
    for (const type of order) {
      const items = plan[type]!;
      const o = await this.upload(type, items, options);
      if (o.ok) {
        holds[type] = 'new';
        reports.push(o.value);
        continue;
      }
      const state = await this.stateAfterFailure(type, o, items, backups[type]);
      if (state === 'new') {
        // The vehicle took it after all (e.g. every ACK lost): verified by download just now.
        holds[type] = 'new';
        reports.push({
          missionType: type,
          count: items.length,
          opaqueId: 0,
          acceptedBy: 'read-back',
          itemSends: 0,
          duplicateItemSends: 0,
          duplicateRequestsIgnored: 0,
          invalidSequenceAcks: 0,
          retries: 0,
          restarts: 0,
          elapsedMs: 0,
          verifiedBy: 'download',
        });
        continue;
      }
      holds[type] = state;
      const mayHoldNewMission = type === 'mission' && state === 'unknown';
      if (policy !== 'keep' && !mayHoldNewMission) {
        const replaced = order.slice(0, order.indexOf(type)).reverse();
        for (const t of replaced) holds[t] = await this.undo(t, policy, backups[t]);
      }
      return this.planFailure(o, type, holds);
    }
    return succeed(reports);
  }

  /** What the vehicle holds of `type` after its upload failed with `failure`. */
  private async stateAfterFailure(
    type: MissionType,
    failure: Failure,
    items: readonly MissionItem[],
    backup: readonly MissionItem[] | undefined,
  ): Promise<PlanPartState> {
    // A vehicle's no to the transfer itself is final; a failed verification (its download denied,
    // say) says nothing about what the vehicle took, so it is read back like any doubt.
    const inVerification = 'inVerification' in failure && failure.inVerification === true;
    if (DEFINITIVE.has(failure.kind) && !inVerification) return 'unchanged';
    let got = await this.download(type);
    // ArduPilot ignores our cancel and denies a download while it still waits for items, until
    // its own upload timeout (8 s, MissionItemProtocol): ask again past it.
    for (let i = 0; i < STILL_RECEIVING_RETRIES && !got.ok && got.kind === 'denied'; i++) {
      await new Promise<void>((r) => this.clock.setTimeout(r, STILL_RECEIVING_WAIT_MS));
      got = await this.download(type);
    }
    if (!got.ok) return 'unknown';
    if (this.mismatchAt(items, got.value.items) < 0) return 'new';
    if (backup && this.mismatchAt(backup, got.value.items) < 0) return 'unchanged';
    // A conforming vehicle replaces only on its final ACCEPTED: after a timeout it holds its old
    // list. A protocol error or a mismatch means it accepted something that is not this upload.
    return failure.kind === 'protocol-error' || failure.kind === 'mismatch'
      ? 'unknown'
      : 'unchanged';
  }

  /** Puts back (or clears) one part already replaced by this plan. */
  private async undo(
    type: MissionType,
    policy: Exclude<PlanFailurePolicy, 'keep'>,
    backup: readonly MissionItem[] | undefined,
  ): Promise<PlanPartState> {
    if (policy === 'restore' && backup) {
      const back = await this.upload(type, backup);
      if (back.ok) return 'restored';
    }
    const cleared = await this.clear(type);
    return cleared.ok ? 'cleared' : 'unknown';
  }

  private planFailure(
    failure: Failure,
    failedPart: MissionType,
    holds: Partial<Record<MissionType, PlanPartState>>,
  ): PlanUploadFailure {
    const said = PLAN_UPLOAD_ORDER.filter((t) => holds[t] !== undefined)
      .map((t) => `${t} ${holds[t]}`)
      .join(', ');
    return {
      ...fail(failure.kind, `${failure.reason}; the vehicle now holds: ${said}`, failure.code),
      failedPart,
      holds: { ...holds },
    };
  }

  /** Downloads one mission type (ArduPilot's home slot removed from the mission). */
  async download(
    missionType: MissionType,
    options: {
      signal?: AbortSignal;
      onProgress?: (p: { received: number; total: number }) => void;
    } = {},
  ): Promise<Outcome<DownloadReport>> {
    const o = await new MissionDownload({
      endpoint: this.options.endpoint,
      clock: this.clock,
      target: this.options.target,
      missionType,
      ...(this.options.timing ? { timing: this.options.timing } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }).run();
    if (!o.ok || !this.hasHomeSlot(missionType)) return o;
    return succeed({ ...o.value, items: o.value.items.slice(1) });
  }

  /** Downloads mission, fence and rally. */
  async downloadPlan(): Promise<Outcome<Required<MissionPlan>>> {
    const out: Partial<Record<MissionType, MissionItem[]>> = {};
    for (const type of ['mission', 'fence', 'rally'] as const) {
      const o = await this.download(type);
      if (!o.ok) return o;
      out[type] = o.value.items;
    }
    return succeed({ mission: out.mission ?? [], fence: out.fence ?? [], rally: out.rally ?? [] });
  }

  /** Clears one mission type on the vehicle. */
  clear(missionType: MissionType): Promise<Outcome<{ missionType: MissionType }>> {
    return new MissionClear({
      endpoint: this.options.endpoint,
      clock: this.clock,
      target: this.options.target,
      missionType,
      ...(this.options.timing ? { timing: this.options.timing } : {}),
    }).run();
  }

  /** Downloads `missionType` and compares it item by item with `expected` (wire precision). */
  async verifyByDownload(
    missionType: MissionType,
    expected: readonly MissionItem[],
  ): Promise<Outcome<null>> {
    const got = await this.download(missionType);
    if (!got.ok) return got;
    const at = this.mismatchAt(expected, got.value.items);
    if (at >= 0) {
      return fail(
        'mismatch',
        `${missionType} on the vehicle differs from the upload at item ${at} (sent ${expected.length}, vehicle holds ${got.value.items.length})`,
      );
    }
    return succeed(null);
  }

  /** First item where `stored` is not what the vehicle keeps of `sent` (-1: none). */
  private mismatchAt(sent: readonly MissionItem[], stored: readonly MissionItem[]): number {
    return firstMismatch(
      sent,
      stored,
      this.autopilot === 'ardupilot' ? { storedBy: 'ardupilot' } : {},
    );
  }

  /** Waits for MISSION_CURRENT reporting `opaqueId` for `missionType` (one ack timeout × 2). */
  async verifyPlanId(missionType: MissionType, opaqueId: number): Promise<Outcome<null>> {
    const o = await waitForMessage({
      endpoint: this.options.endpoint,
      clock: this.clock,
      from: this.options.target,
      what: `MISSION_CURRENT with plan id ${opaqueId}`,
      timeoutMs: (this.options.timing?.ackTimeoutMs ?? 1500) * 2,
      match: (f) => {
        const m = f.message;
        if (!(m instanceof common.MissionCurrent)) return undefined;
        const id =
          missionType === 'mission'
            ? m.missionId
            : missionType === 'fence'
              ? m.fenceId
              : m.rallyPointsId;
        return id === opaqueId ? true : undefined;
      },
    });
    return o.ok ? succeed(null) : o;
  }
}
