/** The v1 API's actions by name (the X-Amz-Target suffix after `KinesisAnalytics_20150814.`). */
import type { AnalyticsAction } from "../context.js";
import { createApplication } from "./create-application.js";
import { describeApplication, listApplications } from "./describe-application.js";
import { deleteApplication } from "./delete-application.js";
import { startApplication, stopApplication } from "./start-stop.js";
import { updateApplication } from "./update-application.js";
import { addApplicationInput, addApplicationInputProcessingConfiguration, deleteApplicationInputProcessingConfiguration } from "./inputs.js";
import { addApplicationOutput, deleteApplicationOutput } from "./outputs.js";
import { addApplicationReferenceDataSource, deleteApplicationReferenceDataSource } from "./references.js";
import { addApplicationCloudWatchLoggingOption, deleteApplicationCloudWatchLoggingOption } from "./logging-options.js";
import { discoverInputSchema } from "./discover-input-schema.js";
import { listTagsForResource, tagResource, untagResource } from "./tags.js";

export const analyticsActions: Readonly<Record<string, AnalyticsAction>> = {
  CreateApplication: createApplication,
  DescribeApplication: describeApplication,
  ListApplications: listApplications,
  DeleteApplication: deleteApplication,
  StartApplication: startApplication,
  StopApplication: stopApplication,
  UpdateApplication: updateApplication,
  AddApplicationInput: addApplicationInput,
  AddApplicationInputProcessingConfiguration: addApplicationInputProcessingConfiguration,
  DeleteApplicationInputProcessingConfiguration: deleteApplicationInputProcessingConfiguration,
  AddApplicationOutput: addApplicationOutput,
  DeleteApplicationOutput: deleteApplicationOutput,
  AddApplicationReferenceDataSource: addApplicationReferenceDataSource,
  DeleteApplicationReferenceDataSource: deleteApplicationReferenceDataSource,
  AddApplicationCloudWatchLoggingOption: addApplicationCloudWatchLoggingOption,
  DeleteApplicationCloudWatchLoggingOption: deleteApplicationCloudWatchLoggingOption,
  DiscoverInputSchema: discoverInputSchema,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
