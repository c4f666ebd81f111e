/**
 * When and at which heights a no-fly zone applies: an altitude band and active time windows.
 * A zone without rules is closed from the ground up, always (the safe reading).
 *
 * @example
 * const rules: NoFlyRules = { floorM: 0, ceilingM: 60, reference: 'agl', windows: null };
 */
export interface NoFlyRules {
  /** Bottom of the closed band, metres; null = from the ground (or any height below). */
  floorM: number | null;
  /** Top of the closed band, metres; null = without limit above. */
  ceilingM: number | null;
  /** `agl`: the band is above the ground; `amsl`: above mean sea level. */
  reference: 'agl' | 'amsl';
  /** Active windows as epoch milliseconds [fromMs, toMs); null = always active. */
  windows: { fromMs: number; toMs: number }[] | null;
}

/** A flight's time window, epoch milliseconds [fromMs, toMs). */
export interface FlightWindow {
  fromMs: number;
  toMs: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 date-time with an offset to epoch milliseconds; null when malformed.
 *
 * @example
 * parseDateTimeMs('2026-05-01T08:00:00+08:00'); // 1777593600000
 */
export function parseDateTimeMs(value: unknown): number | null {
  if (typeof value !== 'string' || !RFC3339.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Reads the rules of a no-fly feature from its properties. Heights: `floorM` / `ceilingM`
 * (or the area library's `minAltM` / `maxAltM`) with `altitudeReference` `'agl'` (default) or
 * `'amsl'`. Time: `validFrom` / `validTo` (either may be left open) and `activeWindows`, a list
 * of ISO 8601 intervals `"start/end"` or `{ from, to }` objects, all RFC 3339 with an offset.
 * Every malformed value is reported with its path; the zone is then read as always closed.
 *
 * @example
 * noFlyRules({ floorM: 0, ceilingM: 60, activeWindows: ['2026-05-01T08:00:00Z/2026-05-01T12:00:00Z'] }, '/properties');
 * // { rules: { floorM: 0, ceilingM: 60, reference: 'agl', windows: [{ fromMs: …, toMs: … }] }, issues: [] }
 */
export function noFlyRules(
  properties: Readonly<Record<string, unknown>>,
  path = '',
): { rules: NoFlyRules; issues: { path: string; message: string }[] } {
  const issues: { path: string; message: string }[] = [];
  const height = (...keys: string[]): number | null => {
    for (const key of keys) {
      const v = properties[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issues.push({
          path: `${path}/${key}`,
          message: `expected metres, got ${JSON.stringify(v)}`,
        });
        return null;
      }
      return v;
    }
    return null;
  };
  const floorM = height('floorM', 'minAltM');
  const ceilingM = height('ceilingM', 'maxAltM');
  if (floorM !== null && ceilingM !== null && floorM >= ceilingM) {
    issues.push({
      path: `${path}/ceilingM`,
      message: `altitude band ${floorM}–${ceilingM} m is empty: expected the ceiling above the floor`,
    });
  }
  const ref = properties['altitudeReference'] ?? 'agl';
  if (ref !== 'agl' && ref !== 'amsl') {
    issues.push({
      path: `${path}/altitudeReference`,
      message: `expected 'agl' or 'amsl', got ${JSON.stringify(ref)}`,
    });
  }
  const reference = ref === 'amsl' ? 'amsl' : 'agl';

  let windows: { fromMs: number; toMs: number }[] | null = null;
  const window = (from: unknown, to: unknown, where: string, open: boolean): void => {
    const fromMs = from === undefined && open ? -Infinity : parseDateTimeMs(from);
    const toMs = to === undefined && open ? Infinity : parseDateTimeMs(to);
    if (fromMs === null || toMs === null) {
      issues.push({
        path: where,
        message: `expected RFC 3339 date-times with an offset (e.g. "2026-05-01T08:00:00+08:00"), got ${JSON.stringify(from)} to ${JSON.stringify(to)}`,
      });
      return;
    }
    if (fromMs >= toMs) {
      issues.push({
        path: where,
        message: `time window ${String(from)} to ${String(to)} is empty: expected its end after its start`,
      });
      return;
    }
    (windows ??= []).push({ fromMs, toMs });
  };
  if (properties['validFrom'] !== undefined || properties['validTo'] !== undefined) {
    window(properties['validFrom'], properties['validTo'], `${path}/validFrom`, true);
  }
  const active = properties['activeWindows'];
  if (active !== undefined) {
    if (!Array.isArray(active)) {
      issues.push({
        path: `${path}/activeWindows`,
        message: `expected a list of "start/end" intervals or { from, to } objects, got ${JSON.stringify(active)}`,
      });
    } else {
      active.forEach((w: unknown, i) => {
        const where = `${path}/activeWindows/${i}`;
        if (typeof w === 'string') {
          const [from, to, extra] = w.split('/');
          if (extra !== undefined || to === undefined) {
            issues.push({ path: where, message: `expected "start/end", got ${JSON.stringify(w)}` });
            return;
          }
          window(from, to, where, false);
        } else if (w !== null && typeof w === 'object' && !Array.isArray(w)) {
          const o = w as Record<string, unknown>;
          window(o['from'], o['to'], where, false);
        } else {
          issues.push({
            path: where,
            message: `expected "start/end" or { from, to }, got ${JSON.stringify(w)}`,
          });
        }
      });
    }
  }
  if (issues.length > 0) {
    // A zone we cannot read is closed from the ground up, always.
    return { rules: { floorM: null, ceilingM: null, reference: 'agl', windows: null }, issues };
  }
  return { rules: { floorM, ceilingM, reference, windows }, issues };
}

/** True when the zone's rules restrict anything (a band or windows); false = always closed. */
export function hasNoFlyLimits(rules: NoFlyRules | undefined): boolean {
  return (
    rules !== undefined &&
    (rules.floorM !== null || rules.ceilingM !== null || rules.windows !== null)
  );
}

/**
 * True when a zone with `rules` is active at some time of `flight` (any window overlaps it);
 * without a flight window every zone counts as active (the safe reading).
 *
 * @example
 * zoneActiveDuring(rules, { fromMs: Date.parse('2026-05-01T09:00:00Z'), toMs: Date.parse('2026-05-01T10:00:00Z') });
 */
export function zoneActiveDuring(
  rules: NoFlyRules | undefined,
  flight: FlightWindow | null,
): boolean {
  if (!rules || rules.windows === null || flight === null) return true;
  return rules.windows.some((w) => w.fromMs < flight.toMs && flight.fromMs < w.toMs);
}

/**
 * True when the closed band meets the altitude interval [lowM, highM] (same reference as the
 * band), each side widened by `marginM`.
 *
 * @example
 * bandMeets({ floorM: 0, ceilingM: 60, reference: 'agl', windows: null }, 95, 105, 10); // false
 */
export function bandMeets(
  rules: NoFlyRules | undefined,
  lowM: number,
  highM: number,
  marginM = 0,
): boolean {
  if (!rules) return true;
  const floor = rules.floorM ?? -Infinity;
  const ceiling = rules.ceilingM ?? Infinity;
  return lowM - marginM <= ceiling && floor <= highM + marginM;
}

/**
 * Describes the rules for messages: `60–120 m AGL, active 2026-05-01T08:00:00.000Z–…`.
 *
 * @example
 * describeNoFlyRules({ floorM: null, ceilingM: 60, reference: 'agl', windows: null }); // 'ground–60 m AGL, always active'
 */
export function describeNoFlyRules(rules: NoFlyRules | undefined): string {
  if (!rules) return 'from the ground up, always active';
  const band =
    rules.floorM === null && rules.ceilingM === null
      ? 'from the ground up'
      : `${rules.floorM === null ? 'ground' : `${rules.floorM}`}–${rules.ceilingM === null ? '∞' : `${rules.ceilingM}`} m ${rules.reference.toUpperCase()}`;
  const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '…');
  const when =
    rules.windows === null
      ? 'always active'
      : `active ${rules.windows.map((w) => `${iso(w.fromMs)}–${iso(w.toMs)}`).join(', ')}`;
  return `${band}, ${when}`;
}
