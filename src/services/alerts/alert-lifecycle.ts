/**
 * The alert lifecycle as an explicit state machine: new → dispatched → acknowledged →
 * in_progress → resolved / false_alarm / duplicate. Outcomes are values; the HTTP layer turns
 * a rejected transition into `ALERT_TRANSITION_INVALID`.
 */
import { isTerminal, type AlertStatus } from './alert-model';

export const ALERT_ACTIONS = [
  'dispatch',
  'acknowledge',
  'start',
  'resolve',
  'false_alarm',
  'duplicate',
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** Which statuses each action may start from and where it leads. */
export const ALERT_TRANSITIONS: Record<
  AlertAction,
  { from: readonly AlertStatus[]; to: (from: AlertStatus) => AlertStatus }
> = {
  dispatch: { from: ['new'], to: () => 'dispatched' },
  // a second agency acknowledging its route leaves a started alert where it is
  acknowledge: {
    from: ['dispatched', 'acknowledged', 'in_progress'],
    to: (from) => (from === 'in_progress' ? 'in_progress' : 'acknowledged'),
  },
  start: { from: ['dispatched', 'acknowledged', 'in_progress'], to: () => 'in_progress' },
  resolve: { from: ['dispatched', 'acknowledged', 'in_progress'], to: () => 'resolved' },
  false_alarm: {
    from: ['new', 'dispatched', 'acknowledged', 'in_progress'],
    to: () => 'false_alarm',
  },
  duplicate: { from: ['new', 'dispatched', 'acknowledged', 'in_progress'], to: () => 'duplicate' },
};

export type TransitionResult =
  | { ok: true; from: AlertStatus; to: AlertStatus }
  | { ok: false; from: AlertStatus; reason: string };

/**
 * Applies an action to a status.
 *
 * @example
 * transitionAlert('dispatched', 'acknowledge'); // { ok: true, from: 'dispatched', to: 'acknowledged' }
 * transitionAlert('resolved', 'start').ok;      // false
 */
export function transitionAlert(from: AlertStatus, action: AlertAction): TransitionResult {
  const t = ALERT_TRANSITIONS[action];
  if (!t.from.includes(from)) {
    return {
      ok: false,
      from,
      reason: `cannot ${action} an alert that is ${from}; allowed from ${t.from.join(', ')}`,
    };
  }
  return { ok: true, from, to: t.to(from) };
}

/** Outcome labels an agency closes an alert with. */
export const OUTCOME_LABELS = [
  'confirmed_handled',
  'confirmed_no_action_needed',
  'not_found_on_site',
  'known_source',
  'duplicate_report',
  'other',
] as const;
export type OutcomeLabel = (typeof OUTCOME_LABELS)[number];

/**
 * Whether an alert may be rated: only once it is closed, with 1..5 stars.
 *
 * @example
 * canRate('resolved', 4); // { ok: true }
 */
export function canRate(
  status: AlertStatus,
  stars: number,
): { ok: true } | { ok: false; reason: string } {
  if (!isTerminal(status))
    return { ok: false, reason: `an alert is rated once closed; it is ${status}` };
  if (!Number.isInteger(stars) || stars < 1 || stars > 5)
    return { ok: false, reason: `rating ${stars}: expected 1..5` };
  return { ok: true };
}
