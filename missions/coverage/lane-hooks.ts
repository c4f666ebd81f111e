import type { XY } from '../types/index';
import type { CellLane } from './boustrophedon-cells';
import type { MultiPolygonXY, PolygonXY } from './planar-geometry';

/** One photo (or one lidar strip) along a path: its centre, along-track unit vector and length. */
export interface PhotoRect {
  center: XY;
  dir: XY;
  alongM: number;
}

/** What a lane photographs, metres (`triggerM` and `alongM` null for a lidar: one strip per leg). */
export interface PathCamera {
  triggerM: number | null;
  alongM: number | null;
}

/**
 * The photos a camera triggered by distance takes along a path: the nominal trigger distance
 * shortened so that photos fall on both ends (`shots` intervals, `shots + 1` photos), each photo
 * facing along the leg it is taken on. A lidar gives one strip per leg. `fallbackDir` orients the
 * single photo of a path of zero length.
 *
 * @example
 * pathPhotos([[0, 0], [100, 0]], { triggerM: 40, alongM: 80 }, [1, 0]).rects.length; // 4 (every 33.3 m)
 */
export function pathPhotos(
  points: readonly XY[],
  camera: PathCamera,
  fallbackDir: XY,
): { triggerDistanceM: number | null; photoCount: number; rects: PhotoRect[] } {
  const legs: { from: XY; dir: XY; lengthM: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const lengthM = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (lengthM > 1e-9)
      legs.push({ from: a, dir: [(b[0] - a[0]) / lengthM, (b[1] - a[1]) / lengthM], lengthM });
  }
  const totalM = legs.reduce((s, l) => s + l.lengthM, 0);
  const { triggerM, alongM } = camera;
  if (triggerM === null || alongM === null) {
    const rects = legs.map((l) => ({
      center: [
        l.from[0] + (l.dir[0] * l.lengthM) / 2,
        l.from[1] + (l.dir[1] * l.lengthM) / 2,
      ] as XY,
      dir: l.dir,
      alongM: l.lengthM,
    }));
    if (rects.length === 0 && points[0])
      rects.push({ center: points[0], dir: fallbackDir, alongM: 0 });
    return { triggerDistanceM: null, photoCount: 0, rects };
  }
  const shots = totalM > 1e-6 ? Math.max(1, Math.ceil(totalM / triggerM - 1e-9)) : 0;
  const stepM = shots > 0 ? totalM / shots : triggerM;
  const rects: PhotoRect[] = [];
  let leg = 0;
  let legStartM = 0;
  for (let k = 0; k <= shots; k++) {
    const s = k * stepM;
    while (leg < legs.length - 1 && s > legStartM + legs[leg]!.lengthM + 1e-9) {
      legStartM += legs[leg]!.lengthM;
      leg++;
    }
    const l = legs[leg];
    if (!l) {
      rects.push({ center: points[0] ?? [0, 0], dir: fallbackDir, alongM });
      continue;
    }
    const t = Math.min(l.lengthM, Math.max(0, s - legStartM));
    rects.push({
      center: [l.from[0] + l.dir[0] * t, l.from[1] + l.dir[1] * t],
      dir: l.dir,
      alongM,
    });
  }
  return { triggerDistanceM: shots > 0 ? stepM : triggerM, photoCount: shots + 1, rects };
}

/** What {@link hookLanes} needs, metres, in the sweep frame (lanes along x). */
export interface HookContext {
  spacingM: number;
  /** Footprint (or lidar swath) width across track. */
  acrossM: number;
  /** How far a photo reaches along track beyond its centre (0 for a lidar). */
  reachM: number;
  camera: PathCamera;
  /** True when the straight leg a→b (sweep frame) enters a no-fly zone. */
  blocked: (a: XY, b: XY) => boolean;
  /** Adds up the missed ground the bends, tip lanes and passes photograph, m² (optional). */
  gained?: { m2: number };
}

/**
 * What is photographed already, for the deficit checks: lanes flown in one direction (their
 * swaths) and extra photos (bends, passes), bucketed by lane spacing across the sweep.
 */
