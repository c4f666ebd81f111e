import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { zonesFromFenceItems } from '../fence/index';
import type { LonLat, Plan } from '../types/index';

const closed = (ring: readonly LonLat[]): LonLat[] => {
  const first = ring[0];
  const last = ring[ring.length - 1];
  return first && last && (first[0] !== last[0] || first[1] !== last[1])
    ? [...ring, first]
    : [...ring];
};

/**
 * A GeoJSON preview of a plan: one feature per sortie route, work path (lane / pass / transit),
 * inspection point, camera footprint, dock and fence polygon, each with a `layer` property and
 * its figures (sortie, time, length, battery, altitude, trigger distance…).
 *
 * @example
 * writeFileSync('plan.geojson', JSON.stringify(toGeoJsonPreview(plan)));
 */
export function toGeoJsonPreview(plan: Plan): FeatureCollection {
  const features: Feature[] = [];
  const add = (geometry: Geometry, properties: Record<string, unknown>): void => {
    features.push({ type: 'Feature', geometry, properties });
  };
  for (const s of plan.sorties) {
    add(
      { type: 'LineString', coordinates: s.route },
      {
        layer: 'sortie',
        sortie: s.index,
        dockId: s.dockId,
        timeS: s.timeS,
        lengthM: s.lengthM,
        batteryUsedPct: s.batteryUsedPct,
        photoCount: s.photoCount,
        turns: s.turns,
        work: s.work,
      },
    );
    add(
      { type: 'Point', coordinates: s.home },
      { layer: 'dock', dockId: s.dockId, sortie: s.index },
    );
    const zones = zonesFromFenceItems(s.fence);
    for (const [layer, list] of [
      ['fence-inclusion', zones.inclusion],
      ['fence-exclusion', zones.exclusion],
    ] as const) {
      for (const z of list) {
        if (z.kind === 'polygon')
          add({ type: 'Polygon', coordinates: z.rings.map(closed) }, { layer, sortie: s.index });
        else
          add(
            { type: 'Point', coordinates: z.center },
            { layer, sortie: s.index, radiusM: z.radiusM },
          );
      }
    }
  }
  for (const p of plan.paths) {
    add(
      { type: 'LineString', coordinates: p.coordinates },
      {
        layer: p.kind,
        label: p.label,
        sortie: p.sortie,
        altitudeAglM: p.altitudeAglM,
        triggerDistanceM: p.triggerDistanceM,
      },
    );
  }
  for (const p of plan.points) {
    add(
      { type: 'Point', coordinates: p.position },
      { layer: 'inspection-point', id: p.id, order: p.order, sortie: p.sortie },
    );
  }
  for (const f of plan.footprints)
    add({ type: 'Polygon', coordinates: [closed(f)] }, { layer: 'footprint' });
  return { type: 'FeatureCollection', features };
}
