import type { LonLat, Plan } from '../types/index';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const coords = (points: readonly LonLat[], altM: number | null): string =>
  points.map((p) => (altM === null ? `${p[0]},${p[1]}` : `${p[0]},${p[1]},${altM}`)).join(' ');

/**
 * KML 2.2 of a plan for Google Earth and GIS tools: a folder of sortie routes (with their figures
 * in ExtendedData), a folder of work paths at their height above ground, the inspection points
 * and the docks.
 *
 * @example
 * writeFileSync('plan.kml', toKml(plan));
 */
export function toKml(plan: Plan, name = 'Shared Flights plan'): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    '<Document>',
    `<name>${esc(name)}</name>`,
    '<Style id="sortie"><LineStyle><color>ff0000ff</color><width>3</width></LineStyle></Style>',
    '<Style id="work"><LineStyle><color>ff00ff00</color><width>1</width></LineStyle></Style>',
  ];
  const data = (fields: Record<string, string | number>): string =>
    `<ExtendedData>${Object.entries(fields)
      .map(([k, v]) => `<Data name="${esc(k)}"><value>${esc(String(v))}</value></Data>`)
      .join('')}</ExtendedData>`;
  out.push('<Folder><name>Sorties</name>');
  for (const s of plan.sorties) {
    out.push(
      `<Placemark><name>sortie ${s.index + 1} (${esc(s.dockId)})</name><styleUrl>#sortie</styleUrl>` +
        data({
          sortie: s.index,
          dockId: s.dockId,
          timeS: Math.round(s.timeS),
          lengthM: Math.round(s.lengthM),
          batteryUsedPct: Number(s.batteryUsedPct.toFixed(1)),
          photoCount: s.photoCount,
        }) +
        `<LineString><tessellate>1</tessellate><coordinates>${coords(s.route, null)}</coordinates></LineString></Placemark>`,
    );
  }
  out.push('</Folder>', '<Folder><name>Work</name>');
  for (const p of plan.paths) {
    out.push(
      `<Placemark><name>${esc(p.label)}</name><styleUrl>#work</styleUrl>${data({ kind: p.kind, sortie: p.sortie, altitudeAglM: p.altitudeAglM })}` +
        `<LineString><altitudeMode>relativeToGround</altitudeMode><coordinates>${coords(p.coordinates, p.altitudeAglM)}</coordinates></LineString></Placemark>`,
    );
  }
  out.push('</Folder>', '<Folder><name>Inspection points</name>');
  for (const p of plan.points) {
    out.push(
      `<Placemark><name>${esc(p.id ?? `point ${p.order + 1}`)}</name>${data({ order: p.order, sortie: p.sortie })}` +
        `<Point><coordinates>${coords([p.position], null)}</coordinates></Point></Placemark>`,
    );
  }
  out.push('</Folder>', '<Folder><name>Docks</name>');
  const docks = new Map(plan.sorties.map((s) => [s.dockId, s.home]));
  for (const [id, home] of docks) {
    out.push(
      `<Placemark><name>${esc(id)}</name><Point><coordinates>${coords([home], null)}</coordinates></Point></Placemark>`,
    );
  }
  out.push('</Folder>', '</Document>', '</kml>');
  return `${out.join('\n')}\n`;
}
