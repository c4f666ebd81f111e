/**
 * The closed result taxonomy of every protocol in the bridge. Inside protocols outcomes are
 * values; {@link BridgeError} turns a failed outcome into a typed error at the boundary.
 */

/** Every way a protocol exchange can end without success. Closed: add nothing ad hoc. */
export type FailureKind =
  /** No answer after all retries (and transfer restarts). */
  | 'timeout'
  /** The vehicle answered with an error (MAV_MISSION_ERROR, NO_SPACE, INVALID…, MAV_RESULT_FAILED). */
  | 'rejected'
  /** The vehicle refused on policy (MAV_RESULT_DENIED, MAV_MISSION_DENIED). */
  | 'denied'
  /** The vehicle does not support the command, mission type or frame. */
  | 'unsupported'
  /** The vehicle is busy or not ready yet (MAV_RESULT_TEMPORARILY_REJECTED). */
  | 'busy'
  /** The vehicle broke the protocol (wrong sequence, early ACK, out-of-range request). */
  | 'protocol-error'
  /** Cancelled by us (AbortSignal) or by the vehicle (MAV_RESULT_CANCELLED, OPERATION_CANCELLED). */
  | 'cancelled'
  /** The link refused to send. */
  | 'link-down'
  /** The transfer succeeded but what the vehicle holds differs from what was sent. */
  | 'mismatch';

export interface Failure {
  ok: false;
  kind: FailureKind;
  /** Human-readable reason naming what happened and what was expected. */
  reason: string;
  /** The raw MAVLink result code when the vehicle sent one (MAV_RESULT or MAV_MISSION_RESULT). */
  code?: number;
}

export interface Success<T> {
  ok: true;
  value: T;
}

/** The result union every protocol returns. */
export type Outcome<T> = Success<T> | Failure;

/**
 * Builds a success.
 *
 * @example
 * return succeed({ items });
 */
export function succeed<T>(value: T): Success<T> {
  return { ok: true, value };
}

/**
 * Builds a failure.
 *
 * @example
 * return fail('timeout', 'no MISSION_REQUEST after MISSION_COUNT (5 retries, 2 restarts)');
 */
export function fail(kind: FailureKind, reason: string, code?: number): Failure {
  return code === undefined ? { ok: false, kind, reason } : { ok: false, kind, reason, code };
}

/** SCREAMING_SNAKE error codes, one per failure kind and capability. */
export type BridgeErrorCode = `${'MISSION' | 'COMMAND' | 'DOCK'}_${Uppercase<
  | 'timeout'
  | 'rejected'
  | 'denied'
  | 'unsupported'
  | 'busy'
  | 'protocol_error'
  | 'cancelled'
  | 'link_down'
  | 'mismatch'
>}`;

/** A failed outcome as a typed error, for callers that prefer throwing at the boundary. */
export class BridgeError extends Error {
  readonly kind: FailureKind;
  readonly code: BridgeErrorCode;
  readonly mavResult: number | undefined;

  constructor(scope: 'mission' | 'command' | 'dock', failure: Failure, options?: ErrorOptions) {
    super(failure.reason, options);
    this.name = 'BridgeError';
    this.kind = failure.kind;
    this.mavResult = failure.code;
    this.code =
      `${scope.toUpperCase()}_${failure.kind.replace('-', '_').toUpperCase()}` as BridgeErrorCode;
  }
}

/**
 * Returns the value of a successful outcome or throws a {@link BridgeError}.
 *
 * @example
 * const items = unwrap('mission', await missions.download('mission'));
 */
export function unwrap<T>(scope: 'mission' | 'command' | 'dock', outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new BridgeError(scope, outcome);
}
