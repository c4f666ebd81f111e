import type { SeverityName } from '../../../db/index';

/** The actor recorded on missions and sortie transitions approved by the rule below. */
export const VERIFICATION_POLICY_ACTOR = 'policy:verification-auto-approve';

/** Severities whose verification flights the dock owner has approved in advance. */
export const AUTO_APPROVED_SEVERITIES: readonly SeverityName[] = ['high', 'critical'];

export interface AutoApprovalInput {
  severity: SeverityName;
  /** The dock is in shared flights (its owner lets other agencies request sorties there). */
  dockShared: boolean;
  /** The requesting agency owns the dock (the fleet then approves by itself). */
  requesterOwnsDock: boolean;
}

export type AutoApproval = { approve: true; reason: string } | { approve: false; reason: string };

/**
 * The standing approval rule for verification flights. A dock owner who puts a dock into shared
 * flights approves in advance the close-up verification of a high or critical alert from it:
 * a fire or flood that may be spreading cannot wait for an operator to read a queue. Everything
 * else waits for the owner's decision, as every other shared flight does. Quotas still apply
 * (the fleet re-checks them on approval), and the approval is recorded as a transition by
 * {@link VERIFICATION_POLICY_ACTOR}, not by a person.
 *
 * @example
 * autoApproval({ severity: 'high', dockShared: true, requesterOwnsDock: false }); // { approve: true, … }
 * autoApproval({ severity: 'medium', dockShared: true, requesterOwnsDock: false }); // { approve: false, … }
 */
export function autoApproval(input: AutoApprovalInput): AutoApproval {
  if (input.requesterOwnsDock)
    return { approve: false, reason: 'the dock owner requested it: the fleet approves it itself' };
  if (!input.dockShared)
    return { approve: false, reason: 'the dock is not in shared flights: its owner decides' };
  if (!AUTO_APPROVED_SEVERITIES.includes(input.severity))
    return {
      approve: false,
      reason: `severity ${input.severity} is below ${AUTO_APPROVED_SEVERITIES.join(' / ')}: the dock owner decides`,
    };
  return {
    approve: true,
    reason: `standing approval of the dock owner: verification of a ${input.severity} alert from a shared dock`,
  };
}
