import {
  MAV_CMD,
  MAV_FRAME,
  isPositionalCommand,
  type LonLat,
  type MissionItem,
  type MissionSet,
} from '../types/index';
import { MissionFormatError } from './mission-format-error';
import { qtJsonStringify, type QtJson } from './qt-json';

/** Vehicle and header fields of a `.plan` file. */
export interface QgcPlanHeader {
  /** Planned home `[lon, lat]` (the dock). */
  home: LonLat;
  /** Home altitude above mean sea level, metres. */
  homeAltAmslM: number;
  cruiseSpeedMps: number;
  hoverSpeedMps: number;
  /** MAV_AUTOPILOT: 12 = PX4, 3 = ArduPilot. Default 12. */
  firmwareType?: number;
  /** MAV_TYPE: 2 = quadrotor. Default 2. */
  vehicleType?: number;
}

/** A `.plan` file read back: the three item lists, the header and what could not be kept. */
export interface QgcPlan extends MissionSet, Required<QgcPlanHeader> {
  /** Things read but not representable (e.g. a StructureScan without stored items). */
  warnings: string[];
}

const ALTITUDE_MODE: Record<number, number> = {
  [MAV_FRAME.GLOBAL_RELATIVE_ALT]: 1,
  [MAV_FRAME.GLOBAL_RELATIVE_ALT_INT]: 1,
  [MAV_FRAME.GLOBAL]: 2,
  [MAV_FRAME.GLOBAL_INT]: 2,
  [MAV_FRAME.GLOBAL_TERRAIN_ALT]: 4,
  11: 4,
};

const nanToNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Writes a QGroundControl `.plan` exactly as QGroundControl does (QJsonDocument layout, sorted
 * keys, `[lat, lon]` order, null for NaN params; mission, geoFence and rallyPoints sections).
 * Fence items must come as {@link fenceItems} writes them (whole polygons in order).
 *
 * @example
 * const text = toQgcPlan({ mission, fence, rally }, { home: dock, homeAltAmslM: 42, cruiseSpeedMps: 10, hoverSpeedMps: 5 });
 */
