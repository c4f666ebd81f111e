import type { TelemetrySample } from '../../../db/index';

/** A flown track as a GeoJSON Feature (RFC 7946): a LineString of `[lon, lat, altM]`. */
export interface SortieTrackFeature {
  type: 'Feature';
  geometry:
    | { type: 'LineString'; coordinates: [number, number, number][] }
    | { type: 'Point'; coordinates: [number, number, number] }
    | null;
  properties: {
    sortieId: string;
    sampleCount: number;
    startedAt: string | null;
    endedAt: string | null;
    /** Seconds since the epoch of each vertex (parallel to the coordinates). */
    times: number[];
    batteryPct: (number | null)[];
  };
}

/**
 * Builds a sortie's flown track from its ~1 Hz samples (time-ordered). One sample gives a
 * Point, none a null geometry.
 *
 * @example
 * sortieTrack('srt_1', samples).geometry?.type; // → 'LineString'
 */
export function sortieTrack(
  sortieId: string,
  samples: readonly TelemetrySample[],
): SortieTrackFeature {
  const coords = samples.map((s) => [s.lon, s.lat, s.altM] as [number, number, number]);
  const first = samples[0];
  const last = samples.at(-1);
  return {
    type: 'Feature',
    geometry:
      coords.length >= 2
        ? { type: 'LineString', coordinates: coords }
        : coords[0]
          ? { type: 'Point', coordinates: coords[0] }
          : null,
    properties: {
      sortieId,
      sampleCount: samples.length,
      startedAt: first ? new Date(first.atS * 1000).toISOString() : null,
      endedAt: last ? new Date(last.atS * 1000).toISOString() : null,
      times: samples.map((s) => s.atS),
      batteryPct: samples.map((s) => s.batteryPct),
    },
  };
}
