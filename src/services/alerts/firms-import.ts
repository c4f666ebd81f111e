/**
 * NASA FIRMS active-fire CSV import (MODIS and VIIRS, "24h" / archive downloads). FIRMS writes
 * latitude before longitude and the acquisition time as `HHMM` UTC; here everything becomes
 * `[lon, lat]` and epoch milliseconds.
 */
import {
  bboxOf,
  geometryDistanceM,
  pointInGeometry,
  type Geometry,
  type Position,
} from './geometry';

export interface FirmsHotspot {
  lonLat: Position;
  /** Brightness temperature (MODIS band 21/22, VIIRS I-4) in kelvin. */
  brightnessK: number;
  scanKm: number;
  trackKm: number;
  acquiredAtMs: number;
  /** `T` Terra, `A` Aqua, `N` Suomi-NPP, `1` NOAA-20, … as FIRMS writes it. */
  satellite: string;
  instrument: 'MODIS' | 'VIIRS';
  /** 0..100: MODIS gives a number; VIIRS classes map l → 20, n → 60, h → 90. */
  confidencePct?: number;
  version: string;
  /** Fire radiative power in megawatts. */
  frpMw?: number;
  dayNight?: 'D' | 'N';
}

export interface FirmsParseResult {
  hotspots: FirmsHotspot[];
  /** Rows that could not be read, with their 1-based line number. */
  errors: { line: number; message: string }[];
}

const VIIRS_CONFIDENCE: Record<string, number> = {
  l: 20,
  low: 20,
  n: 60,
  nominal: 60,
  h: 90,
  high: 90,
};
const REQUIRED = [
  'latitude',
  'longitude',
  'scan',
  'track',
  'acq_date',
  'acq_time',
  'satellite',
] as const;

export class FirmsFormatError extends Error {
  override readonly name = 'FirmsFormatError';
}

/**
 * Parses a FIRMS CSV. Throws {@link FirmsFormatError} when the header lacks a required column;
 * bad rows are reported in `errors` and skipped.
 *
 * @example
 * const { hotspots } = parseFirmsCsv('latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight\n-8.98,-42.46,311.9,2.05,1.39,2023-08-01,0035,T,84,6.1NRT,293.9,27.9,N');
 * hotspots[0]!.lonLat; // [-42.46, -8.98]
 */
export function parseFirmsCsv(text: string): FirmsParseResult {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED.filter((name) => !col.has(name));
  const brightCol = col.get('brightness') ?? col.get('bright_ti4');
  if (missing.length > 0 || brightCol === undefined) {
    throw new FirmsFormatError(
      `FIRMS CSV header lacks ${[...missing, ...(brightCol === undefined ? ['brightness|bright_ti4'] : [])].join(', ')}; got "${lines[0] ?? ''}"`,
    );
  }
  const instrumentDefault: FirmsHotspot['instrument'] = col.has('bright_ti4') ? 'VIIRS' : 'MODIS';
  const hotspots: FirmsHotspot[] = [];
  const errors: FirmsParseResult['errors'] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const cells = raw.split(',');
    const get = (name: string): string | undefined => {
      const idx = col.get(name);
      return idx === undefined ? undefined : cells[idx]?.trim();
    };
    const num = (name: string): number => Number(get(name) ?? Number.NaN);
    const lat = num('latitude');
    const lon = num('longitude');
    const brightnessK = Number(cells[brightCol]);
    const date = get('acq_date') ?? '';
    const time = (get('acq_time') ?? '').padStart(4, '0');
    const acquiredAtMs = Date.parse(`${date}T${time.slice(0, 2)}:${time.slice(2, 4)}:00Z`);
    if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
      errors.push({ line: i + 1, message: `latitude/longitude out of range: ${lat}, ${lon}` });
      continue;
    }
    if (!Number.isFinite(brightnessK) || !Number.isFinite(acquiredAtMs)) {
      errors.push({
        line: i + 1,
        message: `bad brightness "${cells[brightCol]}" or time "${date} ${time}"`,
      });
      continue;
    }
    const hotspot: FirmsHotspot = {
      lonLat: [lon, lat],
      brightnessK,
      scanKm: num('scan'),
      trackKm: num('track'),
      acquiredAtMs,
      satellite: get('satellite') ?? '',
      instrument:
        (get('instrument')?.toUpperCase() as FirmsHotspot['instrument'] | undefined) ??
        instrumentDefault,
      version: get('version') ?? '',
    };
    const conf = get('confidence');
    if (conf !== undefined && conf !== '') {
      const asNumber = Number(conf);
      const pct = Number.isFinite(asNumber) ? asNumber : VIIRS_CONFIDENCE[conf.toLowerCase()];
      if (pct !== undefined) hotspot.confidencePct = pct;
    }
    const frp = Number(get('frp'));
    if (get('frp') !== undefined && Number.isFinite(frp)) hotspot.frpMw = frp;
    const dn = get('daynight');
    if (dn === 'D' || dn === 'N') hotspot.dayNight = dn;
    hotspots.push(hotspot);
  }
  return { hotspots, errors };
}

/**
 * Keeps the hotspots inside `area` (a Polygon / MultiPolygon) or within `bufferM` of it.
 *
 * @example
 * filterHotspotsToArea(hotspots, forest, { bufferM: 1000 });
 */
export function filterHotspotsToArea(
  hotspots: readonly FirmsHotspot[],
  area: Geometry,
  options: { bufferM?: number } = {},
): FirmsHotspot[] {
  const bufferM = options.bufferM ?? 0;
  const [minLon, minLat, maxLon, maxLat] = bboxOf(area);
  // bbox pre-filter, widened by the buffer (1° latitude ≥ 110 km; longitude scaled at the pole-most edge)
  const padLat = bufferM / 110_000;
  const cosLat = Math.cos((Math.max(Math.abs(minLat), Math.abs(maxLat)) * Math.PI) / 180);
  const padLon = bufferM / (111_000 * Math.max(cosLat, 0.01));
  return hotspots.filter((h) => {
    const [lon, lat] = h.lonLat;
    if (
      lon < minLon - padLon ||
      lon > maxLon + padLon ||
      lat < minLat - padLat ||
      lat > maxLat + padLat
    )
      return false;
    if (pointInGeometry(h.lonLat, area)) return true;
    return (
      bufferM > 0 && geometryDistanceM({ type: 'Point', coordinates: h.lonLat }, area) <= bufferM
    );
  });
}
