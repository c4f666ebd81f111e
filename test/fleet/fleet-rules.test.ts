import { describe, expect, it } from 'vitest';
import { checkQuota, quotaPeriodBounds } from '../../src/services/fleet/agency-quota';
import {
  evaluateLaunchGates,
  firstFailingGate,
  sortieBatteryNeedPct,
  type LaunchConditions,
} from '../../src/services/fleet/launch-gates';
import { MISSION_PURPOSES, missionPriority } from '../../src/services/fleet/mission-priority';
import { compareQueued, selectPreempted } from '../../src/services/fleet/sortie-preemption';

const t0 = Date.parse('2026-06-01T02:00:00Z');
const good: LaunchConditions = {
  batteryPct: 95,
  sortieNeedPct: 40,
  reservePct: 25,
  windMps: 5,
  maxWindMps: 12,
  raining: false,
  nowMs: t0 + 60_000,
  windowStartMs: t0,
  windowEndMs: t0 + 30 * 60_000,
  linkHealthy: true,
  fenceVerified: true,
  roofOk: true,
};

describe('launch gates', () => {
  it('pass when every condition holds', () => {
    const results = evaluateLaunchGates(good);
    expect(results.map((r) => r.gate)).toEqual([
      'battery',
      'wind',
      'rain',
      'time_window',
      'link',
      'fence',
      'roof',
    ]);
    expect(firstFailingGate(results)).toBeNull();
  });

  it.each([
    ['battery', { batteryPct: 64.9 }, 'GATE_BATTERY', 'need 40 % + reserve 25 % = 65 %'],
    ['wind', { windMps: 12 }, 'GATE_WIND', 'wind 12 m/s ≥ limit 12 m/s'],
    ['rain', { raining: true }, 'GATE_RAIN', 'rain'],
    ['time_window (early)', { nowMs: t0 - 1 }, 'GATE_TIME_WINDOW', 'window'],
    ['time_window (late)', { nowMs: t0 + 30 * 60_000 }, 'GATE_TIME_WINDOW', 'window'],
    ['link', { linkHealthy: false }, 'GATE_LINK', 'link'],
    ['fence', { fenceVerified: false }, 'GATE_FENCE', 'not verified'],
    ['roof', { roofOk: false }, 'GATE_ROOF', 'fault'],
  ] as const)('fail on %s with a reason naming the value', (_name, change, code, detail) => {
    const failing = firstFailingGate(evaluateLaunchGates({ ...good, ...change }));
    expect(failing?.code).toBe(code);
    expect(failing?.detail).toContain(detail);
    expect(evaluateLaunchGates({ ...good, ...change }).filter((g) => !g.ok)).toHaveLength(1);
  });

  it('passes battery exactly at need + reserve', () => {
    expect(firstFailingGate(evaluateLaunchGates({ ...good, batteryPct: 65 }))).toBeNull();
  });

  it('skips the fence gate before upload (null) but not after', () => {
    expect(firstFailingGate(evaluateLaunchGates({ ...good, fenceVerified: null }))).toBeNull();
  });

  it('derives the battery need from flight time and endurance', () => {
    expect(sortieBatteryNeedPct(12, 30)).toBeCloseTo(40, 9);
  });
});

describe('priorities', () => {
  it('rank emergency rescue > fire > flood > pollution > logging > line inspection', () => {
    const ranked = [...MISSION_PURPOSES].sort((a, b) => missionPriority(b) - missionPriority(a));
    expect(ranked).toEqual([
      'emergency_rescue',
      'forest_fire_patrol',
      'river_flood',
      'pollution',
      'anti_logging',
      'line_inspection',
    ]);
  });
});

describe('preemption', () => {
  const q = (id: string, priority: number, dueAtMs: number) => ({ id, priority, dueAtMs });

  it('bumps every strictly lower-priority queued sortie, never equal or higher', () => {
    const queued = [q('line', 10, 0), q('logging', 20, 5), q('fire', 50, 1), q('fire2', 50, 9)];
    expect(selectPreempted(queued, q('fire3', 50, 10)).map((s) => s.id)).toEqual([
      'line',
      'logging',
    ]);
    expect(selectPreempted(queued, q('rescue', 60, 10)).map((s) => s.id)).toEqual([
      'line',
      'logging',
      'fire',
      'fire2',
    ]);
    expect(selectPreempted(queued, q('line2', 10, 10))).toEqual([]);
  });

  it('orders a dock queue by priority, then due time, then id', () => {
    const list = [q('b', 10, 0), q('a', 50, 7), q('c', 50, 3), q('d', 50, 3)];
    expect(list.sort(compareQueued).map((s) => s.id)).toEqual(['c', 'd', 'a', 'b']);
  });
});

describe('quotas', () => {
  it('cut periods on UTC day, ISO week (Monday) and month', () => {
    const at = Date.parse('2026-06-04T15:30:00Z'); // a Thursday
    expect(quotaPeriodBounds('day', at)).toEqual({
      startMs: Date.parse('2026-06-04T00:00:00Z'),
      endMs: Date.parse('2026-06-05T00:00:00Z'),
    });
    expect(quotaPeriodBounds('week', at)).toEqual({
      startMs: Date.parse('2026-06-01T00:00:00Z'),
      endMs: Date.parse('2026-06-08T00:00:00Z'),
    });
    expect(quotaPeriodBounds('month', Date.parse('2026-12-31T23:59:59Z'))).toEqual({
      startMs: Date.parse('2026-12-01T00:00:00Z'),
      endMs: Date.parse('2027-01-01T00:00:00Z'),
    });
    expect(quotaPeriodBounds('week', Date.parse('2026-06-07T23:00:00Z')).startMs).toBe(
      Date.parse('2026-06-01T00:00:00Z'),
    );
  });

  it('admit up to the limit and refuse one more, naming the numbers', () => {
    const quota = { period: 'day' as const, maxSorties: 3, maxFlightMin: 60 };
    expect(checkQuota(quota, { sorties: 2, flightMin: 40 }, { sorties: 1, flightMin: 20 })).toEqual(
      { ok: true },
    );
    expect(checkQuota(quota, { sorties: 3, flightMin: 10 }, { sorties: 1, flightMin: 5 })).toEqual({
      ok: false,
      reason: 'sorties: 3 used + 1 requested > 3 per day',
    });
    const minutes = checkQuota(
      quota,
      { sorties: 1, flightMin: 50 },
      { sorties: 1, flightMin: 10.5 },
    );
    expect(minutes.ok).toBe(false);
    if (!minutes.ok)
      expect(minutes.reason).toContain('flight minutes: 50 used + 10.5 requested > 60');
  });

  it('treat null limits as unlimited', () => {
    expect(
      checkQuota(
        { period: 'month', maxSorties: null, maxFlightMin: null },
        { sorties: 1e6, flightMin: 1e9 },
        { sorties: 1, flightMin: 1 },
      ),
    ).toEqual({ ok: true });
  });
});
