import { featureCollection, intersect, polygon as turfPolygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { polygonAreaM2, type PolygonXY, type RingXY } from '../coverage/index';
import type { CoveragePlan } from '../coverage/index';
import { segmentPolygonDistanceM } from '../fence/index';
import { MissionInputError, type LocalFrame } from '../frame/index';
import {
  planSorties,
  type DockSite,
  type PlanSortiesOptions,
  type WorkUnit,
} from '../sortie/index';
import type { DroneProfile, LonLat, WorkPath, XY } from '../types/index';
import { planLaneBands } from './lane-bands';
import { planLaneRoutes } from './lane-routes';

/** What the patrol plan keeps of a coverage plan (a composite of parts has no cells). */
export interface DockAwareCoveragePlan {
  workPaths: WorkPath[];
  footprints: CoveragePlan['footprints'];
  stats: Pick<
    CoveragePlan['stats'],
    'lengthM' | 'lowerBoundM' | 'turns' | 'areaM2' | 'laneSpacingM'
  >;
}

/** How a coverage's work splits into sorties: fewer sorties first, then less flight time. */
export interface SortieScore {
  sorties: number;
  timeS: number;
  /**
   * The splitter's lower bound for this work in this order (`planSorties`' `lowerBound`), when
   * known: the routing search is not tried on a candidate that already reaches it.
   */
  lowerBound?: number;
}

/** Inputs of {@link dockAwareCoverage}; every planning and scoring step is the caller's. */
export interface DockAwareCoverageInput {
  /** The area to cover, `[lon, lat]`. */
  geometry: Polygon | MultiPolygon;
  /** The coverage planned as before (start at the nearest dock, directions by length and turns). */
  base: CoveragePlan;
  /** Every dock, in the local frame. */
  docks: readonly DockSite[];
  frame: LocalFrame;
  /**
   * Docks farther than this from the area (metres) get no share of it: a sortie from there would
   * spend most of its battery on the way. E.g. a quarter of the usable range.
   */
  dockReachM: number;
  /**
   * Plans the coverage of (a part of) the area from `start`, in one course when given; the
   * candidates are planned without footprints (most of a plan's time on simple shapes), the kept
   * one again with them.
   */
  plan: (
    geometry: Polygon | MultiPolygon,
    start: LonLat,
    sweepCourseDeg: number | null,
    footprints: boolean,
  ) => CoveragePlan;
  /** Splits work paths into sorties from the docks; null when some work cannot be served. */
  score: (workPaths: readonly WorkPath[]) => SortieScore | null;
  /** Path between two points around no-fly zones (metres, local frame). Default straight. */
  route?: (a: XY, b: XY) => XY[];
  /**
   * Lanes longer than this (metres) are cut into pieces at photo positions, so that a sortie may
   * end inside a lane and the next one go on from there (the DP then fills each battery instead
   * of stopping at whole lanes). `planPatrol` uses a sixteenth of the usable range. Default: lanes
   * stay whole.
   */
  lanePieceM?: number;
  /**
   * The drone the score splits for: with it (and no `route`), every whole-area candidate whose
   * lanes form one block is also tried re-ordered into bands, one per sortie, that start and end
   * on the docks' side ({@link planLaneBands}). Default: not tried.
   */
  drone?: DroneProfile;
  /** Share of the usable time the score keeps free (as its `slackPct`), %. Default 0. */
  slackPct?: number;
  /** Called with every whole-area candidate and its split (for benchmarks and tests). */
  onCandidate?: (choice: string, score: SortieScore | null) => void;
  /**
   * Called with the share of the work done, never falling, ending at 1: the candidates before
   * the routing search count as its first 30 %, the routing search (the longest part on large
   * islands) the rest.
   */
  onProgress?: (fraction: number) => void;
}

/** The result of {@link dockAwareCoverage}: the kept plan and which candidate it is. */
export interface DockAwareCoverage {
  plan: DockAwareCoveragePlan;
  /** `'base'`, `'course 45°'`, `'docks 3'` (the area shared among 3 docks) … */
  choice: string;
  /** The kept plan's sortie split; null when no candidate could be split (a lane no dock reaches). */
  score: SortieScore | null;
  /** Candidates planned and scored, the base included. */
  candidates: number;
}

/**
 * A scorer for {@link DockAwareCoverageInput.score}: the work paths as units (metres in `frame`)
 * split by `planSorties` with the plan's options.
 *
 * @example
 * const score = sortieScorer(docks, drone, frame, { slackPct: 2 });
 * score(plan.workPaths); // { sorties: 3, timeS: 3912.4 } or null
 */
export function sortieScorer(
  docks: readonly DockSite[],
  drone: DroneProfile,
  frame: LocalFrame,
  options: PlanSortiesOptions,
): (workPaths: readonly WorkPath[]) => SortieScore | null {
  return (workPaths) => {
    const units: WorkUnit[] = workPaths.map((w, k) => ({
      label: `${w.kind} ${k + 1}`,
      path: w.coordinates.map((q) => frame.toLocal(q)),
      altitudeM: w.altitudeAglM,
    }));
    const result = planSorties(units, docks, drone, options);
    if (!result.ok) return null;
    return {
      sorties: result.sorties.length,
      timeS: result.totalTimeS,
      ...(result.lowerBound !== null && { lowerBound: result.lowerBound }),
    };
  };
}

/** A candidate planned without footprints, and how to plan it again with them. */
interface Draft {
  plan: CoveragePlan;
  again: () => CoveragePlan;
}

/** Courses (degrees from north) tried for the whole area when fewer than two docks reach it. */
const CANDIDATE_COURSES_DEG = [0, 45, 90, 135];
/** Candidates (the best first) whose lane pieces the routing search regroups at most. */
const LANE_ROUTE_STARTS = 3;
/** Share of the progress reached when the routing search starts. */
const SEARCH_FROM = 0.3;
/** A dock whose share would be smaller than this part of the area takes none. */
const MIN_SHARE = 0.05;

/**
 * Chooses the coverage of one area by how its work splits into sorties from the docks, not only
 * by its own length and turns. When the base plan needs more than one sortie (or some dock cannot
 * serve its work), the area is also planned in one course for the whole of it — the base's main
 * course + 90°, and the courses along and across the line of the docks within `dockReachM` (with
 * fewer than two of them: 0/45/90/135°) — and, with several docks in reach, shared among them:
 * Voronoi cells of the docks clipped to the area (a dock whose share is under 5 % of the area
 * takes none), each share planned from its own dock, joined in the order and direction that make
 * the gaps between them shortest, by transits around no-fly zones. The shares are tried each in
 * its best course by its own split (its planner's course + 90°, along or across the docks'
 * line), and all in the planner's own courses. With `drone` (and no `route`), the base and every
 * whole-area course whose lanes form one block are also tried re-ordered into bands, one per
 * sortie, handed over along pairs of lanes cut at a photo position so that every sortie starts
 * and ends on its dock's side ({@link planLaneBands}; only where a lower bound leaves room for
 * at most as many sorties as the best so far). With `lanePieceM`, every candidate (the base too)
 * is judged and kept with its lanes cut into pieces ({@link cutLanes}). The candidate with the
 * fewest sorties, then the least total time, is kept; ties keep the base. Candidates are planned
 * without footprints, the kept one again with them. Pure and deterministic.
 *
 * @example
 * const score = sortieScorer(docks, drone, frame, {});
 * const chosen = dockAwareCoverage({
 *   geometry: forest, base: planCoverage(forest, { frame, startLonLat: dock }), docks, frame,
 *   dockReachM: 3000, score,
 *   plan: (g, start, course, footprints) =>
 *     planCoverage(g, { frame, startLonLat: start, footprints,
 *       ...(course !== null && { sweepCourseDeg: course }) }),
 * });
 * chosen.choice; // 'docks 3': the area shared among three docks
 */
export function dockAwareCoverage(input: DockAwareCoverageInput): DockAwareCoverage {
  const { base, frame } = input;
  const baseScore = input.score(base.workPaths);
  const basePlan = asPlan(base);
  // Work that fits one sortie stays as planned; work some dock cannot serve (a lane longer than
  // a battery holds, say) may fit when shared among the docks, so it is tried too.
  if (baseScore !== null && baseScore.sorties <= 1)
    return { plan: basePlan, choice: 'base', score: baseScore, candidates: 1 };
  let best: {
    finish: () => DockAwareCoveragePlan;
    choice: string;
    score: SortieScore | null;
  } = { finish: () => basePlan, choice: 'base', score: baseScore };
  let candidates = 1;
  const pieceM = input.lanePieceM;
  const cut = (workPaths: readonly WorkPath[]): WorkPath[] =>
    pieceM === undefined ? [...workPaths] : cutLanes(workPaths, frame, pieceM);
  /** Every candidate split so far, with its lanes cut, for the routing search at the end. */
  const judged: {
    score: SortieScore;
    workPaths: readonly WorkPath[];
    finish: () => DockAwareCoveragePlan;
    choice: string;
  }[] = [];
  /** Judges a candidate by its split with its lanes cut; `finish` builds it (lanes whole). */
  const consider = (
    workPaths: readonly WorkPath[],
    finish: () => DockAwareCoveragePlan,
    choice: string,
  ): SortieScore | null => {
    const cutPaths = cut(workPaths);
    const score = input.score(cutPaths);
    input.onCandidate?.(choice, score);
    if (score !== null) judged.push({ score, workPaths: cutPaths, finish, choice });
    if (score !== null && (best.score === null || better(score, best.score)))
      best = {
        finish: () => withCutLanes(finish()),
        choice,
        score,
      };
    return score;
  };
  const withCutLanes = (plan: DockAwareCoveragePlan): DockAwareCoveragePlan => ({
    ...plan,
    workPaths: cut(plan.workPaths),
  });
  if (pieceM !== undefined) consider(base.workPaths, () => basePlan, 'base, lanes cut');
  /**
   * The candidate's lanes re-ordered into one band per sortie, judged like the others; tried
   * only where a lower bound leaves room for fewer sorties than the best so far (`fewerThan`),
   * or for as many (`fewerThan` one more) on the best whole-area candidate.
   */
  const considerBands = (
    plan: CoveragePlan,
    finish: () => DockAwareCoveragePlan,
    choice: string,
    orAsMany: boolean,
  ): void => {
    if (!input.drone || input.route) return;
    const bands = planLaneBands(plan.workPaths, input.docks, input.drone, frame, {
      ...(input.slackPct !== undefined && { slackPct: input.slackPct }),
      ...(best.score !== null && { fewerThan: best.score.sorties + (orAsMany ? 1 : 0) }),
    });
    if (!bands) return;
    consider(
      bands.workPaths,
      () => {
        const whole = finish();
        return {
          ...whole,
          workPaths: bands.workPaths,
          stats: pathStats(whole, bands.workPaths, frame),
        };
      },
      `bands, ${choice}`,
    );
  };
  /** Whole-area candidates with their own scores: each is tried in bands once all are known. */
  const wholes: {
    plan: CoveragePlan;
    finish: () => DockAwareCoveragePlan;
    choice: string;
    score: SortieScore | null;
  }[] = [{ plan: base, finish: () => basePlan, choice: 'base', score: best.score }];
  /**
   * A candidate planned without footprints, and how to plan it again with them; null when the
   * coverage planner refuses it (a sliver of a share, say): the others are judged without it.
   */
  const draft = (
    geometry: Polygon | MultiPolygon,
    start: LonLat,
    course: number | null,
  ): Draft | null => {
    candidates++;
    try {
      return {
        plan: input.plan(geometry, start, course, false),
        again: () => input.plan(geometry, start, course, true),
      };
    } catch (err) {
      if (!(err instanceof MissionInputError)) throw err;
      input.onCandidate?.(`refused (course ${course ?? 'own'}): ${err.message}`, null);
      return null;
    }
  };

  const polys = localPolygons(input.geometry, frame);
  const startLonLat = frame.toLonLat(nearestDock(input.docks, polys));
  // With several docks in reach, the courses along and across their line; else a fixed set.
  const reach = docksInReach(input.docks, polys, input.dockReachM);
  const wholeCourses =
    reach.length > 1 ? lineCourses(reach.map((d) => d.xy)) : CANDIDATE_COURSES_DEG;
  for (const course of courseCandidates(mainCourseDeg(base), wholeCourses)) {
    const candidate = draft(input.geometry, startLonLat, course);
    if (candidate) {
      const choice = `course ${course}°`;
      const finish = (): DockAwareCoveragePlan => asPlan(candidate.again());
      const score = consider(candidate.plan.workPaths, finish, choice);
      wholes.push({ plan: candidate.plan, finish, choice, score });
    }
  }
  // The best candidate first: its bands may also just save time, the others' only a sortie.
  const ranked = wholes
    .map((w, k) => ({ w, k }))
    .sort((a, b) =>
      a.w.score === null || b.w.score === null
        ? Number(a.w.score === null) - Number(b.w.score === null) || a.k - b.k
        : better(a.w.score, b.w.score)
          ? -1
          : better(b.w.score, a.w.score)
            ? 1
            : a.k - b.k,
    );
  ranked.forEach(({ w }, k) => considerBands(w.plan, w.finish, w.choice, k === 0));

  const shares = shareAmongDocks(input, reach);
  if (shares.length > 1) {
    // Each share in its best course by its own split (the planner's, or along or across the
    // line of the docks), and all shares in the planner's own courses (the shares' sorties mix
    // where they meet, which their own splits do not see). All shares along, then all across
    // the line were tried too: with lanes cut they never won on the bench's forests.
    const shareCourses = lineCourses(shares.map((s) => s.dock.xy));
    const options = shares.map((share) => {
      const start = frame.toLonLat(share.dock.xy);
      const first = draft(share.geometry, start, null);
      if (!first) return null;
      const main = mainCourseDeg(first.plan);
      let chosen = first;
      let chosenScore = input.score(cut(first.plan.workPaths));
      for (const course of courseCandidates(main, shareCourses)) {
        const next = draft(share.geometry, start, course);
        if (!next) continue;
        const score = input.score(cut(next.plan.workPaths));
        if (score !== null && (chosenScore === null || better(score, chosenScore))) {
          chosen = next;
          chosenScore = score;
        }
      }
      return { chosen, first };
    });
    const planned = options.filter((o) => o !== null);
    // A share the planner refuses in its own courses leaves the sharing out.
    const joins: [string, Draft[]][] =
      planned.length < options.length
        ? []
        : [
            [`docks ${shares.length}`, planned.map((o) => o.chosen)],
            [`docks ${shares.length}, own courses`, planned.map((o) => o.first)],
          ];
    const seen: Draft[][] = [];
    for (const [choice, parts] of joins) {
      if (seen.some((s) => s.every((p, i) => p === parts[i]))) continue;
      seen.push(parts);
      const joined = joinParts(
        parts.map((p) => p.plan),
        base,
        frame,
        input.route,
      );
      consider(
        joined.workPaths,
        () =>
          joinParts(
            parts.map((p) => p.again()),
            base,
            frame,
            input.route,
          ),
        choice,
      );
    }
  }
  // Last, the lane pieces of the best few candidates regrouped into sorties by a routing search,
  // across cells and courses (lanes need not form one block), while the best so far is above its
  // lower bound; judged like the others. The search is sensitive to where it starts: on a real
  // island the third-best candidate's pieces went to 5 sorties where the best one's stayed at 6.
  if (input.drone) {
    const starts = [...judged]
      .sort((a, b) => (better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : 0))
      .slice(0, LANE_ROUTE_STARTS);
    input.onProgress?.(SEARCH_FROM);
    for (const [i, start] of starts.entries()) {
      const now = best.score;
      if (now === null || now.sorties <= Math.max(1, now.lowerBound ?? 0)) break;
      const share = (1 - SEARCH_FROM) / starts.length;
      const routes = planLaneRoutes(start.workPaths, input.docks, input.drone, frame, {
        ...(input.slackPct !== undefined && { slackPct: input.slackPct }),
        ...(input.route && { route: input.route }),
        fewerThan: now.sorties,
        ...(input.onProgress && {
          onProgress: (f: number) => input.onProgress?.(SEARCH_FROM + share * (i + f)),
        }),
      });
      candidates++;
      if (routes)
        consider(
          routes.workPaths,
          () => {
            const whole = start.finish();
            return {
              ...whole,
              workPaths: routes.workPaths,
              stats: pathStats(whole, routes.workPaths, frame),
            };
          },
          `lane routes, ${start.choice}`,
        );
    }
  }
  input.onProgress?.(1);
  return { plan: best.finish(), choice: best.choice, score: best.score, candidates };
}

/** The plan's length and turns recomputed for work paths flown in another order. */
function pathStats(
  plan: DockAwareCoveragePlan,
  workPaths: readonly WorkPath[],
  frame: LocalFrame,
): DockAwareCoveragePlan['stats'] {
  return {
    ...plan.stats,
    lengthM: workPaths.reduce(
      (s, w) => s + polylineLengthM(w.coordinates.map((q) => frame.toLocal(q))),
      0,
    ),
    turns: Math.round(
      turnDeg(workPaths.flatMap((w) => w.coordinates.map((q) => frame.toLocal(q)))) / 90,
    ),
  };
}

function asPlan(plan: CoveragePlan): DockAwareCoveragePlan {
  return { workPaths: plan.workPaths, footprints: plan.footprints, stats: pickStats(plan) };
}

/**
 * The work paths with every straight lane longer than `pieceM` cut into nearly equal pieces; with
 * a camera trigger distance the cuts fall on photo positions (multiples of it from the lane's
 * start), so the photos stay where they were (the one at a cut is taken by both pieces).
 *
 * @example
 * cutLanes(plan.workPaths, frame, 800); // a 2 000 m lane becomes three of ~667 m
 */
export function cutLanes(
  workPaths: readonly WorkPath[],
  frame: LocalFrame,
  pieceM: number,
): WorkPath[] {
  const out: WorkPath[] = [];
  for (const w of workPaths) {
    if (w.kind !== 'lane' || w.coordinates.length !== 2 || !(pieceM > 0)) {
      out.push(w);
      continue;
    }
    const [a, b] = w.coordinates.map((q) => frame.toLocal(q)) as [XY, XY];
    const lengthM = Math.hypot(b[0] - a[0], b[1] - a[1]);
    let pieces = Math.ceil(lengthM / pieceM - 1e-9);
    const t = w.triggerDistanceM;
    const shots = t !== null && t > 0 ? Math.round(lengthM / t) : null;
    if (shots !== null) pieces = Math.min(pieces, shots);
    if (pieces <= 1) {
      out.push(w);
      continue;
    }
    const at = (i: number): number =>
      shots !== null ? Math.round((i * shots) / pieces) / shots : i / pieces;
    for (let i = 0; i < pieces; i++) {
      const point = (f: number) =>
        f === 0
          ? w.coordinates[0]!
          : f === 1
            ? w.coordinates[1]!
            : frame.toLonLat([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f]);
      out.push({ ...w, coordinates: [point(at(i)), point(at(i + 1))] });
    }
  }
  return out;
}

function better(a: SortieScore, b: SortieScore): boolean {
  return a.sorties < b.sorties || (a.sorties === b.sorties && a.timeS < b.timeS - 1e-6);
}

function pickStats(plan: CoveragePlan): DockAwareCoveragePlan['stats'] {
  const { lengthM, lowerBoundM, turns, areaM2, laneSpacingM } = plan.stats;
  return { lengthM, lowerBoundM, turns, areaM2, laneSpacingM };
}

/** The course of the cells holding the most lane length, degrees in [0, 180). */
function mainCourseDeg(plan: CoveragePlan): number | null {
  const byCourse = new Map<number, number>();
  for (const cell of plan.cells) {
    const course = Math.round(cell.sweepCourseDeg * 10) / 10;
    byCourse.set(course, (byCourse.get(course) ?? 0) + cell.laneLengthM);
  }
  let bestCourse: number | null = null;
  let bestLengthM = -1;
  for (const [course, lengthM] of byCourse) {
    if (lengthM > bestLengthM) {
      bestCourse = course;
      bestLengthM = lengthM;
    }
  }
  return bestCourse;
}

/** Courses at least this far apart (degrees, modulo 180) are planned as different candidates. */
const COURSE_APART_DEG = 5;

function coursesApart(a: number, b: number): boolean {
  const d = Math.abs(a - b) % 180;
  return Math.min(d, 180 - d) >= COURSE_APART_DEG;
}

/** The main course + 90° and the given courses, each apart from the main and the others. */
function courseCandidates(mainDeg: number | null, fixed: readonly number[]): number[] {
  const out: number[] = [];
  const wanted =
    mainDeg === null ? fixed : [Math.round(((mainDeg + 90) % 180) * 10) / 10, ...fixed];
  for (const c of wanted) {
    if ((mainDeg === null || coursesApart(c, mainDeg)) && out.every((o) => coursesApart(c, o)))
      out.push(c);
  }
  return out;
}

/** Docks within `reachM` of the area, the first of any at the same place only. */
function docksInReach(
  docks: readonly DockSite[],
  polys: readonly PolygonXY[],
  reachM: number,
): DockSite[] {
  return docks.filter(
    (d, i) =>
      distanceToPolygonsM(d.xy, polys) <= reachM &&
      docks.findIndex((e) => e.xy[0] === d.xy[0] && e.xy[1] === d.xy[1]) === i,
  );
}

/** The courses along and across the line the points lie along. */
function lineCourses(points: readonly XY[]): number[] {
  const along = dockLineCourseDeg(points);
  return [along, Math.round(((along + 90) % 180) * 10) / 10];
}

/**
 * The course (degrees from north, [0, 180)) of the line the docks lie along: the principal axis
 * of their positions, rounded to 0.1°.
 */
function dockLineCourseDeg(points: readonly XY[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
    sxy += (x - mx) * (y - my);
  }
  const axisRad = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const course = (((90 - (axisRad * 180) / Math.PI) % 180) + 180) % 180;
  return Math.round(course * 10) / 10;
}

interface Share {
  dock: DockSite;
  geometry: Polygon | MultiPolygon;
  areaM2: number;
}

/**
 * The area shared among the docks within reach: each dock takes the part nearer to it than to
 * any other (its Voronoi cell clipped to the area); docks whose share is below `MIN_SHARE` of the
 * area are dropped and the cells recomputed without them.
 */
function shareAmongDocks(input: DockAwareCoverageInput, inReach: readonly DockSite[]): Share[] {
  const { frame } = input;
  const polys = localPolygons(input.geometry, frame);
  const totalM2 = polys.reduce((s, p) => s + polygonAreaM2(p), 0);
  if (totalM2 <= 0) return [];
  let docks = [...inReach];
  const box = boundsOf([...polys.flatMap((p) => p[0] ?? []), ...docks.map((d) => d.xy)]);
  const areaFeature = asFeature(polys);
  while (docks.length >= 2) {
    const shares: Share[] = [];
    for (const dock of docks) {
      const cell = voronoiCell(dock, docks, box);
      const clipped =
        cell.length >= 3
          ? intersect(featureCollection([areaFeature, turfPolygon([closeRing(cell)])]))
          : null;
      if (!clipped) continue;
      const g = clipped.geometry;
      const localPolys: PolygonXY[] = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).map(
        (rings) => rings.map((r) => r.map((q): XY => [q[0]!, q[1]!])),
      );
      const areaM2 = localPolys.reduce((s, p) => s + polygonAreaM2(p), 0);
      if (areaM2 > 0) shares.push({ dock, geometry: toLonLatGeometry(localPolys, frame), areaM2 });
    }
    const smallest = [...shares].sort((a, b) => a.areaM2 - b.areaM2)[0];
    if (shares.length === docks.length && smallest && smallest.areaM2 >= MIN_SHARE * totalM2)
      return shares;
    // Docks without a share go at once; of the small shares only the smallest, so that its
    // neighbours grow before they are judged.
    const served = new Set(shares.map((s) => s.dock.id));
    docks =
      served.size < docks.length
        ? docks.filter((d) => served.has(d.id))
        : docks.filter((d) => d.id !== smallest?.dock.id);
  }
  return [];
}

