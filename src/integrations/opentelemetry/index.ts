export {
  type MeterLike,
  type OpenTelemetryApiLike,
  type OpenTelemetryOptions,
  openTelemetryInstrumentation,
  type SpanLike,
  type TracerLike,
} from './opentelemetry-instrumentation.js';
