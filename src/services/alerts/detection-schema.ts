/**
 * The four detection kinds the payloads' analysis sends, as zod schemas (the ingest contract
 * of `POST /v1/detections`). Coordinates are `[lon, lat]`; units are in the field names.
 */
import { z } from 'zod';

const lonLatSchema = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .describe('[lon, lat] in degrees (WGS84)');

const ringSchema = z
  .array(lonLatSchema)
  .min(4)
  .refine((ring) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    return (
      first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1]
    );
  }, 'a linear ring must be closed: its first and last positions must be equal');

export const pointGeometrySchema = z.object({
  type: z.literal('Point'),
  coordinates: lonLatSchema,
});
export const lineStringGeometrySchema = z.object({
  type: z.literal('LineString'),
  coordinates: z.array(lonLatSchema).min(2),
});
export const polygonGeometrySchema = z.object({
  type: z.literal('Polygon'),
  coordinates: z.array(ringSchema).min(1),
});
export const multiPolygonGeometrySchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(ringSchema).min(1)).min(1),
});
export const areaGeometrySchema = z.discriminatedUnion('type', [
  polygonGeometrySchema,
  multiPolygonGeometrySchema,
]);

/** Where the drone and its camera were at capture time. */
export const dronePoseSchema = z.object({
  positionLonLat: lonLatSchema,
  /** Altitude above mean sea level of the camera. */
  altitudeAmslM: z.number().min(-500).max(10_000),
  /** Drone heading, degrees clockwise from true north. */
  headingDeg: z.number().min(-360).max(360),
  /** Gimbal pitch: 0 = horizon, -90 = straight down (nadir). */
  gimbalPitchDeg: z.number().min(-90).max(30),
  /** Gimbal yaw relative to the drone heading, degrees clockwise. */
  gimbalYawDeg: z.number().min(-360).max(360).default(0),
  /** One-sigma uncertainties of the pose; defaults apply to what is missing. */
  uncertainty: z
    .object({
      horizontalM: z.number().nonnegative().optional(),
      verticalM: z.number().nonnegative().optional(),
      headingDeg: z.number().nonnegative().optional(),
      pitchDeg: z.number().nonnegative().optional(),
    })
    .optional(),
});

export const cameraIntrinsicsSchema = z.object({
  model: z.literal('intrinsics'),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  fxPx: z.number().positive(),
  fyPx: z.number().positive(),
  cxPx: z.number(),
  cyPx: z.number(),
});
export const cameraFovSchema = z.object({
  model: z.literal('fov'),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  horizontalFovDeg: z.number().gt(0).lt(180),
  /** When absent, pixels are square. */
  verticalFovDeg: z.number().gt(0).lt(180).optional(),
});
export const cameraSchema = z.discriminatedUnion('model', [
  cameraIntrinsicsSchema,
  cameraFovSchema,
]);

const commonFields = {
  /** Per-item idempotency key (used when the batch has no `Idempotency-Key` header). */
  clientKey: z.string().min(1).max(200).optional(),
  capturedAt: z.iso.datetime({ offset: true }),
  /** The flight / pass that produced it: two passes → a repeated observation. */
  passId: z.string().min(1).max(200).optional(),
  droneId: z.string().min(1).max(200).optional(),
  /** The sensor that produced it (e.g. `ir-1`, `lidar-1`): two sensors → corroboration. */
  sensorId: z.string().min(1).max(200),
  /** The analysis' own confidence, 0..1. */
  confidence: z.number().min(0).max(1),
};

export const irHotspotDetectionSchema = z.object({
  kind: z.literal('ir_hotspot'),
  ...commonFields,
  pose: dronePoseSchema,
  camera: cameraSchema,
  /** Flat ground height AMSL under the hotspot; a DEM, when configured, takes precedence. */
  groundElevationM: z.number().min(-500).max(9000).optional(),
  hotspot: z.object({
    centroidPx: z.tuple([z.number(), z.number()]),
    /** [uMin, vMin, uMax, vMax] in pixels. */
    boxPx: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    maxTempC: z.number().min(-80).max(2000),
    meanTempC: z.number().min(-80).max(2000),
    hotPixelCount: z.number().int().positive(),
    ambientTempC: z.number().min(-80).max(70),
  }),
});