/** The convex cell of `dock` among `docks`, inside `box` (Sutherland–Hodgman by bisectors). */
function voronoiCell(
  dock: DockSite,
  docks: readonly DockSite[],
  box: [number, number, number, number],
): XY[] {
  const [x0, y0, x1, y1] = box;
  let cell: XY[] = [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
  const [px, py] = dock.xy;
  for (const other of docks) {
    if (other === dock) continue;
    const [qx, qy] = other.xy;
    // Keep p with (q − d)·p ≤ (|q|² − |d|²)/2.
    const nx = qx - px;
    const ny = qy - py;
    const c = (qx * qx + qy * qy - px * px - py * py) / 2;
    const side = (p: XY): number => nx * p[0] + ny * p[1] - c;
    const next: XY[] = [];
    for (let i = 0; i < cell.length; i++) {
      const a = cell[i]!;
      const b = cell[(i + 1) % cell.length]!;
      const sa = side(a);
      const sb = side(b);
      if (sa <= 0) next.push(a);
      if ((sa < 0 && sb > 0) || (sa > 0 && sb < 0)) {
        const t = sa / (sa - sb);
        next.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
      }
    }
    cell = next;
    if (cell.length < 3) return [];
  }
  return cell;
}

/** A share's plan as flown in the joined run: as planned or backwards. */
type PartRun = Pick<CoveragePlan, 'workPaths' | 'footprints' | 'stats'>;

/** The plan flown backwards: the same lanes and transits, in reverse order and direction. */
function reversedRun(plan: PartRun): PartRun {
  return {
    ...plan,
    workPaths: [...plan.workPaths]
      .reverse()
      .map((w) => ({ ...w, coordinates: [...w.coordinates].reverse() })),
  };
}

/** Brute force over orders and directions up to this many shares; nearest neighbour beyond. */
const EXACT_ORDER_MAX = 6;

/**
 * The order and direction of the shares' runs that makes the gaps between them shortest
 * (straight distances): every order and direction up to `EXACT_ORDER_MAX` shares.
 */
function orderParts(parts: readonly CoveragePlan[], frame: LocalFrame): PartRun[] {
  const runs = parts.map((p) => [p as PartRun, reversedRun(p)] as const);
  const ends = runs.map((pair) =>
    pair.map((r) => {
      const last = r.workPaths[r.workPaths.length - 1]!;
      return {
        first: frame.toLocal(r.workPaths[0]!.coordinates[0]!),
        last: frame.toLocal(last.coordinates[last.coordinates.length - 1]!),
      };
    }),
  );
  const gap = (a: number, da: number, b: number, db: number): number => {
    const p = ends[a]![da]!.last;
    const q = ends[b]![db]!.first;
    return Math.hypot(q[0] - p[0], q[1] - p[1]);
  };
  const n = runs.length;
  let best: [number, number][] = [];
  if (n <= EXACT_ORDER_MAX) {
    let bestM = Infinity;
    const used = new Array<boolean>(n).fill(false);
    const path: [number, number][] = [];
    const extend = (lengthM: number): void => {
      if (lengthM >= bestM - 1e-9) return;
      if (path.length === n) {
        bestM = lengthM;
        best = [...path];
        return;
      }
      for (let k = 0; k < n; k++) {
        if (used[k]) continue;
        for (let d = 0; d < 2; d++) {
          const prev = path[path.length - 1];
          used[k] = true;
          path.push([k, d]);
          extend(lengthM + (prev ? gap(prev[0], prev[1], k, d) : 0));
          path.pop();
          used[k] = false;
        }
      }
    };
    extend(0);
  } else {
    const left = new Set(runs.keys());
    best = [[0, 0]];
    left.delete(0);
    while (left.size > 0) {
      const [a, da] = best[best.length - 1]!;
      let pick: [number, number] = [-1, 0];
      let pickM = Infinity;
      for (const k of left)
        for (let d = 0; d < 2; d++) {
          const m = gap(a, da, k, d);
          if (m < pickM) {
            pickM = m;
            pick = [k, d];
          }
        }
      best.push(pick);
      left.delete(pick[0]);
    }
  }
  return best.map(([k, d]) => runs[k]![d]!);
}

/** Joins the dock shares' plans into one run, each next share reached by a transit. */
function joinParts(
  parts: CoveragePlan[],
  base: CoveragePlan,
  frame: LocalFrame,
  route: ((a: XY, b: XY) => XY[]) | undefined,
): DockAwareCoveragePlan {
  const ordered = orderParts(
    parts.filter((p) => p.workPaths.length > 0),
    frame,
  );
  const firstXY = (p: PartRun): XY => frame.toLocal(p.workPaths[0]!.coordinates[0]!);
  const lastXY = (p: PartRun): XY => {
    const w = p.workPaths[p.workPaths.length - 1]!;
    return frame.toLocal(w.coordinates[w.coordinates.length - 1]!);
  };
  const workPaths: WorkPath[] = [];
  let lengthM = 0;
  let turns = 0;
  ordered.forEach((p, i) => {
    if (i > 0) {
      const prev = ordered[i - 1]!;
      const a = lastXY(prev);
      const b = firstXY(p);
      const path = route ? route(a, b) : [a, b];
      const prevPath = prev.workPaths[prev.workPaths.length - 1]!.coordinates.map((q) =>
        frame.toLocal(q),
      );
      const nextPath = p.workPaths[0]!.coordinates.map((q) => frame.toLocal(q));
      lengthM += polylineLengthM(path);
      turns += Math.round(
        turnDeg([...prevPath.slice(-2), ...path.slice(1, -1), ...nextPath.slice(0, 2)]) / 90,
      );
      if (polylineLengthM(path) > 0) {
        workPaths.push({
          kind: 'transit',
          coordinates: path.map((q) => frame.toLonLat(q)),
          altitudeAglM: p.workPaths[0]!.altitudeAglM,
          triggerDistanceM: null,
        });
      }
    }
    workPaths.push(...p.workPaths);
    lengthM += p.stats.lengthM;
    turns += p.stats.turns;
  });
  return {
    workPaths,
    footprints: ordered.flatMap((p) => p.footprints),
    stats: {
      lengthM,
      // The bound and the area are the whole area's, whichever way it is shared.
      lowerBoundM: base.stats.lowerBoundM,
      turns,
      areaM2: base.stats.areaM2,
      laneSpacingM: base.stats.laneSpacingM,
    },
  };
}

function polylineLengthM(path: readonly XY[]): number {
  let len = 0;
  for (let k = 1; k < path.length; k++)
    len += Math.hypot(path[k]![0] - path[k - 1]![0], path[k]![1] - path[k - 1]![1]);
  return len;
}

/** The accumulated course change along a polyline, degrees (zero-length steps skipped). */
function turnDeg(path: readonly XY[]): number {
  const dirs: number[] = [];
  for (let k = 1; k < path.length; k++) {
    const dx = path[k]![0] - path[k - 1]![0];
    const dy = path[k]![1] - path[k - 1]![1];
    if (Math.hypot(dx, dy) > 1e-6) dirs.push(Math.atan2(dy, dx));
  }
  let total = 0;
  for (let k = 1; k < dirs.length; k++) {
    let d = Math.abs(dirs[k]! - dirs[k - 1]!) % (2 * Math.PI);
    if (d > Math.PI) d = 2 * Math.PI - d;
    total += (d * 180) / Math.PI;
  }
  return total;
}

function localPolygons(geometry: Polygon | MultiPolygon, frame: LocalFrame): PolygonXY[] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys.map((rings) => rings.map((r) => r.map((q) => frame.toLocal([q[0]!, q[1]!]))));
}

