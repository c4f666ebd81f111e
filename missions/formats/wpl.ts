import { MAV_CMD, MAV_FRAME, type LonLat, type MissionItem } from '../types/index';
import { MissionFormatError } from './mission-format-error';

/** Home line options of {@link toWpl}. */
export interface WplHome {
  position: LonLat;
  /** Home altitude above mean sea level, metres. */
  altAmslM: number;
}

/** A `QGC WPL 110` file read back. */
export interface WplMission {
  /** Line 0 when it is a Mission Planner home line (current = 1, NAV_WAYPOINT, absolute frame). */
  home: WplHome | null;
  mission: MissionItem[];
}

const FIELDS = [
  'index',
  'current',
  'frame',
  'command',
  'param1',
  'param2',
  'param3',
  'param4',
  'latitude',
  'longitude',
  'altitude',
  'autocontinue',
] as const;

/** Up to 8 decimals (1 mm in latitude), trailing zeros trimmed; NaN as 0 (the format has no NaN). */
function fmt(v: number, decimals = 8): string {
  if (!Number.isFinite(v)) return '0';
  const s = v.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * Writes Mission Planner's tab-separated `QGC WPL 110` text: the home line 0 (when given, as
 * Mission Planner writes it) and then one line per item. NaN params are written as 0.
 *
 * @example
 * toWpl(mission, { position: dock, altAmslM: 42 });
 */
export function toWpl(mission: readonly MissionItem[], home: WplHome | null = null): string {
  const lines = ['QGC WPL 110'];
  const row = (i: number, current: number, item: MissionItem): string =>
    [
      i,
      current,
      item.frame,
      item.command,
      fmt(item.param1),
      fmt(item.param2),
      fmt(item.param3),
      fmt(item.param4),
      fmt(item.position?.[1] ?? 0),
      fmt(item.position?.[0] ?? 0),
      fmt(item.altM, 3),
      item.autocontinue ? 1 : 0,
    ].join('\t');
  let index = 0;
  if (home) {
    lines.push(
      row(index++, 1, {
        command: MAV_CMD.NAV_WAYPOINT,
        frame: MAV_FRAME.GLOBAL,
        param1: 0,
        param2: 0,
        param3: 0,
        param4: 0,
        position: home.position,
        altM: home.altAmslM,
        autocontinue: true,
      }),
    );
  }
  for (const item of mission) lines.push(row(index++, 0, item));
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a `QGC WPL 110` file (tabs or spaces). Line 0 with current = 1, command 16 and an
 * absolute frame is taken as Mission Planner's home line; every other line is a mission item.
 * Throws {@link MissionFormatError} naming the line and field of the first malformed value.
 *
 * @example
 * const { home, mission } = parseWpl(readFileSync('mission.waypoints', 'utf8'));
 */
export function parseWpl(text: string): WplMission {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim() ?? '';
  if (!/^QGC WPL 110$/.test(header)) {
    throw new MissionFormatError(
      'line 1',
      `expected the header "QGC WPL 110", got ${JSON.stringify(header.slice(0, 40))}`,
    );
  }
  let home: WplHome | null = null;
  const mission: MissionItem[] = [];
  let expectedIndex = 0;
  for (let l = 1; l < lines.length; l++) {
    const raw = lines[l]!.trim();
    if (raw === '') continue;
    const fields = raw.split(/\s+/);
    const lineNo = l + 1;
    if (fields.length !== 12) {
      throw new MissionFormatError(`line ${lineNo}`, `expected 12 fields, got ${fields.length}`);
    }
    const values = fields.map((f, k) => {
      const v = Number(f);
      if (f === '' || !Number.isFinite(v)) {
        throw new MissionFormatError(
          `line ${lineNo}, field ${k + 1} (${FIELDS[k]})`,
          `expected a number, got ${JSON.stringify(f)}`,
        );
      }
      return v;
    });
    const [index, current, frame, command, p1, p2, p3, p4, lat, lon, alt, auto] = values as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (index !== expectedIndex) {
      throw new MissionFormatError(
        `line ${lineNo}, field 1 (index)`,
        `expected ${expectedIndex}, got ${index}`,
      );
    }
    expectedIndex++;
    if (Math.abs(lat) > 90)
      throw new MissionFormatError(
        `line ${lineNo}, field 9 (latitude)`,
        `expected −90…90, got ${lat}`,
      );
    if (Math.abs(lon) > 180)
      throw new MissionFormatError(
        `line ${lineNo}, field 10 (longitude)`,
        `expected −180…180, got ${lon}`,
      );
    if (auto !== 0 && auto !== 1) {
      throw new MissionFormatError(
        `line ${lineNo}, field 12 (autocontinue)`,
        `expected 0 or 1, got ${auto}`,
      );
    }
    const hasPosition = lat !== 0 || lon !== 0;
    const item: MissionItem = {
      command,
      frame,
      param1: p1,
      param2: p2,
      param3: p3,
      param4: p4,
      position: hasPosition ? [lon, lat] : null,
      altM: alt,
      autocontinue: auto === 1,
    };
    if (
      index === 0 &&
      current === 1 &&
      command === MAV_CMD.NAV_WAYPOINT &&
      (frame === 0 || frame === 5) &&
      item.position
    ) {
      home = { position: item.position, altAmslM: alt };
    } else {
      mission.push(item);
    }
  }
  return { home, mission };
}