export const irWaterPlumeDetectionSchema = z.object({
  kind: z.literal('ir_water_plume'),
  ...commonFields,
  /** Plume minus surrounding water temperature. */
  temperatureDifferenceC: z.number().min(-50).max(200),
  plumeOutline: polygonGeometrySchema,
  /** Where the plume meets the bank (the likely outfall), when known. */
  bankPointLonLat: lonLatSchema.optional(),
  distanceToBankM: z.number().nonnegative().optional(),
});

export const lidarCanopyChangeDetectionSchema = z.object({
  kind: z.literal('lidar_canopy_change'),
  ...commonFields,
  changedArea: areaGeometrySchema,
  meanHeightLossM: z.number().nonnegative().max(150),
  maxHeightLossM: z.number().nonnegative().max(150),
  areaM2: z.number().positive(),
  estimatedStems: z.number().int().nonnegative(),
  baselineSurveyId: z.string().min(1).max(200),
});

export const waterLevelMeasurementSchema = z.object({
  geometry: z.discriminatedUnion('type', [pointGeometrySchema, lineStringGeometrySchema]),
  waterSurfaceElevationM: z.number().min(-500).max(9000),
  baselineElevationM: z.number().min(-500).max(9000),
});

export const waterLevelDetectionSchema = z.object({
  kind: z.literal('water_level'),
  ...commonFields,
  measurements: z.array(waterLevelMeasurementSchema).min(1).max(10_000),
  floodedExtent: areaGeometrySchema.optional(),
});

export const detectionSchema = z.discriminatedUnion('kind', [
  irHotspotDetectionSchema,
  irWaterPlumeDetectionSchema,
  lidarCanopyChangeDetectionSchema,
  waterLevelDetectionSchema,
]);

const detectionBatchShape = z.object({
  detections: z.array(detectionSchema).min(1).max(1000),
});

/**
 * A schema's asynchronous parse running its synchronous one. `z.compile`'s fast path serves
 * synchronous parses only, and @hono/zod-validator parses asynchronously; for a schema without
 * async refinements or transforms (`z.compile(…, { strict: true })` refuses those) both give the
 * same result.
 */
function withSyncAsyncParse<T extends z.ZodType>(schema: T): T {
  Object.assign(schema, {
    // async functions: a refusal is a rejected promise, never a synchronous throw
    parseAsync: async (data: unknown) => schema.parse(data),
    safeParseAsync: async (data: unknown) => schema.safeParse(data),
  });
  return schema;
}

/**
 * The body of `POST /v1/detections`, compiled by zod (`z.compile`): the same output and the same
 * issues as the schema it is made of, about ten times faster on a batch of a hundred detections
 * (validation was the largest part of acceptance). `strict` makes a schema that zod cannot compile
 * fail here, at load, instead of silently keeping the slow path.
 */
export const detectionBatchSchema = withSyncAsyncParse(
  z.compile(detectionBatchShape, { strict: true }),
);

export type LonLatTuple = z.infer<typeof lonLatSchema>;
export type PointGeometry = z.infer<typeof pointGeometrySchema>;
export type LineStringGeometry = z.infer<typeof lineStringGeometrySchema>;
export type PolygonGeometry = z.infer<typeof polygonGeometrySchema>;
export type MultiPolygonGeometry = z.infer<typeof multiPolygonGeometrySchema>;
export type AreaGeometry = z.infer<typeof areaGeometrySchema>;
export type DronePose = z.infer<typeof dronePoseSchema>;
export type Camera = z.infer<typeof cameraSchema>;
export type IrHotspotDetection = z.infer<typeof irHotspotDetectionSchema>;
export type IrWaterPlumeDetection = z.infer<typeof irWaterPlumeDetectionSchema>;
export type LidarCanopyChangeDetection = z.infer<typeof lidarCanopyChangeDetectionSchema>;
export type WaterLevelDetection = z.infer<typeof waterLevelDetectionSchema>;
export type Detection = z.infer<typeof detectionSchema>;
export type DetectionInput = z.input<typeof detectionSchema>;
export type DetectionKind = Detection['kind'];
export type DetectionBatch = z.infer<typeof detectionBatchSchema>;
