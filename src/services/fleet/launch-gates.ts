/**
 * Launch gates: pure checks evaluated right before a launch. A failing gate holds the sortie
 * (back to `queued`, with the gate's reason) while its time window is open.
 */

export const LAUNCH_GATES = [
  'battery',
  'wind',
  'rain',
  'time_window',
  'link',
  'fence',
  'roof',
] as const;
export type LaunchGate = (typeof LAUNCH_GATES)[number];

/** Everything the gates look at, measured just before launch. */
export interface LaunchConditions {
  /** The drone's battery, percent of full. */
  batteryPct: number;
  /** Battery the sortie is expected to use, percent of full. */
  sortieNeedPct: number;
  /** Battery that must remain on landing, percent of full. */
  reservePct: number;
  /** Wind at the dock, metres per second (gusts if known). */
  windMps: number;
  /** The drone's wind limit, metres per second. */
  maxWindMps: number;
  raining: boolean;
  /** Now, ms since the epoch. */
  nowMs: number;
  /** The launch window, ms since the epoch: the sortie may launch in [startMs, endMs). */
  windowStartMs: number;
  windowEndMs: number;
  linkHealthy: boolean;
  /**
   * Whether the fence is uploaded and read back identical. `null` when not yet uploaded: the
   * early check before the roof opens skips this gate; the final check never passes null.
   */
  fenceVerified: boolean | null;
  /** The dock reports its roof mechanism working (no fault, not stuck). */
  roofOk: boolean;
}

export interface GateResult {
  gate: LaunchGate;
  ok: boolean;
  /** Stable reason code: `GATE_<GATE>` when failing, null when passing. */
  code: string | null;
  /** Human-readable, naming the measured value and the limit. */
  detail: string;
}

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * Evaluates every launch gate. Returns one result per gate, in {@link LAUNCH_GATES} order
 * (a skipped fence gate is reported as passing with a detail saying so).
 *
 * @example
 * const failing = evaluateLaunchGates(conditions).filter((g) => !g.ok);
 * // [{ gate: 'wind', ok: false, code: 'GATE_WIND', detail: 'wind 14 m/s ≥ limit 12 m/s' }]
 */
export function evaluateLaunchGates(c: LaunchConditions): GateResult[] {
  const needPct = c.sortieNeedPct + c.reservePct;
  const gate = (g: LaunchGate, ok: boolean, detail: string): GateResult => ({
    gate: g,
    ok,
    code: ok ? null : `GATE_${g.toUpperCase()}`,
    detail,
  });
  return [
    gate(
      'battery',
      c.batteryPct >= needPct,
      `battery ${round(c.batteryPct)} % ${c.batteryPct >= needPct ? '≥' : '<'} need ${round(c.sortieNeedPct)} % + reserve ${round(c.reservePct)} % = ${round(needPct)} %`,
    ),
    gate(
      'wind',
      c.windMps < c.maxWindMps,
      `wind ${round(c.windMps)} m/s ${c.windMps < c.maxWindMps ? '<' : '≥'} limit ${round(c.maxWindMps)} m/s`,
    ),
    gate('rain', !c.raining, c.raining ? 'rain at the dock' : 'no rain'),
    gate(
      'time_window',
      c.nowMs >= c.windowStartMs && c.nowMs < c.windowEndMs,
      `now ${new Date(c.nowMs).toISOString()}, window [${new Date(c.windowStartMs).toISOString()}, ${new Date(c.windowEndMs).toISOString()})`,
    ),
    gate(
      'link',
      c.linkHealthy,
      c.linkHealthy ? 'link healthy' : 'link to the drone is not healthy',
    ),
    gate(
      'fence',
      c.fenceVerified !== false,
      c.fenceVerified === null
        ? 'fence not uploaded yet (checked again before arming)'
        : c.fenceVerified
          ? 'fence uploaded and verified'
          : 'fence not verified on the vehicle',
    ),
    gate('roof', c.roofOk, c.roofOk ? 'roof working' : 'dock roof reports a fault'),
  ];
}

/**
 * The first failing gate, or null when all pass.
 *
 * @example
 * firstFailingGate(evaluateLaunchGates(conditions))?.code; // → 'GATE_RAIN'
 */
export function firstFailingGate(results: readonly GateResult[]): GateResult | null {
  return results.find((g) => !g.ok) ?? null;
}

/**
 * Battery a sortie needs, percent: its expected flight time over the drone's endurance.
 *
 * @example
 * sortieBatteryNeedPct(12, 30); // → 40
 */
export function sortieBatteryNeedPct(flightMin: number, maxFlightTimeMin: number): number {
  return (flightMin / maxFlightTimeMin) * 100;
}