export interface SwathIndex {
  /** Lanes whose swath can reach the band of a lane on line `yM`. */
  lanesNear(yM: number): readonly CellLane[];
  /** Extra photos that can reach the band of a lane on line `yM`. */
  rectsNear(yM: number): readonly PhotoRect[];
  addRects(rects: readonly PhotoRect[]): void;
  /**
   * Whether (x, y) falls in one of the photos given late (the swaths of lanes flown in other
   * directions, built on the first call only: most parts never ask).
   */
  coveredLate(x: number, y: number): boolean;
}

/**
 * A {@link SwathIndex} over `lanes` (flown in one direction) for the camera of `ctx`; `late` gives
 * the photos consulted last (see {@link SwathIndex.coveredLate}).
 *
 * @example
 * const index = createSwathIndex(lanesAtThisAngle, ctx);
 * index.lanesNear(120); // lanes whose swath may reach the band of line y = 120 m
 */
export function createSwathIndex(
  lanes: readonly CellLane[],
  ctx: HookContext,
  late: () => readonly PhotoRect[] = () => [],
): SwathIndex {
  const w = ctx.spacingM;
  const key = (yM: number): number => Math.floor(yM / w);
  const laneBuckets = new Map<number, CellLane[]>();
  for (const lane of lanes) {
    const k = key(lane.yM);
    const list = laneBuckets.get(k);
    if (list) list.push(lane);
    else laneBuckets.set(k, [lane]);
  }
  const laneReach = Math.ceil((ctx.acrossM / 2 + w / 2) / w) + 1;
  // A photo goes into every bucket its extent across the sweep meets.
  const bucketRects = (into: Map<number, PhotoRect[]>, rects: readonly PhotoRect[]): void => {
    for (const r of rects) {
      const halfM =
        (Math.abs(r.dir[1]) * r.alongM) / 2 + (Math.abs(r.dir[0]) * ctx.acrossM) / 2 + 1e-6;
      for (let k = key(r.center[1] - halfM); k <= key(r.center[1] + halfM); k++) {
        const list = into.get(k);
        if (list) list.push(r);
        else into.set(k, [r]);
      }
    }
  };
  const inBand = (buckets: Map<number, PhotoRect[]>, yM: number): PhotoRect[] => {
    const seen = new Set<PhotoRect>();
    for (let k = key(yM - w / 2); k <= key(yM + w / 2); k++)
      for (const r of buckets.get(k) ?? []) seen.add(r);
    return [...seen];
  };
  const rectBuckets = new Map<number, PhotoRect[]>();
  let lateBuckets: Map<number, PhotoRect[]> | null = null;
  return {
    lanesNear: (yM) => {
      const out: CellLane[] = [];
      const k = key(yM);
      for (let j = k - laneReach; j <= k + laneReach; j++)
        for (const n of laneBuckets.get(j) ?? [])
          if (Math.abs(n.yM - yM) < ctx.acrossM / 2 + w / 2 + 1e-6) out.push(n);
      return out;
    },
    rectsNear: (yM) => inBand(rectBuckets, yM),
    addRects: (rects) => bucketRects(rectBuckets, rects),
    coveredLate: (x, y) => {
      if (!lateBuckets) bucketRects((lateBuckets = new Map()), late());
      for (const r of lateBuckets.get(key(y)) ?? []) if (inRect(r, ctx.acrossM, x, y)) return true;
      return false;
    },
  };
}

/** Samples across a band and the most along it, per lane end. */
const SAMPLES_ACROSS = 10;
const MAX_SAMPLES_ALONG = 80;
/**
 * Corners shallower than this (lane spacings along track) are left: a sliver of the area, or a
 * rounding of a band end that lies on the lane's own end.
 */
const SLIVER_LANE_SPACINGS = 0.02;
/** Missed corners smaller than this many square lane spacings are left (see {@link negligible}). */
const NEGLIGIBLE_M2_PER_W2 = 0.005;
/** The least share of the swept ground a bend or an extra pass must photograph anew. */
const MIN_YIELD = 0.005;
/** A lane end lies on the area's edge when this close to it, metres. */
const ON_EDGE_M = 0.25;

