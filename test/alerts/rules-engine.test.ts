import { describe, expect, it } from 'vitest';
import {
  detectionSchema,
  evaluateObservation,
  observeDetection,
  observeSatelliteHotspot,
  resolveRule,
  type AlertRule,
  type AlertSnapshot,
  type Asset,
  type RuleContext,
  type RuleOutcome,
  type Suppression,
} from '../../src/services/alerts/index';
import { at, canopyChange, frame, hotspot, plume, square, T0, waterLevel } from './fixtures';

function ctx(over: Partial<RuleContext> = {}): RuleContext {
  let n = 0;
  return {
    rules: [],
    suppressions: [],
    assets: [],
    candidates: [],
    newId: () => `a${++n}`,
    ...over,
  };
}

function created(r: RuleOutcome): AlertSnapshot {
  if (r.outcome !== 'created') throw new Error(`expected created, got ${JSON.stringify(r)}`);
  return r.alert;
}

describe('detection schemas', () => {
  it('accepts the four kinds and rejects an open ring with its path', () => {
    for (const d of [hotspot(), canopyChange(0, 0, 50), plume(0, 0, 6), waterLevel(0, 0, 1)]) {
      expect(detectionSchema.safeParse(d).success).toBe(true);
    }
    const bad = canopyChange(0, 0, 50) as { changedArea: { coordinates: [number, number][][] } };
    bad.changedArea.coordinates[0]!.pop();
    const r = detectionSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['changedArea', 'coordinates', 0]);
  });
});

describe('thresholds', () => {
  it('opens a low-confidence fire alert from one hot, large enough hotspot', () => {
    const alert = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    expect(alert).toMatchObject({
      alertType: 'fire',
      confidence: 'low',
      status: 'new',
      observationCount: 1,
    });
    const [e, n] = frame.toLocal(alert.centroid);
    expect(Math.hypot(e, n)).toBeLessThan(1);
  });

  it('ignores a warm spot that is not hot enough against the ambient', () => {
    const r = evaluateObservation(
      observeDetection(hotspot({ maxTempC: 40, ambientTempC: 30 })),
      ctx(),
    );
    expect(r).toMatchObject({ outcome: 'below_threshold' });
    expect(r.outcome === 'below_threshold' && r.failures).toEqual([
      'maxTempC 40 < 60',
      'deltaAboveAmbientC 10 < 25',
    ]);
  });

  it('lets an area rule raise the threshold inside its area only', () => {
    const rules: AlertRule[] = [
      {
        id: 'hot-town',
        alertType: 'fire',
        enabled: true,
        area: { type: 'Polygon', coordinates: [square(-50, -50, 100)] },
        settings: { minMaxTempC: 250 },
      },
      { id: 'all', alertType: 'fire', enabled: true, settings: { minMaxTempC: 100 } },
    ];
    expect(resolveRule('fire', at(0, 0), rules)).toMatchObject({
      minMaxTempC: 250,
      ruleIds: ['all', 'hot-town'],
    });
    expect(resolveRule('fire', at(500, 0), rules)).toMatchObject({
      minMaxTempC: 100,
      ruleIds: ['all'],
    });
    expect(evaluateObservation(observeDetection(hotspot()), ctx({ rules })).outcome).toBe(
      'below_threshold',
    );
    expect(
      evaluateObservation(observeDetection(hotspot({ eastM: 500 })), ctx({ rules })).outcome,
    ).toBe('created');
  });

  it('applies per-type thresholds to canopy loss, plumes and water levels', () => {
    expect(evaluateObservation(observeDetection(canopyChange(0, 0, 5)), ctx()).outcome).toBe(
      'below_threshold',
    );
    expect(
      created(evaluateObservation(observeDetection(canopyChange(0, 0, 40)), ctx())).alertType,
    ).toBe('illegal_logging');
    expect(evaluateObservation(observeDetection(plume(0, 0, 1.5)), ctx()).outcome).toBe(
      'below_threshold',
    );
    expect(created(evaluateObservation(observeDetection(plume(0, 0, 8)), ctx())).alertType).toBe(
      'pollution',
    );
    expect(evaluateObservation(observeDetection(waterLevel(0, 0, 0.2)), ctx()).outcome).toBe(
      'below_threshold',
    );
    const flood = created(evaluateObservation(observeDetection(waterLevel(0, 0, 1.4)), ctx()));
    expect(flood.metrics.waterRiseM).toBeCloseTo(1.4, 9);
    expect(flood.metrics.floodedAreaM2).toBeCloseTo(160_000, -2);
  });
});

describe('suppressions', () => {
  const kiln: Suppression = {
    id: 'kiln-7',
    kind: 'kiln',
    geometry: { type: 'Point', coordinates: at(10, 0) },
    radiusM: 25,
    alertTypes: ['fire'],
  };
  const burn: Suppression = {
    id: 'burn-1',
    kind: 'permitted_burn',
    geometry: { type: 'Polygon', coordinates: [square(400, -100, 200)] },
    radiusM: 0,
    alertTypes: ['fire'],
    validFromMs: T0 - 3_600_000,
    validUntilMs: T0 + 3_600_000,
  };

  it('drops a hotspot on a registered kiln', () => {
    const r = evaluateObservation(observeDetection(hotspot()), ctx({ suppressions: [kiln] }));
    expect(r).toMatchObject({ outcome: 'suppressed', suppressionId: 'kiln-7' });
  });

  it('does not drop a hotspot 300 m from the kiln, nor a flood at the kiln', () => {
    expect(
      evaluateObservation(observeDetection(hotspot({ eastM: 300 })), ctx({ suppressions: [kiln] }))
        .outcome,
    ).toBe('created');
    expect(
      evaluateObservation(observeDetection(waterLevel(0, 0, 1.4)), ctx({ suppressions: [kiln] }))
        .outcome,
    ).toBe('created');
  });

  it('drops a permitted burn only inside its time window', () => {
    const inside = observeDetection(hotspot({ eastM: 500, atMs: T0 + 1_800_000 }));
    const after = observeDetection(hotspot({ eastM: 500, atMs: T0 + 2 * 3_600_000 }));
    expect(evaluateObservation(inside, ctx({ suppressions: [burn] })).outcome).toBe('suppressed');
    expect(evaluateObservation(after, ctx({ suppressions: [burn] })).outcome).toBe('created');
  });
});

