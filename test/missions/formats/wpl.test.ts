import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWpl, toWpl } from '../../../missions/formats/index';
import { samplePlan } from './sample-plan';

const sample = readFileSync(
  new URL('../../fixtures/routes/wpl/mission_planner_sample.txt', import.meta.url),
  'utf8',
);

describe('QGC WPL 110', () => {
  it('reads the Mission Planner sample', () => {
    const { home, mission } = parseWpl(sample);
    expect(home).toBeNull();
    expect(mission.map((i) => i.command)).toEqual([22, 16, 16, 20]);
    expect(mission[0]).toMatchObject({
      frame: 5,
      position: [8.545538, 47.3978101],
      altM: 15,
      autocontinue: true,
    });
  });

  it('round-trips items and the home line', () => {
    const s = samplePlan().sorties[0]!;
    const text = toWpl(s.mission, { position: s.home, altAmslM: 42.5 });
    expect(text.split('\n')[1]).toBe('0\t1\t0\t16\t0\t0\t0\t0\t30.4\t119.95\t42.5\t1');
    const back = parseWpl(text);
    expect(back.home).toEqual({ position: s.home, altAmslM: 42.5 });
    // The format has no NaN: NaN params come back as 0.
    expect(back.mission).toEqual(
      s.mission.map((i) => ({ ...i, param4: Number.isNaN(i.param4) ? 0 : i.param4 })),
    );
    const again = parseWpl(toWpl(parseWpl(sample).mission));
    expect(again.mission).toEqual(parseWpl(sample).mission);
  });

  it('names the line and field of a malformed value', () => {
    expect(() => parseWpl('QGC WPL 100\n')).toThrow(
      'line 1: expected the header "QGC WPL 110", got "QGC WPL 100"',
    );
    expect(() => parseWpl(sample.replace('47.3977992', 'abc'))).toThrow(
      'line 3, field 9 (latitude): expected a number, got "abc"',
    );
    expect(() => parseWpl(sample.replace('\t15\t1\n1', '\t1\n1'))).toThrow(
      'line 2: expected 12 fields, got 11',
    );
    expect(() => parseWpl(sample.replace('\n2\t', '\n7\t'))).toThrow(
      'line 4, field 1 (index): expected 2, got 7',
    );
  });
});
