/** The Lambda API's own actions (the event-source-mapping actions live in ../event-sources/actions). */
import type { LambdaAction } from "../action.js";
import { createAlias } from "./create-alias.js";
import { createFunction } from "./create-function.js";
import { deleteAlias } from "./delete-alias.js";
import { deleteFunction } from "./delete-function.js";
import { deleteLayerVersion } from "./delete-layer-version.js";
import { downloadCode } from "./download-code.js";
import { getAccountSettings } from "./get-account-settings.js";
import { getAlias } from "./get-alias.js";
import { getFunction } from "./get-function.js";
import { getFunctionConfiguration } from "./get-function-configuration.js";
import { getLayerVersion, getLayerVersionByArn } from "./get-layer-version.js";
import { invoke, invokeAsync } from "./invoke.js";
import { listAliases } from "./list-aliases.js";
import { listFunctions } from "./list-functions.js";
import { listLayers, listLayerVersions } from "./list-layers.js";
import { listVersionsByFunction } from "./list-versions-by-function.js";
import { publishLayerVersion } from "./publish-layer-version.js";
import { publishVersion } from "./publish-version.js";
import { deleteFunctionConcurrency, getFunctionConcurrency, putFunctionConcurrency } from "./concurrency-actions.js";
import { listTags, tagResource, untagResource } from "./tag-actions.js";
import { updateAlias } from "./update-alias.js";
import { updateFunctionCode } from "./update-function-code.js";
import { updateFunctionConfiguration } from "./update-function-configuration.js";

export const functionActions: readonly LambdaAction[] = [
  createFunction,
  getFunction,
  getFunctionConfiguration,
  listFunctions,
  updateFunctionCode,
  updateFunctionConfiguration,
  deleteFunction,
  invoke,
  invokeAsync,
  publishVersion,
  listVersionsByFunction,
  createAlias,
  getAlias,
  updateAlias,
  deleteAlias,
  listAliases,
  publishLayerVersion,
  getLayerVersion,
  getLayerVersionByArn,
  listLayers,
  listLayerVersions,
  deleteLayerVersion,
  tagResource,
  untagResource,
  listTags,
  putFunctionConcurrency,
  getFunctionConcurrency,
  deleteFunctionConcurrency,
  getAccountSettings,
  downloadCode,
];
