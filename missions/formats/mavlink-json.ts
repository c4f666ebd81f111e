import type { LonLat, MissionItem, Plan } from '../types/index';
import { MissionFormatError } from './mission-format-error';

/** One upload of the `mavlink-json` export. */
export interface MavlinkJsonSortie {
  index: number;
  dockId: string;
  home: LonLat;
  homeAltAmslM: number;
  mission: MissionItem[];
  fence: MissionItem[];
  rally: MissionItem[];
}

const FORMAT = 'shared-flights/mavlink-items';

/**
 * The plan's MAVLink items as JSON: per sortie the mission, fence and rally lists in exactly the
 * bridge's `MissionItem` shape (`[lon, lat]`, NaN params as null), ready to upload.
 *
 * @example
 * writeFileSync('plan.json', toMavlinkJson(plan));
 */
export function toMavlinkJson(plan: Pick<Plan, 'sorties'>): string {
  const sorties: MavlinkJsonSortie[] = plan.sorties.map((s) => ({
    index: s.index,
    dockId: s.dockId,
    home: s.home,
    homeAltAmslM: s.homeAltAmslM,
    mission: s.mission,
    fence: s.fence,
    rally: s.rally,
  }));
  // JSON.stringify writes NaN as null, which parseMavlinkJson reads back as NaN.
  return `${JSON.stringify({ format: FORMAT, version: 1, sorties }, null, 2)}\n`;
}

function item(json: unknown, where: string): MissionItem {
  if (typeof json !== 'object' || json === null)
    throw new MissionFormatError(where, 'expected a mission item object');
  const o = json as Record<string, unknown>;
  const n = (k: string, nullable: boolean): number => {
    const v = o[k];
    if (v === null && nullable) return Number.NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MissionFormatError(`${where}.${k}`, `expected a number, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const pos = o.position;
  let position: LonLat | null = null;
  if (pos !== null) {
    if (
      !Array.isArray(pos) ||
      pos.length !== 2 ||
      !pos.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      throw new MissionFormatError(
        `${where}.position`,
        `expected [lon, lat] or null, got ${JSON.stringify(pos)}`,
      );
    }
    position = [pos[0] as number, pos[1] as number];
  }
  if (typeof o.autocontinue !== 'boolean') {
    throw new MissionFormatError(
      `${where}.autocontinue`,
      `expected true or false, got ${JSON.stringify(o.autocontinue)}`,
    );
  }
  return {
    command: n('command', false),
    frame: n('frame', false),
    param1: n('param1', true),
    param2: n('param2', true),
    param3: n('param3', true),
    param4: n('param4', true),
    position,
    altM: n('altM', false),
    autocontinue: o.autocontinue,
  };
}

/**
 * Reads the `mavlink-json` export back, naming the JSON path of the first malformed value.
 *
 * @example
 * const sorties = parseMavlinkJson(text);
 */
export function parseMavlinkJson(text: string): MavlinkJsonSortie[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MissionFormatError(
      'file',
      `not JSON (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  const o = doc as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || o.format !== FORMAT) {
    throw new MissionFormatError('format', `expected "${FORMAT}"`);
  }
  if (!Array.isArray(o.sorties)) throw new MissionFormatError('sorties', 'expected an array');
  return o.sorties.map((s: unknown, i: number) => {
    const where = `sorties[${i}]`;
    const so = s as Record<string, unknown>;
    const list = (k: 'mission' | 'fence' | 'rally'): MissionItem[] => {
      const v = so?.[k];
      if (!Array.isArray(v)) throw new MissionFormatError(`${where}.${k}`, 'expected an array');
      return v.map((x, j) => item(x, `${where}.${k}[${j}]`));
    };
    const home = so?.home;
    if (!Array.isArray(home) || home.length !== 2)
      throw new MissionFormatError(`${where}.home`, 'expected [lon, lat]');
    return {
      index: Number(so.index),
      dockId: String(so.dockId),
      home: [Number(home[0]), Number(home[1])],
      homeAltAmslM: Number(so.homeAltAmslM),
      mission: list('mission'),
      fence: list('fence'),
      rally: list('rally'),
    };
  });
}
