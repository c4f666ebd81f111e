/** One sortie as queue ordering and preemption see it. */
export interface QueuedSortie {
  id: string;
  priority: number;
  /** When it was due to fly, ms since the epoch. */
  dueAtMs: number;
}

/**
 * Queue order on one dock: higher priority first, then earlier due time, then id (stable).
 *
 * @example
 * [low, high].sort(compareQueued); // → [high, low]
 */
export function compareQueued(a: QueuedSortie, b: QueuedSortie): number {
  return (
    b.priority - a.priority || a.dueAtMs - b.dueAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The queued sorties on a dock that `incoming` preempts: every one of strictly lower priority.
 * Equal priorities never preempt each other (first come, first flown). Airborne sorties are
 * never in `queued`: a flight in progress is not preempted.
 *
 * @example
 * selectPreempted([{ id: 'a', priority: 10, dueAtMs: 0 }], { id: 'b', priority: 60, dueAtMs: 5 });
 * // → [{ id: 'a', priority: 10, dueAtMs: 0 }]
 */
export function selectPreempted(
  queued: readonly QueuedSortie[],
  incoming: QueuedSortie,
): QueuedSortie[] {
  return queued.filter((q) => q.id !== incoming.id && q.priority < incoming.priority);
}
