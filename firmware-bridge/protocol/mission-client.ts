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
import type { Outcome } from './outcome';
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

  /** Uploads one mission type (replacing it on the vehicle when accepted) and verifies it. */
  async upload(
    missionType: MissionType,
    items: readonly MissionItem[],
    options: UploadOptions = {},
  ): Promise<Outcome<VerifiedUpload>> {
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
    if ((mode === 'auto' || mode === 'plan-id') && upload.value.opaqueId !== 0) {
      const byId = await this.verifyPlanId(missionType, upload.value.opaqueId);
      if (byId.ok) return succeed({ ...report, verifiedBy: 'plan-id' });
      if (mode === 'plan-id') return byId;
    } else if (mode === 'plan-id') {
      return fail(
        'unsupported',
        `${missionType} upload: vehicle reports no plan id (opaque_id = 0)`,
      );
    }
    const check = await this.verifyByDownload(missionType, items);
    if (!check.ok) return check;
    return succeed({ ...report, verifiedBy: 'download' });
  }

  /** Uploads mission, fence and rally in that order; stops at the first failure. */
  async uploadPlan(
    plan: MissionPlan,
    options: UploadOptions = {},
  ): Promise<Outcome<VerifiedUpload[]>> {
    const reports: VerifiedUpload[] = [];
    for (const type of ['mission', 'fence', 'rally'] as const) {
      const items = plan[type];
      if (!items) continue;
      const o = await this.upload(type, items, options);
      if (!o.ok) return fail(o.kind, o.reason, o.code);
      reports.push(o.value);
    }
    return succeed(reports);
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
    const at = firstMismatch(expected, got.value.items);
    if (at >= 0) {
      return fail(
        'mismatch',
        `${missionType} on the vehicle differs from the upload at item ${at} (sent ${expected.length}, vehicle holds ${got.value.items.length})`,
      );
    }
    return succeed(null);
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
