/**
 * Route planning (tours and sorties): tour quality against the Held–Karp bound, speed as a ratio
 * to a nearest-neighbour construction in the same run, and sortie counts against their bound.
 */
import {
  DEFAULT_DRONE,
  nearestNeighbourTour,
  planSorties,
  seededRandom,
  solveTour,
  type DroneProfile,
  type WorkUnit,
  type XY,
} from '../../missions/index';
import { median, type Benchmark } from './harness';

const randomPoints = (n: number, seed: number, sideM = 10_000): XY[] => {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (): XY => [rand() * sideM, rand() * sideM]);
};

const timeMs = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

interface SortieFixture {
  name: string;
  /** realistic: docks inside or at the edge of compact work; stress: far docks, short batteries. */
  set: 'realistic' | 'stress';
  units: WorkUnit[];
  docks: { id: string; xy: XY }[];
  drone: DroneProfile;
  cyclic: boolean;
}

/** Sortie fixtures: lane blocks and point fields of growing size around one dock. */
function sortieFixtures(): SortieFixture[] {
  const out: SortieFixture[] = [];
  const rand = seededRandom(90);
  const laneBlock = (lanes: number, laneM: number): WorkUnit[] =>
    Array.from({ length: lanes }, (_, i) => {
      const y = (i - lanes / 2) * 40;
      const ends: XY[] = [
        [-laneM / 2, y],
        [laneM / 2, y],
      ];
      return { label: `lane ${i + 1}`, path: i % 2 ? ends.reverse() : ends, altitudeM: 100 };
    });
  const pointField = (n: number, sideM: number): WorkUnit[] => {
    const pts = Array.from({ length: n }, (): XY => [
      (rand() - 0.5) * sideM,
      (rand() - 0.5) * sideM,
    ]);
    const tour = solveTour(pts, { kicks: 5 * n, lowerBound: false });
    return tour.order.map((i): WorkUnit => ({
      label: `point ${i}`,
      path: [pts[i]!],
      altitudeM: 60,
      hoverS: 5,
    }));
  };
  for (const enduranceMin of [30, 40]) {
    const drone = { ...DEFAULT_DRONE, enduranceS: enduranceMin * 60 };
    for (const lanes of [6, 12, 24, 48]) {
      for (const laneM of [400, 900]) {
        // Dock at the middle of the block's long side, as a nest beside a forest.
        out.push({
          name: `lanes ${lanes}×${laneM} m, dock beside, ${enduranceMin} min`,
          set: 'realistic',
          units: laneBlock(lanes, laneM),
          docks: [{ id: 'd', xy: [laneM / 2 + 50, 0] }],
          drone,
          cyclic: false,
        });
      }
    }
    for (const n of [30, 60, 120, 240, 576]) {
      out.push({
        name: `points ${n}, dock inside, ${enduranceMin} min`,
        set: 'realistic',
        units: pointField(n, Math.sqrt(n) * 150),
        docks: [{ id: 'd', xy: [0, 0] }],
        drone,
        cyclic: true,
      });
    }
  }
  const short = { ...DEFAULT_DRONE, enduranceS: 20 * 60 };
  for (const lanes of [12, 24, 48]) {
    out.push({
      name: `lanes ${lanes}×900 m, dock 1 km off, 20 min`,
      set: 'stress',
      units: laneBlock(lanes, 900),
      docks: [{ id: 'd', xy: [0, -lanes * 20 - 1000] }],
      drone: short,
      cyclic: false,
    });
  }
  for (const n of [120, 400]) {
    out.push({
      name: `points ${n} over ${Math.round(Math.sqrt(n) * 0.25)} km, 20 min`,
      set: 'stress',
      units: pointField(n, Math.sqrt(n) * 250),
      docks: [{ id: 'd', xy: [0, 0] }],
      drone: short,
      cyclic: true,
    });
  }
  return out;
}

const benchmarks: Benchmark[] = [
  {
    group: 'missions',
    name: 'tour 576 random points (3 seeds)',
    run() {
      const gaps: number[] = [];
      const ratios: number[] = [];
      const seconds: number[] = [];
      const nnGaps: number[] = [];
      for (const seed of [1, 2, 3]) {
        const pts = randomPoints(576, seed);
        // Warm the JIT once so that the ratio compares steady-state code.
        if (seed === 1) solveTour(pts, { kicks: 200 });
        let nn = nearestNeighbourTour(pts);
        const nnMs = median([1, 2, 3].map(() => timeMs(() => (nn = nearestNeighbourTour(pts)))));
        let tour = solveTour(pts);
        const ms = timeMs(() => (tour = solveTour(pts)));
        gaps.push(tour.gapPct ?? Number.NaN);
        nnGaps.push((nn.lengthM / tour.lowerBoundM - 1) * 100);
        ratios.push(ms / nnMs);
        seconds.push(ms / 1000);
      }
      return {
        figures: {
          worstGapPct: Math.max(...gaps),
          meanGapPct: gaps.reduce((a, b) => a + b, 0) / gaps.length,
          nearestNeighbourGapPct: median(nnGaps),
          timeRatioVsNearestNeighbour: median(ratios),
          worstSolveS: Math.max(...seconds),
        },
        notes: [
          `gaps per seed: ${gaps.map((g) => g.toFixed(3)).join(', ')} % above the Held–Karp bound (goal ≤ 2 % within 1 s)`,
        ],
      };
    },
  },
  {
    group: 'missions',
    name: 'tour 24×24 lattice',
    run() {
      const pts: XY[] = [];
      for (let i = 0; i < 24; i++) for (let j = 0; j < 24; j++) pts.push([i * 30, j * 30]);
      let nn = nearestNeighbourTour(pts);
      const nnMs = median([1, 2, 3].map(() => timeMs(() => (nn = nearestNeighbourTour(pts)))));
      let tour = solveTour(pts);
      const ms = timeMs(() => (tour = solveTour(pts)));
      return {
        figures: {
          lengthM: tour.lengthM,
          optimumM: 576 * 30,
          gapPct: tour.gapPct,
          nearestNeighbourLengthM: nn.lengthM,
          timeRatioVsNearestNeighbour: ms / nnMs,
        },
      };
    },
  },
  {
    group: 'missions',
    name: 'sortie count vs lower bound',
    run() {
      const figures: Record<string, number> = {};
      const notes: string[] = [];
      let maxBatteryPct = 0;
      for (const set of ['realistic', 'stress'] as const) {
        const fixtures = sortieFixtures().filter((f) => f.set === set);
        let equal = 0;
        let feasible = 0;
        const misses: string[] = [];
        for (const f of fixtures) {
          const plan = planSorties(f.units, f.docks, f.drone, { cyclic: f.cyclic });
          if (!plan.ok || plan.lowerBound === null) continue;
          feasible++;
          if (plan.sorties.length === plan.lowerBound) equal++;
          else misses.push(`${f.name}: ${plan.sorties.length} vs ${plan.lowerBound}`);
          for (const s of plan.sorties)
            maxBatteryPct = Math.max(maxBatteryPct, s.batteryUsedPct + f.drone.reservePct);
        }
        figures[`${set}.fixtures`] = feasible;
        figures[`${set}.equalToBoundPct`] = (equal / feasible) * 100;
        if (misses.length) notes.push(`${set}, above the bound: ${misses.join('; ')}`);
      }
      figures.maxBatteryWithReservePct = maxBatteryPct;
      notes.push(
        'bound = ⌈work / (range − 2 × nearest dock distance)⌉ in time-equivalent metres (turns, hover, climb included)',
      );
      return { figures, notes };
    },
  },
];

export default benchmarks;
