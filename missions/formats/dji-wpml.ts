import JSZip from 'jszip';
import { MAV_CMD, type LonLat, type MissionItem } from '../types/index';

/** Aircraft and payload of a DJI WPML file (enum values from the DJI WPML reference). */
export interface DjiWpmlOptions {
  /** `droneEnumValue` (77 = Mavic 3 Enterprise series, 91 = Matrice 3D series). Default 77. */
  droneEnumValue?: number;
  droneSubEnumValue?: number;
  /** `payloadEnumValue` (66 = Mavic 3E camera). Default 66. */
  payloadEnumValue?: number;
  /** Speed along the wayline, m/s. Default 10. */
  speedMps?: number;
  /** Climb height before heading to the first waypoint, m. Default 20. */
  takeOffSecurityHeightM?: number;
}

interface Waypoint {
  position: LonLat;
  heightM: number;
  actions: string[];
  /** Distance-interval photos that start here and run to `intervalEnd`. */
  intervalM: number | null;
  intervalEnd: number;
}

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toFixed(8))) : '0');

function action(id: number, func: string, params: Record<string, string | number>): string {
  const p = Object.entries(params)
    .map(([k, v]) => `<wpml:${k}>${typeof v === 'number' ? num(v) : v}</wpml:${k}>`)
    .join('');
  // Aircraft actions (hover, rotateYaw) carry no payload index.
  const payload =
    func === 'hover' || func === 'rotateYaw'
      ? ''
      : '<wpml:payloadPositionIndex>0</wpml:payloadPositionIndex>';
  return `<wpml:action><wpml:actionId>${id}</wpml:actionId><wpml:actionActuatorFunc>${func}</wpml:actionActuatorFunc><wpml:actionActuatorFuncParam>${p}${payload}</wpml:actionActuatorFuncParam></wpml:action>`;
}

/** Waypoints with their actions, read from MAVLink items (DO items act at the preceding waypoint). */
function waypointsOf(mission: readonly MissionItem[]): Waypoint[] {
  const out: Waypoint[] = [];
  let openInterval: Waypoint | null = null;
  for (const item of mission) {
    if (
      (item.command === MAV_CMD.NAV_WAYPOINT || item.command === MAV_CMD.NAV_TAKEOFF) &&
      item.position
    ) {
      if (item.command === MAV_CMD.NAV_TAKEOFF) continue; // DJI takes off by itself (takeOffSecurityHeight)
      const wp: Waypoint = {
        position: item.position,
        heightM: item.altM,
        actions: [],
        intervalM: null,
        intervalEnd: -1,
      };
      out.push(wp);
      if (openInterval) openInterval.intervalEnd = out.length - 1;
      if (item.param1 > 0) wp.actions.push(`hover:${item.param1}`);
      continue;
    }
    const wp = out[out.length - 1];
    if (!wp) continue;
    switch (item.command) {
      case MAV_CMD.IMAGE_START_CAPTURE:
        wp.actions.push('photo');
        break;
      case MAV_CMD.DO_GIMBAL_MANAGER_PITCHYAW:
      case MAV_CMD.DO_MOUNT_CONTROL:
        wp.actions.push(`gimbal:${item.param1}`);
        break;
      case MAV_CMD.CONDITION_YAW:
        wp.actions.push(`yaw:${item.param1}`);
        break;
      case MAV_CMD.DO_SET_CAM_TRIGG_DIST:
        if (item.param1 > 0) {
          wp.intervalM = item.param1;
          wp.intervalEnd = out.length - 1;
          openInterval = wp;
        } else {
          openInterval = null;
        }
        break;
      default:
        break;
    }
  }
  return out;
}