describe('fusion and the confidence ladder', () => {
  it('grows one alert from a second pass 60 m away and raises confidence to high', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const r = evaluateObservation(
      observeDetection(
        hotspot({ eastM: 60, northM: 20, atMs: T0 + 20 * 60_000, passId: 'pass-2' }),
      ),
      ctx({ candidates: [first] }),
    );
    expect(r.outcome).toBe('merged');
    if (r.outcome !== 'merged') return;
    expect(r.alert).toMatchObject({ id: first.id, confidence: 'high', observationCount: 2 });
    expect(r.escalated).toBe(true);
    expect(r.alert.extentAreaM2).toBeGreaterThan(first.extentAreaM2);
    expect(r.alert.lastObservedAtMs).toBe(T0 + 20 * 60_000);
  });

  it('keeps low confidence for a second frame of the same pass', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const r = evaluateObservation(
      observeDetection(hotspot({ eastM: 5, atMs: T0 + 2_000 })),
      ctx({ candidates: [first] }),
    );
    expect(r).toMatchObject({ outcome: 'merged', escalated: false, alert: { confidence: 'low' } });
  });

  it('raises confidence when another sensor sees it in the same pass', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const r = evaluateObservation(
      observeDetection(hotspot({ sensorId: 'ir-2' })),
      ctx({ candidates: [first] }),
    );
    expect(r).toMatchObject({ outcome: 'merged', alert: { confidence: 'high' } });
  });

  it('opens a separate alert when too far away or too late', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    let n = 10;
    const c = ctx({ candidates: [first], newId: () => `a${++n}` });
    expect(
      evaluateObservation(observeDetection(hotspot({ eastM: 600, passId: 'p2' })), c),
    ).toMatchObject({ outcome: 'created' });
    expect(
      evaluateObservation(observeDetection(hotspot({ atMs: T0 + 7 * 3_600_000, passId: 'p2' })), c),
    ).toMatchObject({ outcome: 'created' });
  });

  it('never fuses into a closed alert', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const r = evaluateObservation(
      observeDetection(hotspot({ passId: 'p2' })),
      ctx({ candidates: [{ ...first, status: 'resolved' }] }),
    );
    expect(r.outcome).toBe('created');
  });

  it('reaches highest confidence when a satellite hotspot corroborates a drone alert', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const sat = observeSatelliteHotspot({
      lonLat: at(400, 300), // within the 1 km MODIS pixel
      brightnessK: 330,
      scanKm: 1.1,
      trackKm: 1.0,
      acquiredAtMs: T0 + 3_600_000,
      satellite: 'A',
      instrument: 'MODIS',
      confidencePct: 75,
      frpMw: 40,
      version: '6.1NRT',
    });
    const r = evaluateObservation(sat, ctx({ candidates: [first] }));
    expect(r).toMatchObject({
      outcome: 'merged',
      alert: { confidence: 'highest', sources: ['drone', 'satellite'] },
    });
    // the km-wide pixel does not inflate the drone-measured extent
    if (r.outcome === 'merged') expect(r.alert.extentAreaM2).toBeCloseTo(first.extentAreaM2, 6);
  });

  it('lets a satellite hotspot alone open only a low-confidence alert', () => {
    const sat = observeSatelliteHotspot({
      lonLat: at(0, 0),
      brightnessK: 320,
      scanKm: 1,
      trackKm: 1,
      acquiredAtMs: T0,
      satellite: 'T',
      instrument: 'MODIS',
      confidencePct: 80,
      version: '6.1NRT',
    });
    expect(created(evaluateObservation(sat, ctx())).confidence).toBe('low');
    const weak = { ...sat, metrics: { ...sat.metrics, satelliteConfidencePct: 10 } };
    expect(evaluateObservation(weak, ctx()).outcome).toBe('below_threshold');
  });
});

describe('severity', () => {
  const village: Asset = {
    id: 'v1',
    kind: 'village',
    name: 'Changle',
    geometry: { type: 'Polygon', coordinates: [square(200, -50, 100)] },
  };
  const line: Asset = {
    id: 'l1',
    kind: 'power_line',
    name: 'Line 12',
    geometry: { type: 'LineString', coordinates: [at(-1000, 60), at(1000, 60)] },
  };

  it('rates the same fire higher next to a village and a power line', () => {
    const alone = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const nearBoth = created(
      evaluateObservation(observeDetection(hotspot()), ctx({ assets: [village, line] })),
    );
    expect(alone.severity).toBe('medium');
    expect(nearBoth.severity).toBe('critical');
    expect(nearBoth.severityReasons.join('; ')).toMatch(/village "Changle" \d+ m away/);
    expect(nearBoth.severityReasons.join('; ')).toMatch(/power_line "Line 12" \d+ m away/);
  });

  it('rates a small, barely warm fire low', () => {
    const small = created(
      evaluateObservation(observeDetection(hotspot({ maxTempC: 65, hotPixelCount: 20 })), ctx()),
    );
    expect(small.severity).toBe('low');
  });
});