interface Edge {
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/**
 * Bends lane ends along the area's edge where the lane's photos leave part of its band
 * unphotographed. Lanes are flown only where their own line runs over the area; at a slanted edge
 * close to parallel with the lanes (or a corner between two lines) the band of a lane reaches
 * further than its line, and with little side overlap the neighbouring lanes' swaths do not reach
 * that corner. Such a lane end then goes on along the edge (over the area, never outside it),
 * photographing, as far as needed for every sampled point of the corner to fall in some photo —
 * its own, a neighbouring lane's, or an earlier hook's. Returns the lanes with `hooks` set where
 * needed (polylines in the sweep frame starting at the lane end); lanes that miss nothing are
 * returned as they are.
 *
 * `part` is the area the lanes' lines run over (rotated into the sweep frame), `region` the part of
 * it these lanes must photograph (defaults to `part`; read with the even-odd rule), `index` what
 * every lane flown in the same direction (the given lanes included) and the earlier bends and
 * passes photograph; the bends' photos are added to it.
 *
 * @example
 * const hooked = hookLanes(rotatedPart, null, cellLanes, createSwathIndex(allLanesAtThisAngle, ctx), ctx);
 * hooked[3].hooks?.end; // [[x0, y0], …] the bend flown after lane 3's end, when one is needed
 */
export function hookLanes(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  lanes: readonly CellLane[],
  index: SwathIndex,
  ctx: HookContext,
): CellLane[] {
  const { spacingM: w, reachM: reach } = ctx;
  const out: CellLane[] = [];
  for (const lane of lanes) {
    let hooked: CellLane = lane;
    for (const side of [1, -1] as const) {
      const endM = side > 0 ? lane.endM : lane.startM;
      const bandM = side > 0 ? lane.bandEndM : lane.bandStartM;
      // The lane's last photo reaches its band's end (within a sliver): nothing beyond it.
      const slackM = SLIVER_LANE_SPACINGS * w;
      if (side * (bandM - endM) <= reach + slackM) continue;
      const from = side > 0 ? endM + reach + slackM : lane.bandStartM;
      const to = side > 0 ? lane.bandEndM : endM - reach - slackM;
      const samples = deficitSamples(part, region, lane, from, to, index, ctx);
      if (negligible(samples, ctx)) continue;
      const found = bestHook(part, [endM, lane.yM], lane.yM, samples, ctx);
      if (!found || !worthFlying(found.covered * samples.cellM2, found.lengthM, ctx)) continue;
      const hook = found.path;
      hooked = { ...hooked, hooks: { ...hooked.hooks, [side > 0 ? 'end' : 'start']: hook } };
      index.addRects(pathPhotos(hook, ctx.camera, [side, 0]).rects);
      if (ctx.gained) ctx.gained.m2 += found.covered * samples.cellM2;
    }
    out.push(hooked);
  }
  return out;
}

/**
 * The ground of the lanes' bands that no photo in `index` covers, m² (sampled as the bends,
 * tips and passes sample it): beyond each flown lane's photographing pieces, within its band;
 * the whole band of each lane its line misses (`dropped`).
 *
 * @example
 * missedAreaM2(rotatedPart, null, flownLanes, droppedLanes, index, ctx); // 0 when the swaths overlap enough
 */
export function missedAreaM2(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  flown: readonly CellLane[],
  dropped: readonly CellLane[],
  index: SwathIndex,
  ctx: HookContext,
): number {
  const { spacingM: w, reachM: reach } = ctx;
  const reachM = reach + SLIVER_LANE_SPACINGS * w;
  let sumM2 = 0;
  const isFlown = new Set(flown);
  for (const lane of [...flown, ...dropped]) {
    const ranges: [number, number][] = [];
    let at = lane.bandStartM;
    if (isFlown.has(lane)) {
      for (const [a, b] of lanePiecesM(lane)) {
        if (a - reachM > at) ranges.push([at, a - reachM]);
        at = Math.max(at, b + reachM);
      }
    }
    if (lane.bandEndM > at) ranges.push([at, lane.bandEndM]);
    for (const [from, to] of ranges) {
      const samples = deficitSamples(part, region, lane, from, to, index, ctx);
      sumM2 += samples.length * samples.cellM2;
    }
  }
  return sumM2;
}

/** Offsets tried across a band (in steps of w / 2 / this) for a tip's line or a patch pass. */
const OFFSET_STEPS = 8;

/** Offset `j` of ±{@link OFFSET_STEPS} across a band of width `w`, the last just inside its edge. */
function offsetAcrossM(j: number, w: number): number {
  return Math.abs(j) < OFFSET_STEPS ? (j * w) / (2 * OFFSET_STEPS) : Math.sign(j) * (w / 2 - 0.1);
}

/**
 * Lanes whose own line misses the area (a tip between two lines: `flownLane` drops them) and
 * whose band still holds area no other lane's swath photographs: flown on the nearest line within
 * the band that crosses that area, over its chords there (reach trimmed as usual). The others stay
 * dropped, as before.
 *
 * @example
 * const extraLanes = tipLanes(rotatedPart, null, droppedLanes, index, ctx);
 */
export function tipLanes(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  dropped: readonly CellLane[],
  index: SwathIndex,
  ctx: HookContext,
): CellLane[] {
  const out: CellLane[] = [];
  for (const lane of dropped) {
    const samples = deficitSamples(part, region, lane, lane.bandStartM, lane.bandEndM, index, ctx);
    if (negligible(samples, ctx)) continue;
    let tip: { yM: number; lineM: [number, number][] } | null = null;
    search: for (let j = 1; j <= OFFSET_STEPS; j++) {
      for (const sign of [1, -1]) {
        const yM = lane.yM + offsetAcrossM(sign * j, ctx.spacingM);
        const lineM = chordsOf(part, yM, ctx).filter(
          ([a, b]) => b >= lane.bandStartM && a <= lane.bandEndM,
        );
        if (lineM.length > 0) {
          tip = { yM, lineM };
          break search;
        }
      }
    }
    if (!tip) continue;
    const first = tip.lineM[0]!;
    const last = tip.lineM[tip.lineM.length - 1]!;
    let startM = Math.max(lane.startM, first[0]);
    let endM = Math.min(lane.endM, last[1]);
    if (startM > endM) {
      const mid = Math.min(last[1], Math.max(first[0], (lane.startM + lane.endM) / 2));
      startM = mid;
      endM = mid;
    }
    if (ctx.blocked([startM, tip.yM], [endM, tip.yM])) continue;
    const flown: CellLane = {
      yM: tip.yM,
      startM,
      endM,
      bandStartM: lane.bandStartM,
      bandEndM: lane.bandEndM,
    };
    // Chords apart on the tip's line are crossed with the camera off, like bridged gaps.
    const gapsM: [number, number][] = [];
    for (let i = 1; i < tip.lineM.length; i++) {
      const a = tip.lineM[i - 1]![1];
      const b = tip.lineM[i]![0];
      if (a < endM && b > startM) gapsM.push([a, b]);
    }
    if (gapsM.length > 0) flown.gapsM = gapsM;
    out.push(flown);
    if (ctx.gained) ctx.gained.m2 += samples.length * samples.cellM2;
  }
  return out;
}

function inRect(r: PhotoRect, acrossM: number, x: number, y: number): boolean {
  const dx = x - r.center[0];
  const dy = y - r.center[1];
  return (
    Math.abs(dx * r.dir[0] + dy * r.dir[1]) <= r.alongM / 2 + 1e-6 &&
    Math.abs(dx * r.dir[1] - dy * r.dir[0]) <= acrossM / 2 + 1e-6
  );
}

/** True when a photo of lane `n` (its pieces between bridged gaps, reach added) covers (x, y). */
function laneCovers(n: CellLane, acrossM: number, reach: number, x: number, y: number): boolean {
  if (Math.abs(y - n.yM) > acrossM / 2 + 1e-6) return false;
  if (x < n.startM - reach - 1e-6 || x > n.endM + reach + 1e-6) return false;
  for (const [a, b] of n.gapsM ?? []) if (x > a + reach && x < b - reach) return false;
  return true;
}

/**
 * Whether photographing `areaM2` of missed ground is worth flying `lengthM` for: at least
 * {@link MIN_YIELD} of the ground the swath sweeps over that length. A corner beyond a slanted
 * edge yields a quarter or more, a sliver at a sharp tip far beyond a lane's end a thousandth or
 * two; the low bound keeps the small corners whose sum matters with no side overlap (a bound of
 * 0.01–0.05 left 99.4–99.5 % on random stars at 10 % and 30 % side overlap).
 */
function worthFlying(areaM2: number, lengthM: number, ctx: HookContext): boolean {
  return areaM2 >= MIN_YIELD * lengthM * ctx.spacingM;
}

/** Sample points, each standing for `cellM2` of the band. */
type Samples = XY[] & { cellM2: number };

/**
 * Whether missed samples stand for too little area to fly for: a single sample, or under
 * {@link NEGLIGIBLE_M2_PER_W2} square lane spacings (a sliver at a sharp tip).
 */
function negligible(samples: Samples, ctx: HookContext): boolean {
  return (
    samples.length < 2 ||
    samples.length * samples.cellM2 < NEGLIGIBLE_M2_PER_W2 * ctx.spacingM * ctx.spacingM
  );
}

/**
 * Points of the lane's band beyond its end's photo reach, inside the region, that no photo of
 * another lane (or an earlier hook) covers: a grid of about w/10 spacing.
 */
function deficitSamples(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  lane: CellLane,
  from: number,
  to: number,
  index: SwathIndex,
  ctx: HookContext,
): Samples {
  const { spacingM: w, reachM: reach, acrossM } = ctx;
  const yl = lane.yM - w / 2;
  const yh = lane.yM + w / 2;
  const out: Samples = Object.assign([], { cellM2: 0 });
  if (!(to > from)) return out;
  const edges = bandEdges(part, region, yl, yh, from, ctx);
  const nx = Math.min(
    MAX_SAMPLES_ALONG,
    Math.max(2, Math.ceil((to - from) / (w / SAMPLES_ACROSS))),
  );
  const near = index.lanesNear(lane.yM).filter((n) => n !== lane);
  const nearExtra = index
    .rectsNear(lane.yM)
    .filter(
      (r) =>
        r.center[0] + (acrossM + r.alongM) / 2 >= from &&
        r.center[0] - (acrossM + r.alongM) / 2 <= to,
    );
  out.cellM2 = ((to - from) / nx) * (w / SAMPLES_ACROSS);
  // Row by row: the lanes whose swath covers the row first (cheap), the area's edges after.
  for (let j = 0; j < SAMPLES_ACROSS; j++) {
    const y = yl + ((j + 0.5) * w) / SAMPLES_ACROSS;
    const rowLanes = near.filter((n) => Math.abs(y - n.yM) <= acrossM / 2 + 1e-6);
    for (let i = 0; i < nx; i++) {
      const x = from + ((i + 0.5) * (to - from)) / nx;
      if (rowLanes.some((n) => laneCovers(n, acrossM, reach, x, y))) continue;
      if (nearExtra.some((r) => inRect(r, acrossM, x, y))) continue;
      if (!insideEdges(edges, x, y)) continue;
      if (index.coveredLate(x, y)) continue;
      out.push([x, y]);
    }
  }
  return out.sort((p, q) => p[0] - q[0] || p[1] - q[1]) as Samples;
}

/** An edge of a polygon's ring `ring`, from vertex `i` to the next. */
interface RingEdge extends Edge {
  ring: number;
  i: number;
}

/** Edges bucketed by `floor(y / stepM)` over every bucket their y-extent meets. */
interface EdgeIndex {
  stepM: number;
  buckets: Map<number, RingEdge[]>;
}

const edgeIndexes = new WeakMap<object, EdgeIndex>();

/** The edges of `polygons` (rings of a polygon, or polygons) bucketed across the sweep, cached. */
function edgeIndexOf(key: object, rings: readonly (readonly XY[])[], stepM: number): EdgeIndex {
  const cached = edgeIndexes.get(key);
  if (cached && cached.stepM === stepM) return cached;
  const buckets = new Map<number, RingEdge[]>();
  for (const [r, ring] of rings.entries())
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]!;
      const b = ring[(i + 1) % ring.length]!;
      const e: RingEdge = { ax: a[0], ay: a[1], bx: b[0], by: b[1], ring: r, i };
      const k1 = Math.floor(Math.max(a[1], b[1]) / stepM);
      for (let k = Math.floor(Math.min(a[1], b[1]) / stepM); k <= k1; k++) {
        const list = buckets.get(k);
        if (list) list.push(e);
        else buckets.set(k, [e]);
      }
    }
  const index = { stepM, buckets };
  edgeIndexes.set(key, index);
  return index;
}

