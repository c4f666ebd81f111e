/**
 * A malformed mission file. `where` names the line and field (`line 3, field 9 (latitude)`) or
 * the JSON path (`mission.items[2].params`), and the message says what was expected.
 *
 * @example
 * throw new MissionFormatError('line 3, field 9 (latitude)', 'expected a number, got "abc"');
 */
export class MissionFormatError extends Error {
  override readonly name = 'MissionFormatError';
  readonly code = 'FORMAT_INVALID';
  constructor(
    readonly where: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${detail}`, options);
  }
}
