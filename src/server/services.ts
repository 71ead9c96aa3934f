/**
 * The services this server runs, in start order (stopped in reverse): adding a service is its
 * folder and one line here (docs/architecture.md, "How to add a service"). Each module reads its
 * own section of the app's deps; the type below checks the app supplies what every one reads.
 */
import type { ServiceModule } from "../protocol/service-module.js";
import type { Principal } from "../auth/principal.js";
import { streamsServiceModule } from "../streams/index.js";
import { dynamoDbServiceModule } from "../dynamodb/index.js";
import { s3ServiceModule } from "../s3/index.js";
import { lambdaServiceModule } from "../lambda/index.js";
import { firehoseServiceModule } from "../firehose/index.js";
import { glueServiceModule } from "../glue/index.js";
import { analyticsServiceModule } from "../analytics/index.js";
import { cloudWatchServiceModule } from "../cloudwatch/index.js";
import type { ServiceDeps } from "./app.js";

export type AppServiceModule = ServiceModule<ServiceDeps, Principal, any>;

export const services: readonly AppServiceModule[] = [streamsServiceModule, dynamoDbServiceModule, cloudWatchServiceModule, s3ServiceModule, lambdaServiceModule, firehoseServiceModule, glueServiceModule, analyticsServiceModule];
