import { fenceItems, rallyItems } from '../../../missions/fence/index';
import { MAV_CMD, type MissionItem, type Plan } from '../../../missions/types/index';

const wp = (lon: number, lat: number, altM: number, hold = 0): MissionItem => ({
  command: MAV_CMD.NAV_WAYPOINT,
  frame: 3,
  param1: hold,
  param2: 0,
  param3: 0,
  param4: Number.NaN,
  position: [lon, lat],
  altM,
  autocontinue: true,
});

/** A small two-sortie plan written by hand, for exporter tests. */
export function samplePlan(): Plan {
  const home: [number, number] = [119.95, 30.4];
  const mission: MissionItem[] = [
    { ...wp(119.95, 30.4, 60), command: MAV_CMD.NAV_TAKEOFF, param1: 0 },
    wp(119.951, 30.401, 60, 3),
    {
      ...wp(0, 0, 0),
      command: MAV_CMD.IMAGE_START_CAPTURE,
      frame: 2,
      position: null,
      param3: 1,
      param4: 0,
    },
    wp(119.952, 30.401, 60),
    { ...wp(0, 0, 0), command: MAV_CMD.NAV_RETURN_TO_LAUNCH, frame: 2, position: null, param4: 0 },
  ];
  const fence = fenceItems(
    [
      {
        kind: 'polygon',
        name: 'sortie',
        rings: [
          [
            [119.94, 30.39],
            [119.96, 30.39],
            [119.96, 30.41],
            [119.94, 30.41],
          ],
        ],
      },
    ],
    [
      {
        kind: 'polygon',
        name: 'school',
        rings: [
          [
            [119.955, 30.395],
            [119.956, 30.395],
            [119.956, 30.396],
          ],
        ],
      },
      { kind: 'circle', name: 'mast', center: [119.945, 30.405], radiusM: 50 },
    ],
  );
  const rally = rallyItems([{ position: home, altM: 60 }]);
  const sortie = (index: number) => ({
    index,
    dockId: 'nest-<1>',
    home,
    homeAltAmslM: 42.5,
    mission,
    fence,
    rally,
    route: [home, [119.951, 30.401], [119.952, 30.401], home] as [number, number][],
    timeS: 321.5,
    lengthM: 400,
    batteryUsedPct: 13.4,
    photoCount: 1,
    turns: 3,
    work: ['point 1', 'point 2'],
  });
  return {
    sorties: [sortie(0), sortie(1)],
    paths: [
      {
        kind: 'lane',
        coordinates: [
          [119.951, 30.401],
          [119.952, 30.401],
        ],
        altitudeAglM: 60,
        triggerDistanceM: 20,
        label: 'lane 1',
        sortie: 0,
      },
    ],
    points: [
      { position: [119.951, 30.401], id: 'p & 1', order: 0, sortie: 0 },
      { position: [119.952, 30.401], id: null, order: 1, sortie: 1 },
    ],
    footprints: [
      [
        [119.9509, 30.4009],
        [119.9511, 30.4009],
        [119.9511, 30.4011],
        [119.9509, 30.4011],
      ],
    ],
    statistics: {
      lengthM: 800,
      workLengthM: 600,
      lowerBoundM: 700,
      flightTimeS: 643,
      sorties: 2,
      sortieLowerBound: 1,
      photoCount: 2,
      coveredAreaM2: 0,
      coveragePct: null,
      turns: 6,
      laneSpacingM: null,
      inspectionPoints: 2,
      tourLengthM: 400,
      tourLowerBoundM: 400,
      tourGapPct: 0,
    },
    warnings: [],
    altitudeReference: 'dock',
  };
}