function placemark(
  wp: Waypoint,
  index: number,
  speedMps: number,
  groupId: { next: number },
): string {
  const groups: string[] = [];
  let actionId = 0;
  const point = wp.actions
    .map((a) => {
      const [kind, value] = a.split(':') as [string, string | undefined];
      const v = Number(value);
      if (kind === 'hover') return action(actionId++, 'hover', { hoverTime: v });
      if (kind === 'photo')
        return action(actionId++, 'takePhoto', {
          fileSuffix: `point${index + 1}`,
          useGlobalPayloadLensIndex: 1,
        });
      if (kind === 'gimbal') {
        return action(actionId++, 'gimbalRotate', {
          gimbalRotateMode: 'absoluteAngle',
          gimbalPitchRotateEnable: 1,
          gimbalPitchRotateAngle: v,
          gimbalRollRotateEnable: 0,
          gimbalRollRotateAngle: 0,
          gimbalYawRotateEnable: 0,
          gimbalYawRotateAngle: 0,
          gimbalRotateTimeEnable: 0,
          gimbalRotateTime: 0,
        });
      }
      // DJI headings run −180…180 clockwise from north.
      const heading = v > 180 ? v - 360 : v;
      return action(actionId++, 'rotateYaw', {
        aircraftHeading: heading,
        aircraftPathMode: 'counterClockwise',
      });
    })
    .join('');
  if (point) {
    groups.push(
      `<wpml:actionGroup><wpml:actionGroupId>${groupId.next++}</wpml:actionGroupId><wpml:actionGroupStartIndex>${index}</wpml:actionGroupStartIndex><wpml:actionGroupEndIndex>${index}</wpml:actionGroupEndIndex><wpml:actionGroupMode>sequence</wpml:actionGroupMode><wpml:actionTrigger><wpml:actionTriggerType>reachPoint</wpml:actionTriggerType></wpml:actionTrigger>${point}</wpml:actionGroup>`,
    );
  }
  if (wp.intervalM) {
    groups.push(
      `<wpml:actionGroup><wpml:actionGroupId>${groupId.next++}</wpml:actionGroupId><wpml:actionGroupStartIndex>${index}</wpml:actionGroupStartIndex><wpml:actionGroupEndIndex>${Math.max(index, wp.intervalEnd)}</wpml:actionGroupEndIndex><wpml:actionGroupMode>sequence</wpml:actionGroupMode><wpml:actionTrigger><wpml:actionTriggerType>multipleDistance</wpml:actionTriggerType><wpml:actionTriggerParam>${num(wp.intervalM)}</wpml:actionTriggerParam></wpml:actionTrigger>${action(0, 'takePhoto', { fileSuffix: `lane${index + 1}`, useGlobalPayloadLensIndex: 1 })}</wpml:actionGroup>`,
    );
  }
  return [
    '      <Placemark>',
    `        <Point><coordinates>${num(wp.position[0])},${num(wp.position[1])}</coordinates></Point>`,
    `        <wpml:index>${index}</wpml:index>`,
    `        <wpml:executeHeight>${num(wp.heightM)}</wpml:executeHeight>`,
    `        <wpml:waypointSpeed>${num(speedMps)}</wpml:waypointSpeed>`,
    '        <wpml:waypointHeadingParam><wpml:waypointHeadingMode>followWayline</wpml:waypointHeadingMode><wpml:waypointHeadingAngle>0</wpml:waypointHeadingAngle><wpml:waypointPoiPoint>0.000000,0.000000,0.000000</wpml:waypointPoiPoint><wpml:waypointHeadingAngleEnable>0</wpml:waypointHeadingAngleEnable><wpml:waypointHeadingPoiIndex>0</wpml:waypointHeadingPoiIndex></wpml:waypointHeadingParam>',
    '        <wpml:waypointTurnParam><wpml:waypointTurnMode>toPointAndStopWithDiscontinuityCurvature</wpml:waypointTurnMode><wpml:waypointTurnDampingDist>0</wpml:waypointTurnDampingDist></wpml:waypointTurnParam>',
    '        <wpml:useStraightLine>1</wpml:useStraightLine>',
    ...groups.map((g) => `        ${g}`),
    '      </Placemark>',
  ].join('\n');
}

/**
 * A DJI WPML 1.0.3 mission (KMZ: `wpmz/template.kml` + `wpmz/waylines.wpml`) of one sortie for
 * DJI Pilot 2 / FlightHub 2 / docks: waypoints at heights relative to the take-off point, point
 * actions (hover, gimbal pitch, heading, photo) and distance-interval photos along lanes
 * (`multipleDistance` triggers from `DO_SET_CAM_TRIGG_DIST`). The layout follows DJI's sample.
 *
 * @example
 * writeFileSync('sortie-1.kmz', await toDjiWpml(plan.sorties[0].mission));
 */
