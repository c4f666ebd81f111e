import { describe, expect, it } from 'vitest';
import {
  cameraIntrinsics,
  georeferenceHotspot,
  georeferencePixel,
  GeoreferenceError,
} from '../../src/services/alerts/georeference';
import { createLocalFrame } from '../../src/services/alerts/local-frame';
import type { Camera, DronePose } from '../../src/services/alerts/detection-schema';

const origin: [number, number] = [119.95, 30.42];
const frame = createLocalFrame(origin);
const camera: Camera = { model: 'fov', widthPx: 640, heightPx: 512, horizontalFovDeg: 90 };
const exact = { horizontalM: 0, verticalM: 0, headingDeg: 0, pitchDeg: 0 };
const noPixelNoise = { pixelSigmaPx: 0, groundSigmaM: 0 };

function pose(overrides: Partial<DronePose> = {}): DronePose {
  return {
    positionLonLat: origin,
    altitudeAmslM: 150,
    headingDeg: 0,
    gimbalPitchDeg: -90,
    gimbalYawDeg: 0,
    uncertainty: exact,
    ...overrides,
  };
}

function localOf(lonLat: [number, number]): [number, number] {
  return frame.toLocal(lonLat);
}

describe('cameraIntrinsics', () => {
  it('derives the focal length from a 90° horizontal field of view', () => {
    expect(cameraIntrinsics(camera)).toEqual({
      fxPx: expect.closeTo(320, 9),
      fyPx: expect.closeTo(320, 9),
      cxPx: 320,
      cyPx: 256,
    });
  });
});

