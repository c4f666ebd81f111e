import { describe, expect, it } from 'vitest';
import {
  createLocalFrame,
  followTerrain,
  MissionInputError,
  planCoverage,
  readDemGeoTiff,
  type WorkPath,
} from '../../../missions/index';
import proj4 from 'proj4';
import { hillElevationM, syntheticDemGeoTiff, syntheticUtmDemGeoTiff } from './synthetic-dem';

const CENTRE: [number, number] = [119.95, 30.4];
const CELL_DEG = 0.0002; // ≈ 22 m
const SIZE = 300; // ≈ 6.7 km square
const WEST = CENTRE[0] - (CELL_DEG * SIZE) / 2;
const NORTH = CENTRE[1] + (CELL_DEG * SIZE) / 2;
const SIGMA_M = 900;

async function hillDem() {
  return readDemGeoTiff(syntheticDemGeoTiff(WEST, NORTH, CELL_DEG, SIZE, CENTRE, SIGMA_M));
}

describe('readDemGeoTiff', () => {
  it('samples a synthetic GeoTIFF bilinearly to within a metre of the analytic hill', async () => {
    const dem = await hillDem();
    let worst = 0;
    for (let i = 0; i < 200; i++) {
      const lon = WEST + 0.001 + (((i * 7919) % 997) / 997) * (CELL_DEG * SIZE - 0.002);
      const lat = NORTH - 0.001 - (((i * 104729) % 991) / 991) * (CELL_DEG * SIZE - 0.002);
      const z = dem.elevationAt([lon, lat]);
      expect(z).not.toBeNull();
      worst = Math.max(worst, Math.abs(z! - hillElevationM(lon, lat, CENTRE, SIGMA_M)));
    }
    expect(worst).toBeLessThan(1);
    expect(dem.elevationAt(CENTRE)).toBeGreaterThan(375);
    expect(dem.elevationAt([WEST - 0.01, NORTH])).toBeNull();
    expect(dem.cellSizeM).toBeGreaterThan(20);
  });

  it('reads a UTM (EPSG:32651) GeoTIFF and samples it in [lon, lat]', async () => {
    const [e, n] = proj4('WGS84', '+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs').forward(
      CENTRE,
    );
    const west = Math.round((e ?? 0) - 3000);
    const north = Math.round((n ?? 0) + 3000);
    const dem = await readDemGeoTiff(syntheticUtmDemGeoTiff(west, north, 25, 240, CENTRE, SIGMA_M));
    let worst = 0;
    for (let i = 0; i < 100; i++) {
      const lon = CENTRE[0] - 0.025 + (((i * 7919) % 997) / 997) * 0.05;
      const lat = CENTRE[1] - 0.025 + (((i * 104729) % 991) / 991) * 0.05;
      const z = dem.elevationAt([lon, lat]);
      expect(z).not.toBeNull();
      worst = Math.max(worst, Math.abs(z! - hillElevationM(lon, lat, CENTRE, SIGMA_M)));
    }
    expect(worst).toBeLessThan(1);
    expect(dem.cellSizeM).toBeCloseTo(25, 6);
  });

  it('rejects bytes that are not a GeoTIFF', async () => {
    await expect(readDemGeoTiff(new Uint8Array([1, 2, 3, 4]).buffer)).rejects.toThrowError(
      MissionInputError,
    );
    await expect(readDemGeoTiff(new Uint8Array([1, 2, 3, 4]).buffer)).rejects.toThrowError(
      /not a readable GeoTIFF/,
    );
  });
});

