import { MISSION_PURPOSE_NAMES, type MissionPurposeName } from '../../../db/index';

/**
 * What a mission is for, and the priority that follows from it. Higher flies first and may
 * preempt queued lower-priority sorties on the same dock.
 */
export const MISSION_PURPOSES = MISSION_PURPOSE_NAMES;
export type MissionPurpose = MissionPurposeName;

const PRIORITY: Readonly<Record<MissionPurpose, number>> = {
  emergency_rescue: 60,
  forest_fire_patrol: 50,
  river_flood: 40,
  pollution: 30,
  anti_logging: 20,
  line_inspection: 10,
};

/**
 * The priority of a purpose: emergency rescue > fire > flood > pollution > logging > routine
 * line inspection.
 *
 * @example
 * missionPriority('emergency_rescue') > missionPriority('forest_fire_patrol'); // → true
 */
export function missionPriority(purpose: MissionPurpose): number {
  return PRIORITY[purpose];
}
