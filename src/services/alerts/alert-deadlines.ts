/**
 * Acknowledgement deadlines per severity ("street whistles, departments report"): a route not
 * acknowledged by its deadline turns yellow and gets a reminder; one more deadline later it
 * turns red and escalates to emergency management.
 */
import type { Severity } from './alert-model';

const MINUTE_MS = 60_000;

/** Time to acknowledge, per severity. */
export const ACK_DEADLINE_MS: Record<Severity, number> = {
  critical: 15 * MINUTE_MS,
  high: 30 * MINUTE_MS,
  medium: 2 * 60 * MINUTE_MS,
  low: 8 * 60 * MINUTE_MS,
};

export type DeadlineLight = 'green' | 'yellow' | 'red' | 'done';
export type DeadlineAction = 'remind' | 'escalate';

export interface RouteTimes {
  dispatchedAtMs: number;
  acknowledgedAtMs?: number | undefined;
  reminderSentAtMs?: number | undefined;
  escalatedAtMs?: number | undefined;
  /** A handed-over or closed route no longer runs a clock. */
  closed?: boolean | undefined;
}

export interface DeadlineState {
  light: DeadlineLight;
  ackDueAtMs: number;
  escalateAtMs: number;
  /** Actions due now that have not been taken yet. */
  due: DeadlineAction[];
  /** When this route next needs a look (undefined when nothing more can happen). */
  nextCheckAtMs: number | undefined;
}

/**
 * The deadline state of one route at `nowMs`.
 *
 * @example
 * evaluateDeadline({ dispatchedAtMs: 0 }, 'high', 31 * 60_000);
 * // { light: 'yellow', due: ['remind'], ackDueAtMs: 1_800_000, escalateAtMs: 3_600_000, … }
 */
export function evaluateDeadline(
  route: RouteTimes,
  severity: Severity,
  nowMs: number,
  deadlines: Record<Severity, number> = ACK_DEADLINE_MS,
): DeadlineState {
  const windowMs = deadlines[severity];
  const ackDueAtMs = route.dispatchedAtMs + windowMs;
  const escalateAtMs = ackDueAtMs + windowMs;
  if (route.acknowledgedAtMs !== undefined || route.closed) {
    return { light: 'done', ackDueAtMs, escalateAtMs, due: [], nextCheckAtMs: undefined };
  }
  const due: DeadlineAction[] = [];
  if (nowMs >= ackDueAtMs && route.reminderSentAtMs === undefined) due.push('remind');
  if (nowMs >= escalateAtMs && route.escalatedAtMs === undefined) due.push('escalate');
  const light: DeadlineLight =
    nowMs >= escalateAtMs ? 'red' : nowMs >= ackDueAtMs ? 'yellow' : 'green';
  const nextCheckAtMs =
    nowMs < ackDueAtMs ? ackDueAtMs : nowMs < escalateAtMs ? escalateAtMs : undefined;
  return { light, ackDueAtMs, escalateAtMs, due, nextCheckAtMs };
}