describe('followTerrain', () => {
  const frame = createLocalFrame(CENTRE);
  const leg: WorkPath = {
    kind: 'lane',
    coordinates: [frame.toLonLat([-2600, 100]), frame.toLonLat([2600, 100])],
    altitudeAglM: 80,
    triggerDistanceM: 20,
  };

  it('inserts waypoints over the hill so every point of the leg stays within tolerance', async () => {
    const dem = await hillDem();
    const profile = followTerrain([leg], dem, { toleranceM: 5 });
    expect(profile.altitudeReference).toBe('terrain');
    const wps = profile.paths[0]!.waypoints;
    expect(wps.length).toBeGreaterThan(4);
    expect(profile.stats.insertedWaypoints).toBe(wps.length - 2);
    expect(profile.stats.maxDeviationM).toBeLessThanOrEqual(5 + 1e-9);
    // Independent check against the analytic hill every 5 m along the flown legs.
    let worst = 0;
    for (let i = 1; i < wps.length; i++) {
      const a = wps[i - 1]!;
      const b = wps[i]!;
      const pa = frame.toLocal(a.position);
      const pb = frame.toLocal(b.position);
      const n = Math.ceil(Math.hypot(pb[0] - pa[0], pb[1] - pa[1]) / 5);
      for (let k = 0; k <= n; k++) {
        const t = k / n;
        const p = frame.toLonLat([pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t]);
        const alt = a.altitudeAmslM! + (b.altitudeAmslM! - a.altitudeAmslM!) * t;
        worst = Math.max(worst, Math.abs(alt - hillElevationM(p[0], p[1], CENTRE, SIGMA_M) - 80));
      }
    }
    expect(worst).toBeLessThan(5 + 1.5); // tolerance + DEM interpolation and sampling error
  });

  it('never plans above the ceiling: the upper tolerance shrinks near it', async () => {
    const dem = await hillDem();
    const high = { ...leg, altitudeAglM: 118 };
    const profile = followTerrain([high], dem, { toleranceM: 10, ceilingAglM: 120 });
    expect(profile.stats.maxAglM).toBeLessThanOrEqual(120 + 1e-9);
    expect(() => followTerrain([{ ...leg, altitudeAglM: 130 }], dem)).toThrowError(
      /altitudeAglM.*120.*130/,
    );
  });

  it('fewer waypoints with a looser tolerance, none on flat ground', async () => {
    const dem = await hillDem();
    const tight = followTerrain([leg], dem, { toleranceM: 2 }).stats.insertedWaypoints;
    const loose = followTerrain([leg], dem, { toleranceM: 20 }).stats.insertedWaypoints;
    expect(loose).toBeLessThan(tight);
    const flat: WorkPath = {
      ...leg,
      coordinates: [frame.toLonLat([-2700, -2700]), frame.toLonLat([-1700, -2700])],
    };
    expect(followTerrain([flat], dem).stats.insertedWaypoints).toBe(0);
  });

  it('without a DEM says altitudes are relative to the dock and keeps the vertices', () => {
    const profile = followTerrain([leg], null);
    expect(profile.altitudeReference).toBe('dock');
    expect(profile.paths[0]!.waypoints.map((w) => w.position)).toEqual(leg.coordinates);
    expect(
      profile.paths[0]!.waypoints.every(
        (w) => w.altitudeRelHomeM === 80 && w.altitudeAmslM === null,
      ),
    ).toBe(true);
  });

  it('gives altitudes relative to the dock ground when the dock is known', async () => {
    const dem = await hillDem();
    const dock = frame.toLonLat([-2700, 0]);
    const profile = followTerrain([leg], dem, { homeLonLat: dock });
    const home = profile.homeGroundAmslM!;
    expect(home).toBeCloseTo(hillElevationM(dock[0], dock[1], CENTRE, SIGMA_M), 0);
    for (const w of profile.paths[0]!.waypoints)
      expect(w.altitudeRelHomeM).toBeCloseTo(w.altitudeAmslM! - home, 9);
  });

  it('follows the terrain over a whole coverage plan on the hill', async () => {
    const dem = await hillDem();
    const area = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [-1500, -1500],
          [1500, -1500],
          [1500, 1500],
          [-1500, 1500],
          [-1500, -1500],
        ].map((p) => frame.toLonLat(p)),
      ],
    };
    const plan = planCoverage(area, { altitudeAglM: 90, footprints: false });
    const profile = followTerrain(plan.workPaths, dem, { toleranceM: 5 });
    expect(profile.paths).toHaveLength(plan.workPaths.length);
    expect(profile.stats.maxDeviationM).toBeLessThanOrEqual(5 + 1e-9);
    expect(profile.stats.maxAglM).toBeLessThanOrEqual(120);
    expect(profile.stats.samplesOffDem).toBe(0);
  });
});