/** Every edge of the index whose y-extent meets [yl, yh], once each. */
function edgesIn(index: EdgeIndex, yl: number, yh: number): RingEdge[] {
  const seen = new Set<RingEdge>();
  const k1 = Math.floor(yh / index.stepM);
  for (let k = Math.floor(yl / index.stepM); k <= k1; k++)
    for (const e of index.buckets.get(k) ?? []) seen.add(e);
  return [...seen];
}

/** The part's edges (as rings of one polygon), bucketed by lane spacing. */
function partEdges(part: PolygonXY, ctx: HookContext): EdgeIndex {
  return edgeIndexOf(part, part, ctx.spacingM);
}

/** The edges of the region (or of the part) that cross the band [yl, yh] and reach x ≥ xMin. */
function bandEdges(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  yl: number,
  yh: number,
  xMin: number,
  ctx: HookContext,
): Edge[] {
  const index = region ? edgeIndexOf(region, region.flat(), ctx.spacingM) : partEdges(part, ctx);
  return edgesIn(index, yl, yh).filter(
    (e) => Math.max(e.ay, e.by) >= yl && Math.min(e.ay, e.by) <= yh && Math.max(e.ax, e.bx) >= xMin,
  );
}

/**
 * Even-odd test by a ray from (x, y) towards +x, over edges that hold every crossing of that ray
 * (see {@link bandEdges}).
 */
