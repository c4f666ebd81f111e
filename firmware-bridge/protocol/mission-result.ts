/** MAV_MISSION_RESULT → the closed failure taxonomy. */
import { fail } from './outcome';
import type { Failure } from './outcome';

const NAMES: Record<number, string> = {
  1: 'ERROR',
  2: 'UNSUPPORTED_FRAME',
  3: 'UNSUPPORTED',
  4: 'NO_SPACE',
  5: 'INVALID',
  6: 'INVALID_PARAM1',
  7: 'INVALID_PARAM2',
  8: 'INVALID_PARAM3',
  9: 'INVALID_PARAM4',
  10: 'INVALID_PARAM5_X',
  11: 'INVALID_PARAM6_Y',
  12: 'INVALID_PARAM7',
  13: 'INVALID_SEQUENCE',
  14: 'DENIED',
  15: 'OPERATION_CANCELLED',
};

/**
 * Maps a non-accepted MAV_MISSION_RESULT to a failure. ERROR, NO_SPACE and INVALID* are
 * `rejected`; UNSUPPORTED* `unsupported`; INVALID_SEQUENCE `protocol-error`; DENIED `denied`;
 * OPERATION_CANCELLED `cancelled`; unknown codes `rejected`.
 *
 * @example
 * missionResultFailure(4, 'mission upload'); // { kind: 'rejected', reason: 'mission upload: vehicle answered MAV_MISSION_NO_SPACE', code: 4 }
 */
export function missionResultFailure(type: number, what: string): Failure {
  const name = NAMES[type] ?? `result ${type}`;
  const reason = `${what}: vehicle answered MAV_MISSION_${name}`;
  if (type === 2 || type === 3) return fail('unsupported', reason, type);
  if (type === 13) return fail('protocol-error', reason, type);
  if (type === 14) return fail('denied', reason, type);
  if (type === 15) return fail('cancelled', reason, type);
  return fail('rejected', reason, type);
}
