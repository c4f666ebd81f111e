/**
 * `npm run bench -- --filter "low side overlap"`: sortie counts against their lower bound where
 * the coverage bends lane ends along slanted edges (10 % and 30 % side overlap), and how often the
 * lane bands accept the planner's own lanes there.
 *
 * Fixtures, fixed before any result was read: the three slanted shapes of the coverage tests (a
 * thin triangle, a leaning parallelogram, a saw-toothed strip), a trapezoid with 36° sides, a
 * trapezoid leaning 6° off the axes, and four seeded random stars (seeds 1011–1014, not used by any
 * other test or bench); one dock 220 m south of the middle of each bounding box; 30 and 40 min of
 * endurance; default camera at 100 m.
 */
import {
  createLocalFrame,
  DEFAULT_DRONE,
  planCoverage,
  planPatrol,
  seededRandom,
} from '../../missions/index';
import { planLaneBands } from '../../missions/plan/lane-bands';
import type { XY } from '../../missions/types/index';
import { CENTRE, fromMetres, SLANTED, starForest } from '../missions/coverage/shapes';
import { median, type Benchmark } from './harness';

const frame = createLocalFrame(CENTRE);

function fixtures(): { name: string; ring: XY[] }[] {
  const out = Object.entries(SLANTED).map(([name, ring]) => ({ name, ring }));
  out.push({
    name: 'trapezoid',
    ring: [
      [0, 0],
      [2400, 0],
      [1900, 700],
      [300, 700],
    ],
  });
  out.push({
    name: 'leaning trapezoid',
    ring: [
      [0, 0],
      [2000, 200],
      [1800, 900],
      [400, 800],
    ],
  });
  for (let seed = 1011; seed <= 1014; seed++)
    out.push({ name: `star ${seed}`, ring: starForest(seededRandom(seed)) });
  return out;
}

const benchmarks: Benchmark[] = [
  {
    group: 'missions',
    name: 'sortie count vs lower bound at low side overlap (slanted shapes)',
    run() {
      const figures: Record<string, number> = {};
      const notes: string[] = [];
      for (const sideOverlapPct of [10, 30]) {
        let count = 0;
        let equal = 0;
        let equalProven = 0;
        let sorties = 0;
        let flightS = 0;
        let bandsAccepted = 0;
        let minCoveragePct = 100;
        let maxBatteryPct = 0;
        const planMs: number[] = [];
        for (const { name, ring } of fixtures()) {
          const xs = ring.map((p) => p[0]);
          const ys = ring.map((p) => p[1]);
          const dock: XY = [(Math.min(...xs) + Math.max(...xs)) / 2, Math.min(...ys) - 220];
          const area = fromMetres([ring]);
          for (const enduranceMin of [30, 40]) {
            const drone = { ...DEFAULT_DRONE, enduranceS: enduranceMin * 60 };
            const label = `${sideOverlapPct} % | ${name}, ${enduranceMin} min`;
            // Does the band planner take the coverage planner's own lanes (bends and all)?
            const base = planCoverage(area, {
              altitudeAglM: 100,
              sideOverlapPct,
              frame,
              startLonLat: frame.toLonLat(dock),
              footprints: false,
            });
            const bands = planLaneBands(base.workPaths, [{ id: 'dock', xy: dock }], drone, frame);
            if (bands) bandsAccepted++;
            const t0 = performance.now();
            const result = planPatrol({
              areas: [{ kind: 'forest', geojson: area }],
              docks: [{ id: 'dock', position: frame.toLonLat(dock), groundAltM: 0 }],
              drone,
              options: { altitudeAglM: 100, sideOverlapPct, coverageSamples: 2000 },
            });
            const ms = performance.now() - t0;
            if (!result.ok) {
              notes.push(`  ${label}: no plan (${result.error.code})`);
              continue;
            }
            const st = result.plan.statistics;
            const bound = st.sortieLowerBound;
            if (bound === null) continue;
            const proven = st.sortieProvenMinimum ?? 0;
            planMs.push(ms);
            count++;
            sorties += st.sorties;
            flightS += st.flightTimeS;
            if (st.sorties === bound) equal++;
            if (st.sorties === Math.max(bound, proven)) equalProven++;
            minCoveragePct = Math.min(minCoveragePct, st.coveragePct ?? 0);
            for (const s of result.plan.sorties)
              maxBatteryPct = Math.max(maxBatteryPct, s.batteryUsedPct + drone.reservePct);
            notes.push(
              `  ${label}: ${st.sorties} sorties, bound ${bound}, proven minimum ${proven} [${(st.flightTimeS / 60).toFixed(1)} min flown, planned in ${ms.toFixed(0)} ms; bands on the planner's lanes: ${bands ? `${bands.sorties}` : 'refused'}]` +
                (st.sorties === bound
                  ? ' — equal'
                  : proven > bound
                    ? ' — bound NOT attainable'
                    : ' — above the bound'),
            );
          }
        }
        const k = `side${sideOverlapPct}`;
        figures[`${k}.fixtures`] = count;
        figures[`${k}.equalToBoundPct`] = (100 * equal) / count;
        figures[`${k}.equalToMaxOfBoundAndProvenPct`] = (100 * equalProven) / count;
        figures[`${k}.sorties`] = sorties;
        figures[`${k}.flightMin`] = flightS / 60;
        figures[`${k}.bandsAcceptBasePct`] = (100 * bandsAccepted) / (fixtures().length * 2);
        figures[`${k}.minCoveragePct`] = minCoveragePct;
        figures[`${k}.maxBatteryWithReservePct`] = maxBatteryPct;
        figures[`${k}.planMsMedian`] = median(planMs);
      }
      return {
        figures,
        notes: [
          'slanted shapes and seeded stars, one dock 220 m south, default camera at 100 m (set | shape, endurance):',
          ...notes,
        ],
      };
    },
  },
];

export default benchmarks;
