import type { AreaIssue } from './area-issue-codes';
import { joinPath } from './json-path';
import { previewValue } from './preview-value';

/**
 * The kinds of patrol area, as a tuple (for enums in schemas).
 *
 * @example
 * z.enum(AREA_KINDS);
 */
export const AREA_KINDS = ['forest', 'river', 'points', 'no_fly'] as const;

/**
 * The kinds of patrol area.
 *
 * @example
 * const kind: AreaKind = 'no_fly';
 */
export type AreaKind = (typeof AREA_KINDS)[number];

/**
 * Per-feature properties. Every property of the input is kept; these are the ones checked for
 * the kind (others pass through unchecked).
 *
 * @example
 * const lookout: AreaFeatureProperties = { name: 'A', hoverS: 15, photo: true, gimbalPitchDeg: -45 };
 */
export interface AreaFeatureProperties {
  [key: string]: unknown;
  /** points: hover time at the point, s (0–3600). */
  hoverS?: number;
  /** points: take a photo at the point. */
  photo?: boolean;
  /** points: gimbal pitch, degrees (-90 straight down … 30 up). */
  gimbalPitchDeg?: number;
  /** points: aircraft heading, degrees clockwise from true north (0 ≤ h < 360). */
  headingDeg?: number;
  /** no_fly: bottom of the altitude band, m. */
  minAltM?: number;
  /** no_fly: top of the altitude band, m (above minAltM). */
  maxAltM?: number;
  /** no_fly: start of the time window, RFC 3339 date-time with offset. */
  validFrom?: string;
  /** no_fly: end of the time window, RFC 3339 date-time with offset (after validFrom). */
  validTo?: string;
  /** river: corridor width around a centre line, m (> 0); required on LineString rivers. */
  corridorWidthM?: number;
}

/**
 * Bounds of the checked properties; they also catch unit mistakes (ms for s, feet for metres).
 *
 * @example
 * AREA_PROPERTY_LIMITS.maxHoverS; // 3600 s
 */
export const AREA_PROPERTY_LIMITS = {
  maxHoverS: 3600,
  minGimbalPitchDeg: -90,
  maxGimbalPitchDeg: 30,
  maxCorridorWidthM: 10_000,
  minAltM: -500,
  maxAltM: 20_000,
} as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const show = (value: unknown): string => previewValue(value);

/**
 * Checks the kind-specific properties of one feature and appends an issue for each bad one.
 * `propertiesPath` is the pointer of the feature's `properties` member.
 *
 * @example
 * const issues: AreaIssue[] = [];
 * checkAreaProperties({ hoverS: -1 }, 'points', '/features/0/properties', issues);
 * // issues[0].code === 'PROPERTY_INVALID'
 */
export function checkAreaProperties(
  properties: AreaFeatureProperties,
  kind: AreaKind,
  propertiesPath: string,
  issues: AreaIssue[],
): void {
  const L = AREA_PROPERTY_LIMITS;
  const number = (key: string, accept: (value: number) => boolean, expected: string): boolean => {
    const value = properties[key];
    if (value === undefined) return false;
    if (typeof value !== 'number' || !Number.isFinite(value) || !accept(value)) {
      issues.push({
        path: joinPath(propertiesPath, key),
        code: 'PROPERTY_INVALID',
        message: `${key} ${show(value)} is invalid: expected ${expected}`,
      });
      return false;
    }
    return true;
  };
  const time = (key: string): number | undefined => {
    const value = properties[key];
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) {
      issues.push({
        path: joinPath(propertiesPath, key),
        code: 'PROPERTY_INVALID',
        message: `${key} ${show(value)} is invalid: expected an RFC 3339 date-time with an offset, e.g. "2026-05-01T08:00:00+08:00"`,
      });
      return undefined;
    }
    return ms;
  };
  switch (kind) {
    case 'points': {
      number('hoverS', (v) => v >= 0 && v <= L.maxHoverS, `seconds from 0 to ${L.maxHoverS}`);
      const photo = properties['photo'];
      if (photo !== undefined && typeof photo !== 'boolean') {
        issues.push({
          path: joinPath(propertiesPath, 'photo'),
          code: 'PROPERTY_INVALID',
          message: `photo ${show(photo)} is invalid: expected true or false`,
        });
      }
      number(
        'gimbalPitchDeg',
        (v) => v >= L.minGimbalPitchDeg && v <= L.maxGimbalPitchDeg,
        `degrees from ${L.minGimbalPitchDeg} (straight down) to ${L.maxGimbalPitchDeg}`,
      );
      number(
        'headingDeg',
        (v) => v >= 0 && v < 360,
        'degrees clockwise from north, 0 or more and below 360',
      );
      break;
    }
    case 'no_fly': {
      const altExpected = `metres from ${L.minAltM} to ${L.maxAltM}`;
      const inBand = (v: number): boolean => v >= L.minAltM && v <= L.maxAltM;
      const hasMin = number('minAltM', inBand, altExpected);
      const hasMax = number('maxAltM', inBand, altExpected);
      const minAltM = properties['minAltM'];
      const maxAltM = properties['maxAltM'];
      if (hasMin && hasMax && typeof minAltM === 'number' && typeof maxAltM === 'number') {
        if (minAltM >= maxAltM) {
          issues.push({
            path: joinPath(propertiesPath, 'maxAltM'),
            code: 'PROPERTY_RANGE_INVERTED',
            message: `altitude band ${minAltM}–${maxAltM} m is empty: expected maxAltM above minAltM`,
          });
        }
      }
      const from = time('validFrom');
      const to = time('validTo');
      if (from !== undefined && to !== undefined && from >= to) {
        issues.push({
          path: joinPath(propertiesPath, 'validTo'),
          code: 'PROPERTY_RANGE_INVERTED',
          message: `time window ${show(properties['validFrom'])} to ${show(properties['validTo'])} is empty: expected validTo after validFrom`,
        });
      }
      break;
    }
    case 'river':
      number(
        'corridorWidthM',
        (v) => v > 0 && v <= L.maxCorridorWidthM,
        `a width in metres above 0 and at most ${L.maxCorridorWidthM}`,
      );
      break;
    case 'forest':
      break;
  }
}
