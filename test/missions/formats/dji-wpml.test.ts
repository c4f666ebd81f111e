import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { toDjiWpml } from '../../../missions/formats/index';
import { MAV_CMD, type MissionItem } from '../../../missions/types/index';
import { samplePlan } from './sample-plan';

type Doc = ReturnType<DOMParser['parseFromString']>;
const parse = (text: string): Doc =>
  new DOMParser({
    onError: (level, msg) => {
      throw new Error(`${level}: ${msg}`);
    },
  }).parseFromString(text, 'text/xml');

/** Names of the wpml elements directly under the first Placemark of a wayline file. */
const placemarkChildren = (doc: Doc): string[] => {
  const pm = doc.getElementsByTagName('Placemark')[0]!;
  const names: string[] = [];
  for (let n = pm.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1) names.push((n as unknown as { nodeName: string }).nodeName);
  return names;
};

const unzip = async (bytes: Uint8Array): Promise<{ template: string; waylines: string }> => {
  const zip = await JSZip.loadAsync(bytes);
  return {
    template: await zip.file('wpmz/template.kml')!.async('string'),
    waylines: await zip.file('wpmz/waylines.wpml')!.async('string'),
  };
};

describe('DJI WPML (KMZ)', () => {
  it('lays waylines out as DJI sample does, with point actions', async () => {
    const sample = await unzip(
      readFileSync(
        new URL('../../fixtures/routes/dji-wpml/waypoint_v3_test_file.kmz', import.meta.url),
      ),
    );
    const ours = await unzip(await toDjiWpml(samplePlan().sorties[0]!.mission));
    const theirs = parse(sample.waylines);
    const mine = parse(ours.waylines);
    parse(ours.template);
    expect(mine.documentElement!.getAttribute('xmlns:wpml')).toBe(
      theirs.documentElement!.getAttribute('xmlns:wpml'),
    );
    const expected = placemarkChildren(theirs).filter((n) => n !== 'wpml:actionGroup');
    expect(placemarkChildren(mine).filter((n) => n !== 'wpml:actionGroup')).toEqual(expected);
    expect(mine.getElementsByTagName('Placemark').length).toBe(2);
    const funcs = Array.from(
      { length: mine.getElementsByTagName('wpml:actionActuatorFunc').length },
      (_, i) => mine.getElementsByTagName('wpml:actionActuatorFunc')[i]!.textContent,
    );
    expect(funcs).toEqual(['hover', 'takePhoto']);
  });

  it('turns camera trigger distances into distance-interval photo groups', async () => {
    const wp = (lon: number): MissionItem => ({
      command: MAV_CMD.NAV_WAYPOINT,
      frame: 3,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: Number.NaN,
      position: [lon, 30.4],
      altM: 80,
      autocontinue: true,
    });
    const trig = (d: number): MissionItem => ({
      ...wp(0),
      command: MAV_CMD.DO_SET_CAM_TRIGG_DIST,
      position: null,
      param1: d,
      frame: 2,
    });
    const { waylines } = await unzip(
      await toDjiWpml([wp(120), trig(25), wp(120.01), wp(120.02), trig(0), wp(120.03)]),
    );
    const doc = parse(waylines);
    expect(doc.getElementsByTagName('wpml:actionTriggerType')[0]!.textContent).toBe(
      'multipleDistance',
    );
    expect(doc.getElementsByTagName('wpml:actionTriggerParam')[0]!.textContent).toBe('25');
    expect(doc.getElementsByTagName('wpml:actionGroupStartIndex')[0]!.textContent).toBe('0');
    expect(doc.getElementsByTagName('wpml:actionGroupEndIndex')[0]!.textContent).toBe('2');
  });
});
