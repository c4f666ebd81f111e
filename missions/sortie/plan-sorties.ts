import type { DroneProfile, XY } from '../types/index';
import { plannedSpeedMps, turnAngleRad, turnTimeS, usableTimeS } from './energy-model';

/**
 * One indivisible piece of work in metres (a lane, a river pass, a transit, or one inspection
 * point). Sorties are cut only between units.
 *
 * @example
 * const lane: WorkUnit = { label: 'lane 3', path: [[0, 0], [800, 0]], altitudeM: 80 };
 */
export interface WorkUnit {
  /** Human name used in messages, e.g. `lane 12` or `point 7`. */
  label: string;
  /** Vertices in flight order, metres in the plan's local frame; at least one. */
  path: XY[];
  /** Flight height above the dock in metres. */
  altitudeM: number;
  /** Hover time inside the unit in seconds. Default 0. */
  hoverS?: number;
  /** Further time inside the unit the model cannot see (e.g. climbs over terrain), s. Default 0. */
  extraTimeS?: number;
}

/** A dock position in the local frame. */
export interface DockSite {
  id: string;
  xy: XY;
}

/** Options of {@link planSorties}. */
export interface PlanSortiesOptions {
  /** The units form a closed tour, so the first sortie may start at any unit. Default false. */
  cyclic?: boolean;
  /**
   * With several docks, a sortie may move to a less loaded dock when that lowers the busiest
   * dock's total time and adds at most this share to the total. Default 10 (%).
   */
  balanceTolerancePct?: number;
  /**
   * Length of a dock leg from `a` to `b`, metres: e.g. a path around no-fly zones. Default the
   * straight distance. Called once per (dock, unit end) pair and cached.
   */
  legLengthM?: (a: XY, b: XY) => number;
  /** Share of the usable time kept free for what the model does not see (detours), %. Default 0. */
  slackPct?: number;
  /**
   * Every unit may be flown against its path's direction (lanes handed without their own
   * transits, connected by straight legs). A sortie may then fly its run mirrored — every unit
   * reversed, in the same order — which moves its entry and exit to the other ends, e.g. to the
   * dock's side of a lane block. Default false.
   */
  reversible?: boolean;
}

/** One take-off-to-landing flight. */
export interface PlannedSortie {
  dockId: string;
  /** Indices into the input units, in flight order. */
  units: number[];
  /** Planned flight time including climb, transit, turns, hover, wind and descent, seconds. */
  timeS: number;
  /** Horizontal length including the legs from and back to the dock, metres. */
  lengthM: number;
  /** Share of the horizontal length spent inside units, metres. */
  workLengthM: number;
  /** Vertices turning by more than 30° (dock joins included). */
  turns: number;
  /** Battery used in percent of a full battery (never above 100 − reservePct). */
  batteryUsedPct: number;
  /** Every unit is flown against its path's direction (only with `reversible`). */
  mirrored: boolean;
}

/**
 * A sortie count no split, order or dock choice can beat, with the argument: e.g. `a sortie
 * holds at most 3 of the 20 largest units (274.3 s each; 1012.0 s usable after climb, descent
 * and the nearest dock legs)`.
 */
export interface ProvenMinimum {
  count: number;
  reason: string;
}

/** A unit no dock can serve within the usable battery. */
export interface UnreachableWork {
  unit: number;
  label: string;
  nearestDockId: string;
  /** Distance from the nearest dock to the unit's nearest vertex, metres. */
  distanceM: number;
  /** Time of the shortest sortie serving only this unit, seconds. */
  sortieS: number;
  usableS: number;
  message: string;
}

/** Result of {@link planSorties}: a value, never an exception, for infeasible input. */
export type SortiePlan =
  | {
      ok: true;
      sorties: PlannedSortie[];
      totalTimeS: number;
      /**
       * ⌈work length / (range − 2 × nearest dock distance)⌉ in time-equivalent metres (see
       * README), for open work without the k − 1 longest connections k sorties need not fly;
       * null when the range cannot even reach the work.
       */
      lowerBound: number | null;
      /**
       * A valid minimum (bin-packing cardinality argument on the units' own times): when it is
       * above `lowerBound`, that bound cannot be attained.
       */
      provenMinimum: ProvenMinimum;
      usableS: number;
    }
  | { ok: false; code: 'DOCK_UNREACHABLE'; unreachable: UnreachableWork[]; message: string };

/**
 * Splits ordered work into the fewest sorties that each fit the usable battery (endurance minus
 * reserve), by an exact dynamic programme over the split points (and, for a closed tour, over
 * the starting unit); ties go to the least total time. Each sortie flies from the dock that
 * serves it fastest, back to the same dock; with several docks sorties then move between docks
 * to balance their loads. Units that no dock can serve are reported, naming each and why.
 *
 * @example
 * const plan = planSorties(units, [{ id: 'nest-1', xy: [0, 0] }], DEFAULT_DRONE);
 * if (!plan.ok) console.error(plan.message);
 */
