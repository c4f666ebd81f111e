/**
 * `npm run plan -- --area FILE --dock LON,LAT[,ALT] [--dock …] [--no-fly FILE]
 *   [--format mavlink-json|qgc-plan|wpl|geojson|kml] [--out FILE] [--stats]`
 *
 * Plans patrols for planners without the service: reads GeoJSON (or KML / KMZ) areas, plans from
 * the docks given on the command line, writes one export format, and with `--stats` prints the
 * plan statistics as one JSON object on standard output. A bad input file or an infeasible plan
 * exits 1 with a one-line reason on standard error; a bad command line exits 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_DRONE,
  DEFAULT_MAPPING_CAMERA,
  kmlToGeoJson,
  kmzToGeoJson,
  planPatrol,
  readDemGeoTiff,
  toGeoJsonPreview,
  toDjiWpml,
  toKml,
  toMavlinkJson,
  toQgcPlan,
  toWpl,
  type Dock,
  type PatrolArea,
  type PatrolAreaKind,
  type Plan,
  type Sensor,
} from '../../missions/index';

class UsageError extends Error {}
class InputError extends Error {}

const FORMATS = ['mavlink-json', 'qgc-plan', 'wpl', 'geojson', 'kml', 'dji-wpml'] as const;
type Format = (typeof FORMATS)[number];
const KINDS: readonly PatrolAreaKind[] = ['forest', 'river', 'points', 'no_fly'];
const cam = DEFAULT_MAPPING_CAMERA;

const USAGE = `usage: npm run plan -- --area FILE --dock LON,LAT[,ALT] [--dock …] [--no-fly FILE]
       [--format mavlink-json|qgc-plan|wpl|geojson|kml] [--out FILE] [--stats] [options]

  --area FILE          GeoJSON (or .kml / .kmz) patrol area; repeatable. Each feature's kind is its
                       "kind" property (forest, river, points) or follows its geometry
                       (Polygon → forest, LineString → river, Point → points).
  --kind KIND          force the kind of every --area feature (forest|river|points)
  --dock LON,LAT[,ALT] a dock (ALT = its ground altitude above sea level, default 0 m); repeatable;
                       write --dock=LON,LAT when the longitude is negative
  --no-fly FILE        GeoJSON no-fly zones; repeatable. A zone's properties may limit it to a band
                       (floorM/ceilingM, "altitudeReference": agl|amsl) and to times (validFrom/validTo
                       or activeWindows); see missions/README.md
  --flight-window FROM/TO  when the sorties fly (RFC 3339 with offset, e.g.
                       2026-04-02T10:00:00+08:00/2026-04-02T12:00:00+08:00): zones not active then
                       are crossed (default: none, every zone counts as always active)
  --dem FILE           GeoTIFF ground model: heights are then kept above the ground (default: none,
                       altitudes relative to the dock)
  --format FORMAT      export format (default mavlink-json); also dji-wpml (KMZ, needs --out).
                       qgc-plan, wpl and dji-wpml hold one sortie per file: with several sorties
                       they are written to FILE-1.plan, FILE-2.plan, …
  --out FILE           where to write the export (default: standard output, unless --stats)
  --stats              print the plan statistics as one JSON object on standard output
  --progress           draw the progress bar on standard error even when it is not a terminal

drone (defaults in brackets):
  --altitude M         flight height above the dock / ground [100]
  --point-altitude M   height of inspection-point waypoints [--altitude]
  --speed MPS          cruise speed [${DEFAULT_DRONE.cruiseSpeedMps}]
  --endurance MIN      flight time on a full battery [${DEFAULT_DRONE.enduranceS / 60}]
  --reserve PCT        battery reserve never planned for [${DEFAULT_DRONE.reservePct}]
  --wind MPS           head wind allowance on every leg [${DEFAULT_DRONE.windMps}]
  --ceiling M          regulatory ceiling above ground [120]
  --margin M           least distance to no-fly zones, raised to v²/2a [0]
  --seed N             seed of the tour search [1]
camera (default: ${cam.sensorWidthMm} × ${cam.sensorHeightMm} mm sensor, ${cam.imageWidthPx} × ${cam.imageHeightPx} px, ${cam.kind === 'camera' ? cam.focalLengthMm : ''} mm lens):
  --side-overlap PCT   overlap between lanes [70]
  --front-overlap PCT  overlap between photos [80]
  --sensor WxH         sensor size in mm, e.g. 13.2x8.8
  --image WxH          image size in pixels, e.g. 5472x3648
  --focal MM           lens focal length in mm
  --lidar-fov DEG      fly a lidar with this scan field of view instead of the camera`;

function num(
  value: string | undefined,
  flag: string,
  check: (v: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || !check(v)) {
    throw new UsageError(`${flag} expects ${expected}, got ${JSON.stringify(value)}`);
  }
  return v;
}

function pair(value: string | undefined, flag: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^([\d.]+)x([\d.]+)$/i.exec(value);
  if (!m || !(Number(m[1]) > 0) || !(Number(m[2]) > 0))
    throw new UsageError(`${flag} expects WxH, e.g. 13.2x8.8, got ${JSON.stringify(value)}`);
  return [Number(m[1]), Number(m[2])];
}

function parseDock(text: string, index: number): Dock {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length < 2 || parts.length > 3 || parts.some((v) => !Number.isFinite(v))) {
    throw new UsageError(
      `--dock expects LON,LAT[,ALT] in degrees and metres, got ${JSON.stringify(text)}`,
    );
  }
  const [lon, lat, alt] = parts as [number, number, number?];
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    throw new UsageError(
      `--dock ${text}: longitude must be in [-180, 180] and latitude in [-90, 90]`,
    );
  }
  return { id: `dock-${index + 1}`, position: [lon, lat], groundAltM: alt ?? 0 };
}

async function readAreaFile(file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { cause: err },
    );
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.kml' || ext === '.kmz') {
    const result =
      ext === '.kml'
        ? kmlToGeoJson(bytes.toString('utf8'))
        : await kmzToGeoJson(new Uint8Array(bytes));
    if (!result.ok) {
      const first = result.issues[0]!;
      throw new InputError(`${file}: ${first.path ? `${first.path}: ` : ''}${first.message}`);
    }
    return result.value;
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError(
      `${file}: not JSON (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}

function kindOf(feature: unknown, forced: PatrolAreaKind | undefined): PatrolAreaKind {
  if (forced) return forced;
  const f = feature as {
    properties?: { kind?: unknown };
    geometry?: { type?: unknown };
    type?: unknown;
  } | null;
  const declared = f?.properties?.kind;
  if (typeof declared === 'string' && (KINDS as readonly string[]).includes(declared))
    return declared as PatrolAreaKind;
  const type = String(f?.type === 'Feature' ? f.geometry?.type : f?.type);
  if (type.endsWith('Point')) return 'points';
  if (type.endsWith('LineString')) return 'river';
  return 'forest';
}

/** Splits a file's features into one patrol area per kind. */
function areasOf(doc: unknown, file: string, forced: PatrolAreaKind | undefined): PatrolArea[] {
  const d = doc as { type?: unknown; features?: unknown } | null;
  const features =
    d?.type === 'FeatureCollection' && Array.isArray(d.features) ? d.features : [doc];
  const byKind = new Map<PatrolAreaKind, unknown[]>();
  for (const f of features) {
    const kind = kindOf(f, forced);
    byKind.set(kind, [...(byKind.get(kind) ?? []), f]);
  }
  const name = basename(file, extname(file));
  return [...byKind].map(([kind, list]) => ({
    id: byKind.size > 1 ? `${name}:${kind}` : name,
    kind,
    geojson: { type: 'FeatureCollection', features: list },
  }));
}

