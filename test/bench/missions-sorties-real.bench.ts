import { readFileSync } from 'node:fs';
import { area, bbox } from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import { planPatrol } from '../../missions/plan/index';
import { DEFAULT_DRONE } from '../../missions/types/index';
import type { Benchmark } from './harness';

/**
 * Real forest shapes for the sortie count: the islands of the Admiralty Island National
 * Monument (MIT, US Forest Service data, in test/fixtures) between 0.3 and 4 km², twelve of them
 * evenly by area, each flown from one dock 0.002° (~220 m) south of the middle of its bounding
 * box, at 30 and 40 min of endurance. Fixed before any result was seen; the synthetic sets of
 * missions-plan.bench.ts stay as they are.
 */
function realParts(): Polygon[] {
  const fc = JSON.parse(
    readFileSync(
      new URL('../fixtures/areas/forests/admiralty_national_monument.geojson', import.meta.url),
      'utf8',
    ),
  ) as { features: { geometry: { type: string; coordinates: unknown } }[] };
  const parts: Polygon[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    const rings =
      g.type === 'Polygon'
        ? [g.coordinates as Position[][]]
        : g.type === 'MultiPolygon'
          ? (g.coordinates as Position[][][])
          : [];
    for (const coordinates of rings) parts.push({ type: 'Polygon', coordinates });
  }
  const sized = parts
    .map((p) => ({ p, m2: area(p) }))
    .filter((x) => x.m2 > 0.3e6 && x.m2 < 4e6)
    .sort((a, b) => a.m2 - b.m2);
  const step = Math.max(1, Math.floor(sized.length / 12));
  return sized
    .filter((_, i) => i % step === 0)
    .slice(0, 12)
    .map((x) => x.p);
}

const benchmarks: Benchmark[] = [
  {
    group: 'missions',
    name: 'sortie count vs lower bound on real forest parts',
    run() {
      const figures: Record<string, number> = {};
      const perFixture: string[] = [];
      let fixtures = 0;
      let equal = 0;
      let equalProven = 0;
      let maxBatteryPct = 0;
      let minCoveragePct = 100;
      const planMs: number[] = [];
      for (const part of realParts()) {
        const [minX, minY, maxX] = bbox(part);
        const dock: [number, number] = [(minX + maxX) / 2, minY - 0.002];
        for (const enduranceMin of [30, 40]) {
          const drone = { ...DEFAULT_DRONE, enduranceS: enduranceMin * 60 };
          const t0 = performance.now();
          const result = planPatrol({
            areas: [{ kind: 'forest', geojson: part }],
            docks: [{ id: 'dock', position: dock, groundAltM: 0 }],
            drone,
            options: { altitudeAglM: 100, coverageSamples: 2000 },
          });
          const ms = performance.now() - t0;
          const name = `${(area(part) / 1e6).toFixed(2)} km², ${enduranceMin} min`;
          if (!result.ok) {
            perFixture.push(`  ${name}: no plan (${result.error.code})`);
            continue;
          }
          planMs.push(ms);
          const st = result.plan.statistics;
          const bound = st.sortieLowerBound;
          if (bound === null) continue;
          const proven = st.sortieProvenMinimum ?? 0;
          fixtures++;
          if (st.sorties === bound) equal++;
          if (st.sorties === Math.max(bound, proven)) equalProven++;
          minCoveragePct = Math.min(minCoveragePct, st.coveragePct ?? 0);
          for (const s of result.plan.sorties)
            maxBatteryPct = Math.max(maxBatteryPct, s.batteryUsedPct + drone.reservePct);
          perFixture.push(
            `  ${name}: ${st.sorties} sorties, bound ${bound}, proven minimum ${proven} [${(st.flightTimeS / 60).toFixed(1)} min flown, planned in ${ms.toFixed(0)} ms]` +
              (st.sorties === bound
                ? ' — equal'
                : proven > bound
                  ? ' — bound NOT attainable'
                  : ' — above the bound'),
          );
        }
      }
      figures.fixtures = fixtures;
      figures.equalToBoundPct = (100 * equal) / fixtures;
      figures.equalToMaxOfBoundAndProvenPct = (100 * equalProven) / fixtures;
      figures.minCoveragePct = minCoveragePct;
      figures.maxBatteryWithReservePct = maxBatteryPct;
      figures.planMsMax = Math.max(...planMs);
      return {
        figures,
        notes: [
          'Admiralty Island parts of 0.3–4 km², one dock ~220 m south of each, 30 and 40 min:',
          ...perFixture,
        ],
      };
    },
  },
];

export default benchmarks;