export function planSorties(
  units: readonly WorkUnit[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  options: PlanSortiesOptions = {},
): SortiePlan {
  const usableS = usableTimeS(drone) * (1 - (options.slackPct ?? 0) / 100);
  if (docks.length === 0) throw new RangeError('planSorties needs at least one dock');
  if (units.length === 0) {
    return {
      ok: true,
      sorties: [],
      totalTimeS: 0,
      lowerBound: 0,
      provenMinimum: { count: 0, reason: 'no work' },
      usableS,
    };
  }
  units.forEach((u, i) => {
    if (u.path.length === 0) throw new RangeError(`units[${i}] (${u.label}) has an empty path`);
  });

  const unreachable: UnreachableWork[] = [];
  const legLengthM = cachedLegs(options.legLengthM);
  const base = new Sequence(units, [...units.keys()], drone, legLengthM);
  for (let u = 0; u < units.length; u++) {
    let best = Infinity;
    let bestDock = docks[0]!;
    for (const dock of docks) {
      const t = base.sortieTimeS(u, u + 1, dock.xy);
      if (t < best) {
        best = t;
        bestDock = dock;
      }
    }
    if (best > usableS) {
      const distanceM = Math.min(...units[u]!.path.map((p) => dist(p, bestDock.xy)));
      unreachable.push({
        unit: u,
        label: units[u]!.label,
        nearestDockId: bestDock.id,
        distanceM,
        sortieS: best,
        usableS,
        message:
          `${units[u]!.label} is ${(distanceM / 1000).toFixed(1)} km from the nearest dock ` +
          `(${bestDock.id}); a sortie to it needs ${minutes(best)} min, endurance after reserve ` +
          `is ${minutes(usableS)} min`,
      });
    }
  }
  if (unreachable.length > 0) {
    const more = unreachable.length > 1 ? ` (and ${unreachable.length - 1} more unreachable)` : '';
    return {
      ok: false,
      code: 'DOCK_UNREACHABLE',
      unreachable,
      message: `${unreachable[0]!.message}${more}`,
    };
  }

  const mirroredOf = (seq: Sequence): Sequence | null =>
    options.reversible
      ? new Sequence(
          seq.order.map((u) => ({ ...units[u]!, path: [...units[u]!.path].reverse() })),
          [...seq.order.keys()],
          drone,
          legLengthM,
          seq.order,
        )
      : null;
  let best = splitSequence(base, mirroredOf(base), docks, usableS);
  if (options.cyclic && units.length > 2) {
    const firstLen = best.sorties[0]?.units.length ?? 1;
    // Every start within the first sortie is tried on small inputs; a spread of 16 on large ones.
    const tries = Math.min(units.length - 1, firstLen, units.length > 500 ? 16 : 100);
    const step = Math.max(1, Math.floor(firstLen / tries));
    for (let r = 1; r <= tries; r++) {
      const order = [...units.keys()].map((i) => (i + r * step) % units.length);
      const seq = new Sequence(units, order, drone, legLengthM);
      const candidate = splitSequence(seq, mirroredOf(seq), docks, usableS);
      if (
        candidate.sorties.length < best.sorties.length ||
        (candidate.sorties.length === best.sorties.length &&
          candidate.totalTimeS < best.totalTimeS - 1e-9)
      ) {
        best = candidate;
      }
    }
  }
  const sorties =
    docks.length > 1
      ? balance(best.sorties, best.seq, best.mirrored, docks, usableS, drone, options)
      : best.sorties;
  const totalTimeS = sorties.reduce((s, x) => s + x.timeS, 0);
  return {
    ok: true,
    sorties,
    totalTimeS,
    lowerBound: sortieLowerBound(base, docks, drone, options.cyclic ?? false),
    provenMinimum: provenSortieMinimum(units, docks, drone, usableS),
    usableS,
  };
}

/**
 * The proven minimum of {@link planSorties} alone, without planning the split: a sortie count no
 * split, order, direction or dock choice of `units` can beat in its energy model (legs at least
 * straight), with the reason. A search that regroups the same units can skip a goal below it.
 * Units that no dock can serve make no difference here (planSorties reports them).
 *
 * @example
 * provenSortieCount(lanePieces, docks, drone).count; // e.g. 2: one battery cannot hold them
 */
export function provenSortieCount(
  units: readonly WorkUnit[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  options: { slackPct?: number } = {},
): ProvenMinimum {
  if (docks.length === 0) throw new RangeError('provenSortieCount needs at least one dock');
  if (units.length === 0) return { count: 0, reason: 'no work' };
  return provenSortieMinimum(
    units,
    docks,
    drone,
    usableTimeS(drone) * (1 - (options.slackPct ?? 0) / 100),
  );
}

/**
 * A sortie count that no split, order, direction or dock choice can beat. Every sortie spends
 * at least the climb, descent and start/stop of the lowest work, and the legs to and from the
 * nearest work vertex of any dock; what remains (`capacity`) must hold the units' own times
 * (along their paths, their internal turns, hover) plus the connection leaving each unit, at
 * least its distance to the nearest other unit (the last unit's is given back). Then the
 * cardinality argument of bin packing: if at most `m` of the `q` largest units fit in a sortie,
 * at least ⌈q / m⌉ sorties are needed. The largest of that count and those of
 * {@link travelSortieMinimum} (the total time every split must spend, sorties one by one from
 * the farthest unit out, and the time the work beyond each distance leaves: {@link reachVolume})
 * is returned. Every unit counts as work to fly whole (a coverage's transits too): the count is
 * about these units, not about every plan of the same area.
 */
function provenSortieMinimum(
  units: readonly WorkUnit[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  usableS: number,
): ProvenMinimum {
  const speed = plannedSpeedMps(drone);
  let minAlt = Infinity;
  let dockDistanceM = Infinity;
  for (const u of units) {
    minAlt = Math.min(minAlt, u.altitudeM);
    for (const p of u.path)
      for (const d of docks) dockDistanceM = Math.min(dockDistanceM, dist(p, d.xy));
  }
  const overheadS =
    minAlt / drone.climbRateMps +
    minAlt / drone.descentRateMps +
    drone.cruiseSpeedMps / drone.accelerationMps2;
  const own = units.map((u) => {
    let t = (u.hoverS ?? 0) + (u.extraTimeS ?? 0);
    for (let k = 1; k < u.path.length; k++) {
      t += dist(u.path[k - 1]!, u.path[k]!) / speed;
      if (k + 1 < u.path.length)
        t += turnTimeS(turnAngleRad(u.path[k - 1]!, u.path[k]!, u.path[k + 1]!), drone);
    }
    return t;
  });
  // Nearest other unit per unit (all vertex pairs; skipped on very large inputs, where 0 is still valid).
  const vertexCount = units.reduce((s, u) => s + u.path.length, 0);
  const nearestS = new Float64Array(units.length);
  if (units.length > 1 && vertexCount <= 4000) {
    nearestS.fill(Infinity);
    for (let a = 0; a < units.length; a++) {
      for (let b = a + 1; b < units.length; b++) {
        let m = Infinity;
        for (const p of units[a]!.path) for (const q of units[b]!.path) m = Math.min(m, dist(p, q));
        m /= speed;
        if (m < nearestS[a]!) nearestS[a] = m;
        if (m < nearestS[b]!) nearestS[b] = m;
      }
    }
  }
  const maxNearestS = units.length > 1 ? Math.max(...nearestS) : 0;
  const capacityS = usableS - overheadS - (2 * dockDistanceM) / speed + maxNearestS;
  const sizes = own.map((t, u) => t + nearestS[u]!).sort((a, b) => a - b);
  const n = sizes.length;
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + sizes[k]!;
  // No sortie holds more units than the smallest ones that fit together.
  let perSortie = 0;
  while (perSortie < n && prefix[perSortie + 1]! <= capacityS + 1e-9) perSortie++;
  const travel = travelSortieMinimum(units, docks, drone, usableS, own, overheadS, {
    perSortie: capacityS > 0 ? Math.max(1, perSortie) : n,
  });
  let best: ProvenMinimum =
    travel && travel.count > 1 ? travel : { count: 1, reason: 'some work needs a sortie' };
  if (capacityS <= 0) return best;
  for (let p = 0; p < n; p++) {
    if (p > 0 && sizes[p] === sizes[p - 1]) continue;
    // m = how many of the units from p on (the q largest) fit at most: their m smallest.
    let lo = 0;
    let hi = n - p;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (prefix[p + mid]! - prefix[p]! <= capacityS + 1e-9) lo = mid;
      else hi = mid - 1;
    }
    if (lo === 0) continue;
    const q = n - p;
    const count = Math.ceil(q / lo);
    if (count > best.count) {
      best = {
        count,
        reason:
          `a sortie holds at most ${lo} of the ${q} largest units (≥ ${sizes[p]!.toFixed(1)} s each ` +
          `with the nearest connection; ${capacityS.toFixed(1)} s usable after climb, descent and ` +
          `the nearest dock legs)`,
      };
    }
  }
  return best;
}

/**
 * A second valid count, from the total time every split must spend: the units' own times, the
 * flying across the work and the turns where units end. Across any direction e, a sortie's
 * closed path must travel out to its farthest work and back, at least twice its extent along e
 * (one dock: the extent of all work and the dock together; with D docks, minus the D − 1
 * widest gaps between the work's projections); what the units' own segments do not travel along
 * e, the connections and dock legs must, at least as long. At each end of a unit of two or more
 * vertices the path turns towards (or from) another unit's vertex or a dock, at least the least
 * such turn; at most two unit ends per sortie meet a dock. k sorties are needed when these times
 * exceed what k − 1 batteries hold after climb, descent and start/stop. For parallel lanes:
 * the lanes plus twice the block's depth, and a quarter turn at every lane end.
 */
function travelSortieMinimum(
  units: readonly WorkUnit[],
  docks: readonly DockSite[],
  drone: DroneProfile,
  usableS: number,
  own: readonly number[],
  overheadS: number,
  { perSortie }: { perSortie: number },
): ProvenMinimum | null {
  const speed = plannedSpeedMps(drone);
  const vertexCount = units.reduce((s, u) => s + u.path.length, 0);
  const multi = units.filter((u) => u.path.length >= 2).length;
  // Directions: the axes and the normal of the longest segment (across the lanes).
  let longest = 0;
  let lanes = 0;
  for (const u of units) {
    for (let k = 1; k < u.path.length; k++) {
      const d = dist(u.path[k - 1]!, u.path[k]!);
      if (d > longest) {
        longest = d;
        lanes = Math.atan2(u.path[k]![1] - u.path[k - 1]![1], u.path[k]![0] - u.path[k - 1]![0]);
      }
    }
  }
  // Per direction: the extent of all the work (with the dock), what the units travel along it
  // themselves, and each unit's reach from the nearest dock, farthest first.
  const directions = [lanes + Math.PI / 2, 0, Math.PI / 2].map((angle) => {
    const ex = Math.cos(angle);
    const ey = Math.sin(angle);
    const proj = (p: XY): number => p[0] * ex + p[1] * ey;
    const values: number[] = [];
    let along = 0;
    const unitReach: number[] = [];
    const unitAlong: number[] = [];
    for (const u of units) {
      let r = Infinity;
      for (const d of docks) {
        const pd = proj(d.xy);
        r = Math.min(r, Math.max(...u.path.map((p) => Math.abs(proj(p) - pd))));
      }
      unitReach.push(r);
      let a = 0;
      for (let k = 0; k < u.path.length; k++) {
        values.push(proj(u.path[k]!));
        if (k > 0) a += Math.abs(proj(u.path[k]!) - proj(u.path[k - 1]!));
      }
      unitAlong.push(a);
      along += a;
    }
    const reach = [...unitReach].sort((a, b) => b - a);
    values.sort((a, b) => a - b);
    let extent: number;
    if (docks.length === 1) {
      const d = proj(docks[0]!.xy);
      extent = Math.max(values[values.length - 1]!, d) - Math.min(values[0]!, d);
    } else {
      const gaps: number[] = [];
      for (let k = 1; k < values.length; k++) gaps.push(values[k]! - values[k - 1]!);
      gaps.sort((a, b) => b - a);
      extent = values[values.length - 1]! - values[0]!;
      for (let k = 0; k < docks.length - 1 && k < gaps.length; k++) extent -= gaps[k]!;
    }
    return {
      deg: ((((angle * 180) / Math.PI) % 180) + 180) % 180,
      along,
      extent,
      reach,
      unitReach,
      unitAlong,
    };
  });
  /**
   * Metres the connections and dock legs of k sorties must fly across the best direction. Each
   * sortie's extent holds its dock and reaches its farthest unit; the sortie with the farthest
   * unit holds at most `perSortie` units, so another reaches the (perSortie + 1)-th farthest,
   * and so on: the k sorties reach at least r₁ + r₍ₘ₊₁₎ + r₍₂ₘ₊₁₎ + … between them.
   */
  const cross = (k: number): { m: number; deg: number; reaches: number[] | null } => {
    let best = { m: 0, deg: 0, reaches: null as number[] | null };
    for (const dir of directions) {
      const reaches: number[] = [];
      for (let i = 0; i < k && i * perSortie < dir.reach.length; i++)
        reaches.push(dir.reach[i * perSortie]!);
      const reached = reaches.reduce((s, x) => s + x, 0);
      const byReach = reached > dir.extent;
      const m = Math.max(0, 2 * Math.max(dir.extent, reached) - dir.along);
      if (m > best.m) best = { m, deg: dir.deg, reaches: byReach ? reaches : null };
    }
    return best;
  };
  // Turns at the unit ends: without a dock (a) and with docks allowed at both ends (b).
  const endA: number[] = [];
  const endB: number[] = [];
  /** Least end turns of each unit without a dock (0 for single vertices or when not computed). */
  const unitEndS = new Float64Array(units.length);
  if (multi > 0 && multi * vertexCount <= 2_000_000) {
    const owner: number[] = [];
    const all: XY[] = [];
    units.forEach((u, i) => {
      for (const p of u.path) {
        owner.push(i);
        all.push(p);
      }
    });
    units.forEach((u, i) => {
      if (u.path.length < 2) return;
      const m = u.path.length;
      const least = (v: XY, w: XY, entry: boolean, docksOnly: boolean): number => {
        let best = Infinity;
        const turnVia = (q: XY): number =>
          turnTimeS(entry ? turnAngleRad(q, v, w) : turnAngleRad(w, v, q), drone);
        if (docksOnly) for (const d of docks) best = Math.min(best, turnVia(d.xy));
        else
          for (let k = 0; k < all.length && best > 0; k++)
            if (owner[k] !== i) best = Math.min(best, turnVia(all[k]!));
        return best;
      };
      let a = Infinity;
      let b = Infinity;
      for (const [first, second, last, beforeLast] of [
        [u.path[0]!, u.path[1]!, u.path[m - 1]!, u.path[m - 2]!],
        [u.path[m - 1]!, u.path[m - 2]!, u.path[0]!, u.path[1]!],
      ] as const) {
        const inA = least(first, second, true, false);
        const outA = least(last, beforeLast, false, false);
        const inB = Math.min(inA, least(first, second, true, true));
        const outB = Math.min(outA, least(last, beforeLast, false, true));
        a = Math.min(a, inA + outA);
        b = Math.min(b, inB + outB);
      }
      endA.push(Number.isFinite(a) ? a : 0);
      endB.push(Number.isFinite(b) ? Math.min(b, a) : 0);
      unitEndS[i] = endA[endA.length - 1]!;
    });
  }
  const gains = endA.map((a, k) => a - endB[k]!).sort((x, y) => y - x);
  const turnsA = endA.reduce((s, x) => s + x, 0);
  const ownS = own.reduce((s, x) => s + x, 0);
  const byCascade = reachCascade(units.length, directions, own, unitEndS, gains, {
    speed,
    capacityS: usableS - overheadS,
  });
  const byVolume = reachVolume(
    [
      ...directions.map((d) => ({
        label: `across the ${d.deg.toFixed(0)}° direction`,
        unitReach: d.unitReach,
        unitAlong: d.unitAlong,
      })),
      radialReach(units, docks),
    ],
    own,
    unitEndS,
    gains,
    { speed, capacityS: usableS - overheadS },
  );
  const cascade =
    byVolume && (!byCascade || byVolume.count > byCascade.count) ? byVolume : byCascade;
  const turnsFor = (k: number): number => turnsA - gains.slice(0, 2 * k).reduce((s, x) => s + x, 0);
  for (let k = 1; k <= units.length; k++) {
    const needS = ownS + cross(k).m / speed + turnsFor(k) + k * overheadS;
    if (needS <= k * usableS + 1e-9) {
      if (cascade && cascade.count > k) return cascade;
      if (k === 1) return null;
      const c = cross(k - 1);
      const turnS = turnsFor(k - 1);
      const prevNeedS = ownS + c.m / speed + turnS;
      const how = c.reaches
        ? `each of the ${k - 1} sorties out to its farthest work and back (a sortie holds at ` +
          `most ${perSortie} units, so they reach ${c.reaches.map((r) => r.toFixed(0)).join(' + ')} m out)`
        : 'to reach the farthest work and come back';
      return {
        count: k,
        reason:
          `${k === 2 ? 'one sortie holds' : `${k - 1} sorties hold`} ` +
          `${((k - 1) * (usableS - overheadS)).toFixed(1)} s after climb, ` +
          `descent and start/stop, but the work needs ${prevNeedS.toFixed(1)} s: its own ` +
          `${ownS.toFixed(1)} s, ${c.m.toFixed(0)} m flown across the ${c.deg.toFixed(0)}° ` +
          `direction ${how} (${(c.m / speed).toFixed(1)} s), and ` +
          `${turnS.toFixed(1)} s of turns at the unit ends`,
      };
    }
  }
  return cascade;
}

/**
 * Sorties against the work beyond each distance: along a direction (or outwards from the docks),
 * a sortie reaching r metres out spends at least 2r on the way out and back, less what its
 * units travel that way themselves, so it holds at most C − 2r/v of the units' remaining time
 * (their own times and least end turns, less what they travel that way; C the usable time after
 * climb, descent and start/stop, two dock ends' turn savings given back). The units reaching ρ
 * or more need sorties reaching ρ or more: at least N(ρ) = ⌈their time / (C − 2ρ/v)⌉ of them.
 * So the j-th farthest sortie reaches at least L_j, the farthest ρ with N(ρ) ≥ j, and k sorties
 * hold at most k·C − 2(L₁ + … + L_k)/v (each at least the nearest unit's reach): k are too few
 * when that is less than all the units' time, or when some N(ρ) exceeds k.
 */
function reachVolume(
  directions: readonly {
    label: string;
    unitReach: readonly number[];
    unitAlong: readonly number[];
  }[],
  own: readonly number[],
  unitEndS: Float64Array,
  gains: readonly number[],
  { speed, capacityS }: { speed: number; capacityS: number },
): ProvenMinimum | null {
  const n = own.length;
  const holdS = capacityS + (gains[0] ?? 0) + (gains[1] ?? 0);
  let best: ProvenMinimum | null = null;
  for (const dir of directions) {
    const size = own.map((t, u) => t + unitEndS[u]! - dir.unitAlong[u]! / speed);
    const totalS = size.reduce((s, x) => s + x, 0);
    const order = size.map((_, u) => u).sort((a, b) => dir.unitReach[b]! - dir.unitReach[a]!);
    // L[j − 1]: the least reach of the j-th farthest sortie; most: the largest N(ρ).
    const least: number[] = [];
    let most = 0;
    let mostAtM = 0;
    let beyondS = 0;
    let unreachable = false;
    for (let t = 0; t < n; t++) {
      const rho = dir.unitReach[order[t]!]!;
      beyondS += size[order[t]!]!;
      // Units at the same reach count together.
      if (t + 1 < n && dir.unitReach[order[t + 1]!]! === rho) continue;
      const roomS = holdS - (2 * rho) / speed;
      if (roomS <= 0) {
        unreachable = true;
        break;
      }
      const needed = Math.ceil(beyondS / roomS - 1e-9);
      if (needed > most) {
        most = needed;
        mostAtM = rho;
      }
      while (least.length < needed) least.push(rho);
    }
    if (unreachable || n === 0) continue;
    const nearest = dir.unitReach[order[n - 1]!]!;
    let reachedM = 0;
    for (let k = 1; k <= n; k++) {
      reachedM += Math.max(least[k - 1] ?? nearest, nearest);
      if (k < most || k * holdS - (2 * reachedM) / speed < totalS - 1e-9) continue;
      if (k > 1 && (!best || k > best.count)) {
        const f = k - 1;
        const out = least.slice(0, f).map((r) => Math.max(r, nearest).toFixed(0));
        best = {
          count: k,
          reason:
            f < most
              ? `the work ${mostAtM.toFixed(0)} m or more out ${dir.label} needs ${most} sorties ` +
                `(each holds at most ${(holdS - (2 * mostAtM) / speed).toFixed(1)} s of it after the way out and back)`
              : `${f === 1 ? 'one sortie' : `${f} sorties`} flying out ${out.join(', ')} m ` +
                `${dir.label} (the work beyond each distance needs that many) hold ` +
                `${(f * holdS - (2 * (reachedM - Math.max(least[k - 1] ?? nearest, nearest))) / speed).toFixed(1)} s ` +
                `of the work's ${totalS.toFixed(1)} s (its own times and end turns, less what it flies that way)`,
        };
      }
      break;
    }
  }
  return best;
}
/**
 * Each unit's reach outwards from the nearest dock (its farthest vertex) and the most it travels
 * outwards or inwards itself from any dock (the distance to a dock falls and then rises along a
 * straight segment), for {@link reachVolume}.
 */
function radialReach(
  units: readonly WorkUnit[],
  docks: readonly DockSite[],
): { label: string; unitReach: number[]; unitAlong: number[] } {
  const unitReach: number[] = [];
  const unitAlong: number[] = [];
  for (const u of units) {
    let reach = Infinity;
    let along = 0;
    for (const d of docks) {
      let far = 0;
      for (const p of u.path) far = Math.max(far, dist(p, d.xy));
      reach = Math.min(reach, far);
      let travelled = 0;
      for (let k = 1; k < u.path.length; k++) {
        const a = u.path[k - 1]!;
        const b = u.path[k]!;
        const ab: XY = [b[0] - a[0], b[1] - a[1]];
        const len2 = ab[0] * ab[0] + ab[1] * ab[1];
        const t =
          len2 > 0
            ? Math.min(1, Math.max(0, ((d.xy[0] - a[0]) * ab[0] + (d.xy[1] - a[1]) * ab[1]) / len2))
            : 0;
        const foot: XY = [a[0] + t * ab[0], a[1] + t * ab[1]];
        const nearM = dist(foot, d.xy);
        travelled += dist(a, d.xy) - nearM + (dist(b, d.xy) - nearM);
      }
      along = Math.max(along, travelled);
    }
    unitReach.push(reach);
    unitAlong.push(along);
  }
  return { label: 'from the docks', unitReach, unitAlong };
}

/**
 * Sorties one by one from the farthest work out: a sortie reaching r metres out along a direction
 * (from its dock) holds at most m(r) units — the most units whose own times, least end turns and
 * the crossing not done by their own segments (2r minus what they travel along it) fit one
 * battery, two dock ends' turn savings given back. The sortie holding the farthest unit holds at
 * most m(r₁); one of the m(r₁) + 1 farthest lies in another sortie, which reaches r₍ₘ₁₊₁₎ and
 * holds at most m(r₍ₘ₁₊₁₎), and so on: when k sorties hold fewer than all units this way, k are
 * too few.
 */
function reachCascade(
  n: number,
  directions: readonly {
    deg: number;
    reach: readonly number[];
    unitAlong: readonly number[];
  }[],
  own: readonly number[],
  unitEndS: Float64Array,
  gains: readonly number[],
  { speed, capacityS }: { speed: number; capacityS: number },
): ProvenMinimum | null {
  const giveBackS = (gains[0] ?? 0) + (gains[1] ?? 0);
  let best: ProvenMinimum | null = null;
  for (const dir of directions) {
    const sizes = own
      .map((t, u) => t + unitEndS[u]! - dir.unitAlong[u]! / speed)
      .sort((a, b) => a - b);
    const prefix = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + sizes[k]!;
    const most = (reachM: number): number => {
      const room = capacityS + giveBackS - (2 * reachM) / speed + 1e-9;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (prefix[mid]! <= room) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const held: number[] = [];
    const reached: number[] = [];
    let covered = 0;
    while (covered < n) {
      const r = dir.reach[covered]!;
      const m = most(r);
      if (m === 0) break;
      held.push(m);
      reached.push(r);
      covered += m;
    }
    // (A unit no battery holds in this relaxation: nothing to say from this direction.)
    if (covered < n) continue;
    // held.length sorties can at most just hold everything: fewer cannot.
    const count = held.length;
    if (count > 1 && (!best || count > best.count)) {
      const k = count - 1;
      best = {
        count,
        reason:
          `${k === 1 ? 'one sortie' : `${k} sorties`} flying ${reached
            .slice(0, k)
            .map((r) => r.toFixed(0))
            .join(', ')} m out across the ${dir.deg.toFixed(0)}° direction (each the farthest ` +
          `work the ones before cannot hold) hold at most ${held.slice(0, k).join(' + ')} = ` +
          `${held.slice(0, k).reduce((a, b) => a + b, 0)} of the ${n} units`,
      };
    }
  }
  return best;
}

/**
 * The bound ⌈work length / (range − 2 × dock distance)⌉ with every length in time-equivalent
 * metres at the planned speed: work length includes the sequence's turns, hover and altitude
 * changes; range is the usable time after climb, descent and start/stop; dock distance is the
 * nearest dock to any vertex of the work. Open work (not a closed tour) split into k sorties does
 * not fly the k − 1 connections where they meet: the bound is the least k whose work, less the
 * k − 1 longest connections between units (with their turns), fits (lanes re-ordered into bands
 * meet where one band ends and the next begins, which may be across the area).
 */
function sortieLowerBound(
  seq: Sequence,
  docks: readonly DockSite[],
  drone: DroneProfile,
  cyclic: boolean,
): number | null {
  let dockDistanceM = Infinity;
  for (const p of seq.vertices)
    for (const d of docks) dockDistanceM = Math.min(dockDistanceM, dist(p, d.xy));
  const speed = plannedSpeedMps(drone);
  let minAlt = Infinity;
  for (const u of seq.units) minAlt = Math.min(minAlt, u.altitudeM);
  const overheadS =
    minAlt / drone.climbRateMps +
    minAlt / drone.descentRateMps +
    drone.cruiseSpeedMps / drone.accelerationMps2;
  const rangeM = (usableTimeS(drone) - overheadS) * speed;
  const workM = seq.internalTimeS(0, seq.length) * speed;
  const effective = rangeM - 2 * dockDistanceM;
  if (effective <= 0) return null;
  const k0 = Math.max(1, Math.ceil((workM - 1e-6) / effective));
  if (cyclic || seq.length < 2) return k0;
  // Connection times, longest first: two neighbours flown together minus each alone.
  const gapsS: number[] = [];
  for (let i = 1; i < seq.length; i++)
    gapsS.push(
      seq.internalTimeS(i - 1, i + 1) - seq.internalTimeS(i - 1, i) - seq.internalTimeS(i, i + 1),
    );
  gapsS.sort((a, b) => b - a);
  let savedM = 0;
  for (let k = 1; k < k0; k++) {
    if (workM - savedM - 1e-6 <= k * effective) return k;
    savedM += Math.max(0, gapsS[k - 1] ?? 0) * speed;
  }
  return k0;
}

function cachedLegs(leg: ((a: XY, b: XY) => number) | undefined): (a: XY, b: XY) => number {
  if (!leg) return dist;
  const cache = new Map<string, number>();
  return (a, b) => {
    const key = `${a[0]},${a[1]};${b[0]},${b[1]}`;
    let v = cache.get(key);
    if (v === undefined) {
      v = leg(a, b);
      cache.set(key, v);
    }
    return v;
  };
}

function dist(a: XY, b: XY): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function minutes(s: number): string {
  return (s / 60).toFixed(1);
}

/**
 * Units in one flight order, concatenated into a single polyline with prefix sums, so that the
 * time of any contiguous run of units from any dock is O(1).
 */
class Sequence {
  readonly vertices: XY[] = [];
  /** first / last vertex index of each position in the order */
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly cumLen: Float64Array;
  private readonly cumTurnS: Float64Array;
  private readonly cumTurns: Int32Array;
  private readonly cumHoverS: Float64Array;
  private readonly cumAltS: Float64Array;
  private readonly speed: number;

  /** Input unit indices of the positions (differs from `order` for a mirrored copy). */
  readonly unitIds: readonly number[];

  constructor(
    readonly units: readonly WorkUnit[],
    readonly order: readonly number[],
    readonly drone: DroneProfile,
    private readonly legLengthM: (a: XY, b: XY) => number,
    unitIds?: readonly number[],
  ) {
    this.unitIds = unitIds ?? order;
    // Repeated vertices (a lane ending where its transit starts) are merged, so that the turn
    // there is seen between the distinct neighbours, as the flown mission sees it.
    for (const u of order) {
      const unit = units[u]!;
      let first = -1;
      for (const p of unit.path) {
        const prev = this.vertices[this.vertices.length - 1];
        if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) this.vertices.push(p);
        if (first < 0) first = this.vertices.length - 1;
      }
      this.first.push(first);
      this.last.push(this.vertices.length - 1);
    }
    const m = this.vertices.length;
    this.speed = plannedSpeedMps(drone);
    this.cumLen = new Float64Array(m);
    this.cumTurnS = new Float64Array(m);
    this.cumTurns = new Int32Array(m);
    for (let k = 1; k < m; k++) {
      this.cumLen[k] = this.cumLen[k - 1]! + dist(this.vertices[k - 1]!, this.vertices[k]!);
    }
    // cumTurnS[k] = turn costs at interior vertices 1..k.
    for (let k = 1; k < m - 1; k++) {
      const angle = turnAngleRad(this.vertices[k - 1]!, this.vertices[k]!, this.vertices[k + 1]!);
      this.cumTurnS[k] = this.cumTurnS[k - 1]! + turnTimeS(angle, drone);
      this.cumTurns[k] = this.cumTurns[k - 1]! + (angle > Math.PI / 6 ? 1 : 0);
    }
    if (m > 1) {
      this.cumTurnS[m - 1] = this.cumTurnS[m - 2]!;
      this.cumTurns[m - 1] = this.cumTurns[m - 2]!;
    }
    const n = order.length;
    this.cumHoverS = new Float64Array(n + 1);
    this.cumAltS = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.cumHoverS[i + 1] =
        this.cumHoverS[i]! + (units[order[i]!]!.hoverS ?? 0) + (units[order[i]!]!.extraTimeS ?? 0);
      if (i > 0) {
        const dAlt = units[order[i]!]!.altitudeM - units[order[i - 1]!]!.altitudeM;
        this.cumAltS[i] =
          this.cumAltS[i - 1]! +
          (dAlt > 0 ? dAlt / drone.climbRateMps : -dAlt / drone.descentRateMps);
      }
    }
  }

  get length(): number {
    return this.order.length;
  }

  totalLengthM(): number {
    return this.cumLen[this.vertices.length - 1] ?? 0;
  }

  /** Time inside positions [i, j): along the polyline, interior turns, hover, altitude changes. */
  internalTimeS(i: number, j: number): number {
    const a = this.first[i]!;
    const b = this.last[j - 1]!;
    const along = (this.cumLen[b]! - this.cumLen[a]!) / this.speed;
    const turns = b - a >= 2 ? this.cumTurnS[b - 1]! - this.cumTurnS[a]! : 0;
    return (
      along +
      turns +
      this.cumHoverS[j]! -
      this.cumHoverS[i]! +
      this.cumAltS[j - 1]! -
      this.cumAltS[i]!
    );
  }

  internalLengthM(i: number, j: number): number {
    return this.cumLen[this.last[j - 1]!]! - this.cumLen[this.first[i]!]!;
  }

  internalTurns(i: number, j: number): number {
    const a = this.first[i]!;
    const b = this.last[j - 1]!;
    return b - a >= 2 ? this.cumTurns[b - 1]! - this.cumTurns[a]! : 0;
  }

  /** Time of dock → positions [i, j) → dock, seconds. */
  sortieTimeS(i: number, j: number, dock: XY): number {
    return this.internalTimeS(i, j) + this.dockTimeS(i, j, dock);
  }

  /** Per dock: the cost of flying from it into each position and from each position back. */
  private readonly dockCosts = new Map<string, { into: Float64Array; back: Float64Array }>();

  private costsFor(dock: XY): { into: Float64Array; back: Float64Array } {
    const key = `${dock[0]},${dock[1]}`;
    let c = this.dockCosts.get(key);
    if (c) return c;
    const n = this.order.length;
    const { drone } = this;
    const into = new Float64Array(n);
    const back = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = this.first[i]!;
      const b = this.last[i]!;
      const va = this.vertices[a]!;
      const vb = this.vertices[b]!;
      const alt = this.units[this.order[i]!]!.altitudeM;
      // The turn into the work uses the next vertex of the run (any run from i has one unless it
      // is this single-vertex unit alone, handled in dockTimeS).
      const next = this.vertices[a + 1];
      const prev = b > 0 ? this.vertices[b - 1] : undefined;
      into[i] =
        alt / drone.climbRateMps +
        this.legLengthM(dock, va) / this.speed +
        (next ? turnTimeS(turnAngleRad(dock, va, next), drone) : 0);
      back[i] =
        alt / drone.descentRateMps +
        this.legLengthM(vb, dock) / this.speed +
        (prev ? turnTimeS(turnAngleRad(prev, vb, dock), drone) : 0);
    }
    c = { into, back };
    this.dockCosts.set(key, c);
    return c;
  }

  /** Climb, descent, dock legs, start/stop and the turns where the dock legs join the work. */
  dockTimeS(i: number, j: number, dock: XY): number {
    const a = this.first[i]!;
    const b = this.last[j - 1]!;
    const { drone } = this;
    // From rest and back to rest: v/2a each.
    const startStop = drone.cruiseSpeedMps / drone.accelerationMps2;
    if (a === b) {
      // One vertex alone: out and straight back (a full turn there).
      const v = this.vertices[a]!;
      const alt = this.units[this.order[i]!]!.altitudeM;
      return (
        alt / drone.climbRateMps +
        alt / drone.descentRateMps +
        (this.legLengthM(dock, v) + this.legLengthM(v, dock)) / this.speed +
        startStop +
        turnTimeS(Math.PI, drone)
      );
    }
    const c = this.costsFor(dock);
    // into[i] used vertex a+1 and back[j−1] used vertex b−1, both inside the run since a < b.
    return c.into[i]! + c.back[j - 1]! + startStop;
  }

  dockLengthM(i: number, j: number, dock: XY): number {
    return (
      dist(dock, this.vertices[this.first[i]!]!) + dist(this.vertices[this.last[j - 1]!]!, dock)
    );
  }
}

