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

/** An ellipse (polygon of `n` vertices), clockwise so that it reads as a hole, metres. */
export function ellipseHole(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  rotDeg = 0,
  n = 16,
): [number, number][] {
  const r = (rotDeg * Math.PI) / 180;
  return Array.from({ length: n }, (_, i) => {
    const a = (-2 * Math.PI * i) / n;
    const x = rx * Math.cos(a);
    const y = ry * Math.sin(a);
    return [cx + x * Math.cos(r) - y * Math.sin(r), cy + x * Math.sin(r) + y * Math.cos(r)] as [
      number,
      number,
    ];
  });
}

/**
 * Forest-like areas with holes (lakes, clearings, villages cut out), metres; lanes 45 m apart
 * with the default camera at 100 m, so the holes are 3–15 lanes across.
 */
export const HOLED: Record<string, [number, number][][]> = {
  'square with two holes': CONCAVE['square with two holes']!,
  'rectangle with four clearings': [
    rectangle(0, 0, 3200, 2000, 15),
    ellipseHole(-850, 250, 260, 160, 10),
    rectangle(550, -450, 300, 300, 30).reverse(),
    ellipseHole(750, 450, 330, 180, -25, 20),
    rectangle(-350, -550, 140, 120, 5).reverse(),
  ],
  'L shape with a lake': [
    [
      [0, 0],
      [3200, 0],
      [3200, 1100],
      [1100, 1100],
      [1100, 3000],
      [0, 3000],
    ],
    ellipseHole(650, 600, 320, 230, 20),
  ],
  'U shape with a lake': [
    [
      [0, 0],
      [3000, 0],
      [3000, 2400],
      [2100, 2400],
      [2100, 800],
      [900, 800],
      [900, 2400],
      [0, 2400],
    ],
    ellipseHole(1500, 380, 380, 200),
    ellipseHole(450, 1700, 180, 320, 5, 12),
  ],
  'irregular forest with a lake and a clearing': [
    regularPolygon(0, 0, 1500, 14, 7).map(
      (p, i) =>
        [p[0] * (1 + 0.18 * Math.sin(i * 2.1)), p[1] * (1 + 0.15 * Math.cos(i * 1.3))] as [
          number,
          number,
        ],
    ),
    ellipseHole(-300, 250, 420, 260, 35, 18),
    rectangle(550, -500, 260, 200, -10).reverse(),
  ],
};

/**
 * A seeded random star-shaped (concave) forest ring, metres: 7–16 corners, 0.5–1.4 km, radii
 * 35–110 %, stretched 0.6–1.5 along x.
 */
export function starForest(rnd: () => number): [number, number][] {
  const corners = 7 + Math.floor(rnd() * 10);
  const radiusM = 500 + rnd() * 900;
  const stretch = 0.6 + rnd() * 0.9;
  return Array.from({ length: corners }, (_, i) => {
    const a = (2 * Math.PI * i) / corners;
    const r = radiusM * (0.35 + 0.75 * rnd());
    return [r * Math.cos(a) * stretch, r * Math.sin(a)] as [number, number];
  });
}

/**
 * Hand-made areas whose slanted edges run close to the lanes: a thin triangle (one long side
 * 8.5° off the other), a parallelogram whose ends lean 18° off its long sides, and a strip whose
 * upper edge is a saw of shallow teeth (9° off the lanes, tips between lane lines).
 */
export const SLANTED: Record<string, [number, number][]> = {
  'thin triangle': [
    [0, 0],
    [2000, 150],
    [0, 300],
  ],
  'leaning parallelogram': [
    [0, 0],
    [2000, 0],
    [3500, 500],
    [1500, 500],
  ],
  'saw-toothed strip': [
    [0, 0],
    [2400, 0],
    [2400, 520],
    ...Array.from({ length: 6 }, (_, i) => {
      const x = 2400 - 400 * i;
      return [
        [x - 200, 460],
        [x - 400, 520],
      ] as [number, number][];
    }).flat(),
  ],
};
