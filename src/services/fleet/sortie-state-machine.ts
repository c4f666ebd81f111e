import { SORTIE_STATE_NAMES, type SortieStateName } from '../../../db/index';

/**
 * The sortie lifecycle as one pure transition table with guards. Every state change in the
 * service goes through {@link checkSortieTransition}; nothing else decides what may follow what.
 *
 *   requested → approved → scheduled → queued → preflight → launching → in_flight → returning
 *   → landed → done, or paused / aborted / failed (with a reason code), or rejected.
 */

/** Every sortie state (the store's vocabulary, re-exported). */
export const SORTIE_STATES = SORTIE_STATE_NAMES;
export type SortieState = SortieStateName;

/** States a sortie never leaves. */
export const TERMINAL_SORTIE_STATES: readonly SortieState[] = [
  'rejected',
  'done',
  'aborted',
  'failed',
];

/** States in which the drone is (or may be) out of its dock: abort means return to launch. */
export const AIRBORNE_SORTIE_STATES: readonly SortieState[] = [
  'launching',
  'in_flight',
  'paused',
  'returning',
];

/** States in which a dispatch owns the dock and drone (recovered on restart). */
export const ACTIVE_SORTIE_STATES: readonly SortieState[] = [
  'preflight',
  'launching',
  'in_flight',
  'paused',
  'returning',
  'landed',
];

/** What a guard may look at: the sortie's flags, never the store or the clock. */
export interface SortieGuardContext {
  /** An abort was requested: the sortie must end `aborted`, never `done`. */
  abortRequested: boolean;
  /** The last mission item the vehicle reached (0 when none). */
  lastReachedItem: number;
  /** The reason code given with the transition, when there is one. */
  reasonCode: string | null;
}

type Guard = (ctx: SortieGuardContext) => string | null;

const needsReason: Guard = (ctx) =>
  ctx.reasonCode ? null : 'a reason code is required for this transition';
const notAborting: Guard = (ctx) =>
  ctx.abortRequested ? 'an abort was requested: the sortie ends aborted, not done' : null;
const aborting: Guard = (ctx) =>
  ctx.abortRequested ? null : 'no abort was requested for this sortie';
const interrupted: Guard = (ctx) =>
  ctx.abortRequested
    ? 'an aborted sortie is not resumed'
    : ctx.lastReachedItem > 0
      ? needsReason(ctx)
      : 'nothing was flown yet: there is no item to resume from';

/**
 * The transition table: for each state, the states that may follow it and the guard each
 * transition must pass (null = unguarded). Abort is reachable from every non-terminal state
 * without any approval: before take-off it ends the sortie (`aborted`), in the air it commands
 * return (`returning`, then `landed` → `aborted`).
 */
export const SORTIE_TRANSITIONS: Readonly<
  Record<SortieState, Readonly<Partial<Record<SortieState, Guard | null>>>>
> = {
  requested: { approved: null, rejected: needsReason, aborted: needsReason },
  approved: { scheduled: null, aborted: needsReason, failed: needsReason },
  rejected: {},
  scheduled: { queued: null, aborted: needsReason, failed: needsReason },
  // queued → scheduled: preempted by a higher-priority sortie on the same dock.
  queued: { preflight: null, scheduled: needsReason, aborted: needsReason, failed: needsReason },
  // preflight → queued: a launch gate failed; the sortie is held with the reason.
  preflight: { launching: null, queued: needsReason, aborted: needsReason, failed: needsReason },
  launching: { in_flight: null, returning: needsReason, failed: needsReason },
  in_flight: { paused: null, returning: null, failed: needsReason },
  paused: { in_flight: null, returning: needsReason, failed: needsReason },
  returning: { landed: null, failed: needsReason },
  // landed → queued: an interrupted sortie is queued again to resume from its last item.
  landed: { done: notAborting, aborted: aborting, queued: interrupted, failed: needsReason },
  done: {},
  aborted: {},
  failed: {},
};

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `from → to` is legal for a sortie in `ctx`. Pure.
 *
 * @example
 * checkSortieTransition('queued', 'preflight', { abortRequested: false, lastReachedItem: 0, reasonCode: null });
 * // → { ok: true }
 */
export function checkSortieTransition(
  from: SortieState,
  to: SortieState,
  ctx: SortieGuardContext,
): TransitionCheck {
  const allowed = SORTIE_TRANSITIONS[from];
  if (!(to in allowed)) {
    const next = Object.keys(allowed);
    return {
      ok: false,
      reason: `a sortie cannot go from ${from} to ${to}; from ${from} it may go to ${next.length ? next.join(', ') : 'nothing (terminal)'}`,
    };
  }
  const guard = allowed[to];
  const refusal = guard ? guard(ctx) : null;
  return refusal ? { ok: false, reason: `${from} → ${to}: ${refusal}` } : { ok: true };
}

/**
 * Where an abort takes a sortie now: `aborted` before take-off, `returning` in the air, and
 * null when it is already returning, landed-and-aborting or over.
 *
 * @example
 * abortTarget('in_flight'); // → 'returning'
 */
export function abortTarget(state: SortieState): SortieState | null {
  if (TERMINAL_SORTIE_STATES.includes(state)) return null;
  if (state === 'returning') return null;
  if (state === 'landed') return 'aborted';
  if (AIRBORNE_SORTIE_STATES.includes(state)) return 'returning';
  return 'aborted';
}

export function isTerminalSortieState(state: SortieState): boolean {
  return TERMINAL_SORTIE_STATES.includes(state);
}
