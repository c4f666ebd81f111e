import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  capDateTime,
  capMessageForAlert,
  capPolygon,
  writeCapAlert,
  type CapAlertSource,
} from '../../src/services/alerts/index';
import { at, square, T0 } from './fixtures';
import { validateCap } from './cap-xsd';

const base: CapAlertSource = {
  id: '0b6c1d4e-fire',
  alertType: 'fire',
  status: 'dispatched',
  severity: 'high',
  confidence: 'high',
  geometry: { type: 'Polygon', coordinates: [square(0, 0, 50)] },
  centroid: at(25, 25),
  radiusM: 3,
  firstObservedAtMs: T0,
  version: 1,
  updatedAtMs: T0 + 60_000,
  observationCount: 2,
  agencyIds: ['forestry-bureau', 'emergency management'],
  severityReasons: ['village "Changle & Co" 300 m away (+2)'],
};
const options = {
  sender: 'alerts@flights.example.org',
  senderName: 'Shared Flights',
  webBase: 'https://flights.example.org/v1/alerts/',
};
const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true });

describe('CAP 1.2 writer', () => {
  it('writes times with an explicit offset and polygons as lat,lon pairs', () => {
    expect(capDateTime(Date.UTC(2026, 3, 2, 3, 4, 5, 678))).toBe('2026-04-02T03:04:05+00:00');
    expect(
      capPolygon([
        [120, 30],
        [120.1, 30],
        [120.1, 30.1],
        [120, 30],
      ]),
    ).toBe('30,120 30,120.1 30.1,120.1 30,120');
    expect(() =>
      capPolygon([
        [120, 30],
        [120.1, 30],
        [120.1, 30.1],
        [120, 30.2],
      ]),
    ).toThrow(/closed/);
  });

  it('writes a first Alert that validates against the CAP 1.2 schema', async () => {
    const xml = writeCapAlert(capMessageForAlert(base, options));
    const v = await validateCap(xml);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    const doc = parser.parse(xml) as {
      alert: Record<string, unknown> & {
        info: Record<string, unknown> & { area: Record<string, string> };
      };
    };
    expect(doc.alert).toMatchObject({
      msgType: 'Alert',
      scope: 'Restricted',
      status: 'Actual',
      addresses: 'forestry-bureau "emergency management"',
    });
    expect(doc.alert.info).toMatchObject({
      category: 'Fire',
      severity: 'Severe',
      certainty: 'Likely',
      urgency: 'Immediate',
    });
    const first = doc.alert.info.area.polygon!.split(' ')[0]!.split(',').map(Number);
    const [lon, lat] = at(0, 0);
    expect(first[0]).toBeCloseTo(lat, 6);
    expect(first[1]).toBeCloseTo(lon, 6);
    expect(xml).toContain('Changle &amp; Co');
  });

  it('writes an Update referencing the earlier messages and a Cancel for a false alarm, both valid', async () => {
    const update = capMessageForAlert(
      {
        ...base,
        version: 3,
        previous: [
          { version: 1, sentMs: T0 },
          { version: 2, sentMs: T0 + 1000 },
        ],
        confidence: 'highest',
      },
      options,
    );
    expect(update.msgType).toBe('Update');
    const updateXml = writeCapAlert(update);
    expect(updateXml).toContain(
      '<references>alerts@flights.example.org,urn:shared-flights:alert:0b6c1d4e-fire:v1,2026-04-02T03:00:00+00:00 alerts@flights.example.org,urn:shared-flights:alert:0b6c1d4e-fire:v2,2026-04-02T03:00:01+00:00</references>',
    );
    const cancel = capMessageForAlert(
      { ...base, version: 4, status: 'false_alarm', previous: [{ version: 1, sentMs: T0 }] },
      options,
    );
    expect(cancel.msgType).toBe('Cancel');
    for (const xml of [updateXml, writeCapAlert(cancel)])
      expect((await validateCap(xml)).errors).toEqual([]);
  });

  it('writes a circle for a point alert, covering its uncertainty', async () => {
    const xml = writeCapAlert(
      capMessageForAlert(
        {
          ...base,
          geometry: { type: 'Point', coordinates: at(0, 0) },
          centroid: at(0, 0),
          radiusM: 1200,
        },
        options,
      ),
    );
    const [lon, lat] = at(0, 0);
    expect(xml).toContain(
      `<circle>${Number(lat.toFixed(6))},${Number(lon.toFixed(6))} 1.2</circle>`,
    );
    expect((await validateCap(xml)).valid).toBe(true);
  });

  it('is caught by the validator when the schema is broken (the check can fail)', async () => {
    const xml = writeCapAlert(capMessageForAlert(base, options)).replace(
      '<scope>Restricted</scope>',
      '<scope>Secret</scope>',
    );
    expect((await validateCap(xml)).valid).toBe(false);
  });

  it('agrees with the schema on the real CAP examples kept as fixtures', async () => {
    for (const name of ['australia.cap', 'canada.cap']) {
      const xml = readFileSync(
        fileURLToPath(new URL(`../fixtures/cap/examples/${name}`, import.meta.url)),
        'utf8',
      );
      expect((await validateCap(xml)).valid).toBe(true);
    }
  });
});
