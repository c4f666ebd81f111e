/**
 * The firmware bridge's public API: MAVLink links over serial, UDP and TCP. Code outside
 * `firmware-bridge/` imports only from here.
 */
export type { Clock, MavEndpoint, ReceivedFrame, TimerHandle } from './link/types';
export { systemClock } from './link/types';
export type { MissionItem, MissionType } from './mission-item';

// codec
export { frameCrc } from './codec/crc';
export {
  compileMessage,
  createMessageRegistry,
  MessageRegistry,
  type MessageClass,
  type MessageDefinition,
} from './codec/message-registry';
export {
  decodeFrame,
  FrameParser,
  HEADER_LENGTH_V1,
  HEADER_LENGTH_V2,
  IFLAG_SIGNED,
  MAGIC_V1,
  MAGIC_V2,
  MAX_FRAME_LENGTH,
  SIGNATURE_LENGTH,
  parseFrames,
  Probe,
  probeFrame,
  type FrameParserOptions,
  type ParserStats,
  type ProbeInfo,
  type ProbeResult,
} from './codec/frame-parser';
export { FrameEncoder, type FrameEncoderOptions, type FrameSigner } from './codec/frame-encoder';

// transport
export {
  ConnectingTransport,
  TransportError,
  type StateChange,
  type Transport,
  type TransportErrorCode,
  type TransportOptions,
  type TransportState,
  type TransportStats,
  type WriteOptions,
} from './transport/transport';
export { backoffDelayMs, type BackoffOptions } from './transport/backoff';
export {
  DEFAULT_SERIAL_BAUD,
  parseTransportUrl,
  type TransportUrl,
} from './transport/transport-url';
export { createTransport } from './transport/create-transport';
export { SerialTransport } from './transport/serial-transport';
export {
  senderSystemId,
  UDP_MAX_PEERS,
  UDP_PEER_TIMEOUT_MS,
  UdpTransport,
  type UdpPeer,
} from './transport/udp-transport';
export { TcpTransport } from './transport/tcp-transport';
export { openPtyPair, type PtyPair, type PtyPairOptions } from './transport/pty-pair';

// link
export {
  GCS_COMPONENT_ID,
  GCS_SYSTEM_ID,
  LinkEndpoint,
  MavLink,
  type EndpointOptions,
  type FrameRecorder,
  type LinkStats,
  type MavLinkOptions,
  type RemoteSystemStats,
} from './link/mav-link';

// signing
export {
  LinkSigning,
  RADIO_STATUS_ID,
  SIGNING_EPOCH_MS,
  SIGNING_MAX_LAG_MS,
  SIGNING_RESERVE_MS,
  SIGNING_UNITS_PER_MS,
  signingKeyFromPassphrase,
  type LinkSigningOptions,
  type SignatureCheck,
  type SigningStats,
  type TimestampStore,
} from './signing/link-signing';
export { FileTimestampStore, MemoryTimestampStore } from './signing/timestamp-store';

// health
export {
  HEARTBEAT_INTERVAL_MS,
  LinkHealth,
  MAV_AUTOPILOT_INVALID,
  MAV_TYPE_GCS,
  SEND_STALL_MS,
  VEHICLE_LOST_AFTER_MS,
  type HealthEvent,
  type LinkHealthOptions,
  type LinkHealthStats,
  type VehicleLiveness,
} from './health/link-health';

// telemetry
// the one flight-mode table (protocol/flight-modes.ts adds modeCommand / modeName on top of it)
export {
  ARDUCOPTER_MODES,
  ARDUPLANE_MODES,
  arduPilotModeNumbers,
  decodeFlightMode,
  encodeFlightMode,
  MAV_AUTOPILOT_ARDUPILOTMEGA,
  MAV_AUTOPILOT_PX4,
  MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
  MAV_MODE_FLAG_SAFETY_ARMED,
  PLANE_MODE_NUMBERS,
  PX4_AUTO_SUB_MODES,
  PX4_MAIN_MODE_AUTO,
  PX4_MAIN_MODES,
  px4CustomMode,
} from './telemetry/flight-mode';
export {
  Telemetry,
  toTelemetryEvent,
  type FrameSource,
  type TelemetryEvent,
  type TelemetryKind,
  type TelemetryOf,
  type TelemetryOptions,
  type VehicleSnapshot,
} from './telemetry/telemetry';

// tlog
export {
  emptyTlogStats,
  readTlog,
  TLOG_TIMESTAMP_LENGTH,
  tlogRecord,
  TlogReplay,
  tlogStats,
  TlogWriter,
  type ReplayOptions,
  type TlogRecord,
  type TlogStats,
} from './tlog/tlog';

// protocols, dock dialect, simulator
export * from './protocol/index';
export * from './dock/index';
export * from './sim/index';
