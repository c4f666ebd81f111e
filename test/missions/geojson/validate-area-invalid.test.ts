import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AREA_ISSUE_CODES,
  validateArea,
  type AreaCrs,
  type AreaKind,
} from '../../../missions/index';

interface Case {
  kind: AreaKind;
  crs?: AreaCrs;
  note: string;
  expect: { code: string; path: string }[];
}

const dir = new URL('../../fixtures/geojson/invalid/', import.meta.url);
const cases = JSON.parse(
  readFileSync(new URL('../../fixtures/geojson/invalid-cases.json', import.meta.url), 'utf8'),
) as Record<string, Case>;
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('invalid-area corpus', () => {
  it('has an expectation for every file and a file for every expectation', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    const c = cases[name]!;
    it(`${name}: reports exactly ${c.expect.map((e) => e.code).join(', ')}${c.note ? ` (${c.note})` : ''}`, () => {
      const body: unknown = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      const result = validateArea(body, { kind: c.kind, ...(c.crs && { crs: c.crs }) });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const got = result.issues.map(({ code, path }) => ({ code, path }));
      expect(got).toEqual(c.expect);
      for (const issue of result.issues) {
        expect(AREA_ISSUE_CODES).toContain(issue.code);
        expect(issue.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
        expect(issue.message.length).toBeGreaterThan(20);
        expect(issue.message).toMatch(/expected|split|wrap|simplify|flatten/);
      }
    });
  }
});
