export { metricsEndpoint, routeLabel, type MetricsConfig } from './metrics.js';
export { MetricsRegistry, type Counter, type Histogram, type Labels } from './metrics-registry.js';
