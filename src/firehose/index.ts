/** Amazon Data Firehose (docs/firehose.md). */
export { createFirehoseService, firehoseServiceModule, firehoseServiceModuleWith, type FirehoseService, type FirehoseModuleDeps } from "./service.js";
export { firehoseOptionsDefault, type FirehoseOptions } from "./context.js";
