import type { SortieState } from './sortie-state-machine';
import type { DockLiveState } from './dispatcher';
import type { FleetEventSeverity } from './sortie-dispatch';

/** What the live stream carries; every message names the agencies allowed to see it. */
export type FleetMessage =
  | {
      type: 'sortie';
      agencyId: string;
      ownerAgencyId: string;
      sortieId: string;
      missionId: string;
      dockId: string;
      from: SortieState | null;
      to: SortieState;
      reasonCode: string | null;
      reason: string | null;
      actor: string;
      at: string;
    }
  | {
      type: 'progress';
      agencyId: string;
      ownerAgencyId: string;
      sortieId: string;
      missionId: string;
      lastReachedItem: number;
      totalItems: number;
      progressPct: number;
      at: string;
    }
  | {
      type: 'event';
      agencyId: string | null;
      ownerAgencyId: string | null;
      seq: number;
      kind: string;
      severity: FleetEventSeverity;
      sortieId: string | null;
      dockId: string | null;
      droneId: string | null;
      detail: string;
      at: string;
    }
  | {
      type: 'dock';
      agencyId: string | null;
      ownerAgencyId: string;
      dockId: string;
      state: DockLiveState;
      at: string;
    }
  | {
      type: 'telemetry';
      agencyId: string | null;
      ownerAgencyId: string;
      droneId: string;
      sortieId: string | null;
      position: [number, number];
      altM: number;
      batteryPct: number | null;
      groundSpeedMps: number | null;
      mode: string | null;
      at: string;
    };

export type FleetListener = (message: FleetMessage) => void;

/**
 * In-process fan-out of fleet messages to live subscribers (the SSE streams). A listener that
 * throws is logged by the caller's `onListenerError` and dropped from nothing else.
 */
export class FleetEventBus {
  private readonly listeners = new Set<FleetListener>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  subscribe(listener: FleetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  publish(message: FleetMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

/**
 * Whether a caller of `agencyId` (or one who sees all) may see `message`.
 *
 * @example
 * visibleTo(message, { agencyId: 'agc_1', seesAll: false });
 */
export function visibleTo(
  message: FleetMessage,
  scope: { agencyId: string; seesAll: boolean },
): boolean {
  return (
    scope.seesAll || message.agencyId === scope.agencyId || message.ownerAgencyId === scope.agencyId
  );
}