export function toQgcPlan(set: MissionSet, header: QgcPlanHeader): string {
  const items: QtJson[] = set.mission.map((item, i) => {
    const pos = item.position;
    const json: { [key: string]: QtJson } = {
      autoContinue: item.autocontinue,
      command: item.command,
      doJumpId: i + 1,
      frame: item.frame,
      params: [
        nanToNull(item.param1),
        nanToNull(item.param2),
        nanToNull(item.param3),
        nanToNull(item.param4),
        pos ? pos[1] : 0,
        pos ? pos[0] : 0,
        nanToNull(item.altM),
      ],
      type: 'SimpleItem',
    };
    if (pos) {
      json.AMSLAltAboveTerrain = null;
      json.Altitude = nanToNull(item.altM);
      json.AltitudeMode = ALTITUDE_MODE[item.frame] ?? 1;
    }
    return json;
  });
  const polygons: QtJson[] = [];
  const circles: QtJson[] = [];
  for (let i = 0; i < set.fence.length;) {
    const item = set.fence[i]!;
    const inclusion =
      item.command === MAV_CMD.NAV_FENCE_POLYGON_VERTEX_INCLUSION ||
      item.command === MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION;
    if (!item.position) throw new RangeError(`fence item ${i} has no position`);
    if (
      item.command === MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION ||
      item.command === MAV_CMD.NAV_FENCE_CIRCLE_EXCLUSION
    ) {
      circles.push({
        circle: { center: [item.position[1], item.position[0]], radius: item.param1 },
        inclusion,
        version: 1,
      });
      i++;
      continue;
    }
    const count = Math.max(1, item.param1);
    const ring = set.fence
      .slice(i, i + count)
      .map((v): QtJson => [v.position?.[1] ?? 0, v.position?.[0] ?? 0]);
    polygons.push({ inclusion, polygon: ring, version: 1 });
    i += count;
  }
  const plan: QtJson = {
    fileType: 'Plan',
    geoFence: { circles, polygons, version: 2 },
    groundStation: 'QGroundControl',
    mission: {
      cruiseSpeed: header.cruiseSpeedMps,
      firmwareType: header.firmwareType ?? 12,
      globalPlanAltitudeMode: 1,
      hoverSpeed: header.hoverSpeedMps,
      items,
      plannedHomePosition: [header.home[1], header.home[0], header.homeAltAmslM],
      vehicleType: header.vehicleType ?? 2,
      version: 2,
    },
    rallyPoints: {
      points: set.rally.map((r): QtJson => [r.position?.[1] ?? 0, r.position?.[0] ?? 0, r.altM]),
      version: 2,
    },
    version: 1,
  };
  return qtJsonStringify(plan);
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: Json, where: string, allowNull = false): number {
  if (v === null && allowNull) return Number.NaN;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new MissionFormatError(
      where,
      `expected a number${allowNull ? ' or null' : ''}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function latLon(v: Json, where: string): LonLat {
  if (!Array.isArray(v) || v.length < 2) {
    throw new MissionFormatError(where, `expected [latitude, longitude], got ${JSON.stringify(v)}`);
  }
  const lat = num(v[0], `${where}[0] (latitude)`);
  const lon = num(v[1], `${where}[1] (longitude)`);
  if (Math.abs(lat) > 90)
    throw new MissionFormatError(`${where}[0] (latitude)`, `expected −90…90, got ${lat}`);
  if (Math.abs(lon) > 180)
    throw new MissionFormatError(`${where}[1] (longitude)`, `expected −180…180, got ${lon}`);
  return [lon, lat];
}

function simpleItem(json: Json, where: string, warnings: string[]): MissionItem {
  if (!isObject(json))
    throw new MissionFormatError(where, `expected an object, got ${JSON.stringify(json)}`);
  const command = num(json.command, `${where}.command`);
  const frame = num(json.frame, `${where}.frame`);
  const params = json.params;
  if (!Array.isArray(params) || params.length !== 7) {
    throw new MissionFormatError(
      `${where}.params`,
      `expected 7 params, got ${JSON.stringify(params)}`,
    );
  }
  const p = params.map((v, k) => num(v, `${where}.params[${k}]`, true));
  if (json.autoContinue !== undefined && typeof json.autoContinue !== 'boolean') {
    throw new MissionFormatError(
      `${where}.autoContinue`,
      `expected true or false, got ${JSON.stringify(json.autoContinue)}`,
    );
  }
  const hasXY = Number.isFinite(p[4]!) && Number.isFinite(p[5]!) && (p[4] !== 0 || p[5] !== 0);
  let position: LonLat | null = null;
  if (isPositionalCommand(command) && hasXY) {
    position = latLon([p[4], p[5]], `${where}.params[4..5]`);
  } else if (hasXY) {
    warnings.push(
      `${where}: params 5–6 (${p[4]}, ${p[5]}) of command ${command} dropped (no place in the item shape)`,
    );
  }
  return {
    command,
    frame,
    param1: p[0]!,
    param2: p[1]!,
    param3: p[2]!,
    param4: p[3]!,
    position,
    altM: Number.isFinite(p[6]!) ? p[6]! : 0,
    autocontinue: json.autoContinue !== false,
  };
}

function missionItems(json: Json, where: string, warnings: string[]): MissionItem[] {
  if (!isObject(json))
    throw new MissionFormatError(where, `expected an item object, got ${JSON.stringify(json)}`);
  if (json.type === 'SimpleItem') return [simpleItem(json, where, warnings)];
  if (json.type !== 'ComplexItem') {
    throw new MissionFormatError(
      `${where}.type`,
      `expected "SimpleItem" or "ComplexItem", got ${JSON.stringify(json.type)}`,
    );
  }
  const kind = String(json.complexItemType);
  // Survey and corridor scans keep their generated items under TransectStyleComplexItem.Items.
  const transect = json.TransectStyleComplexItem;
  const stored = isObject(transect) ? transect.Items : json.Items;
  if (Array.isArray(stored)) {
    const base = isObject(transect) ? `${where}.TransectStyleComplexItem.Items` : `${where}.Items`;
    return stored.flatMap((it, k) => missionItems(it, `${base}[${k}]`, warnings));
  }
  warnings.push(
    `${where}: ${kind} complex item stores no mission items (QGroundControl regenerates them from its polygon); skipped`,
  );
  return [];
}

/**
 * Reads a QGroundControl `.plan`: simple items, the stored items of complex items (survey,
 * corridor scan), the geofence polygons and circles and the rally points. Throws
 * {@link MissionFormatError} naming the JSON path of the first malformed value.
 *
 * @example
 * const plan = parseQgcPlan(readFileSync('mission.plan', 'utf8'));
 * plan.mission.length; plan.warnings;
 */
export function parseQgcPlan(text: string): QgcPlan {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MissionFormatError(
      'file',
      `not JSON (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  if (!isObject(doc)) throw new MissionFormatError('file', 'expected a JSON object');
  if (doc.fileType !== 'Plan') {
    throw new MissionFormatError(
      'fileType',
      `expected "Plan", got ${JSON.stringify(doc.fileType)}`,
    );
  }
  const mission = doc.mission;
  if (!isObject(mission)) throw new MissionFormatError('mission', 'expected an object');
  if (!Array.isArray(mission.items))
    throw new MissionFormatError('mission.items', 'expected an array');
  const warnings: string[] = [];
  const items = mission.items.flatMap((it, i) => missionItems(it, `mission.items[${i}]`, warnings));
  const homeJson = mission.plannedHomePosition;
  if (!Array.isArray(homeJson) || homeJson.length !== 3) {
    throw new MissionFormatError(
      'mission.plannedHomePosition',
      `expected [lat, lon, alt], got ${JSON.stringify(homeJson)}`,
    );
  }
  const home = latLon(homeJson, 'mission.plannedHomePosition');

  const fence: MissionItem[] = [];
  const fenceItem = (command: number, p: LonLat, param1: number): MissionItem => ({
    command,
    frame: MAV_FRAME.GLOBAL,
    param1,
    param2: 0,
    param3: 0,
    param4: 0,
    position: p,
    altM: 0,
    autocontinue: true,
  });
  const geoFence = doc.geoFence;
  if (geoFence !== undefined) {
    if (!isObject(geoFence)) throw new MissionFormatError('geoFence', 'expected an object');
    const polygons = geoFence.polygons ?? [];
    const circles = geoFence.circles ?? [];
    if (!Array.isArray(polygons))
      throw new MissionFormatError('geoFence.polygons', 'expected an array');
    if (!Array.isArray(circles))
      throw new MissionFormatError('geoFence.circles', 'expected an array');
    polygons.forEach((poly, i) => {
      const where = `geoFence.polygons[${i}]`;
      if (!isObject(poly) || !Array.isArray(poly.polygon) || poly.polygon.length < 3) {
        throw new MissionFormatError(where, 'expected { inclusion, polygon: [[lat, lon] × ≥ 3] }');
      }
      const cmd =
        poly.inclusion === false
          ? MAV_CMD.NAV_FENCE_POLYGON_VERTEX_EXCLUSION
          : MAV_CMD.NAV_FENCE_POLYGON_VERTEX_INCLUSION;
      const ring = poly.polygon;
      ring.forEach((v, k) =>
        fence.push(fenceItem(cmd, latLon(v, `${where}.polygon[${k}]`), ring.length)),
      );
    });
    circles.forEach((c, i) => {
      const where = `geoFence.circles[${i}]`;
      if (!isObject(c) || !isObject(c.circle))
        throw new MissionFormatError(where, 'expected { circle: { center, radius } }');
      const cmd =
        c.inclusion === false
          ? MAV_CMD.NAV_FENCE_CIRCLE_EXCLUSION
          : MAV_CMD.NAV_FENCE_CIRCLE_INCLUSION;
      const radius = num(c.circle.radius, `${where}.circle.radius`);
      fence.push(fenceItem(cmd, latLon(c.circle.center, `${where}.circle.center`), radius));
    });
  }
  const rally: MissionItem[] = [];
  const rallyPoints = doc.rallyPoints;
  if (rallyPoints !== undefined) {
    if (!isObject(rallyPoints) || !Array.isArray(rallyPoints.points ?? [])) {
      throw new MissionFormatError('rallyPoints.points', 'expected an array of [lat, lon, alt]');
    }
    ((rallyPoints.points ?? []) as Json[]).forEach((p, i) => {
      const where = `rallyPoints.points[${i}]`;
      if (!Array.isArray(p) || p.length !== 3)
        throw new MissionFormatError(where, `expected [lat, lon, alt], got ${JSON.stringify(p)}`);
      rally.push({
        command: MAV_CMD.NAV_RALLY_POINT,
        frame: MAV_FRAME.GLOBAL_RELATIVE_ALT,
        param1: 0,
        param2: 0,
        param3: 0,
        param4: 0,
        position: latLon(p, where),
        altM: num(p[2], `${where}[2] (altitude)`),
        autocontinue: true,
      });
    });
  }
  return {
    mission: items,
    fence,
    rally,
    home,
    homeAltAmslM: num(homeJson[2], 'mission.plannedHomePosition[2] (altitude)'),
    cruiseSpeedMps: num(mission.cruiseSpeed ?? 15, 'mission.cruiseSpeed'),
    hoverSpeedMps: num(mission.hoverSpeed ?? 5, 'mission.hoverSpeed'),
    firmwareType: num(mission.firmwareType ?? 12, 'mission.firmwareType'),
    vehicleType: num(mission.vehicleType ?? 2, 'mission.vehicleType'),
    warnings,
  };
}
