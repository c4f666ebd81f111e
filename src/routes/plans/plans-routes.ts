import { createRoute, z } from '@hono/zod-openapi';
import {
  toGeoJsonPreview,
  toKml,
  toMavlinkJson,
  toQgcPlan,
  toWpl,
  type PatrolInput,
  type Plan,
  type PlanFailure,
  type Sensor,
} from '../../../missions/index';
import type { Drone, Plan as PlanRecord } from '../../../db/index';
import { requireRole } from '../../auth/require-api-key';
import { AppError, type ErrorCode } from '../../errors';
import type { AppDeps, AuthContext } from '../../http/app-env';
import {
  createRouter,
  errorResponses,
  idParams,
  requireContentType,
  scopeOf,
  security,
} from '../../http/router';
import type { PlanRunner } from '../../services/plans/plan-runner';

const cameraSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('camera'),
      sensorWidthMm: z.number().positive().max(100),
      sensorHeightMm: z.number().positive().max(100),
      imageWidthPx: z.number().int().positive().max(100_000),
      imageHeightPx: z.number().int().positive().max(100_000),
      focalLengthMm: z.number().positive().max(1000).optional(),
      horizontalFovDeg: z.number().positive().lt(180).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('lidar'), fovDeg: z.number().positive().lt(180) }).strict(),
]);

