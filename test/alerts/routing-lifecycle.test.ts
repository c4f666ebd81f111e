import { describe, expect, it } from 'vitest';
import {
  ACK_DEADLINE_MS,
  canRate,
  escalationTargets,
  evaluateDeadline,
  presetJurisdiction,
  routeAlert,
  transitionAlert,
  type Geometry,
  type Jurisdiction,
} from '../../src/services/alerts/index';
import { at, square } from './fixtures';

const forest: Geometry = { type: 'Polygon', coordinates: [square(-1000, -1000, 2000)] };
const riverDistrict: Geometry = { type: 'Polygon', coordinates: [square(-5000, -5000, 10_000)] };
const line: Geometry = { type: 'LineString', coordinates: [at(-3000, 1200), at(3000, 1200)] };
const jurisdictions: Jurisdiction[] = [
  presetJurisdiction('forestry', 'forestry', [forest]),
  presetJurisdiction('water', 'water', [riverDistrict]),
  presetJurisdiction('emergency', 'emergency', [riverDistrict]),
  presetJurisdiction('utility', 'utility', [line]),
];
const point = (e: number, n: number): Geometry => ({ type: 'Point', coordinates: at(e, n) });

describe('routeAlert', () => {
  it('sends a medium forest fire to forestry only', () => {
    const r = routeAlert(
      { alertType: 'fire', severity: 'medium', geometry: point(0, 0) },
      jurisdictions,
    );
    expect(r.map((d) => d.agencyId)).toEqual(['forestry']);
  });

  it('adds emergency management for high severity and the utility near its line', () => {
    const r = routeAlert(
      { alertType: 'fire', severity: 'high', geometry: point(0, 900) },
      jurisdictions,
    );
    expect(r.map((d) => d.agencyId)).toEqual(['forestry', 'emergency', 'utility']);
    expect(r.find((d) => d.agencyId === 'utility')?.reason).toBe('fire 300 m from its areas');
  });

  it('sends floods and pollution to water, never to forestry', () => {
    expect(
      routeAlert({ alertType: 'flood', severity: 'low', geometry: point(0, 0) }, jurisdictions).map(
        (d) => d.agencyId,
      ),
    ).toEqual(['water']);
    expect(
      routeAlert(
        { alertType: 'illegal_logging', severity: 'low', geometry: point(0, 0) },
        jurisdictions,
      ).map((d) => d.agencyId),
    ).toEqual(['forestry']);
  });

  it('routes nothing outside every jurisdiction', () => {
    expect(
      routeAlert(
        { alertType: 'fire', severity: 'critical', geometry: point(20_000, 0) },
        jurisdictions,
      ),
    ).toEqual([]);
  });

  it('escalates to emergency management covering the place, whatever the severity', () => {
    expect(escalationTargets({ geometry: point(0, 0) }, jurisdictions)).toEqual(['emergency']);
    expect(escalationTargets({ geometry: point(20_000, 0) }, jurisdictions)).toEqual([]);
  });
});

describe('transitionAlert', () => {
  it('walks the happy path', () => {
    expect(transitionAlert('new', 'dispatch')).toEqual({ ok: true, from: 'new', to: 'dispatched' });
    expect(transitionAlert('dispatched', 'acknowledge')).toMatchObject({
      ok: true,
      to: 'acknowledged',
    });
    expect(transitionAlert('acknowledged', 'start')).toMatchObject({ ok: true, to: 'in_progress' });
    expect(transitionAlert('in_progress', 'acknowledge')).toMatchObject({
      ok: true,
      to: 'in_progress',
    });
    expect(transitionAlert('in_progress', 'resolve')).toMatchObject({ ok: true, to: 'resolved' });
  });

  it('refuses to leave a closed alert and names what is allowed', () => {
    const r = transitionAlert('resolved', 'start');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(
      'cannot start an alert that is resolved; allowed from dispatched, acknowledged, in_progress',
    );
    expect(transitionAlert('false_alarm', 'resolve').ok).toBe(false);
    expect(transitionAlert('new', 'acknowledge').ok).toBe(false);
  });

  it('rates only closed alerts with 1..5 stars', () => {
    expect(canRate('resolved', 5)).toEqual({ ok: true });
    expect(canRate('in_progress', 4).ok).toBe(false);
    expect(canRate('false_alarm', 0).ok).toBe(false);
    expect(canRate('duplicate', 2.5).ok).toBe(false);
  });
});

describe('evaluateDeadline (fake time)', () => {
  const dispatchedAtMs = 1_000_000;
  const w = ACK_DEADLINE_MS.high;

  it('is green before the deadline, yellow with a reminder after it, red with escalation after two', () => {
    expect(evaluateDeadline({ dispatchedAtMs }, 'high', dispatchedAtMs + w - 1)).toMatchObject({
      light: 'green',
      due: [],
      nextCheckAtMs: dispatchedAtMs + w,
    });
    expect(evaluateDeadline({ dispatchedAtMs }, 'high', dispatchedAtMs + w)).toMatchObject({
      light: 'yellow',
      due: ['remind'],
      nextCheckAtMs: dispatchedAtMs + 2 * w,
    });
    expect(
      evaluateDeadline(
        { dispatchedAtMs, reminderSentAtMs: dispatchedAtMs + w },
        'high',
        dispatchedAtMs + w + 5,
      ),
    ).toMatchObject({ light: 'yellow', due: [] });
    expect(
      evaluateDeadline(
        { dispatchedAtMs, reminderSentAtMs: dispatchedAtMs + w },
        'high',
        dispatchedAtMs + 2 * w,
      ),
    ).toMatchObject({
      light: 'red',
      due: ['escalate'],
      nextCheckAtMs: undefined,
    });
  });

  it('stops the clock once acknowledged and gives critical alerts the shortest deadline', () => {
    expect(
      evaluateDeadline(
        { dispatchedAtMs, acknowledgedAtMs: dispatchedAtMs + 10 },
        'high',
        dispatchedAtMs + 10 * w,
      ).light,
    ).toBe('done');
    expect(ACK_DEADLINE_MS.critical).toBeLessThan(ACK_DEADLINE_MS.high);
    expect(
      evaluateDeadline({ dispatchedAtMs }, 'critical', dispatchedAtMs + ACK_DEADLINE_MS.critical)
        .light,
    ).toBe('yellow');
    expect(
      evaluateDeadline({ dispatchedAtMs }, 'low', dispatchedAtMs + ACK_DEADLINE_MS.critical).light,
    ).toBe('green');
  });
});
