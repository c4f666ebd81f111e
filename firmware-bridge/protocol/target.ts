/** Addressing shared by every protocol: which vehicle (system) and component we talk to. */
import type { ReceivedFrame } from '../link/types';

export interface Target {
  systemId: number;
  /** MAV_COMP_ID; 1 = MAV_COMP_ID_AUTOPILOT1 (default for vehicles and docks). */
  componentId: number;
}

/**
 * True when `frame` comes from `target`. Component 0 in the target matches any component.
 *
 * @example
 * if (!isFrom(frame, target)) return;
 */
export function isFrom(frame: ReceivedFrame, target: Target): boolean {
  if (frame.systemId !== target.systemId) return false;
  return target.componentId === 0 || frame.componentId === target.componentId;
}

/**
 * True when a message carrying target fields is addressed to `me` (0 = broadcast).
 *
 * @example
 * if (!isAddressedTo(msg, endpoint)) return;
 */
export function isAddressedTo(
  message: { targetSystem?: number; targetComponent?: number },
  me: { systemId: number; componentId: number },
): boolean {
  const sys = message.targetSystem ?? 0;
  const comp = message.targetComponent ?? 0;
  return (sys === 0 || sys === me.systemId) && (comp === 0 || comp === me.componentId);
}