describe('georeferencePixel', () => {
  it('puts the centre pixel of a nadir camera under the drone', () => {
    for (const headingDeg of [0, 37, 180, 290]) {
      const g = georeferencePixel(pose({ headingDeg }), camera, [320, 256], {
        groundElevationM: 50,
      });
      const [e, n] = localOf(g.lonLat);
      expect(Math.hypot(e, n)).toBeLessThan(1e-6);
      expect(g.slantRangeM).toBeCloseTo(100, 6);
      expect(g.groundElevationM).toBe(50);
    }
  });

  it('puts the top edge of a nadir image ahead of the drone by h·cy/fy', () => {
    // heading east: the top of the image points east
    const g = georeferencePixel(pose({ headingDeg: 90 }), camera, [320, 0], {
      groundElevationM: 50,
    });
    const [e, n] = localOf(g.lonLat);
    expect(e).toBeCloseTo((100 * 256) / 320, 3);
    expect(n).toBeCloseTo(0, 3);
  });

  it('puts the right edge of a nadir image to the right of the heading', () => {
    const g = georeferencePixel(pose({ headingDeg: 0 }), camera, [640, 256], {
      groundElevationM: 50,
    });
    const [e, n] = localOf(g.lonLat);
    expect(e).toBeCloseTo(100, 3);
    expect(n).toBeCloseTo(0, 3);
  });

  it('looks 45° down towards heading + gimbal yaw and lands at the ground distance equal to the height', () => {
    const g = georeferencePixel(
      pose({ headingDeg: 60, gimbalYawDeg: 30, gimbalPitchDeg: -45 }),
      camera,
      [320, 256],
      { groundElevationM: 50 },
    );
    const [e, n] = localOf(g.lonLat);
    expect(e).toBeCloseTo(100, 3);
    expect(n).toBeCloseTo(0, 3);
    expect(g.slantRangeM).toBeCloseTo(100 * Math.SQRT2, 3);
  });

  it('propagates heading and pitch errors as range × angle', () => {
    const base = pose({ headingDeg: 0, gimbalPitchDeg: -45 });
    const heading = georeferencePixel(
      { ...base, uncertainty: { ...exact, headingDeg: 2 } },
      camera,
      [320, 256],
      { groundElevationM: 50, ...noPixelNoise },
    );
    // 100 m ahead (north), so a heading error moves the point east: σE = 100 · 2° in rad
    expect(heading.sigmaEastM).toBeCloseTo(100 * ((2 * Math.PI) / 180), 2);
    expect(heading.sigmaNorthM).toBeLessThan(0.01);
    const pitch = georeferencePixel(
      { ...base, uncertainty: { ...exact, pitchDeg: 1 } },
      camera,
      [320, 256],
      { groundElevationM: 50, ...noPixelNoise },
    );
    // d(range)/dθ = h / sin²θ = 200 m per rad
    expect(pitch.sigmaNorthM).toBeCloseTo(200 * (Math.PI / 180), 2);
    expect(pitch.errorM).toBeCloseTo(Math.hypot(pitch.sigmaEastM, pitch.sigmaNorthM), 9);
  });

  it('passes a horizontal position error straight through at nadir', () => {
    const g = georeferencePixel(
      pose({ uncertainty: { ...exact, horizontalM: 3 } }),
      camera,
      [320, 256],
      {
        groundElevationM: 50,
        ...noPixelNoise,
      },
    );
    expect(g.sigmaEastM).toBeCloseTo(3, 6);
    expect(g.sigmaNorthM).toBeCloseTo(3, 6);
  });

  it('grows the error as the view gets more oblique', () => {
    const steep = georeferencePixel(
      pose({ gimbalPitchDeg: -80, uncertainty: undefined }),
      camera,
      [320, 256],
      { groundElevationM: 50 },
    );
    const shallow = georeferencePixel(
      pose({ gimbalPitchDeg: -20, uncertainty: undefined }),
      camera,
      [320, 256],
      { groundElevationM: 50 },
    );
    expect(shallow.errorM).toBeGreaterThan(3 * steep.errorM);
  });

  it('follows a DEM: a slope rising ahead shortens the ground distance', () => {
    // terrain rises 0.5 m per metre northwards from 50 m at the origin
    const dem = (lonLat: [number, number]) => 50 + 0.5 * localOf(lonLat)[1];
    const g = georeferencePixel(pose({ gimbalPitchDeg: -45 }), camera, [320, 256], { dem });
    const [, n] = localOf(g.lonLat);
    // ray: z = 150 - n; terrain: z = 50 + n/2 → n = 66.67
    expect(n).toBeCloseTo(200 / 3, 2);
    expect(g.groundElevationM).toBeCloseTo(50 + 100 / 3, 2);
  });

  it('agrees with the flat case when the DEM is flat', () => {
    const flat = georeferencePixel(
      pose({ gimbalPitchDeg: -30, headingDeg: 123 }),
      camera,
      [100, 400],
      { groundElevationM: 42 },
    );
    const dem = georeferencePixel(
      pose({ gimbalPitchDeg: -30, headingDeg: 123 }),
      camera,
      [100, 400],
      { dem: () => 42 },
    );
    const a = localOf(flat.lonLat);
    const b = localOf(dem.lonLat);
    expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeLessThan(0.01);
  });

  it('rejects a ray above the horizon, a camera under the ground and a missing ground height', () => {
    expect(() =>
      georeferencePixel(pose({ gimbalPitchDeg: 10 }), camera, [320, 256], { groundElevationM: 50 }),
    ).toThrow(GeoreferenceError);
    expect(() => georeferencePixel(pose(), camera, [320, 256], { groundElevationM: 200 })).toThrow(
      /above the ground/,
    );
    expect(() => georeferencePixel(pose(), camera, [320, 256])).toThrow(/no ground height/);
  });
});

describe('georeferenceHotspot', () => {
  it('measures the hot area from the ground size of one pixel', () => {
    const fp = georeferenceHotspot(
      pose(),
      camera,
      { centroidPx: [320, 256], boxPx: [310, 246, 330, 266], hotPixelCount: 100 },
      { groundElevationM: 50 },
    );
    // 100 m above ground with f = 320 px: one pixel is 100/320 m wide
    expect(fp.pixelAreaM2).toBeCloseTo((100 / 320) ** 2, 4);
    expect(fp.hotAreaM2).toBeCloseTo(100 * (100 / 320) ** 2, 2);
    expect(fp.footprintRing).toHaveLength(5);
    const [e, n] = localOf(fp.footprintRing[0]!);
    expect(e).toBeCloseTo((-10 * 100) / 320, 3);
    expect(n).toBeCloseTo((10 * 100) / 320, 3);
  });
});
