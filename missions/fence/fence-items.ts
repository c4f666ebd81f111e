import type { LocalFrame } from '../frame/index';
import { MAV_CMD, MAV_FRAME, type LonLat, type MissionItem, type XY } from '../types/index';
import type { NoFlyRules } from './no-fly-rules';
import { convexHullXY } from './planar';

/**
 * A fence zone: a polygon (outer ring first, then holes; `[lon, lat]`, rings not closed or
 * closed) or a circle. A no-fly zone may carry `rules` (altitude band, active windows), which
 * the pre-flight check honours; MAVLink fence items cannot express them.
 *
 * @example
 * const school: FenceZone = { kind: 'circle', name: 'school', center: [119.95, 30.4], radiusM: 150 };
 */
export type FenceZone =
  | { kind: 'polygon'; name: string; rings: LonLat[][]; rules?: NoFlyRules }
  | { kind: 'circle'; name: string; center: LonLat; radiusM: number; rules?: NoFlyRules };

/** Vertices of the margin ring drawn around every route vertex before taking the hull. */
const MARGIN_DIRECTIONS = 12;

/**
 * The inclusion fence of one sortie: the convex hull of its route (dock legs included, so the
 * transit corridor is inside) grown by `marginM`, as a `[lon, lat]` ring of at most
 * 12 × route vertices (usually a few dozen). No-fly zones inside it become exclusion fences.
 *
 * @example
 * const ring = inclusionRing([[119.95, 30.4], [119.96, 30.41]], frame, 50);
 */
export function inclusionRing(
  route: readonly LonLat[],
  frame: LocalFrame,
  marginM: number,
): LonLat[] {
  if (!(marginM > 0)) throw new RangeError(`marginM must be > 0 m, got ${String(marginM)}`);
  const pts: XY[] = [];
  // Grow by marginM / cos(π/12) so the polygonal offset still contains the true margin circle.
  const r = marginM / Math.cos(Math.PI / MARGIN_DIRECTIONS);
  for (const p of route) {
    const [x, y] = frame.toLocal(p);
    for (let k = 0; k < MARGIN_DIRECTIONS; k++) {
      const a = (2 * Math.PI * k) / MARGIN_DIRECTIONS;
      pts.push([x + r * Math.cos(a), y + r * Math.sin(a)]);
    }
  }
  return convexHullXY(pts).map((p) => frame.toLonLat(p));
}

function ringOpen(ring: readonly LonLat[]): LonLat[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  const closed = ring.length > 1 && first && last && first[0] === last[0] && first[1] === last[1];
  return (closed ? ring.slice(0, -1) : ring).map((p) => [p[0], p[1]]);
}

/**
 * MAVLink fence items (mission type `fence`) for inclusion and exclusion zones:
 * NAV_FENCE_POLYGON_VERTEX_INCLUSION (5001, param1 = vertex count, param2 = inclusion group),
 * NAV_FENCE_POLYGON_VERTEX_EXCLUSION (5002, param1 = vertex count), NAV_FENCE_CIRCLE_INCLUSION
 * (5003, param1 = radius m, param2 = group) and NAV_FENCE_CIRCLE_EXCLUSION (5004, param1 =
 * radius m). Holes of an inclusion polygon become exclusion polygons; an exclusion polygon is
 * fenced by its outer ring (its holes stay forbidden: the conservative choice).
 *
 * @example
 * fenceItems([{ kind: 'polygon', name: 'sortie 1', rings: [ring] }], [school]);
 */
