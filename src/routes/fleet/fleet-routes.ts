import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { SORTIE_STATE_NAMES, type FleetEventRow } from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import { AppError } from '../../errors';
import type { AppDeps } from '../../http/app-env';
import { createRouter, errorResponses, requireContentType, security } from '../../http/router';
import {
  QUOTA_PERIODS,
  fleetServiceFor,
  quotaPeriodBounds,
  visibleTo,
  type FleetActor,
  type FleetMessage,
} from '../../services/fleet/index';
import { actorOf, sortieJson } from './sortie-json';

/** Keep-alive comment period on idle streams, ms (proxies drop silent connections). */
export const SSE_KEEPALIVE_MS = 15_000;

const eventOut = z
  .object({
    seq: z.number(),
    at: z.string(),
    kind: z.string(),
    severity: z.enum(['info', 'warning', 'critical']),
    sortieId: z.string().nullable(),
    dockId: z.string().nullable(),
    droneId: z.string().nullable(),
    detail: z.string(),
  })
  .openapi('FleetEvent');

const snapshotOut = z
  .object({
    at: z.string(),
    docks: z.array(
      z.object({
        id: z.string(),
        agencyId: z.string(),
        name: z.string(),
        position: z.tuple([z.number(), z.number()]),
        activeSortieId: z.string().nullable(),
        state: z
          .object({
            live: z.boolean(),
            roof: z.string(),
            charger: z.string(),
            dronePresent: z.boolean().nullable(),
            droneBatteryPct: z.number().nullable(),
            windMps: z.number().nullable(),
            rain: z.string(),
            temperatureC: z.number().nullable(),
            alarms: z.array(z.string()),
            at: z.string(),
          })
          .nullable()
          .openapi({ description: 'Live dock state from its controller (null when not observed)' }),
        queued: z.number(),
        drones: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            lastSeenAt: z.string().nullable(),
            position: z.tuple([z.number(), z.number()]).nullable(),
            altM: z.number().nullable(),
            batteryPct: z.number().nullable(),
            mode: z.string().nullable(),
          }),
        ),
      }),
    ),
    sorties: z.array(z.object({ id: z.string(), state: z.enum(SORTIE_STATE_NAMES) }).passthrough()),
    events: z.array(eventOut),
  })
  .openapi('FleetSnapshot');

function eventJson(e: FleetEventRow): z.infer<typeof eventOut> {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    kind: e.kind,
    severity: e.severity,
    sortieId: e.sortieId,
    dockId: e.dockId,
    droneId: e.droneId,
    detail: e.detail,
  };
}

/**
 * The live fleet as the caller may see it: its own docks and the docks flying its sorties,
 * their drones' last samples, every sortie not yet over, and the latest operator events.
 */
export function fleetSnapshot(deps: AppDeps, actor: FleetActor): z.infer<typeof snapshotOut> {
  const scope = { agencyId: actor.agencyId, seesAll: actor.seesAll };
  const service = fleetServiceFor(deps);
  service.flushTelemetry();
  const sorties = service.liveSorties(actor);
  const own = deps.repos.fleet.listDocks(scope, { cursor: null, limit: 500 }).items;
  const dockIds = [...new Set([...own.map((d) => d.id), ...sorties.map((s) => s.dockId)])];
  const active = ['preflight', 'launching', 'in_flight', 'paused', 'returning', 'landed'];
  const docks = dockIds.flatMap((id) => {
    const dock = deps.repos.missions.findDock(id);
    if (!dock) return [];
    const here = sorties.filter((s) => s.dockId === id);
    const running = here.find((s) => active.includes(s.state));
    const ownsDock = actor.seesAll || dock.agencyId === actor.agencyId;
    const drones = deps.repos.fleet
      .dronesOfDock(id)
      .filter((d) => ownsDock || d.id === running?.droneId)
      .map((d) => {
        const last = deps.repos.fleetOps.latestSample(d.id);
        return {
          id: d.id,
          name: d.name,
          lastSeenAt: last ? new Date(last.atS * 1000).toISOString() : null,
          position: last ? ([last.lon, last.lat] as [number, number]) : null,
          altM: last?.altM ?? null,
          batteryPct: last?.batteryPct ?? null,
          mode: last?.mode ?? null,
        };
      });
    return [
      {
        id: dock.id,
        agencyId: dock.agencyId,
        name: dock.name,
        position: [dock.lon, dock.lat] as [number, number],
        activeSortieId: running?.id ?? null,
        state: service.dockState(dock.id) ?? null,
        queued: here.filter((s) => s.state === 'queued').length,
        drones,
      },
    ];
  });
  return {
    at: deps.now().toISOString(),
    docks,
    sorties: sorties.map(sortieJson),
    events: deps.repos.fleetOps.recentEvents(scope, 50).map(eventJson),
  };
}