export async function toDjiWpml(
  mission: readonly MissionItem[],
  options: DjiWpmlOptions = {},
): Promise<Uint8Array> {
  const speedMps = options.speedMps ?? 10;
  const waypoints = waypointsOf(mission);
  if (waypoints.length < 2)
    throw new RangeError(`a DJI wayline needs at least 2 waypoints, got ${waypoints.length}`);
  const config = [
    '    <wpml:missionConfig>',
    '      <wpml:flyToWaylineMode>safely</wpml:flyToWaylineMode>',
    '      <wpml:finishAction>goHome</wpml:finishAction>',
    '      <wpml:exitOnRCLost>executeLostAction</wpml:exitOnRCLost>',
    '      <wpml:executeRCLostAction>goBack</wpml:executeRCLostAction>',
    `      <wpml:takeOffSecurityHeight>${num(options.takeOffSecurityHeightM ?? 20)}</wpml:takeOffSecurityHeight>`,
    `      <wpml:globalTransitionalSpeed>${num(speedMps)}</wpml:globalTransitionalSpeed>`,
    `      <wpml:droneInfo><wpml:droneEnumValue>${options.droneEnumValue ?? 77}</wpml:droneEnumValue><wpml:droneSubEnumValue>${options.droneSubEnumValue ?? 0}</wpml:droneSubEnumValue></wpml:droneInfo>`,
    `      <wpml:payloadInfo><wpml:payloadEnumValue>${options.payloadEnumValue ?? 66}</wpml:payloadEnumValue><wpml:payloadSubEnumValue>0</wpml:payloadSubEnumValue><wpml:payloadPositionIndex>0</wpml:payloadPositionIndex></wpml:payloadInfo>`,
    '    </wpml:missionConfig>',
  ].join('\n');
  let distanceM = 0;
  for (let i = 1; i < waypoints.length; i++) {
    const [a, b] = [waypoints[i - 1]!.position, waypoints[i]!.position];
    const kx = 111_320 * Math.cos((a[1] * Math.PI) / 180);
    distanceM += Math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * 110_540);
  }
  const groupId = { next: 0 };
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:wpml="http://www.dji.com/wpmz/1.0.3">\n  <Document>';
  const waylines = [
    head,
    config,
    '    <Folder>',
    '      <wpml:templateId>0</wpml:templateId>',
    '      <wpml:executeHeightMode>relativeToStartPoint</wpml:executeHeightMode>',
    '      <wpml:waylineId>0</wpml:waylineId>',
    `      <wpml:distance>${num(distanceM)}</wpml:distance>`,
    `      <wpml:duration>${num(distanceM / speedMps)}</wpml:duration>`,
    `      <wpml:autoFlightSpeed>${num(speedMps)}</wpml:autoFlightSpeed>`,
    ...waypoints.map((wp, i) => placemark(wp, i, speedMps, groupId)),
    '    </Folder>',
    '  </Document>',
    '</kml>',
    '',
  ].join('\n');
  const template = [
    head,
    config,
    '    <Folder>',
    '      <wpml:templateType>waypoint</wpml:templateType>',
    '      <wpml:templateId>0</wpml:templateId>',
    '      <wpml:waylineCoordinateSysParam><wpml:coordinateMode>WGS84</wpml:coordinateMode><wpml:heightMode>relativeToStartPoint</wpml:heightMode><wpml:positioningType>GPS</wpml:positioningType></wpml:waylineCoordinateSysParam>',
    `      <wpml:autoFlightSpeed>${num(speedMps)}</wpml:autoFlightSpeed>`,
    `      <wpml:globalHeight>${num(waypoints[0]!.heightM)}</wpml:globalHeight>`,
    '      <wpml:caliFlightEnable>0</wpml:caliFlightEnable>',
    '      <wpml:gimbalPitchMode>manual</wpml:gimbalPitchMode>',
    '      <wpml:globalWaypointHeadingParam><wpml:waypointHeadingMode>followWayline</wpml:waypointHeadingMode><wpml:waypointHeadingAngle>0</wpml:waypointHeadingAngle><wpml:waypointPoiPoint>0.000000,0.000000,0.000000</wpml:waypointPoiPoint><wpml:waypointHeadingPoiIndex>0</wpml:waypointHeadingPoiIndex></wpml:globalWaypointHeadingParam>',
    '      <wpml:globalWaypointTurnMode>toPointAndStopWithDiscontinuityCurvature</wpml:globalWaypointTurnMode>',
    '      <wpml:globalUseStraightLine>1</wpml:globalUseStraightLine>',
    ...waypoints.map(
      (wp, i) =>
        `      <Placemark><Point><coordinates>${num(wp.position[0])},${num(wp.position[1])}</coordinates></Point><wpml:index>${i}</wpml:index><wpml:ellipsoidHeight>${num(wp.heightM)}</wpml:ellipsoidHeight><wpml:height>${num(wp.heightM)}</wpml:height><wpml:useGlobalHeight>0</wpml:useGlobalHeight><wpml:useGlobalSpeed>1</wpml:useGlobalSpeed><wpml:useGlobalHeadingParam>1</wpml:useGlobalHeadingParam><wpml:useGlobalTurnParam>1</wpml:useGlobalTurnParam><wpml:useStraightLine>1</wpml:useStraightLine></Placemark>`,
    ),
    '    </Folder>',
    '  </Document>',
    '</kml>',
    '',
  ].join('\n');
  const zip = new JSZip();
  zip.file('wpmz/template.kml', template);
  zip.file('wpmz/waylines.wpml', waylines);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
