import { createRequire } from 'node:module';
import type * as RRuleModule from 'rrule';

// rrule 2.8 ships its ESM build without `"type": "module"`, so Node's ESM loader only sees the
// UMD build, whose named exports it cannot detect: load it through require.
const { RRule, Frequency } = createRequire(import.meta.url)('rrule') as typeof RRuleModule;

/** When a mission's sorties fly. */
export type MissionSchedule =
  | { kind: 'immediate' }
  | { kind: 'at'; at: string }
  | {
      kind: 'recurring';
      /** An RFC 5545 RRULE without DTSTART, e.g. `FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0`. */
      rule: string;
      /** First day of the season (ISO 8601 instant); occurrences start here. */
      startsAt: string;
      /** End of the season (ISO 8601 instant, exclusive). */
      endsAt: string;
      /** IANA time zone the rule's hours are in, e.g. `Asia/Shanghai`. */
      timeZone: string;
    };

export class RecurrenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecurrenceError';
  }
}

/** Frequencies slower than this are refused: a dock cannot fly a sortie every minute. */
const FASTEST = Frequency.HOURLY;
const RULE_PARTS = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);
const FREQUENCIES = new Set([
  'YEARLY',
  'MONTHLY',
  'WEEKLY',
  'DAILY',
  'HOURLY',
  'MINUTELY',
  'SECONDLY',
]);
/** Most occurrences one call returns (a guard against a runaway rule). */
export const MAX_OCCURRENCES_PER_CALL = 10_000;

/**
 * Offset of `timeZone` from UTC at instant `ms`, in ms (Asia/Shanghai → +28_800_000).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function zoneOffsetMs(timeZone: string, ms: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** A wall-clock time in `timeZone`, written as if it were UTC, to the real instant. */
function wallToInstantMs(wallMs: number, timeZone: string): number {
  let guess = wallMs - zoneOffsetMs(timeZone, wallMs);
  guess = wallMs - zoneOffsetMs(timeZone, guess);
  return guess;
}

/**
 * Checks a schedule: the rule parses, is at most hourly, the zone exists, the season is ordered.
 * Throws {@link RecurrenceError} naming what is wrong.
 *
 * @example
 * validateSchedule({ kind: 'recurring', rule: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
 *   startsAt: '2026-04-01T00:00:00+08:00', endsAt: '2026-07-01T00:00:00+08:00', timeZone: 'Asia/Shanghai' });
 */
export function validateSchedule(schedule: MissionSchedule): void {
  if (schedule.kind !== 'recurring') return;
  try {
    formatterFor(schedule.timeZone);
  } catch (err) {
    throw new RecurrenceError(`unknown time zone ${schedule.timeZone}`, { cause: err });
  }
  if (/DTSTART/i.test(schedule.rule)) {
    throw new RecurrenceError('give the season with startsAt, not DTSTART inside the rule');
  }
  const body = schedule.rule.replace(/^RRULE:/i, '');
  for (const part of body.split(';')) {
    const [key, value] = part.split('=');
    if (!key || value === undefined || !RULE_PARTS.has(key.toUpperCase())) {
      throw new RecurrenceError(`not an RFC 5545 RRULE part: ${part} in ${schedule.rule}`);
    }
    if (key.toUpperCase() === 'FREQ' && !FREQUENCIES.has(value.toUpperCase())) {
      throw new RecurrenceError(`FREQ=${value} is not an RFC 5545 frequency`);
    }
  }
  let options: Partial<RRuleModule.Options>;
  try {
    options = RRule.parseString(body);
  } catch (err) {
    throw new RecurrenceError(`not an RFC 5545 RRULE: ${schedule.rule}`, { cause: err });
  }
  if (options.freq === undefined)
    throw new RecurrenceError(`the rule has no FREQ: ${schedule.rule}`);
  if (options.freq > FASTEST) {
    throw new RecurrenceError(
      `FREQ=${Frequency[options.freq]} is too frequent; use HOURLY or slower`,
    );
  }
  if (Date.parse(schedule.endsAt) <= Date.parse(schedule.startsAt)) {
    throw new RecurrenceError(
      `the season ends (${schedule.endsAt}) before it starts (${schedule.startsAt})`,
    );
  }
}

/**
 * The occurrence instants (ms since the epoch) of a schedule in `[fromMs, toMs)`, ascending.
 * An immediate schedule occurs once, at `createdAtMs`. Recurring rules are expanded in the
 * schedule's time zone (10:00 in Asia/Shanghai is 02:00 UTC), within the season.
 *
 * @example
 * scheduleOccurrences({ kind: 'recurring', rule: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
 *   startsAt: '2026-04-01T00:00:00+08:00', endsAt: '2026-07-01T00:00:00+08:00',
 *   timeZone: 'Asia/Shanghai' }, Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-04-02T00:00:00Z'), 0);
 * // → [Date.parse('2026-04-01T02:00:00Z'), Date.parse('2026-04-01T06:00:00Z')]
 */
export function scheduleOccurrences(
  schedule: MissionSchedule,
  fromMs: number,
  toMs: number,
  createdAtMs: number,
): number[] {
  if (schedule.kind === 'immediate') {
    return createdAtMs >= fromMs && createdAtMs < toMs ? [createdAtMs] : [];
  }
  if (schedule.kind === 'at') {
    const at = Date.parse(schedule.at);
    return at >= fromMs && at < toMs ? [at] : [];
  }
  validateSchedule(schedule);
  const seasonStart = Date.parse(schedule.startsAt);
  const seasonEnd = Date.parse(schedule.endsAt);
  const from = Math.max(fromMs, seasonStart);
  const to = Math.min(toMs, seasonEnd);
  if (from >= to) return [];
  const tz = schedule.timeZone;
  const options = RRule.parseString(schedule.rule.replace(/^RRULE:/i, ''));
  // Expand in "floating" wall-clock time (wall times written as UTC), then map each to its
  // instant in the zone: rrule's own TZID support depends on the host's zone.
  const wallStart = Math.floor((seasonStart + zoneOffsetMs(tz, seasonStart)) / 60_000) * 60_000;
  const rule = new RRule({ ...options, dtstart: new Date(wallStart), tzid: null });
  // A day of slack each side covers any zone offset.
  const wallFrom = new Date(from + zoneOffsetMs(tz, from) - 86_400_000);
  const wallTo = new Date(to + zoneOffsetMs(tz, to) + 86_400_000);
  const out: number[] = [];
  rule.between(wallFrom, wallTo, true, (d) => {
    const at = wallToInstantMs(d.getTime(), tz);
    if (at >= from && at < to) out.push(at);
    return out.length < MAX_OCCURRENCES_PER_CALL;
  });
  return out;
}
