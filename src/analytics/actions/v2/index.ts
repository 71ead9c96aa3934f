/** The v2 API's actions by name (the X-Amz-Target suffix after `KinesisAnalytics_20180523.`), for SQL applications. */
import { defineAction, type AnalyticsAction } from "../../context.js";
import { kinesisAnalyticsV2RequestShapes as shapes } from "../../shapes/v2.generated.js";
import { createApplicationV2, deleteApplicationV2, describeApplicationV2, listApplicationsV2, startApplicationV2, stopApplicationV2, updateApplicationV2 } from "./applications.js";
import {
  addApplicationCloudWatchLoggingOptionV2,
  addApplicationInputProcessingConfigurationV2,
  addApplicationInputV2,
  addApplicationOutputV2,
  addApplicationReferenceDataSourceV2,
  deleteApplicationCloudWatchLoggingOptionV2,
  deleteApplicationInputProcessingConfigurationV2,
  deleteApplicationOutputV2,
  deleteApplicationReferenceDataSourceV2,
} from "./parts.js";
import { discover, type DiscoverInput } from "../discover-input-schema.js";
import { listTagsForResource, tagResource, untagResource } from "../tags.js";

const discoverInputSchemaV2 = defineAction<DiscoverInput & { ServiceExecutionRole: string }, unknown>({
  iamAction: "kinesisanalytics:DiscoverInputSchema",
  shape: shapes.DiscoverInputSchema,
  run: (context, input) => discover(context, input),
});

export const analyticsV2Actions: Readonly<Record<string, AnalyticsAction>> = {
  CreateApplication: createApplicationV2,
  DescribeApplication: describeApplicationV2,
  ListApplications: listApplicationsV2,
  DeleteApplication: deleteApplicationV2,
  StartApplication: startApplicationV2,
  StopApplication: stopApplicationV2,
  UpdateApplication: updateApplicationV2,
  AddApplicationInput: addApplicationInputV2,
  AddApplicationInputProcessingConfiguration: addApplicationInputProcessingConfigurationV2,
  DeleteApplicationInputProcessingConfiguration: deleteApplicationInputProcessingConfigurationV2,
  AddApplicationOutput: addApplicationOutputV2,
  DeleteApplicationOutput: deleteApplicationOutputV2,
  AddApplicationReferenceDataSource: addApplicationReferenceDataSourceV2,
  DeleteApplicationReferenceDataSource: deleteApplicationReferenceDataSourceV2,
  AddApplicationCloudWatchLoggingOption: addApplicationCloudWatchLoggingOptionV2,
  DeleteApplicationCloudWatchLoggingOption: deleteApplicationCloudWatchLoggingOptionV2,
  DiscoverInputSchema: discoverInputSchemaV2,
  TagResource: { ...tagResource, shape: shapes.TagResource },
  UntagResource: { ...untagResource, shape: shapes.UntagResource },
  ListTagsForResource: { ...listTagsForResource, shape: shapes.ListTagsForResource },
};
