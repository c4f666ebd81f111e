// Builders of realistic detections for the alert tests (a forest farm near Jingshan, Yuhang).
import {
  createLocalFrame,
  type Detection,
  type IrHotspotDetection,
} from '../../src/services/alerts/index';

export const ORIGIN: [number, number] = [119.78, 30.4];
export const frame = createLocalFrame(ORIGIN);
export const T0 = Date.parse('2026-04-02T03:00:00Z');

/** `[lon, lat]` of a point `east`, `north` metres from the origin. */
export function at(eastM: number, northM: number): [number, number] {
  return frame.toLonLat([eastM, northM]);
}

export function square(eastM: number, northM: number, sizeM: number): [number, number][] {
  return [
    at(eastM, northM),
    at(eastM + sizeM, northM),
    at(eastM + sizeM, northM + sizeM),
    at(eastM, northM + sizeM),
    at(eastM, northM),
  ];
}

export interface HotspotOptions {
  eastM?: number;
  northM?: number;
  atMs?: number;
  passId?: string;
  sensorId?: string;
  maxTempC?: number;
  ambientTempC?: number;
  hotPixelCount?: number;
  confidence?: number;
  clientKey?: string;
}

/** An IR hotspot seen from 100 m straight above `(eastM, northM)`. */
export function hotspot(o: HotspotOptions = {}): IrHotspotDetection {
  const d: IrHotspotDetection = {
    kind: 'ir_hotspot',
    capturedAt: new Date(o.atMs ?? T0).toISOString(),
    passId: o.passId ?? 'pass-1',
    droneId: 'drone-1',
    sensorId: o.sensorId ?? 'ir-1',
    confidence: o.confidence ?? 0.8,
    pose: {
      positionLonLat: at(o.eastM ?? 0, o.northM ?? 0),
      altitudeAmslM: 150,
      headingDeg: 0,
      gimbalPitchDeg: -90,
      gimbalYawDeg: 0,
    },
    camera: { model: 'fov', widthPx: 640, heightPx: 512, horizontalFovDeg: 45 },
    groundElevationM: 50,
    hotspot: {
      centroidPx: [320, 256],
      boxPx: [300, 236, 340, 276],
      maxTempC: o.maxTempC ?? 180,
      meanTempC: 90,
      hotPixelCount: o.hotPixelCount ?? 400,
      ambientTempC: o.ambientTempC ?? 18,
    },
  };
  if (o.clientKey !== undefined) d.clientKey = o.clientKey;
  return d;
}

export function canopyChange(eastM: number, northM: number, sizeM: number, atMs = T0): Detection {
  return {
    kind: 'lidar_canopy_change',
    capturedAt: new Date(atMs).toISOString(),
    passId: 'lidar-pass-1',
    sensorId: 'lidar-1',
    confidence: 0.9,
    changedArea: { type: 'Polygon', coordinates: [square(eastM, northM, sizeM)] },
    meanHeightLossM: 14,
    maxHeightLossM: 22,
    areaM2: sizeM * sizeM,
    estimatedStems: 60,
    baselineSurveyId: 'survey-2025-10',
  };
}

export function plume(eastM: number, northM: number, diffC: number, atMs = T0): Detection {
  return {
    kind: 'ir_water_plume',
    capturedAt: new Date(atMs).toISOString(),
    sensorId: 'ir-1',
    confidence: 0.7,
    temperatureDifferenceC: diffC,
    plumeOutline: { type: 'Polygon', coordinates: [square(eastM, northM, 30)] },
    bankPointLonLat: at(eastM, northM),
    distanceToBankM: 0,
  };
}

export function waterLevel(eastM: number, northM: number, riseM: number, atMs = T0): Detection {
  return {
    kind: 'water_level',
    capturedAt: new Date(atMs).toISOString(),
    sensorId: 'lidar-1',
    confidence: 0.9,
    measurements: [
      {
        geometry: { type: 'Point', coordinates: at(eastM, northM) },
        waterSurfaceElevationM: 12 + riseM,
        baselineElevationM: 12,
      },
      {
        geometry: {
          type: 'LineString',
          coordinates: [at(eastM + 100, northM), at(eastM + 200, northM + 50)],
        },
        waterSurfaceElevationM: 12 + riseM / 2,
        baselineElevationM: 12,
      },
    ],
    floodedExtent: { type: 'Polygon', coordinates: [square(eastM, northM - 100, 400)] },
  };
}
