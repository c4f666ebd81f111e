/**
 * Normalises a detection (any kind) or a satellite hotspot into one `Observation`: a place on
 * the ground with its uncertainty, a time, where it came from and the metrics rules look at.
 */
import { ALERT_TYPE_OF_KIND, type AlertType, type ObservationKind } from './alert-model';
import type { Detection } from './detection-schema';
import { georeferenceHotspot, type GeoreferenceOptions } from './georeference';
import { areaM2, centroidOf, convexHullRing, type Geometry, type Position } from './geometry';
import type { FirmsHotspot } from './firms-import';

export interface ObservationMetrics {
  maxTempC?: number;
  meanTempC?: number;
  deltaAboveAmbientC?: number;
  hotAreaM2?: number;
  temperatureDifferenceC?: number;
  plumeAreaM2?: number;
  changedAreaM2?: number;
  meanHeightLossM?: number;
  maxHeightLossM?: number;
  estimatedStems?: number;
  waterRiseM?: number;
  floodedAreaM2?: number;
  frpMw?: number;
  /** Satellite product confidence, 0..100. */
  satelliteConfidencePct?: number;
}

export interface Observation {
  kind: ObservationKind;
  alertType: AlertType;
  observedAtMs: number;
  /** Representative point `[lon, lat]`. */
  location: Position;
  /** Footprint on the ground (point, hotspot box, polygon…). */
  geometry: Geometry;
  /** Location uncertainty (≈ 95 % radius). */
  radiusM: number;
  source: 'drone' | 'satellite';
  sensorId: string;
  /** Pass identity: the client's `passId`, or the sensor and a 10-minute bucket. */
  passKey: string;
  confidence: number;
  metrics: ObservationMetrics;
}

/** Observations without a passId are grouped into passes of this length. */
export const PASS_BUCKET_MS = 10 * 60 * 1000;

function passKeyOf(
  d: { passId?: string | undefined; droneId?: string | undefined; sensorId: string },
  atMs: number,
): string {
  return d.passId ?? `${d.droneId ?? d.sensorId}@${Math.floor(atMs / PASS_BUCKET_MS)}`;
}

/**
 * Turns a validated detection into an observation; IR hotspots are georeferenced from their
 * pose and camera.
 *
 * @example
 * const obs = observeDetection(detection, { groundElevationM: 12 });
 * obs.location; // [lon, lat] of the hotspot on the ground
 */
export function observeDetection(
  detection: Detection,
  options: GeoreferenceOptions = {},
): Observation {
  const observedAtMs = Date.parse(detection.capturedAt);
  const common = {
    kind: detection.kind,
    alertType: ALERT_TYPE_OF_KIND[detection.kind],
    observedAtMs,
    source: 'drone' as const,
    sensorId: detection.sensorId,
    passKey: passKeyOf(detection, observedAtMs),
    confidence: detection.confidence,
  };
  switch (detection.kind) {
    case 'ir_hotspot': {
      const geo: GeoreferenceOptions = { ...options };
      if (options.dem === undefined && detection.groundElevationM !== undefined) {
        geo.groundElevationM = detection.groundElevationM;
      }
      const fp = georeferenceHotspot(detection.pose, detection.camera, detection.hotspot, geo);
      const h = detection.hotspot;
      return {
        ...common,
        location: fp.centroid.lonLat,
        geometry: { type: 'Polygon', coordinates: [fp.footprintRing] },
        radiusM: fp.centroid.error95M,
        metrics: {
          maxTempC: h.maxTempC,
          meanTempC: h.meanTempC,
          deltaAboveAmbientC: h.maxTempC - h.ambientTempC,
          hotAreaM2: fp.hotAreaM2,
        },
      };
    }
    case 'ir_water_plume': {
      const geometry: Geometry = detection.plumeOutline;
      return {
        ...common,
        location: detection.bankPointLonLat ?? centroidOf(geometry),
        geometry,
        radiusM: 0,
        metrics: {
          temperatureDifferenceC: detection.temperatureDifferenceC,
          plumeAreaM2: areaM2(geometry),
        },
      };
    }
    case 'lidar_canopy_change': {
      const geometry: Geometry = detection.changedArea;
      return {
        ...common,
        location: centroidOf(geometry),
        geometry,
        radiusM: 0,
        metrics: {
          changedAreaM2: detection.areaM2,
          meanHeightLossM: detection.meanHeightLossM,
          maxHeightLossM: detection.maxHeightLossM,
          estimatedStems: detection.estimatedStems,
        },
      };
    }
    case 'water_level': {
      const rises = detection.measurements.map(
        (m) => m.waterSurfaceElevationM - m.baselineElevationM,
      );
      const points = detection.measurements.flatMap((m) =>
        m.geometry.type === 'Point' ? [m.geometry.coordinates] : m.geometry.coordinates,
      );
      const hull = convexHullRing(points);
      const geometry: Geometry =
        detection.floodedExtent ??
        (hull
          ? { type: 'Polygon', coordinates: [hull] }
          : { type: 'MultiPoint', coordinates: points });
      const metrics: ObservationMetrics = { waterRiseM: Math.max(...rises) };
      if (detection.floodedExtent) metrics.floodedAreaM2 = areaM2(detection.floodedExtent);
      return { ...common, location: centroidOf(geometry), geometry, radiusM: 0, metrics };
    }
  }
}

/**
 * Turns a FIRMS satellite hotspot into a fire observation. Its footprint is the sensor pixel
 * (`scan × track` km), so its radius is half the pixel diagonal.
 *
 * @example
 * observeSatelliteHotspot(parseFirmsCsv(text).hotspots[0]!).radiusM; // ≈ 1240 for a 2.05 × 1.39 km pixel
 */
export function observeSatelliteHotspot(hotspot: FirmsHotspot): Observation {
  const metrics: ObservationMetrics = { maxTempC: hotspot.brightnessK - 273.15 };
  if (hotspot.frpMw !== undefined) metrics.frpMw = hotspot.frpMw;
  if (hotspot.confidencePct !== undefined) metrics.satelliteConfidencePct = hotspot.confidencePct;
  return {
    kind: 'satellite_hotspot',
    alertType: 'fire',
    observedAtMs: hotspot.acquiredAtMs,
    location: hotspot.lonLat,
    geometry: { type: 'Point', coordinates: hotspot.lonLat },
    radiusM: (Math.hypot(hotspot.scanKm, hotspot.trackKm) * 1000) / 2,
    source: 'satellite',
    sensorId: `${hotspot.satellite}/${hotspot.instrument}`,
    passKey: `${hotspot.satellite}@${hotspot.acquiredAtMs}`,
    confidence: (hotspot.confidencePct ?? 50) / 100,
    metrics,
  };
}
