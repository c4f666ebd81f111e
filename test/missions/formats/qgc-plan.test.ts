import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MissionFormatError, parseQgcPlan, toQgcPlan } from '../../../missions/formats/index';
import { samplePlan } from './sample-plan';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/routes/qgc/${name}`, import.meta.url), 'utf8');

describe('QGroundControl .plan', () => {
  it('writes the sample back byte for byte after reading it', () => {
    const text = fixture('qgroundcontrol_sample.plan');
    const plan = parseQgcPlan(text);
    expect(plan.mission.map((i) => i.command)).toEqual([22, 16, 2000, 16, 16, 20]);
    expect(plan.mission[0]!.position).toEqual([8.5456075, 47.3977507]);
    expect(Number.isNaN(plan.mission[0]!.param4)).toBe(true);
    expect(toQgcPlan(plan, plan)).toBe(text);
  });

  it('takes the stored items of a survey complex item', () => {
    const plan = parseQgcPlan(fixture('qgroundcontrol_sample_with_survey.plan'));
    expect(plan.mission).toHaveLength(13);
    expect(plan.mission[0]!.command).toBe(530);
    expect(plan.mission.slice(1, 5).map((i) => i.command)).toEqual([16, 206, 16, 206]);
    expect(plan.mission[2]!.param1).toBe(25);
    expect(plan.warnings).toEqual([]);
  });

  it('says that a structure scan stores no items instead of inventing them', () => {
    const plan = parseQgcPlan(fixture('qgroundcontrol_sample_with_structured_scan.plan'));
    expect(plan.mission.map((i) => i.command)).toEqual([530]);
    expect(plan.warnings).toEqual([
      'mission.items[1]: StructureScan complex item stores no mission items (QGroundControl regenerates them from its polygon); skipped',
    ]);
  });

  it('writes geofence polygons, circles and rally points as QGroundControl does and reads them back', () => {
    const s = samplePlan().sorties[0]!;
    const text = toQgcPlan(s, {
      home: s.home,
      homeAltAmslM: 42.5,
      cruiseSpeedMps: 10,
      hoverSpeedMps: 5,
    });
    const json = JSON.parse(text);
    expect(json.geoFence.polygons[0]).toEqual({
      inclusion: true,
      polygon: [
        [30.39, 119.94],
        [30.39, 119.96],
        [30.41, 119.96],
        [30.41, 119.94],
      ],
      version: 1,
    });
    expect(json.geoFence.circles[0]).toEqual({
      circle: { center: [30.405, 119.945], radius: 50 },
      inclusion: false,
      version: 1,
    });
    expect(json.rallyPoints).toEqual({ points: [[30.4, 119.95, 60]], version: 2 });
    expect(text).toContain('        "circles": [\n            {\n                "circle": {');
    const back = parseQgcPlan(text);
    expect(back.mission).toEqual(s.mission);
    expect(back.fence).toEqual(s.fence);
    expect(back.rally).toEqual(s.rally);
    expect(back.home).toEqual(s.home);
  });

  it('names the JSON path of a malformed value', () => {
    const doc = JSON.parse(fixture('qgroundcontrol_sample.plan'));
    doc.mission.items[1].params = [0, 0, 0];
    expect(() => parseQgcPlan(JSON.stringify(doc))).toThrow(
      'mission.items[1].params: expected 7 params, got [0,0,0]',
    );
    doc.mission.items[1].params = [0, 0, 0, null, 95, 8.5, 50];
    expect(() => parseQgcPlan(JSON.stringify(doc))).toThrow(
      /mission\.items\[1\]\.params\[4\.\.5\]\[0\] \(latitude\): expected −90…90, got 95/,
    );
    expect(() => parseQgcPlan('{"fileType": "Plan"')).toThrow(MissionFormatError);
    expect(() => parseQgcPlan('{"fileType": "Mission"}')).toThrow(
      'fileType: expected "Plan", got "Mission"',
    );
  });
});
