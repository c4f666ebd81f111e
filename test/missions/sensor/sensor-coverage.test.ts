import { describe, expect, it } from 'vitest';
import {
  altitudeForGsd,
  DEFAULT_MAPPING_CAMERA,
  DEFAULT_THERMAL_CAMERA,
  sensorCoverage,
  type CameraSensor,
} from '../../../missions/sensor/index';
import { MissionInputError } from '../../../missions/frame/index';

describe('sensorCoverage', () => {
  it('computes footprint, GSD, lane spacing and trigger distance of a camera from its focal length', () => {
    const c = sensorCoverage(DEFAULT_MAPPING_CAMERA, {
      altitudeAglM: 100,
      sideOverlapPct: 70,
      frontOverlapPct: 80,
    });
    expect(c.footprintAcrossM).toBeCloseTo(150, 9);
    expect(c.footprintAlongM).toBeCloseTo(100, 9);
    expect(c.gsdM).toBeCloseTo(150 / 5472, 12);
    expect(c.laneSpacingM).toBeCloseTo(45, 9);
    expect(c.triggerDistanceM).toBeCloseTo(20, 9);
  });

  it('gives the same footprint from the equivalent field of view', () => {
    const hfovDeg = (2 * Math.atan(13.2 / 2 / 8.8) * 180) / Math.PI;
    const { focalLengthMm: _f, ...rest } = DEFAULT_MAPPING_CAMERA;
    const byFov: CameraSensor = { ...rest, horizontalFovDeg: hfovDeg };
    const a = sensorCoverage(DEFAULT_MAPPING_CAMERA, { altitudeAglM: 80 });
    const b = sensorCoverage(byFov, { altitudeAglM: 80 });
    expect(b.footprintAcrossM).toBeCloseTo(a.footprintAcrossM, 9);
    expect(b.footprintAlongM).toBeCloseTo(a.footprintAlongM ?? Number.NaN, 9);
    expect(b.laneSpacingM).toBeCloseTo(a.laneSpacingM, 9);
  });

  it('scales linearly with altitude', () => {
    const a = sensorCoverage(DEFAULT_THERMAL_CAMERA, { altitudeAglM: 60 });
    const b = sensorCoverage(DEFAULT_THERMAL_CAMERA, { altitudeAglM: 120 });
    expect(b.footprintAcrossM / a.footprintAcrossM).toBeCloseTo(2, 12);
    expect((b.gsdM ?? 0) / (a.gsdM ?? 1)).toBeCloseTo(2, 12);
    expect(a.sideOverlapPct).toBe(70);
    expect(a.frontOverlapPct).toBe(80);
  });

  it('computes a lidar swath from its field of view, with no trigger distance', () => {
    const c = sensorCoverage(
      { kind: 'lidar', fovDeg: 90 },
      { altitudeAglM: 50, sideOverlapPct: 20 },
    );
    expect(c.footprintAcrossM).toBeCloseTo(100, 9);
    expect(c.laneSpacingM).toBeCloseTo(80, 9);
    expect(c.triggerDistanceM).toBeNull();
    expect(c.gsdM).toBeNull();
  });

  it('inverts GSD to altitude', () => {
    const h = altitudeForGsd(DEFAULT_MAPPING_CAMERA, 0.02);
    expect(sensorCoverage(DEFAULT_MAPPING_CAMERA, { altitudeAglM: h }).gsdM).toBeCloseTo(0.02, 12);
  });

  it.each([
    [
      { ...DEFAULT_MAPPING_CAMERA, focalLengthMm: -4 },
      { altitudeAglM: 100 },
      'sensor.focalLengthMm',
      /-4/,
    ],
    [
      { ...DEFAULT_MAPPING_CAMERA, imageWidthPx: 0 },
      { altitudeAglM: 100 },
      'sensor.imageWidthPx',
      /got 0/,
    ],
    [DEFAULT_MAPPING_CAMERA, { altitudeAglM: Number.NaN }, 'options.altitudeAglM', /NaN/],
    [
      DEFAULT_MAPPING_CAMERA,
      { altitudeAglM: 100, sideOverlapPct: 100 },
      'options.sideOverlapPct',
      /100/,
    ],
    [
      DEFAULT_MAPPING_CAMERA,
      { altitudeAglM: 100, frontOverlapPct: -1 },
      'options.frontOverlapPct',
      /-1/,
    ],
    [{ kind: 'lidar', fovDeg: 180 }, { altitudeAglM: 100 }, 'sensor.fovDeg', /180/],
  ] as const)('rejects a bad value and names it (%#)', (sensor, options, path, valuePattern) => {
    let caught: unknown;
    try {
      sensorCoverage(sensor, options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MissionInputError);
    const e = caught as MissionInputError;
    expect(e.code).toBe('SENSOR_INVALID');
    expect(e.path).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(valuePattern);
  });

  it('rejects a camera with neither focal length nor field of view', () => {
    const { focalLengthMm: _f, ...noLens } = DEFAULT_MAPPING_CAMERA;
    expect(() => sensorCoverage(noLens, { altitudeAglM: 100 })).toThrowError(
      /focalLengthMm or horizontalFovDeg/,
    );
  });
});