function toLonLatGeometry(polys: PolygonXY[], frame: LocalFrame): Polygon | MultiPolygon {
  const coords = polys.map((rings) => rings.map((r) => r.map((q): Position => frame.toLonLat(q))));
  return coords.length === 1
    ? { type: 'Polygon', coordinates: coords[0]! }
    : { type: 'MultiPolygon', coordinates: coords };
}

function asFeature(polys: PolygonXY[]): Feature<Polygon | MultiPolygon> {
  const coords = polys.map((rings) => rings.map((r) => closeRing(r)));
  return {
    type: 'Feature',
    properties: {},
    geometry:
      coords.length === 1
        ? { type: 'Polygon', coordinates: coords[0]! }
        : { type: 'MultiPolygon', coordinates: coords },
  };
}

function closeRing(ring: RingXY | readonly XY[]): Position[] {
  const out: Position[] = ring.map((q) => [q[0], q[1]]);
  const a = out[0];
  const b = out[out.length - 1];
  if (a && b && (a[0] !== b[0] || a[1] !== b[1])) out.push([a[0]!, a[1]!]);
  return out;
}

function boundsOf(points: readonly XY[]): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const padM = Math.max(x1 - x0, y1 - y0, 1);
  return [x0 - padM, y0 - padM, x1 + padM, y1 + padM];
}

/** The dock nearest to the area (0 m when inside it). */
function nearestDock(docks: readonly DockSite[], polys: readonly PolygonXY[]): XY {
  let best = docks[0]!.xy;
  let bestM = Infinity;
  for (const d of docks) {
    const m = distanceToPolygonsM(d.xy, polys);
    if (m < bestM) {
      bestM = m;
      best = d.xy;
    }
  }
  return best;
}

/** Distance from a point to polygons with holes, 0 inside. */
function distanceToPolygonsM(p: XY, polys: readonly PolygonXY[]): number {
  let best = Infinity;
  for (const rings of polys) best = Math.min(best, segmentPolygonDistanceM(p, p, rings));
  return best;
}
