export type {
  StepEvent,
  EpochEvent,
  EvalEvent,
  LogEvent,
  CheckpointEvent,
  TelemetryPayload,
  TelemetryEvent,
  TelemetryEventType,
} from './events.js';
export { TELEMETRY_EVENT_TYPES } from './events.js';
export { Telemetry } from './emitter.js';
export type { TelemetryListener, TelemetrySink } from './emitter.js';
export { jsonlSink, stringifyEvent, parseTelemetryJsonl } from './jsonl-sink.js';
