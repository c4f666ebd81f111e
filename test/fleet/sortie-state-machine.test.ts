import { describe, expect, it } from 'vitest';
import {
  SORTIE_STATES,
  SORTIE_TRANSITIONS,
  abortTarget,
  checkSortieTransition,
  type SortieGuardContext,
  type SortieState,
} from '../../src/services/fleet/sortie-state-machine';

const plain: SortieGuardContext = { abortRequested: false, lastReachedItem: 0, reasonCode: null };

/** A context that satisfies the guard of `from → to`, as the service would supply it. */
function contextFor(from: SortieState, to: SortieState): SortieGuardContext {
  if (from === 'landed' && to === 'aborted') return { ...plain, abortRequested: true };
  if (from === 'landed' && to === 'queued')
    return { ...plain, lastReachedItem: 4, reasonCode: 'INTERRUPTED_LOW_BATTERY' };
  return { ...plain, reasonCode: 'SOME_REASON' };
}

const legal: [SortieState, SortieState][] = SORTIE_STATES.flatMap((from) =>
  Object.keys(SORTIE_TRANSITIONS[from]).map(
    (to) => [from, to as SortieState] as [SortieState, SortieState],
  ),
);

describe('the sortie transition table', () => {
  it('names the happy path requested → … → done', () => {
    const path: SortieState[] = [
      'requested',
      'approved',
      'scheduled',
      'queued',
      'preflight',
      'launching',
      'in_flight',
      'returning',
      'landed',
      'done',
    ];
    for (let i = 1; i < path.length; i++) {
      expect(
        checkSortieTransition(path[i - 1]!, path[i]!, plain),
        `${path[i - 1]} → ${path[i]}`,
      ).toEqual({ ok: true });
    }
  });

  it.each(legal)('allows %s → %s with what its guard needs', (from, to) => {
    expect(checkSortieTransition(from, to, contextFor(from, to))).toEqual({ ok: true });
  });

  it('refuses every pair not in the table, naming from and to', () => {
    let refused = 0;
    for (const from of SORTIE_STATES) {
      for (const to of SORTIE_STATES) {
        if (to in SORTIE_TRANSITIONS[from]) continue;
        const check = checkSortieTransition(from, to, contextFor(from, to));
        expect(check.ok, `${from} → ${to}`).toBe(false);
        if (!check.ok) expect(check.reason).toContain(`from ${from} to ${to}`);
        refused++;
      }
    }
    expect(refused).toBe(SORTIE_STATES.length ** 2 - legal.length);
  });

  it.each([
    ['done', 'queued'],
    ['requested', 'in_flight'],
    ['scheduled', 'launching'],
    ['in_flight', 'done'],
    ['aborted', 'returning'],
    ['rejected', 'approved'],
    ['returning', 'in_flight'],
  ] as [SortieState, SortieState][])('refuses %s → %s', (from, to) => {
    expect(checkSortieTransition(from, to, contextFor(from, to)).ok).toBe(false);
  });

  it('never lets a terminal state move', () => {
    for (const from of ['done', 'aborted', 'failed', 'rejected'] as SortieState[]) {
      expect(Object.keys(SORTIE_TRANSITIONS[from])).toEqual([]);
    }
  });

  it('requires a reason code for failures, rejections, holds and preemptions', () => {
    for (const [from, to] of [
      ['in_flight', 'failed'],
      ['requested', 'rejected'],
      ['preflight', 'queued'],
      ['queued', 'scheduled'],
    ] as [SortieState, SortieState][]) {
      const check = checkSortieTransition(from, to, plain);
      expect(check.ok, `${from} → ${to}`).toBe(false);
      if (!check.ok) expect(check.reason).toContain('reason code');
    }
  });

  it('ends an aborted flight aborted, never done', () => {
    const aborting = { ...plain, abortRequested: true };
    expect(checkSortieTransition('landed', 'done', aborting).ok).toBe(false);
    expect(checkSortieTransition('landed', 'aborted', plain).ok).toBe(false);
    expect(checkSortieTransition('landed', 'aborted', aborting).ok).toBe(true);
  });

  it('queues an interrupted sortie again only when some item was reached', () => {
    const reason = { ...plain, reasonCode: 'INTERRUPTED_LOW_BATTERY' };
    expect(checkSortieTransition('landed', 'queued', reason).ok).toBe(false);
    expect(checkSortieTransition('landed', 'queued', { ...reason, lastReachedItem: 3 }).ok).toBe(
      true,
    );
  });

  it('reaches an abort from every non-terminal state without approval', () => {
    for (const state of SORTIE_STATES) {
      const target = abortTarget(state);
      if (['done', 'aborted', 'failed', 'rejected', 'returning'].includes(state)) {
        expect(target, state).toBeNull();
        continue;
      }
      expect(target, state).not.toBeNull();
      const ctx = { ...plain, reasonCode: 'ABORTED', abortRequested: true };
      expect(checkSortieTransition(state, target!, ctx), `${state} → ${target}`).toEqual({
        ok: true,
      });
    }
    expect(abortTarget('in_flight')).toBe('returning');
    expect(abortTarget('queued')).toBe('aborted');
  });
});