export function fenceItems(
  inclusion: readonly FenceZone[],
  exclusion: readonly FenceZone[],
): MissionItem[] {
  const items: MissionItem[] = [];
  const vertex = (command: number, count: number, group: number, p: LonLat): MissionItem => ({
    command,
    frame: MAV_FRAME.GLOBAL,
    param1: count,
    param2: group,
    param3: 0,
    param4: 0,
    position: [p[0], p[1]],
    altM: 0,
    autocontinue: true,
  });
  const polygon = (command: number, ring: readonly LonLat[], group: number): void => {
    const open = ringOpen(ring);
    if (open.length < 3) return;
    for (const p of open) items.push(vertex(command, open.length, group, p));
  };
  for (const zone of inclusion) {
    if (zone.kind === 'circle') {
      items.push({ ...vertex(MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION, zone.radiusM, 0, zone.center) });
      continue;
    }
    const [outer, ...holes] = zone.rings;
    if (outer) polygon(MAV_CMD.NAV_FENCE_POLYGON_VERTEX_INCLUSION, outer, 0);
    for (const h of holes) polygon(MAV_CMD.NAV_FENCE_POLYGON_VERTEX_EXCLUSION, h, 0);
  }
  for (const zone of exclusion) {
    if (zone.kind === 'circle') {
      items.push(vertex(MAV_CMD.NAV_FENCE_CIRCLE_EXCLUSION, zone.radiusM, 0, zone.center));
    } else if (zone.rings[0]) {
      polygon(MAV_CMD.NAV_FENCE_POLYGON_VERTEX_EXCLUSION, zone.rings[0], 0);
    }
  }
  return items;
}

/**
 * MAVLink rally items (mission type `rally`): one NAV_RALLY_POINT (5100) per point, altitude
 * relative to home (frame 3).
 *
 * @example
 * rallyItems([{ position: [119.95, 30.4], altM: 60 }]);
 */
export function rallyItems(points: readonly { position: LonLat; altM: number }[]): MissionItem[] {
  return points.map((p) => ({
    command: MAV_CMD.NAV_RALLY_POINT,
    frame: MAV_FRAME.GLOBAL_RELATIVE_ALT,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    position: [p.position[0], p.position[1]],
    altM: p.altM,
    autocontinue: true,
  }));
}

/**
 * Reads fence items back into zones (the inverse of {@link fenceItems}, names `fence 1`, …);
 * throws naming the item index when a polygon's vertices are inconsistent.
 *
 * @example
 * const { inclusion, exclusion } = zonesFromFenceItems(items);
 */
export function zonesFromFenceItems(items: readonly MissionItem[]): {
  inclusion: FenceZone[];
  exclusion: FenceZone[];
} {
  const inclusion: FenceZone[] = [];
  const exclusion: FenceZone[] = [];
  let i = 0;
  let n = 0;
  while (i < items.length) {
    const item = items[i]!;
    const name = `fence ${++n}`;
    if (!item.position)
      throw new RangeError(`fence item ${i} (command ${item.command}) has no position`);
    if (
      item.command === MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION ||
      item.command === MAV_CMD.NAV_FENCE_CIRCLE_EXCLUSION
    ) {
      const zone: FenceZone = { kind: 'circle', name, center: item.position, radiusM: item.param1 };
      (item.command === MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION ? inclusion : exclusion).push(zone);
      i++;
      continue;
    }
    if (
      item.command !== MAV_CMD.NAV_FENCE_POLYGON_VERTEX_INCLUSION &&
      item.command !== MAV_CMD.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
    ) {
      throw new RangeError(`fence item ${i} has command ${item.command}, expected 5001–5004`);
    }
    const count = item.param1;
    if (!Number.isInteger(count) || count < 3 || i + count > items.length) {
      throw new RangeError(
        `fence item ${i}: vertex count ${count} is not an integer ≥ 3 within the list`,
      );
    }
    const ring: LonLat[] = [];
    for (let k = 0; k < count; k++) {
      const v = items[i + k]!;
      if (v.command !== item.command || v.param1 !== count || !v.position) {
        throw new RangeError(
          `fence item ${i + k} does not continue the ${count}-vertex polygon started at item ${i}`,
        );
      }
      ring.push(v.position);
    }
    const zone: FenceZone = { kind: 'polygon', name, rings: [ring] };
    (item.command === MAV_CMD.NAV_FENCE_POLYGON_VERTEX_INCLUSION ? inclusion : exclusion).push(
      zone,
    );
    i += count;
  }
  return { inclusion, exclusion };
}
