/**
 * Per-agency quotas on shared flights: sorties and/or flight minutes per period (UTC calendar
 * day, ISO week starting Monday, or calendar month). Pure: the caller supplies the usage.
 */
export const QUOTA_PERIODS = ['day', 'week', 'month'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

export interface AgencyQuota {
  period: QuotaPeriod;
  /** Most sorties the agency may have per period (null = unlimited). */
  maxSorties: number | null;
  /** Most flight minutes per period (null = unlimited). */
  maxFlightMin: number | null;
}

export interface QuotaUsage {
  sorties: number;
  flightMin: number;
}

export type QuotaCheck = { ok: true } | { ok: false; reason: string };

/**
 * The UTC period containing `atMs`: `[startMs, endMs)`.
 *
 * @example
 * quotaPeriodBounds('day', Date.parse('2026-06-01T15:00:00Z'));
 * // → { startMs: Date.parse('2026-06-01T00:00:00Z'), endMs: Date.parse('2026-06-02T00:00:00Z') }
 */
export function quotaPeriodBounds(
  period: QuotaPeriod,
  atMs: number,
): { startMs: number; endMs: number } {
  const d = new Date(atMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (period === 'day') {
    const startMs = Date.UTC(y, m, day);
    return { startMs, endMs: startMs + 86_400_000 };
  }
  if (period === 'week') {
    const sinceMonday = (d.getUTCDay() + 6) % 7;
    const startMs = Date.UTC(y, m, day - sinceMonday);
    return { startMs, endMs: startMs + 7 * 86_400_000 };
  }
  return { startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) };
}

/**
 * Whether `adding` more sorties and minutes fit in the quota given what is already `used`.
 *
 * @example
 * checkQuota({ period: 'day', maxSorties: 4, maxFlightMin: null }, { sorties: 4, flightMin: 80 },
 *   { sorties: 1, flightMin: 20 });
 * // → { ok: false, reason: 'sorties: 4 used + 1 requested > 4 per day' }
 */
export function checkQuota(quota: AgencyQuota, used: QuotaUsage, adding: QuotaUsage): QuotaCheck {
  if (quota.maxSorties !== null && used.sorties + adding.sorties > quota.maxSorties) {
    return {
      ok: false,
      reason: `sorties: ${used.sorties} used + ${adding.sorties} requested > ${quota.maxSorties} per ${quota.period}`,
    };
  }
  if (quota.maxFlightMin !== null && used.flightMin + adding.flightMin > quota.maxFlightMin) {
    const r = (v: number) => Math.round(v * 10) / 10;
    return {
      ok: false,
      reason: `flight minutes: ${r(used.flightMin)} used + ${r(adding.flightMin)} requested > ${quota.maxFlightMin} per ${quota.period}`,
    };
  }
  return { ok: true };
}
