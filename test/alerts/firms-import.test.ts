import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  filterHotspotsToArea,
  FirmsFormatError,
  parseFirmsCsv,
  pointInGeometry,
  type Geometry,
} from '../../src/services/alerts/index';

const text = readFileSync(
  fileURLToPath(new URL('../fixtures/sensors/firms/MODIS_C6_1_Global_24h.csv', import.meta.url)),
  'utf8',
);

describe('parseFirmsCsv on the real MODIS 24 h file', () => {
  const { hotspots, errors } = parseFirmsCsv(text);

  it('reads every row, latitude first in the file and [lon, lat] out', () => {
    expect(errors).toEqual([]);
    expect(hotspots).toHaveLength(text.trim().split('\n').length - 1);
    expect(hotspots[0]).toEqual({
      lonLat: [-42.46322, -8.98654],
      brightnessK: 311.91,
      scanKm: 2.05,
      trackKm: 1.39,
      acquiredAtMs: Date.parse('2023-08-01T00:35:00Z'),
      satellite: 'T',
      instrument: 'MODIS',
      confidencePct: 84,
      version: '6.1NRT',
      frpMw: 27.87,
      dayNight: 'N',
    });
  });

  it('keeps only the hotspots of an area (here north-eastern Brazil, 1°×1°)', () => {
    const area: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [-46, -9],
          [-45, -9],
          [-45, -8],
          [-46, -8],
          [-46, -9],
        ],
      ],
    };
    const inside = filterHotspotsToArea(hotspots, area);
    const brute = hotspots.filter(
      (h) => h.lonLat[0] > -46 && h.lonLat[0] < -45 && h.lonLat[1] > -9 && h.lonLat[1] < -8,
    );
    expect(inside.length).toBeGreaterThan(0);
    expect(inside).toEqual(brute);
    expect(inside.every((h) => pointInGeometry(h.lonLat, area))).toBe(true);
    const buffered = filterHotspotsToArea(hotspots, area, { bufferM: 20_000 });
    expect(buffered.length).toBeGreaterThan(inside.length);
  });
});

describe('parseFirmsCsv edge cases', () => {
  it('reads VIIRS classes and reports bad rows with their line', () => {
    const viirs = [
      'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight',
      '30.41,119.78,335.2,0.39,0.36,2026-04-02,512,N,VIIRS,h,2.0NRT,290.1,5.2,D',
      '95.0,119.78,335.2,0.39,0.36,2026-04-02,0512,N,VIIRS,n,2.0NRT,290.1,5.2,D',
    ].join('\n');
    const r = parseFirmsCsv(viirs);
    expect(r.hotspots).toHaveLength(1);
    expect(r.hotspots[0]).toMatchObject({
      instrument: 'VIIRS',
      confidencePct: 90,
      acquiredAtMs: Date.parse('2026-04-02T05:12:00Z'),
    });
    expect(r.errors).toEqual([{ line: 3, message: 'latitude/longitude out of range: 95, 119.78' }]);
  });

  it('rejects a file that is not FIRMS, naming the missing columns', () => {
    expect(() => parseFirmsCsv('lat,lon\n1,2')).toThrow(FirmsFormatError);
    expect(() => parseFirmsCsv('lat,lon\n1,2')).toThrow(/latitude, longitude/);
  });
});
