import { describe, expect, it } from 'vitest';
import {
  detectionSchema,
  evaluateObservation,
  FUSION_TIE_M,
  geometryDistanceM,
  observeDetection,
  observeSatelliteHotspot,
  resolveRule,
  type AlertRule,
  type AlertSnapshot,
  type Asset,
  type FusionCandidate,
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

/** A snapshot as a store gives it to fusion: with its rank in creation order. */
function stored(alert: AlertSnapshot, createdSeq = 1): AlertSnapshot & FusionCandidate {
  return { ...alert, createdSeq };
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
      ctx({ candidates: [stored(first)] }),
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
      ctx({ candidates: [stored(first)] }),
    );
    expect(r).toMatchObject({ outcome: 'merged', escalated: false, alert: { confidence: 'low' } });
  });

  it('raises confidence when another sensor sees it in the same pass', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    const r = evaluateObservation(
      observeDetection(hotspot({ sensorId: 'ir-2' })),
      ctx({ candidates: [stored(first)] }),
    );
    expect(r).toMatchObject({ outcome: 'merged', alert: { confidence: 'high' } });
  });

  it('opens a separate alert when too far away or too late', () => {
    const first = created(evaluateObservation(observeDetection(hotspot()), ctx()));
    let n = 10;
    const c = ctx({ candidates: [stored(first)], newId: () => `a${++n}` });
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
      ctx({ candidates: [{ ...stored(first), status: 'resolved' }] }),
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
    const r = evaluateObservation(sat, ctx({ candidates: [stored(first)] }));
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

describe('fusion between equally near alerts (the tie rule)', () => {
  // an observation reduced to a point, and point alerts east and west of it on its latitude:
  // mirror images in degrees, so their distances are equal to the last bit
  const obs = { ...observeDetection(hotspot({ passId: 'p9' })) };
  const [lon, lat] = obs.location;
  const pointObs = { ...obs, geometry: { type: 'Point' as const, coordinates: obs.location } };
  const base = created(evaluateObservation(observeDetection(hotspot()), ctx()));
  /** A stored point alert `dLonDeg` east of the observation, created `createdSeq`-th. */
  const alertAt = (id: string, createdSeq: number, dLonDeg: number) =>
    stored(
      { ...base, id, geometry: { type: 'Point', coordinates: [lon + dLonDeg, lat] } },
      createdSeq,
    );
  const winner = (candidates: FusionCandidate[]) => {
    const r = evaluateObservation(pointObs, ctx({ candidates }));
    if (r.outcome !== 'merged') throw new Error(`expected merged, got ${r.outcome}`);
    return r.alert.id;
  };
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) =>
          permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
        );

  it('gives an exact tie to the alert created first, in every candidate order', () => {
    const dLon = 50 / 96_000;
    const oldest = alertAt('a-old', 3, -dLon);
    const younger = alertAt('a-young', 7, dLon);
    const youngest = alertAt('a-youngest', 9, -dLon);
    // the tie is exact (mirror images), the older is not nearer by any rounding
    expect(geometryDistanceM(oldest.geometry, pointObs.geometry)).toBe(
      geometryDistanceM(younger.geometry, pointObs.geometry),
    );
    for (const order of permutations([younger, youngest, oldest]))
      expect(winner(order)).toBe('a-old');
  });

  it('breaks a tie between equal creation ranks by id', () => {
    const dLon = 50 / 96_000;
    for (const order of permutations([alertAt('a-b', 4, dLon), alertAt('a-a', 4, -dLon)]))
      expect(winner(order)).toBe('a-a');
  });

  it('counts distances within 1 µm as equal and a nearer alert by 1 mm as nearer', () => {
    const dLon = 50 / 96_000;
    // ~0.3 µm farther (a few hundred ulps of longitude): still a tie, the older wins
    const olderFarther = alertAt('a-old', 1, dLon + 3e-12);
    const younger = alertAt('a-young', 2, -dLon);
    const dOld = geometryDistanceM(olderFarther.geometry, pointObs.geometry);
    const dYoung = geometryDistanceM(younger.geometry, pointObs.geometry);
    expect(dOld - dYoung).toBeGreaterThan(0);
    expect(dOld - dYoung).toBeLessThan(FUSION_TIE_M);
    for (const order of permutations([olderFarther, younger])) expect(winner(order)).toBe('a-old');
    // ~1 mm farther: the younger, nearer alert wins
    const olderFar = alertAt('a-old', 1, dLon + 1e-8);
    expect(geometryDistanceM(olderFar.geometry, pointObs.geometry) - dYoung).toBeGreaterThan(5e-4);
    for (const order of permutations([olderFar, younger])) expect(winner(order)).toBe('a-young');
  });

  it('measures the tolerance from the nearest, not from candidate to candidate', () => {
    // a chain 0.6 µm apart: the oldest is 1.2 µm farther than the nearest, out of the tie
    const dLon = 50 / 96_000;
    const step = 0.6e-6 / 96_000;
    const nearest = alertAt('a-3', 3, dLon);
    const middle = alertAt('a-2', 2, -(dLon + step));
    const farthest = alertAt('a-1', 1, dLon + 2 * step);
    for (const order of permutations([nearest, middle, farthest]))
      expect(winner(order)).toBe('a-2');
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
