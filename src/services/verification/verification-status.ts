import type { SortieStateName, VerificationStatus } from '../../../db/index';

/**
 * The verification status that follows from its sortie's state: a sortie waiting for the dock
 * owner → `mission_created`; approved, scheduled or queued (again, after an interrupted flight)
 * → `scheduled`; from preflight to landed → `flying`; done → `done`; rejected, aborted or failed
 * → `failed`.
 *
 * @example
 * verificationStatusOfSortie('in_flight'); // 'flying'
 */
export function verificationStatusOfSortie(state: SortieStateName): VerificationStatus {
  switch (state) {
    case 'requested':
      return 'mission_created';
    case 'approved':
    case 'scheduled':
    case 'queued':
      return 'scheduled';
    case 'preflight':
    case 'launching':
    case 'in_flight':
    case 'paused':
    case 'returning':
    case 'landed':
      return 'flying';
    case 'done':
      return 'done';
    case 'rejected':
    case 'aborted':
    case 'failed':
      return 'failed';
  }
}
