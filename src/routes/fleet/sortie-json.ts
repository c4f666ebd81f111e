import { z } from '@hono/zod-openapi';
import { SORTIE_STATE_NAMES, type Sortie } from '../../../db/index';
import type { FleetActor } from '../../services/fleet/index';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const sortieOut = z
  .object({
    id: z.string(),
    missionId: z.string(),
    agencyId: z.string(),
    ownerAgencyId: z.string(),
    dockId: z.string(),
    droneId: z.string().nullable(),
    state: z.enum(SORTIE_STATE_NAMES),
    reasonCode: z.string().nullable(),
    reasonDetail: z.string().nullable(),
    priority: z.number(),
    occurrenceAt: z.string(),
    dueAt: z.string(),
    windowEndsAt: z.string(),
    attempt: z.number(),
    progress: z.object({
      lastReachedItem: z.number(),
      totalItems: z.number(),
      progressPct: z.number(),
    }),
    plannedFlightMin: z.number(),
    flownMin: z.number(),
    abortRequested: z.boolean(),
    failsafeHold: z.boolean(),
    launchedAt: z.string().nullable(),
    landedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Sortie');

export function sortieJson(s: Sortie): z.infer<typeof sortieOut> {
  return {
    id: s.id,
    missionId: s.missionId,
    agencyId: s.agencyId,
    ownerAgencyId: s.ownerAgencyId,
    dockId: s.dockId,
    droneId: s.droneId,
    state: s.state,
    reasonCode: s.reasonCode,
    reasonDetail: s.reasonDetail,
    priority: s.priority,
    occurrenceAt: s.occurrenceAt.toISOString(),
    dueAt: s.dueAt.toISOString(),
    windowEndsAt: s.windowEndsAt.toISOString(),
    attempt: s.attempt,
    progress: {
      lastReachedItem: s.lastReachedItem,
      totalItems: s.totalItems,
      progressPct: Math.round(s.progressPct * 10) / 10,
    },
    plannedFlightMin: Math.round(s.plannedFlightMin * 100) / 100,
    flownMin: Math.round(s.flownMin * 100) / 100,
    abortRequested: s.abortRequested,
    failsafeHold: s.failsafeHold,
    launchedAt: iso(s.launchedAt),
    landedAt: iso(s.landedAt),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function actorOf(c: {
  get(k: 'auth'): { keyId: string; agencyId: string; role: FleetActor['role']; seesAll: boolean };
}): FleetActor {
  const a = c.get('auth');
  return { keyId: a.keyId, agencyId: a.agencyId, role: a.role, seesAll: a.seesAll };
}
