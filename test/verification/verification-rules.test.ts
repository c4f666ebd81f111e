/**
 * The pure parts of verification flights: the close-up pattern, reachability by the energy
 * model, the standing approval rule, and the status that follows from a sortie's state.
 */
import { describe, expect, it } from 'vitest';
import { SORTIE_STATE_NAMES } from '../../db/index';
import { createLocalFrame, planPatrol } from '../../missions/index';
import {
  autoApproval,
  ringRadiusM,
  unreachableReason,
  verificationPatrolInput,
  verificationPoints,
  verificationStatusOfSortie,
  VERIFICATION_PAYLOAD,
  VERIFICATION_PURPOSE,
  type VerificationDock,
  type VerificationTarget,
} from '../../src/services/verification/index';
import { missionPriority } from '../../src/services/fleet/index';

const CENTRE: [number, number] = [119.78, 30.4];
const frame = createLocalFrame(CENTRE);
const fire: VerificationTarget = { id: 'alr_1', alertType: 'fire', centroid: CENTRE, radiusM: 25 };
const dockAt = (eastM: number, minutes = 30): VerificationDock => ({
  id: 'dock-1',
  position: frame.toLonLat([eastM, 0]),
  groundAltM: 60,
  drone: { cruiseSpeedMps: 10, maxFlightTimeMin: minutes, batteryReservePct: 25 },
});

describe('the close-up pattern', () => {
  it('looks straight down over the centre and in at it from a ring, every point with a photo and a hover', () => {
    const points = verificationPoints(fire, { ringPoints: 4 }).features;
    expect(points).toHaveLength(5);
    expect(points[0]!.properties).toMatchObject({ gimbalPitchDeg: -90, hoverS: 10, photo: true });
    for (const p of points.slice(1)) {
      const [x, y] = frame.toLocal(p.geometry.coordinates as [number, number]);
      expect(Math.hypot(x, y)).toBeCloseTo(40, 1); // a 25 m alert is framed from the 40 m minimum
      // The heading points from the ring point back to the centre.
      const towardsCentreDeg = ((Math.atan2(-x, -y) * 180) / Math.PI + 360) % 360;
      expect(
        Math.abs(((p.properties.headingDeg - towardsCentreDeg + 540) % 360) - 180),
      ).toBeLessThan(1);
      // Pitched down at the alert from 60 m over a 40 m ring: atan(60 / 40) = 56°.
      expect(p.properties.gimbalPitchDeg).toBe(-56);
      expect(p.properties).toMatchObject({ hoverS: 4, photo: true });
    }
  });

  it('keeps the ring between 40 m and 400 m whatever the alert’s extent', () => {
    expect(ringRadiusM(5)).toBe(40);
    expect(ringRadiusM(150)).toBe(150);
    expect(ringRadiusM(5000)).toBe(400);
    expect(ringRadiusM(Number.NaN)).toBe(40);
  });

  it('plans one sortie from the dock: take-off, five inspection points at the close-up height, landing', () => {
    const result = planPatrol(verificationPatrolInput(fire, dockAt(500)));
    expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
    if (!result.ok) return;
    const [sortie] = result.plan.sorties;
    expect(result.plan.sorties).toHaveLength(1);
    expect(result.plan.statistics.inspectionPoints).toBe(5);
    expect(sortie!.mission[0]!.command).toBe(22);
    expect(sortie!.mission.at(-1)!.command).toBe(21);
    const waypoints = sortie!.mission.filter((i) => i.command === 16);
    expect(new Set(waypoints.map((i) => i.altM))).toEqual(new Set([60]));
    expect(sortie!.mission.filter((i) => i.command === 2000)).toHaveLength(5);
  });

  it('uses IR for fire and pollution, lidar for logging and flood, and the fleet’s priority order', () => {
    expect(VERIFICATION_PAYLOAD).toEqual({
      fire: 'ir',
      pollution: 'ir',
      illegal_logging: 'lidar',
      flood: 'lidar',
    });
    const p = (t: keyof typeof VERIFICATION_PURPOSE) => missionPriority(VERIFICATION_PURPOSE[t]);
    expect(p('fire')).toBeGreaterThan(p('flood'));
    expect(p('flood')).toBeGreaterThan(p('pollution'));
    expect(p('pollution')).toBeGreaterThan(p('illegal_logging'));
  });
});

describe('reachability by the energy model', () => {
  it('finds a dock 500 m away reachable and one 20 km away not, naming distance, need and range', () => {
    expect(unreachableReason(fire, dockAt(500), 500)).toBeNull();
    const far = unreachableReason(fire, dockAt(20_000), 20_000);
    expect(far).toContain('alert is 20.0 km from dock dock-1');
    expect(far).toContain('needs 40.3 km');
    expect(far).toContain('usable range is 9.4 km');
  });

  it('agrees with the planner at the edge: what it lets through, the planner can fly in one sortie', () => {
    // usable 1350 s at 7 m/s = 9450 m; out and back 2 × 4.4 km + the ring fits, 4.8 km does not.
    const near = dockAt(4_400);
    expect(unreachableReason(fire, near, 4_400)).toBeNull();
    const planned = planPatrol(verificationPatrolInput(fire, near, { ringPoints: 0 }));
    expect(planned.ok && planned.plan.sorties.length).toBe(1);
    expect(unreachableReason(fire, dockAt(4_800), 4_800)).not.toBeNull();
  });
});

describe('the standing approval rule', () => {
  it('approves high and critical alerts from a shared dock, and nothing else', () => {
    for (const severity of ['high', 'critical'] as const)
      expect(autoApproval({ severity, dockShared: true, requesterOwnsDock: false }).approve).toBe(
        true,
      );
    for (const severity of ['low', 'medium'] as const)
      expect(autoApproval({ severity, dockShared: true, requesterOwnsDock: false })).toMatchObject({
        approve: false,
        reason: expect.stringContaining('the dock owner decides'),
      });
    expect(
      autoApproval({ severity: 'critical', dockShared: false, requesterOwnsDock: false }).approve,
    ).toBe(false);
    expect(
      autoApproval({ severity: 'critical', dockShared: true, requesterOwnsDock: true }).approve,
    ).toBe(false);
  });
});

describe('status from the sortie', () => {
  it('maps every sortie state to one verification status', () => {
    const map = Object.fromEntries(
      SORTIE_STATE_NAMES.map((s) => [s, verificationStatusOfSortie(s)]),
    );
    expect(map).toEqual({
      requested: 'mission_created',
      approved: 'scheduled',
      rejected: 'failed',
      scheduled: 'scheduled',
      queued: 'scheduled',
      preflight: 'flying',
      launching: 'flying',
      in_flight: 'flying',
      paused: 'flying',
      returning: 'flying',
      landed: 'flying',
      done: 'done',
      aborted: 'failed',
      failed: 'failed',
    });
  });
});