function progressBar(enabled: boolean): ((fraction: number) => void) | undefined {
  if (!enabled) return undefined;
  let last = -1;
  return (fraction) => {
    const pct = Math.round(fraction * 100);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(
      `\rplanning [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(pct).padStart(3)}%${pct === 100 ? '\n' : ''}`,
    );
  };
}

async function exportPlan(
  plan: Plan,
  format: Format,
  speedMps: number,
): Promise<(string | Uint8Array)[]> {
  switch (format) {
    case 'mavlink-json':
      return [toMavlinkJson(plan)];
    case 'geojson':
      return [`${JSON.stringify(toGeoJsonPreview(plan), null, 1)}\n`];
    case 'kml':
      return [toKml(plan)];
    case 'qgc-plan':
      return plan.sorties.map((s) =>
        toQgcPlan(s, {
          home: s.home,
          homeAltAmslM: s.homeAltAmslM,
          cruiseSpeedMps: speedMps,
          hoverSpeedMps: 5,
        }),
      );
    case 'wpl':
      return plan.sorties.map((s) =>
        toWpl(s.mission, { position: s.home, altAmslM: s.homeAltAmslM }),
      );
    case 'dji-wpml':
      return Promise.all(plan.sorties.map((s) => toDjiWpml(s.mission, { speedMps })));
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      area: { type: 'string', multiple: true },
      kind: { type: 'string' },
      dock: { type: 'string', multiple: true },
      'no-fly': { type: 'string', multiple: true },
      'flight-window': { type: 'string' },
      dem: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      stats: { type: 'boolean' },
      progress: { type: 'boolean' },
      help: { type: 'boolean' },
      altitude: { type: 'string' },
      'point-altitude': { type: 'string' },
      speed: { type: 'string' },
      endurance: { type: 'string' },
      reserve: { type: 'string' },
      wind: { type: 'string' },
      ceiling: { type: 'string' },
      margin: { type: 'string' },
      seed: { type: 'string' },
      'side-overlap': { type: 'string' },
      'front-overlap': { type: 'string' },
      sensor: { type: 'string' },
      image: { type: 'string' },
      focal: { type: 'string' },
      'lidar-fov': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.area?.length) throw new UsageError('give at least one --area FILE');
  if (!values.dock?.length) throw new UsageError('give at least one --dock LON,LAT[,ALT]');
  const format = (values.format ?? 'mavlink-json') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(
      `--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`,
    );
  const forced = values.kind as PatrolAreaKind | undefined;
  if (forced !== undefined && !['forest', 'river', 'points'].includes(forced)) {
    throw new UsageError(`--kind must be forest, river or points, got ${JSON.stringify(forced)}`);
  }
  const positive = (v: number): boolean => v > 0;
  const pct = (v: number): boolean => v >= 0 && v < 100;
  const speed = num(values.speed, '--speed', positive, 'a speed > 0 m/s');
  const endurance = num(values.endurance, '--endurance', positive, 'minutes > 0');
  const reserve = num(values.reserve, '--reserve', pct, 'a percentage in [0, 100)');
  const wind = num(values.wind, '--wind', (v) => v >= 0, 'a speed ≥ 0 m/s');
  const drone = {
    ...(speed !== undefined && { cruiseSpeedMps: speed }),
    ...(endurance !== undefined && { enduranceS: endurance * 60 }),
    ...(reserve !== undefined && { reservePct: reserve }),
    ...(wind !== undefined && { windMps: wind }),
  };
  let camera: Sensor | undefined;
  const lidarFov = num(
    values['lidar-fov'],
    '--lidar-fov',
    (v) => v > 0 && v < 180,
    'degrees in (0, 180)',
  );
  const sensor = pair(values.sensor, '--sensor');
  const image = pair(values.image, '--image');
  const focal = num(values.focal, '--focal', positive, 'millimetres > 0');
  if (lidarFov !== undefined) camera = { kind: 'lidar', fovDeg: lidarFov };
  else if (sensor || image || focal !== undefined) {
    camera = {
      kind: 'camera',
      sensorWidthMm: sensor?.[0] ?? cam.sensorWidthMm,
      sensorHeightMm: sensor?.[1] ?? cam.sensorHeightMm,
      imageWidthPx: image?.[0] ?? cam.imageWidthPx,
      imageHeightPx: image?.[1] ?? cam.imageHeightPx,
      focalLengthMm: focal ?? (cam.kind === 'camera' ? (cam.focalLengthMm ?? 8.8) : 8.8),
    };
  }
  const altitude = num(values.altitude, '--altitude', positive, 'metres > 0');
  const pointAltitude = num(values['point-altitude'], '--point-altitude', positive, 'metres > 0');
  const ceiling = num(values.ceiling, '--ceiling', positive, 'metres > 0');
  const margin = num(values.margin, '--margin', (v) => v >= 0, 'metres ≥ 0');
  const seed = num(values.seed, '--seed', Number.isInteger, 'an integer');
  const side = num(
    values['side-overlap'],
    '--side-overlap',
    (v) => v >= 0 && v <= 95,
    'a percentage in [0, 95]',
  );
  const front = num(
    values['front-overlap'],
    '--front-overlap',
    (v) => v >= 0 && v <= 95,
    'a percentage in [0, 95]',
  );
  const docks = values.dock.map(parseDock);

  let flightWindow: { from: string; to: string } | undefined;
  if (values['flight-window'] !== undefined) {
    const [from, to, ...rest] = values['flight-window'].split('/');
    if (!from || !to || rest.length > 0)
      throw new UsageError(
        `--flight-window must be FROM/TO (two RFC 3339 date-times), got ${JSON.stringify(values['flight-window'])}`,
      );
    flightWindow = { from, to };
  }

  const areas: PatrolArea[] = [];
  for (const file of values.area) areas.push(...areasOf(await readAreaFile(file), file, forced));
  for (const file of values['no-fly'] ?? []) {
    areas.push({
      id: basename(file, extname(file)),
      kind: 'no_fly',
      geojson: await readAreaFile(file),
    });
  }

  let dem: Awaited<ReturnType<typeof readDemGeoTiff>> | undefined;
  if (values.dem) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(values.dem);
    } catch (err) {
      throw new InputError(
        `cannot read ${values.dem}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { cause: err },
      );
    }
    try {
      dem = await readDemGeoTiff(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      );
    } catch (err) {
      throw new InputError(`${values.dem}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  const onProgress = progressBar(Boolean(values.progress) || process.stderr.isTTY === true);
  const result = planPatrol({
    areas,
    docks,
    drone,
    ...(camera && { camera }),
    ...(dem && { dem }),
    options: {
      ...(altitude !== undefined && { altitudeAglM: altitude }),
      ...(pointAltitude !== undefined && { pointAltitudeAglM: pointAltitude }),
      ...(ceiling !== undefined && { ceilingM: ceiling }),
      ...(margin !== undefined && { safetyMarginM: margin }),
      ...(seed !== undefined && { seed }),
      ...(flightWindow && { flightWindow }),
      ...(side !== undefined && { sideOverlapPct: side }),
      ...(front !== undefined && { frontOverlapPct: front }),
      ...(onProgress && { onProgress }),
    },
  });
  if (!result.ok) throw new InputError(`${result.error.code}: ${result.error.message}`);
  const plan = result.plan;
  for (const w of plan.warnings) process.stderr.write(`plan: warning: ${w}\n`);

  const texts = await exportPlan(plan, format, speed ?? DEFAULT_DRONE.cruiseSpeedMps);
  if (values.out) {
    const ext = extname(values.out);
    const files =
      texts.length === 1
        ? [values.out]
        : texts.map(
            (_, i) => `${values.out!.slice(0, values.out!.length - ext.length)}-${i + 1}${ext}`,
          );
    texts.forEach((t, i) => writeFileSync(files[i]!, t));
    process.stderr.write(`plan: wrote ${files.join(', ')}\n`);
  } else if (!values.stats) {
    if (texts.length !== 1) {
      throw new UsageError(
        `${format} holds one sortie per file and this plan has ${texts.length}: give --out FILE`,
      );
    }
    process.stdout.write(texts[0]!);
  }
  if (values.stats) process.stdout.write(`${JSON.stringify(plan.statistics)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage =
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`plan: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    if (usage) process.stderr.write('run `npm run plan -- --help` for the options\n');
    else if (!(err instanceof InputError))
      process.stderr.write(`${err instanceof Error ? (err.stack ?? '') : ''}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
