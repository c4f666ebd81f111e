import type { MultiPolygon, Polygon } from 'geojson';
import { createLocalFrame } from '../../../missions/index';

/** Synthetic areas built in metres around a centre and converted to `[lon, lat]`. */
export const CENTRE: [number, number] = [119.95, 30.4];
const frame = createLocalFrame(CENTRE);

export function fromMetres(rings: [number, number][][]): Polygon {
  return {
    type: 'Polygon',
    coordinates: rings.map((ring) => [...ring, ring[0]!].map((p) => frame.toLonLat(p))),
  };
}

export function multiFromMetres(polys: [number, number][][][]): MultiPolygon {
  return { type: 'MultiPolygon', coordinates: polys.map((p) => fromMetres(p).coordinates) };
}

export function rectangle(
  cx: number,
  cy: number,
  w: number,
  h: number,
  angleDeg = 0,
): [number, number][] {
  const a = (angleDeg * Math.PI) / 180;
  return [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ].map(([x, y]) => [
    cx + x! * Math.cos(a) - y! * Math.sin(a),
    cy + x! * Math.sin(a) + y! * Math.cos(a),
  ]);
}

export function regularPolygon(
  cx: number,
  cy: number,
  r: number,
  n: number,
  rotDeg = 0,
  stretch = 1,
): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    const a = ((rotDeg + (360 * i) / n) * Math.PI) / 180;
    return [cx + r * stretch * Math.cos(a), cy + r * Math.sin(a)] as [number, number];
  });
}

/** Convex test areas, metres. */
export const CONVEX: Record<string, [number, number][]> = {
  square: rectangle(0, 0, 1200, 1200),
  'rectangle 25°': rectangle(0, 0, 2000, 700, 25),
  'rectangle 73°': rectangle(0, 0, 1500, 400, 73),
  hexagon: regularPolygon(0, 0, 800, 6, 10),
  'ellipse (32-gon)': regularPolygon(0, 0, 600, 32, 0, 2),
  triangle: [
    [0, 0],
    [1800, 200],
    [600, 1100],
  ],
  trapezoid: [
    [0, 0],
    [2200, 0],
    [1700, 900],
    [400, 900],
  ],
};

/** Non-convex areas with the features that need a decomposition, metres. */
export const CONCAVE: Record<string, [number, number][][]> = {
  'U shape': [
    [
      [0, 0],
      [3000, 0],
      [3000, 2400],
      [2500, 2400],
      [2500, 400],
      [500, 400],
      [500, 2400],
      [0, 2400],
    ],
  ],
  'square with two holes': [
    rectangle(0, 0, 2400, 2400),
    rectangle(-500, 300, 500, 700, 20),
    rectangle(600, -400, 600, 400),
  ],
  star: [regularPolygon(0, 0, 1200, 10).map((p, i) => (i % 2 ? [p[0] * 0.45, p[1] * 0.45] : p))],
  comb: [
    [
      [0, 0],
      [3000, 0],
      [3000, 1800],
      [2500, 1800],
      [2500, 600],
      [1750, 600],
      [1750, 1800],
      [1250, 1800],
      [1250, 600],
      [500, 600],
      [500, 1800],
      [0, 1800],
    ],
  ],
};
