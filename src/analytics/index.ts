/** Amazon Kinesis Data Analytics for SQL applications (docs/analytics/api.md). */
export { createAnalyticsService, analyticsServiceModule, analyticsServiceModuleWith, type AnalyticsService, type AnalyticsModuleDeps } from "./service.js";
export { analyticsOptionsDefault, type AnalyticsOptions } from "./context.js";
