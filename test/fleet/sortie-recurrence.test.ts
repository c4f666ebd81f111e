import { describe, expect, it } from 'vitest';
import {
  RecurrenceError,
  scheduleOccurrences,
  validateSchedule,
  type MissionSchedule,
} from '../../src/services/fleet/sortie-recurrence';

const fireSeason: MissionSchedule = {
  kind: 'recurring',
  rule: 'FREQ=DAILY;BYHOUR=10,14;BYMINUTE=0',
  startsAt: '2026-04-01T00:00:00+08:00',
  endsAt: '2026-07-01T00:00:00+08:00',
  timeZone: 'Asia/Shanghai',
};
const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

describe('recurring schedules', () => {
  it('fly daily at 10:00 and 14:00 Hangzhou time (02:00 and 06:00 UTC)', () => {
    const got = scheduleOccurrences(
      fireSeason,
      Date.parse('2026-05-10T00:00:00Z'),
      Date.parse('2026-05-12T00:00:00Z'),
      0,
    );
    expect(iso(got)).toEqual([
      '2026-05-10T02:00:00.000Z',
      '2026-05-10T06:00:00.000Z',
      '2026-05-11T02:00:00.000Z',
      '2026-05-11T06:00:00.000Z',
    ]);
  });

  it('stay inside the season', () => {
    const all = scheduleOccurrences(fireSeason, 0, Date.parse('2030-01-01T00:00:00Z'), 0);
    expect(all).toHaveLength(91 * 2); // April 30 + May 31 + June 30 days
    expect(iso([all[0]!, all.at(-1)!])).toEqual([
      '2026-04-01T02:00:00.000Z',
      '2026-06-30T06:00:00.000Z',
    ]);
  });

  it('give the same occurrences however the range is cut (no duplicates, no gaps)', () => {
    const whole = scheduleOccurrences(fireSeason, 0, Date.parse('2030-01-01T00:00:00Z'), 0);
    const pieces: number[] = [];
    let from = Date.parse('2026-03-30T00:00:00Z');
    for (let i = 0; i < 120; i++) {
      const to = from + 11 * 3_600_000 + 17 * 60_000; // odd slices crossing occurrences
      pieces.push(...scheduleOccurrences(fireSeason, from, to, 0));
      from = to;
    }
    expect(pieces.length).toBeGreaterThan(0);
    expect(new Set(pieces).size).toBe(pieces.length);
    expect(pieces).toEqual(whole.filter((m) => m < from));
  });

  it('follow daylight saving in zones that have it', () => {
    const weekly: MissionSchedule = {
      kind: 'recurring',
      rule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30',
      startsAt: '2026-03-20T00:00:00Z',
      endsAt: '2026-04-07T00:00:00Z',
      timeZone: 'Europe/Berlin',
    };
    expect(iso(scheduleOccurrences(weekly, 0, Date.parse('2027-01-01'), 0))).toEqual([
      '2026-03-23T08:30:00.000Z',
      '2026-03-30T07:30:00.000Z',
      '2026-04-06T07:30:00.000Z',
    ]);
  });

  it('treat immediate and one-off schedules as single occurrences', () => {
    expect(scheduleOccurrences({ kind: 'immediate' }, 0, 100, 42)).toEqual([42]);
    expect(
      scheduleOccurrences(
        { kind: 'at', at: '2026-05-01T02:00:00Z' },
        0,
        Date.parse('2027-01-01'),
        0,
      ),
    ).toEqual([Date.parse('2026-05-01T02:00:00Z')]);
  });

  it.each([
    [{ ...fireSeason, rule: 'FREQ=MINUTELY' }, 'too frequent'],
    [{ ...fireSeason, rule: 'BYHOUR=10' }, 'no FREQ'],
    [{ ...fireSeason, rule: 'FREQ=SOMETIMES' }, 'not an RFC 5545 frequency'],
    [{ ...fireSeason, rule: 'FREQ=DAILY;BYHOURS=10' }, 'not an RFC 5545 RRULE part'],
    [{ ...fireSeason, timeZone: 'Mars/Olympus' }, 'time zone'],
    [{ ...fireSeason, endsAt: '2026-03-01T00:00:00Z' }, 'before it starts'],
    [{ ...fireSeason, rule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' }, 'DTSTART'],
  ] as [MissionSchedule, string][])('refuse %j (%s)', (schedule, message) => {
    expect(() => validateSchedule(schedule)).toThrow(RecurrenceError);
    expect(() => validateSchedule(schedule)).toThrow(message);
  });
});