const planInput = z
  .object({
    areaIds: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(50)
      .openapi({ description: 'Patrol areas to fly (no_fly areas are avoided)' }),
    dockIds: z.array(z.string().min(1).max(100)).min(1).max(50),
    droneId: z.string().min(1).max(100).optional().openapi({
      description: 'Take speed, endurance, reserve and payload from a registered drone',
    }),
    payload: z
      .enum(['ir', 'lidar', 'rgb'])
      .optional()
      .openapi({ description: 'Which of the drone’s payloads to plan for (default: the first)' }),
    drone: z
      .object({
        cruiseSpeedMps: z.number().positive().max(60),
        enduranceS: z.number().positive().max(36_000),
        reservePct: z.number().min(0).max(90),
        climbRateMps: z.number().positive().max(20),
        descentRateMps: z.number().positive().max(20),
        accelerationMps2: z.number().positive().max(20),
        windMps: z.number().min(0).max(40),
      })
      .partial()
      .strict()
      .optional(),
    camera: cameraSchema.optional(),
    options: z
      .object({
        altitudeAglM: z.number().positive().max(500),
        pointAltitudeAglM: z.number().positive().max(500),
        sideOverlapPct: z.number().min(0).max(95),
        frontOverlapPct: z.number().min(0).max(95),
        ceilingM: z.number().positive().max(500),
        safetyMarginM: z.number().min(0).max(5000),
        fenceMarginM: z.number().min(0).max(5000),
        turnaroundM: z.number().min(0).max(500),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31),
        gimbalCommand: z.enum(['gimbal-manager', 'mount-control']),
        flightWindow: z
          .object({
            from: z.iso.datetime({ offset: true }),
            to: z.iso.datetime({ offset: true }),
          })
          .strict()
          .refine((w) => Date.parse(w.to) > Date.parse(w.from), {
            message: 'expected `to` after `from`',
            path: ['to'],
          })
          .openapi({
            description:
              'When the sorties fly (RFC 3339 with offset). No-fly zones whose validFrom/validTo or activeWindows all miss it do not apply; without it every zone counts as always active.',
          }),
        noFlyVerticalMarginM: z.number().min(0).max(500),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict()
  .openapi('PlanRequest');

const planOut = z
  .object({
    id: z.string(),
    agencyId: z.string(),
    status: z.enum(['pending', 'ready', 'failed']),
    progress: z.number().openapi({ description: 'Fraction done, 0…1' }),
    areaIds: z.array(z.string()),
    dockIds: z.array(z.string()),
    statistics: z.unknown().nullable(),
    sorties: z.unknown().nullable(),
    warnings: z.array(z.string()),
    altitudeReference: z.enum(['dock', 'terrain']).nullable(),
    error: z.unknown().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Plan');

export const EXPORT_FORMATS = ['mavlink-json', 'qgc-plan', 'wpl', 'geojson', 'kml'] as const;

interface StoredRequest {
  areaIds: string[];
  dockIds: string[];
  input: PatrolInput;
}

const FAILURE_CODES: Record<PlanFailure['code'], ErrorCode> = {
  INPUT_INVALID: 'PLAN_INPUT_INVALID',
  AREA_INVALID: 'PLAN_INPUT_INVALID',
  SENSOR_INVALID: 'PLAN_INPUT_INVALID',
  CORRIDOR_INVALID: 'PLAN_INPUT_INVALID',
  DEM_INVALID: 'PLAN_INPUT_INVALID',
  FRAME_INVALID: 'PLAN_INPUT_INVALID',
  DOCK_UNREACHABLE: 'PLAN_INFEASIBLE',
  PREFLIGHT_FAILED: 'PLAN_PREFLIGHT_FAILED',
};

export function planFailureError(failure: PlanFailure): AppError {
  return new AppError(FAILURE_CODES[failure.code] ?? 'PLAN_INPUT_INVALID', failure.message, {
    issues: failure.issues.map((i) => ({
      path: `/plan/${i.path.replaceAll('.', '/')}`,
      code: failure.code,
      message: i.message,
    })),
  });
}

function planJson(record: PlanRecord, progress: number | undefined): z.infer<typeof planOut> {
  const request = record.request as StoredRequest;
  const plan = record.result as Plan | null;
  return {
    id: record.id,
    agencyId: record.agencyId,
    status: record.status,
    progress: record.status === 'pending' ? (progress ?? 0) : 1,
    areaIds: request.areaIds,
    dockIds: request.dockIds,
    statistics: plan?.statistics ?? null,
    sorties: plan
      ? plan.sorties.map((s) => ({
          index: s.index,
          dockId: s.dockId,
          timeS: s.timeS,
          lengthM: s.lengthM,
          batteryUsedPct: s.batteryUsedPct,
          photoCount: s.photoCount,
          turns: s.turns,
          missionItems: s.mission.length,
          fenceItems: s.fence.length,
          rallyItems: s.rally.length,
          work: s.work,
        }))
      : null,
    warnings: plan?.warnings ?? [],
    altitudeReference: plan?.altitudeReference ?? null,
    error: record.error ?? null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

function cameraFromDrone(
  drone: Drone,
  wanted: 'ir' | 'lidar' | 'rgb' | undefined,
): Sensor | undefined {
  const payload = wanted ? drone.payloads.find((p) => p.kind === wanted) : drone.payloads[0];
  if (!payload) {
    if (wanted)
      throw new AppError('VALIDATION_FAILED', `Drone ${drone.id} has no ${wanted} payload.`, {
        issues: [
          {
            path: '/body/payload',
            code: 'NO_SUCH_PAYLOAD',
            message: `drone ${drone.id} carries ${drone.payloads.map((p) => p.kind).join(', ') || 'no payload'}`,
          },
        ],
      });
    return undefined;
  }
  if (payload.kind === 'lidar') {
    if (payload.hfovDeg === undefined) return undefined;
    return { kind: 'lidar', fovDeg: payload.hfovDeg };
  }
  if (
    payload.sensorWidthMm &&
    payload.sensorHeightMm &&
    payload.imageWidthPx &&
    payload.imageHeightPx
  ) {
    return {
      kind: 'camera',
      sensorWidthMm: payload.sensorWidthMm,
      sensorHeightMm: payload.sensorHeightMm,
      imageWidthPx: payload.imageWidthPx,
      imageHeightPx: payload.imageHeightPx,
      ...(payload.focalLengthMm === undefined ? {} : { focalLengthMm: payload.focalLengthMm }),
      ...(payload.hfovDeg === undefined ? {} : { horizontalFovDeg: payload.hfovDeg }),
    };
  }
  return undefined;
}

/** `/v1/plans`: route plans over stored areas from stored docks, computed off the main thread. */
export function createPlansRoutes(deps: AppDeps, runner: PlanRunner) {
  const app = createRouter();
  const waitMs = deps.config.PLAN_WAIT_MS;

  app.on('POST', '/', requireRole('admin', 'planner'), requireContentType('application/json'));

  const load = (auth: AuthContext, id: string): PlanRecord => {
    const record = deps.repos.plans.get(id, scopeOf(auth));
    if (!record) throw new AppError('PLAN_NOT_FOUND', `No plan ${id}.`);
    return record;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['plans'],
      summary: 'Plan patrols over areas from docks (admin, planner)',
      description: `Answers 201 with the plan when it is ready within PLAN_WAIT_MS; otherwise 202 with status \`pending\` and its progress — poll GET /v1/plans/{id}. A plan that cannot be flown answers 422 with the reason (e.g. which lane no dock can reach).`,
      security,
      request: { body: { required: true, content: { 'application/json': { schema: planInput } } } },
      responses: {
        201: { description: 'Planned', content: { 'application/json': { schema: planOut } } },
        202: {
          description: 'Still planning',
          content: { 'application/json': { schema: planOut } },
        },
        ...errorResponses(400, 403, 415, 422),
      },
    }),
    async (c) => {
      const auth = c.get('auth');
      const body = c.req.valid('json');
      const scope = scopeOf(auth);
      const areas = body.areaIds.map((id, i) => {
        const area = deps.repos.areas.get(id, scope);
        if (!area)
          throw new AppError(
            'AREA_REFERENCE_INVALID',
            `Area ${id} does not exist or is not yours.`,
            {
              issues: [
                {
                  path: `/body/areaIds/${i}`,
                  code: 'UNKNOWN_AREA',
                  message: `no area ${id} visible to this agency`,
                },
              ],
            },
          );
        return area;
      });
      const docks = body.dockIds.map((id, i) => {
        const dock = deps.repos.fleet.getDock(id, scope);
        if (!dock)
          throw new AppError(
            'DOCK_REFERENCE_INVALID',
            `Dock ${id} does not exist or is not yours.`,
            {
              issues: [
                {
                  path: `/body/dockIds/${i}`,
                  code: 'UNKNOWN_DOCK',
                  message: `no dock ${id} visible to this agency`,
                },
              ],
            },
          );
        return dock;
      });
      let drone: Drone | undefined;
      if (body.droneId) {
        drone = deps.repos.fleet.getDrone(body.droneId, scope);
        if (!drone)
          throw new AppError('DRONE_NOT_FOUND', `No drone ${body.droneId}.`, {
            issues: [
              {
                path: '/body/droneId',
                code: 'UNKNOWN_DRONE',
                message: `no drone ${body.droneId} visible to this agency`,
              },
            ],
          });
      }
      const camera: Sensor | undefined = body.camera
        ? (defined(body.camera) as Sensor)
        : drone
          ? cameraFromDrone(drone, body.payload)
          : undefined;
      const input: PatrolInput = {
        areas: areas.map((a) => ({ id: a.id, kind: a.kind, geojson: a.geojson })),
        docks: docks.map((d) => ({ id: d.id, position: [d.lon, d.lat], groundAltM: d.groundAltM })),
        drone: {
          ...(drone
            ? {
                cruiseSpeedMps: drone.cruiseSpeedMps,
                enduranceS: drone.maxFlightTimeMin * 60,
                reservePct: drone.batteryReservePct,
              }
            : {}),
          ...defined(body.drone ?? {}),
        },
        ...(camera ? { camera } : {}),
        ...(body.options ? { options: defined(body.options) } : {}),
      };
      const stored: StoredRequest = { areaIds: body.areaIds, dockIds: body.dockIds, input };
      const record = deps.repos.plans.create(
        {
          agencyId: auth.agencyId,
          createdBy: auth.keyId,
          request: stored,
          areaRefs: areas.map((a) => ({ areaId: a.id, version: a.version })),
        },
        deps.now(),
      );
      void runner.start(record.id, input);
      await runner.waitFor(record.id, waitMs);
      const now = load(auth, record.id);
      c.header('Location', `/v1/plans/${record.id}`);
      if (now.status === 'failed') throw planFailureError(now.error as PlanFailure);
      return c.json(planJson(now, runner.progress(record.id)), now.status === 'ready' ? 201 : 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['plans'],
      summary: 'A plan: status, progress, sorties and statistics',
      security,
      request: { params: idParams },
      responses: {
        200: { description: 'The plan', content: { 'application/json': { schema: planOut } } },
        ...errorResponses(404),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      return c.json(planJson(load(c.get('auth'), id), runner.progress(id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/export',
      tags: ['plans'],
      summary: 'Export a ready plan',
      description:
        '`mavlink-json` (every sortie’s mission, fence and rally items), `qgc-plan` (QGroundControl .plan of one sortie), `wpl` (Mission Planner QGC WPL 110 of one sortie), `geojson` (lanes, footprints, sorties), `kml`.',
      security,
      request: {
        params: idParams,
        query: z.object({
          format: z.enum(EXPORT_FORMATS),
          sortie: z.coerce
            .number()
            .int()
            .min(0)
            .default(0)
            .openapi({ description: 'Sortie index for qgc-plan and wpl' }),
        }),
      },
      responses: { 200: { description: 'The file' }, ...errorResponses(400, 404, 409) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const { format, sortie } = c.req.valid('query');
      const record = load(c.get('auth'), id);
      if (record.status !== 'ready' || !record.result) {
        throw new AppError(
          'PLAN_NOT_READY',
          `Plan ${id} is ${record.status}; only a ready plan can be exported.`,
        );
      }
      const plan = record.result as Plan;
      const pick = () => {
        const s = plan.sorties[sortie];
        if (!s)
          throw new AppError(
            'VALIDATION_FAILED',
            `Plan ${id} has ${plan.sorties.length} sorties; there is no sortie ${sortie}.`,
            {
              issues: [
                {
                  path: '/query/sortie',
                  code: 'OUT_OF_RANGE',
                  message: `expected 0–${plan.sorties.length - 1}`,
                },
              ],
            },
          );
        return s;
      };
      const file = (body: string, type: string, ext: string) =>
        c.body(body, 200, {
          'content-type': type,
          'content-disposition': `attachment; filename="${id}${ext}"`,
        });
      switch (format) {
        case 'mavlink-json':
          return file(toMavlinkJson(plan), 'application/json', '.mission.json');
        case 'geojson':
          return file(JSON.stringify(toGeoJsonPreview(plan)), 'application/geo+json', '.geojson');
        case 'kml':
          return file(
            toKml(plan, `Shared Flights ${id}`),
            'application/vnd.google-earth.kml+xml',
            '.kml',
          );
        case 'qgc-plan': {
          const s = pick();
          return file(
            toQgcPlan(
              { mission: s.mission, fence: s.fence, rally: s.rally },
              {
                home: s.home,
                homeAltAmslM: s.homeAltAmslM,
                cruiseSpeedMps: cruiseOf(record),
                hoverSpeedMps: 5,
                firmwareType: 3,
              },
            ),
            'application/json',
            `-sortie${sortie}.plan`,
          );
        }
        case 'wpl': {
          const s = pick();
          return file(
            toWpl(s.mission, { position: s.home, altAmslM: s.homeAltAmslM }),
            'text/plain; charset=utf-8',
            `-sortie${sortie}.waypoints`,
          );
        }
      }
    },
  );

  return app;
}

/** Drops keys whose value is undefined (zod's optional output vs. exactOptionalPropertyTypes). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function cruiseOf(record: PlanRecord): number {
  return (record.request as StoredRequest).input.drone?.cruiseSpeedMps ?? 10;
}