function insideEdges(edges: readonly Edge[], x: number, y: number): boolean {
  let inside = false;
  for (const e of edges) {
    if (e.ay > y === e.by > y) continue;
    const xc = e.ax + ((y - e.ay) * (e.bx - e.ax)) / (e.by - e.ay);
    if (xc > x) inside = !inside;
  }
  return inside;
}

/**
 * The shortest walk along the part's edge from the lane end `end` (either way round, within the
 * lane's band, around no-fly zones) whose photos cover every sample; the walk covering the most
 * when none covers all. Null when the end is not on the edge or no walk covers a sample.
 */
function bestHook(
  part: PolygonXY,
  end: XY,
  yM: number,
  samples: readonly XY[],
  ctx: HookContext,
): { path: XY[]; covered: number; lengthM: number } | null {
  const { spacingM: w, reachM: reach, acrossM } = ctx;
  const walks = edgeWalks(part, end, yM - w / 2, yM + w / 2, ctx);
  const stepM = Math.max(0.5, (reach > 0 ? reach : w) / 4);
  let best: { path: XY[]; covered: number; lengthM: number } | null = null;
  for (const walk of walks) {
    const totalM = lengthOf(walk);
    let found: { path: XY[]; covered: number; lengthM: number } | null = null;
    for (let lengthM = Math.min(stepM, totalM); ; lengthM = Math.min(totalM, lengthM + stepM)) {
      const path = prefix(walk, lengthM);
      const rects = pathPhotos(path, ctx.camera, [1, 0]).rects;
      let covered = 0;
      for (const [x, y] of samples) if (rects.some((r) => inRect(r, acrossM, x, y))) covered++;
      if (!found || covered > found.covered) found = { path, covered, lengthM };
      if (covered === samples.length || lengthM >= totalM) break;
    }
    if (
      found &&
      found.covered > 0 &&
      (!best ||
        found.covered > best.covered ||
        (found.covered === best.covered && found.lengthM < best.lengthM))
    )
      best = found;
  }
  return best && best.lengthM > 1e-3 ? best : null;
}