/** Strips the routing fields from a bus message before it leaves the service. */
function publicMessage(m: FleetMessage): Record<string, unknown> {
  const { agencyId: _a, ownerAgencyId: _o, ...rest } = m;
  return rest;
}

const isoDate = z.iso.datetime({ offset: true });

/** `/v1/fleet`: the live snapshot and stream, accounting, and quotas. */
export function createFleetRoutes(deps: AppDeps) {
  const app = createRouter();
  const fleet = () => fleetServiceFor(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['fleet'],
      summary: 'The live fleet: docks, drones, sorties not yet over, latest events',
      security,
      responses: {
        200: { description: 'Snapshot', content: { 'application/json': { schema: snapshotOut } } },
        ...errorResponses(),
      },
    }),
    (c) => c.json(fleetSnapshot(deps, actorOf(c)), 200),
  );

  // Server-Sent Events are not described by OpenAPI 3.1 schemas; documented in the summary.
  app.get('/stream', (c) => {
    const actor = actorOf(c);
    const scope = { agencyId: actor.agencyId, seesAll: actor.seesAll };
    return streamSSE(c, async (stream) => {
      const queue: FleetMessage[] = [];
      let wake: (() => void) | null = null;
      let open = true;
      const unsubscribe = fleet().bus.subscribe((m) => {
        if (!visibleTo(m, scope)) return;
        queue.push(m);
        wake?.();
      });
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({
          event: 'snapshot',
          data: JSON.stringify(fleetSnapshot(deps, actor)),
        });
        while (open) {
          for (let m = queue.shift(); m; m = queue.shift()) {
            await stream.writeSSE({
              event: m.type,
              data: JSON.stringify(publicMessage(m)),
              ...(m.type === 'event' ? { id: String(m.seq) } : {}),
            });
          }
          const idle = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), SSE_KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = null;
          if (idle && open) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounting',
      tags: ['fleet'],
      summary: 'What was flown for whom: sorties ended in [from, to) per agency and purpose',
      description:
        'The dock owner sees every agency flown from its docks; an agency sees its own sorties. Defaults to the current UTC month.',
      security,
      request: { query: z.object({ from: isoDate.optional(), to: isoDate.optional() }) },
      responses: {
        200: {
          description: 'Accounting',
          content: {
            'application/json': {
              schema: z.object({
                from: z.string(),
                to: z.string(),
                rows: z.array(
                  z.object({
                    agencyId: z.string(),
                    ownerAgencyId: z.string(),
                    purpose: z.string(),
                    sorties: z.number(),
                    done: z.number(),
                    aborted: z.number(),
                    failed: z.number(),
                    flownMin: z.number(),
                  }),
                ),
              }),
            },
          },
        },
        ...errorResponses(400),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const actor = actorOf(c);
      const month = quotaPeriodBounds('month', deps.now().getTime());
      const from = q.from ? new Date(q.from) : new Date(month.startMs);
      const to = q.to ? new Date(q.to) : new Date(month.endMs);
      if (to <= from) {
        throw new AppError('VALIDATION_FAILED', 'The period is empty: `to` must follow `from`.', {
          issues: [{ path: '/query/to', code: 'BEFORE_FROM', message: 'to must be after from' }],
        });
      }
      const rows = deps.repos.missions
        .accounting({ agencyId: actor.agencyId, seesAll: actor.seesAll }, from, to)
        .map((r) => ({ ...r, flownMin: Math.round(r.flownMin * 100) / 100 }));
      return c.json({ from: from.toISOString(), to: to.toISOString(), rows }, 200);
    },
  );

  const quotaOut = z
    .object({
      agencyId: z.string(),
      period: z.enum(QUOTA_PERIODS),
      maxSorties: z.number().nullable(),
      maxFlightMin: z.number().nullable(),
      used: z.object({ sorties: z.number(), flightMin: z.number() }),
      updatedBy: z.string(),
      updatedAt: z.string(),
    })
    .openapi('AgencyQuota');

  const quotaJson = (q: {
    agencyId: string;
    period: (typeof QUOTA_PERIODS)[number];
    maxSorties: number | null;
    maxFlightMin: number | null;
    updatedBy: string;
    updatedAt: Date;
  }): z.infer<typeof quotaOut> => {
    const { startMs, endMs } = quotaPeriodBounds(q.period, deps.now().getTime());
    const used = deps.repos.missions.usage(q.agencyId, new Date(startMs), new Date(endMs));
    return {
      ...q,
      used: { sorties: used.sorties, flightMin: Math.round(used.flightMin * 100) / 100 },
      updatedAt: q.updatedAt.toISOString(),
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/quotas',
      tags: ['fleet'],
      summary: 'Quotas and current use: your own, or every agency’s for the utility’s admins',
      security,
      responses: {
        200: {
          description: 'Quotas',
          content: { 'application/json': { schema: z.object({ items: z.array(quotaOut) }) } },
        },
        ...errorResponses(),
      },
    }),
    (c) => {
      const actor = actorOf(c);
      const rows = actor.seesAll
        ? deps.repos.missions.allQuotas()
        : deps.repos.missions.quotasOf(actor.agencyId);
      return c.json({ items: rows.map(quotaJson) }, 200);
    },
  );

  const quotaParams = z.object({
    agencyId: z
      .string()
      .min(1)
      .max(100)
      .openapi({ param: { name: 'agencyId', in: 'path' } }),
    period: z.enum(QUOTA_PERIODS).openapi({ param: { name: 'period', in: 'path' } }),
  });

  const utilityAdmin = (actor: FleetActor) => {
    if (!actor.seesAll) {
      throw new AppError('FORBIDDEN', 'Quotas are set by the utility’s admins.');
    }
  };

  app.on(['PUT', 'DELETE'], '/quotas/*', requireRole('admin'));
  app.on(['PUT'], '/quotas/*', requireContentType('application/json'));

  app.openapi(
    createRoute({
      method: 'put',
      path: '/quotas/{agencyId}/{period}',
      tags: ['fleet'],
      summary: 'Set an agency’s quota for a period (the utility’s admins)',
      security,
      request: {
        params: quotaParams,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  maxSorties: z.number().int().min(0).max(100_000).nullable(),
                  maxFlightMin: z.number().min(0).max(10_000_000).nullable(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: { description: 'Set', content: { 'application/json': { schema: quotaOut } } },
        ...errorResponses(400, 403, 404, 415),
      },
    }),
    (c) => {
      const actor = actorOf(c);
      utilityAdmin(actor);
      const { agencyId, period } = c.req.valid('param');
      if (!deps.repos.agencies.findById(agencyId))
        throw new AppError('AGENCY_NOT_FOUND', `No agency ${agencyId}.`);
      const body = c.req.valid('json');
      const saved = deps.repos.missions.putQuota({
        agencyId,
        period,
        maxSorties: body.maxSorties,
        maxFlightMin: body.maxFlightMin,
        updatedBy: `key:${actor.keyId}`,
        updatedAt: deps.now(),
      });
      return c.json(quotaJson(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/quotas/{agencyId}/{period}',
      tags: ['fleet'],
      summary: 'Remove an agency’s quota for a period (the utility’s admins)',
      security,
      request: { params: quotaParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(403, 404) },
    }),
    (c) => {
      utilityAdmin(actorOf(c));
      const { agencyId, period } = c.req.valid('param');
      if (!deps.repos.missions.deleteQuota(agencyId, period)) {
        throw new AppError('NOT_FOUND', `No ${period} quota for agency ${agencyId}.`);
      }
      return c.body(null, 204);
    },
  );

  return app;
}
