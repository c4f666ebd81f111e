/**
 * Area validation speed. The admiralty fixture (a US Forest Service MultiPolygon of 651 rings and
 * 3,039 positions) is validated as a forest; speed is a ratio against `JSON.parse` of the same bytes,
 * measured interleaved in the same process. The self-intersection search is also compared with
 * `@turf/kinks` (all segment pairs, O(n²)) on the same fixture and on a 5,000-vertex ring.
 */
import { existsSync, readFileSync } from 'node:fs';
import { area, kinks, polygon } from '@turf/turf';
import type { Feature, MultiPolygon } from 'geojson';
import { validateArea, type Position } from '../../missions/index';
import { interleavedRatio, opsPerSecond, type Benchmark } from './harness';

const admiraltyText = readFileSync(
  new URL('../fixtures/areas/forests/admiralty_national_monument.geojson', import.meta.url),
  'utf8',
);

function validated(input: unknown, crs: 'wgs84' | 'gcj02' = 'wgs84') {
  const result = validateArea(input, { kind: 'forest', crs });
  if (!result.ok) throw new Error(`fixture did not validate: ${result.issues[0]?.message}`);
  return result.value;
}

/** A coastline-like ring of `n` vertices (radius jitter ±0.5 %, seeded), never self-intersecting. */
function ring(n: number): Position[] {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const out: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    const r = 0.05 * (1 + 0.01 * (random() - 0.5));
    out.push([120 + r * Math.cos(angle), 30.4 + r * Math.sin(angle)]);
  }
  out.push(out[0]!);
  return out;
}

const benchmarks: Benchmark[] = [
  {
    group: 'areas',
    name: 'validate-admiralty',
    run() {
      const parsed: unknown = JSON.parse(admiraltyText);
      const value = validated(parsed);
      const vertices = value.measures.vertexCount;
      // validateArea never mutates its input, so one parsed object serves every round.
      const alone = interleavedRatio(
        () => JSON.parse(admiraltyText),
        () => validateArea(parsed, { kind: 'forest' }),
      );
      const withParse = interleavedRatio(
        () => JSON.parse(admiraltyText),
        () => validateArea(JSON.parse(admiraltyText), { kind: 'forest' }),
      );
      const turfAreaM2 = area(parsed as Feature<MultiPolygon>);
      return {
        figures: {
          vertexCount: vertices,
          ratioValidateVsJsonParse: alone.ratio,
          ratioParseAndValidateVsJsonParse: withParse.ratio,
          validateVertsPerS: Math.round(alone.candidateOpsPerS * vertices),
          jsonParseVertsPerS: Math.round(alone.baselineOpsPerS * vertices),
          parseAndValidateVertsPerS: Math.round(withParse.candidateOpsPerS * vertices),
          areaM2: Math.round(value.measures.areaM2),
          turfSphereAreaM2: Math.round(turfAreaM2),
          areaGapVsTurfPct: Number(((value.measures.areaM2 / turfAreaM2 - 1) * 100).toFixed(3)),
          rewoundRings: value.rewoundRings.length,
        },
        notes: [
          'ratio < 1 means slower than JSON.parse of the same bytes; areaGapVsTurfPct is the ellipsoid (GeographicLib) vs the 6,378,137 m sphere of @turf/area',
        ],
      };
    },
  },
  {
    group: 'areas',
    name: 'self-intersection-vs-turf-kinks',
    run() {
      const parsed = JSON.parse(admiraltyText) as { features: Feature<MultiPolygon>[] };
      const feature = parsed.features[0]!;
      const admiralty = interleavedRatio(
        () => kinks(feature),
        () => validateArea(parsed, { kind: 'forest' }),
        { rounds: 3 },
      );
      const big = ring(5_000);
      const bigPolygon = { type: 'Polygon', coordinates: [big] };
      const ourBigOpsPerS = opsPerSecond(() => validateArea(bigPolygon, { kind: 'forest' }), {
        minMs: 300,
      });
      const turfBigOpsPerS = opsPerSecond(() => kinks(polygon([big])), { minMs: 1, warmup: 1 });
      return {
        figures: {
          admiraltyValidateVsKinksRatio: admiralty.ratio,
          admiraltyKinksMs: Number((1000 / admiralty.baselineOpsPerS).toFixed(2)),
          admiraltyValidateMs: Number((1000 / admiralty.candidateOpsPerS).toFixed(2)),
          ring5000ValidateVsKinksRatio: ourBigOpsPerS / turfBigOpsPerS,
          ring5000KinksMs: Number((1000 / turfBigOpsPerS).toFixed(1)),
          ring5000ValidateMs: Number((1000 / ourBigOpsPerS).toFixed(2)),
        },
        notes: [
          'validateArea does the whole job (structure, crossings via a flatbush index, holes, winding, geodesic measures); kinks only looks for crossings',
        ],
      };
    },
  },
  {
    group: 'areas',
    name: 'validate-datav-hangzhou',
    run() {
      // Aliyun DataV export of Hangzhou's districts (GCJ-02, a bare array of Features). It has no
      // visible licence, so it stays out of the repository and this benchmark runs only beside it.
      const file = new URL('../../../shared/data/areas/boundaries/330100.json', import.meta.url);
      if (!existsSync(file)) {
        return {
          figures: {},
          notes: ['DataV boundary absent (../shared/data/areas/boundaries/330100.json), skipped'],
        };
      }
      const text = readFileSync(file, 'utf8');
      const bare = validateArea(JSON.parse(text), { kind: 'forest', crs: 'gcj02' });
      const wrap = (): unknown => ({
        type: 'FeatureCollection',
        features: JSON.parse(text) as unknown,
      });
      const value = validated(wrap(), 'gcj02');
      const vertices = value.measures.vertexCount;
      const speed = interleavedRatio(
        () => JSON.parse(text),
        () => validateArea(wrap(), { kind: 'forest', crs: 'gcj02' }),
      );
      // Official area of Hangzhou municipality: 16,850 km².
      const areaKm2 = value.measures.areaM2 / 1e6;
      return {
        figures: {
          bareArrayCode: bare.ok ? 'accepted' : (bare.issues[0]?.code ?? 'none'),
          vertexCount: vertices,
          ratioParseAndValidateVsJsonParse: speed.ratio,
          parseAndValidateVertsPerS: Math.round(speed.candidateOpsPerS * vertices),
          areaKm2: Number(areaKm2.toFixed(1)),
          areaGapVsOfficialPct: Number(((areaKm2 / 16_850 - 1) * 100).toFixed(2)),
          rewoundRings: value.rewoundRings.length,
        },
      };
    },
  },
];

export default benchmarks;
