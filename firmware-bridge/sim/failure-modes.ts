/**
 * Named failure modes of the simulated vehicle, after QGroundControl's MockLink. Each one makes
 * the vehicle misbehave at exactly one point of a protocol; the documented outcome is what the
 * bridge's state machines end with (tests check every row).
 */
export const FAILURE_MODES = {
  none: 'behaves',
  // uploads (vehicle side of MISSION_COUNT / REQUEST / ITEM / ACK)
  'write-count-no-response': 'never answers MISSION_COUNT → timeout',
  'write-count-first-no-response': 'ignores the first MISSION_COUNT only → success after one retry',
  'write-request-0-no-response': 'never requests item 0 → timeout',
  'write-request-1-no-response': 'never requests item 1 → timeout (old mission kept)',
  'write-request-0-wrong-sequence': 'requests an out-of-range item instead of 0 → protocol-error',
  'write-request-1-wrong-sequence': 'requests an out-of-range item instead of 1 → protocol-error',
  'write-request-0-error-ack': 'answers MISSION_COUNT with MISSION_ACK ERROR → rejected',
  'write-request-1-error-ack':
    'answers item 0 with MISSION_ACK ERROR → rejected (old mission kept)',
  'write-final-ack-no-response': 'never sends the final MISSION_ACK → timeout (old mission kept)',
  'write-final-ack-error-ack': 'final MISSION_ACK is ERROR → rejected (old mission kept)',
  'write-final-ack-missing-requests':
    'ACKs ACCEPTED after item 0 without requesting the rest → protocol-error (old mission kept)',
  'write-request-duplicates': 'sends every MISSION_REQUEST twice → success, each item sent once',
  // downloads
  'read-request-list-no-response': 'never answers MISSION_REQUEST_LIST → timeout',
  'read-request-0-no-response': 'never sends item 0 → timeout',
  'read-request-1-no-response': 'never sends item 1 → timeout',
  'read-request-0-wrong-sequence': 'sends item 1 when 0 is requested → protocol-error',
  'read-request-1-wrong-sequence': 'sends item 2 when 1 is requested → protocol-error',
  'read-request-0-error-ack': 'answers request 0 with MISSION_ACK ERROR → rejected',
  'read-request-1-error-ack': 'answers request 1 with MISSION_ACK ERROR → rejected',
  // idle noise
  'unexpected-ack-while-idle':
    'sends MISSION_ACK ACCEPTED every 700 ms while idle → ignored, transfers succeed',
  // commands
  'command-no-ack': 'never answers COMMAND_LONG/INT → timeout after retries (confirmation 0,1,2,3)',
  'command-no-ack-first': 'ignores the first send of each command → success with confirmation 1',
  'command-in-progress': 'answers IN_PROGRESS 0/50/100 % then ACCEPTED → success with progress',
  'command-in-progress-then-failed': 'answers IN_PROGRESS then FAILED → rejected',
  'command-in-progress-no-result': 'answers IN_PROGRESS once, then nothing → timeout',
} as const;

export type FailureMode = keyof typeof FAILURE_MODES;

/**
 * True when `name` is a known failure mode.
 *
 * @example
 * isFailureMode('write-count-no-response'); // true
 */
export function isFailureMode(name: string): name is FailureMode {
  return Object.hasOwn(FAILURE_MODES, name);
}