function lengthOf(path: readonly XY[]): number {
  let s = 0;
  for (let i = 1; i < path.length; i++)
    s += Math.hypot(path[i]![0] - path[i - 1]![0], path[i]![1] - path[i - 1]![1]);
  return s;
}

/** The first `lengthM` metres of a polyline. */
function prefix(path: readonly XY[], lengthM: number): XY[] {
  const out: XY[] = [path[0]!];
  let left = lengthM;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1]!;
    const b = path[i]!;
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (d >= left - 1e-9) {
      const t = d > 0 ? left / d : 0;
      out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
      return out;
    }
    out.push(b);
    left -= d;
  }
  return out;
}

/**
 * The part's edge walked from `end` (a point on it) both ways round, each walk cut where it
 * leaves the band [yl, yh] or would enter a no-fly zone; empty when `end` is not on the edge.
 */
function edgeWalks(part: PolygonXY, end: XY, yl: number, yh: number, ctx: HookContext): XY[][] {
  let bestRing = -1;
  let bestEdge = -1;
  let bestM = ON_EDGE_M;
  for (const e of edgesIn(partEdges(part, ctx), end[1] - ON_EDGE_M, end[1] + ON_EDGE_M)) {
    const d = segmentDistanceM(end, [e.ax, e.ay], [e.bx, e.by]);
    if (d < bestM) {
      bestM = d;
      bestRing = e.ring;
      bestEdge = e.i;
    }
  }
  if (bestRing < 0) return [];
  const ring = part[bestRing]!;
  const n = ring.length;
  const walks: XY[][] = [];
  for (const step of [1, -1]) {
    const walk: XY[] = [end];
    let cur = end;
    let idx = step > 0 ? (bestEdge + 1) % n : bestEdge;
    for (let count = 0; count < n; count++) {
      const next = ring[idx]!;
      let target = next;
      let leaves = false;
      if (next[1] > yh || next[1] < yl) {
        const yb = next[1] > yh ? yh : yl;
        const t = (yb - cur[1]) / (next[1] - cur[1]);
        target = [cur[0] + (next[0] - cur[0]) * t, yb];
        leaves = true;
      }
      if (ctx.blocked(cur, target)) break;
      if (Math.hypot(target[0] - cur[0], target[1] - cur[1]) > 1e-9) walk.push(target);
      if (leaves) break;
      cur = target;
      idx = (idx + step + n) % n;
    }
    if (walk.length > 1) walks.push(walk);
  }
  return walks;
}