interface Split {
  seq: Sequence;
  mirrored: Sequence | null;
  sorties: PlannedSortie[];
  totalTimeS: number;
}

function describe(
  seq: Sequence,
  i: number,
  j: number,
  dock: DockSite,
  drone: DroneProfile,
  mirrored = false,
): PlannedSortie {
  const timeS = seq.sortieTimeS(i, j, dock.xy);
  const workLengthM = seq.internalLengthM(i, j);
  return {
    dockId: dock.id,
    units: seq.unitIds.slice(i, j),
    mirrored,
    timeS,
    lengthM: workLengthM + seq.dockLengthM(i, j, dock.xy),
    workLengthM,
    turns: seq.internalTurns(i, j) + 2,
    batteryUsedPct: (timeS / drone.enduranceS) * 100,
  };
}

/**
 * Exact DP: fewest sorties over contiguous runs, then least total time; dock chosen per run, and
 * with a mirrored copy of the sequence also the direction each run is flown in (its entry and
 * exit ends).
 */
function splitSequence(
  seq: Sequence,
  mirrored: Sequence | null,
  docks: readonly DockSite[],
  usableS: number,
): Split {
  const n = seq.length;
  const count = new Int32Array(n + 1).fill(1 << 30);
  const time = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1).fill(-1);
  const via = new Int32Array(n + 1).fill(-1);
  const flip = new Uint8Array(n + 1);
  const variants = mirrored ? [seq, mirrored] : [seq];
  count[0] = 0;
  time[0] = 0;
  for (let i = 0; i < n; i++) {
    if (count[i]! === 1 << 30) continue;
    for (let j = i + 1; j <= n; j++) {
      let any = false;
      for (let v = 0; v < variants.length; v++) {
        const s = variants[v]!;
        const internal = s.internalTimeS(i, j);
        if (internal > usableS) continue;
        any = true;
        for (let d = 0; d < docks.length; d++) {
          const t = internal + s.dockTimeS(i, j, docks[d]!.xy);
          if (t > usableS) continue;
          const c = count[i]! + 1;
          const tt = time[i]! + t;
          if (c < count[j]! || (c === count[j]! && tt < time[j]! - 1e-9)) {
            count[j] = c;
            time[j] = tt;
            from[j] = i;
            via[j] = d;
            flip[j] = v;
          }
        }
      }
      if (!any) break;
    }
  }
  const runs: [number, number, number, number][] = [];
  for (let j = n; j > 0; j = from[j]!) {
    if (from[j]! < 0) throw new Error(`internal: no feasible split ends at unit ${j}`);
    runs.unshift([from[j]!, j, via[j]!, flip[j]!]);
  }
  const sorties = runs.map(([i, j, d, v]) =>
    describe(variants[v]!, i, j, docks[d]!, seq.drone, v === 1),
  );
  return { seq, mirrored, sorties, totalTimeS: time[n]! };
}

