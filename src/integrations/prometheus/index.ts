export { type PromClientLike, type PrometheusMetricsOptions, prometheusMetrics } from './prometheus-metrics.js';