function segmentDistanceM(p: XY, a: XY, b: XY): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/**
 * Short extra passes over what a band still misses after its lane, the lane-end bends and every
 * other lane flown in the same direction have photographed (a corner the bends cannot reach, the
 * band beside a notch the lane's line crosses with the camera off). The band's missed samples are
 * grouped along x (a gap of more than a photo's reach starts a new group); each group gets a pass
 * on the line within the band whose chord over the area covers most of it, flown only over that
 * chord. Returns the passes (sweep frame) and adds their photos to `index`.
 *
 * @example
 * const passes = patchPasses(rotatedPart, null, hookedLanes, index, ctx);
 */
export function patchPasses(
  part: PolygonXY,
  region: MultiPolygonXY | null,
  lanes: readonly CellLane[],
  index: SwathIndex,
  ctx: HookContext,
): CellLane[] {
  const { spacingM: w, reachM: reach, acrossM } = ctx;
  const out: CellLane[] = [];
  for (const lane of lanes) {
    // The band outside the lane's own photos: its pieces (between bridged gaps) plus the reach.
    const pieces = lanePiecesM(lane);
    // (Slivers of the band within a rounding of the photos' reach are left, as at the bends.)
    const reachM = reach + SLIVER_LANE_SPACINGS * w;
    const ranges: [number, number][] = [];
    let at = lane.bandStartM;
    for (const [a, b] of pieces) {
      if (a - reachM > at) ranges.push([at, a - reachM]);
      at = Math.max(at, b + reachM);
    }
    if (lane.bandEndM > at) ranges.push([at, lane.bandEndM]);
    const missed: { p: XY; m2: number }[] = [];
    for (const [from, to] of ranges) {
      const samples = deficitSamples(part, region, lane, from, to, index, ctx);
      for (const p of samples) missed.push({ p, m2: samples.cellM2 });
    }
    if (missed.length === 0) continue;
    missed.sort((a, b) => a.p[0] - b.p[0]);
    const groups: { p: XY; m2: number }[][] = [];
    for (const m of missed) {
      const g = groups[groups.length - 1];
      if (g && m.p[0] - g[g.length - 1]!.p[0] <= Math.max(reach, w / 4)) g.push(m);
      else groups.push([m]);
    }
    for (const members of groups) {
      const areaM2 = members.reduce((sum, m) => sum + m.m2, 0);
      if (members.length < 2 || areaM2 < NEGLIGIBLE_M2_PER_W2 * w * w) continue;
      const group = members.map((m) => m.p);
      const xa = group[0]![0];
      const xb = group[group.length - 1]![0];
      let best: { pass: CellLane; rects: PhotoRect[]; covered: number; offsetM: number } | null =
        null;
      for (let j = -OFFSET_STEPS; j <= OFFSET_STEPS; j++) {
        const offsetM = offsetAcrossM(j, w);
        const y = lane.yM + offsetM;
        for (const [c0, c1] of chordsOf(part, y, ctx)) {
          if (c1 < xa - reach || c0 > xb + reach) continue;
          let p0 = Math.max(c0, xa + reach);
          let p1 = Math.min(c1, xb - reach);
          if (p0 > p1) {
            const mid = Math.min(c1, Math.max(c0, (xa + xb) / 2));
            p0 = mid;
            p1 = mid;
          }
          if (ctx.blocked([p0, y], [p1, y])) continue;
          const rects = pathPhotos(
            [
              [p0, y],
              [p1, y],
            ],
            ctx.camera,
            [1, 0],
          ).rects;
          let covered = 0;
          for (const [x, yy] of group) if (rects.some((r) => inRect(r, acrossM, x, yy))) covered++;
          if (
            covered > 0 &&
            (!best ||
              covered > best.covered ||
              (covered === best.covered && Math.abs(offsetM) < Math.abs(best.offsetM)))
          )
            best = {
              pass: { yM: y, startM: p0, endM: p1, bandStartM: p0 - reach, bandEndM: p1 + reach },
              rects,
              covered,
              offsetM,
            };
        }
      }
      if (!best) continue;
      // A pass is a cell of its own: count a lane spacing of transit to it and from it.
      const passM = best.pass.endM - best.pass.startM + 2 * w;
      if (!worthFlying(best.covered * (areaM2 / group.length), passM, ctx)) continue;
      out.push(best.pass);
      index.addRects(best.rects);
      if (ctx.gained) ctx.gained.m2 += best.covered * (areaM2 / group.length);
    }
  }
  return out;
}

/**
 * The lane's photographing pieces along x (its extent less the bridged gaps), sweep frame.
 *
 * @example
 * lanePiecesM({ yM: 0, startM: 0, endM: 100, bandStartM: 0, bandEndM: 100, gapsM: [[40, 60]] }); // [[0, 40], [60, 100]]
 */
export function lanePiecesM(lane: CellLane): [number, number][] {
  const out: [number, number][] = [];
  let at = lane.startM;
  for (const [a, b] of lane.gapsM ?? []) {
    if (b <= at || a >= lane.endM) continue;
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  out.push([Math.min(at, lane.endM), lane.endM]);
  return out;
}

/** The inside intervals of the horizontal line y through the polygon (even-odd), sorted. */
function chordsOf(polygon: PolygonXY, y: number, ctx: HookContext): [number, number][] {
  const xs: number[] = [];
  for (const e of edgesIn(partEdges(polygon, ctx), y, y))
    if (e.ay > y !== e.by > y) xs.push(e.ax + ((y - e.ay) * (e.bx - e.ax)) / (e.by - e.ay));
  xs.sort((p, q) => p - q);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) out.push([xs[i]!, xs[i + 1]!]);
  return out;
}