/** Moves sorties off the busiest dock while that lowers the busiest load within the tolerance. */
function balance(
  sorties: PlannedSortie[],
  seq: Sequence,
  mirrored: Sequence | null,
  docks: readonly DockSite[],
  usableS: number,
  drone: DroneProfile,
  options: PlanSortiesOptions,
): PlannedSortie[] {
  const tolerance = (options.balanceTolerancePct ?? 10) / 100;
  const baseTotal = sorties.reduce((s, x) => s + x.timeS, 0);
  const posOf = new Map<number, number>(seq.order.map((u, p) => [u, p]));
  const run = (s: PlannedSortie): [number, number] => {
    const i = posOf.get(s.units[0]!)!;
    return [i, i + s.units.length];
  };
  const out = [...sorties];
  const loads = (): Map<string, number> => {
    const m = new Map<string, number>(docks.map((d) => [d.id, 0]));
    for (const s of out) m.set(s.dockId, m.get(s.dockId)! + s.timeS);
    return m;
  };
  for (let round = 0; round < out.length * docks.length; round++) {
    const load = loads();
    const maxLoad = Math.max(...load.values());
    const total = [...load.values()].reduce((a, b) => a + b, 0);
    let bestMove: { index: number; sortie: PlannedSortie; newMax: number } | null = null;
    for (let k = 0; k < out.length; k++) {
      const s = out[k]!;
      if (load.get(s.dockId)! < maxLoad - 1e-9) continue;
      const [i, j] = run(s);
      for (const dock of docks) {
        if (dock.id === s.dockId) continue;
        for (const variant of mirrored ? [seq, mirrored] : [seq]) {
          const t = variant.sortieTimeS(i, j, dock.xy);
          if (t > usableS) continue;
          if (total - s.timeS + t > baseTotal * (1 + tolerance)) continue;
          const after = new Map(load);
          after.set(s.dockId, after.get(s.dockId)! - s.timeS);
          after.set(dock.id, after.get(dock.id)! + t);
          const newMax = Math.max(...after.values());
          if (newMax < maxLoad - 1e-6 && (!bestMove || newMax < bestMove.newMax)) {
            const sortie = describe(variant, i, j, dock, drone, variant === mirrored);
            bestMove = { index: k, sortie, newMax };
          }
        }
      }
    }
    if (!bestMove) break;
    out[bestMove.index] = bestMove.sortie;
  }
  return out;
}
