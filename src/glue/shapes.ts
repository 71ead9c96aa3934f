/**
 * Glue's request shapes, from botocore's glue model (data/glue/2017-03-31/service-2.json), in the
 * model's member order, for the shared checker (protocol/shapes.ts): SerializationException for a
 * wrong JSON type, then up to ten "N validation errors detected: …" as one ValidationException —
 * what Glue answers for a model constraint (its patterns printed as the model writes them).
 */
import type { IntegerShape, ListShape, MapShape, Shape, StringShape, StructureShape } from "../protocol/shapes.js";

/** The model's "single-line" pattern: any character but the controls, tab allowed. */
const singleLine = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*";
/** The same with line breaks (DescriptionString, URI, LocationString). */
const multiLine = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*";

export const nameString = { type: "string", lengthMin: 1, lengthMax: 255, pattern: singleLine } as const satisfies StringShape;
export const requiredName = { ...nameString, required: true } as const satisfies StringShape;
export const catalogIdString = nameString;
const descriptionString = { type: "string", lengthMin: 0, lengthMax: 2048, pattern: multiLine } as const satisfies StringShape;
const uri = { type: "string", lengthMin: 1, lengthMax: 1024, pattern: multiLine } as const satisfies StringShape;
const locationString = { type: "string", lengthMax: 2056, pattern: multiLine } as const satisfies StringShape;
const formatString = { type: "string", lengthMax: 128, pattern: singleLine } as const satisfies StringShape;
const commentString = { type: "string", lengthMin: 0, lengthMax: 255, pattern: singleLine } as const satisfies StringShape;
const columnTypeString = { type: "string", lengthMin: 0, lengthMax: 131072, pattern: singleLine } as const satisfies StringShape;
const viewTextString = { type: "string", lengthMax: 409600 } as const satisfies StringShape;
const tableTypeString = { type: "string", lengthMax: 255 } as const satisfies StringShape;
export const versionString = { type: "string", lengthMin: 1, lengthMax: 255, pattern: singleLine } as const satisfies StringShape;
export const transactionIdString = { type: "string", lengthMin: 1, lengthMax: 255, pattern: "[\\p{L}\\p{N}\\p{P}]*" } as const satisfies StringShape;
export const token = { type: "string" } as const satisfies StringShape;
export const filterString = { type: "string", lengthMin: 0, lengthMax: 2048, pattern: singleLine } as const satisfies StringShape;
export const catalogGetterPageSize = { type: "integer", min: 1, max: 100 } as const satisfies IntegerShape;

/** ParametersMap: keys KeyString (1–255), values up to 512,000 characters. */
export const parametersMap = { type: "map", value: { type: "string", lengthMax: 512000 }, keyLength: [1, 255] } as const satisfies MapShape;
const nameStringList = { type: "list", member: nameString } as const satisfies ListShape;

const column = {
  type: "structure",
  members: { Name: requiredName, Type: columnTypeString, Comment: commentString, Parameters: parametersMap },
} as const satisfies StructureShape;
export const columnList = { type: "list", member: column, memberClass: "com.amazonaws.services.glue.model.Column" } as const satisfies ListShape;

const serDeInfo = {
  type: "structure",
  members: { Name: nameString, SerializationLibrary: nameString, Parameters: parametersMap },
} as const satisfies StructureShape;

const order = {
  type: "structure",
  members: { Column: requiredName, SortOrder: { type: "integer", min: 0, max: 1, required: true } },
} as const satisfies StructureShape;

const skewedInfo = {
  type: "structure",
  members: {
    SkewedColumnNames: nameStringList,
    SkewedColumnValues: { type: "list", member: { type: "string" } },
    SkewedColumnValueLocationMaps: { type: "map", value: { type: "string" } },
  },
} as const satisfies StructureShape;

const schemaReference = {
  type: "structure",
  members: {
    SchemaId: {
      type: "structure",
      members: {
        SchemaArn: { type: "string", lengthMin: 1, lengthMax: 10240, pattern: "arn:(aws|aws-us-gov|aws-cn):glue:.*" },
        SchemaName: { type: "string", lengthMin: 1, lengthMax: 255, pattern: "[a-zA-Z0-9-_$#.]+" },
        RegistryName: { type: "string", lengthMin: 1, lengthMax: 255, pattern: "[a-zA-Z0-9-_$#.]+" },
      },
    },
    SchemaVersionId: { type: "string", lengthMin: 36, lengthMax: 36, pattern: "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}" },
    SchemaVersionNumber: { type: "long", min: 1, max: 100000 },
  },
} as const satisfies StructureShape;

export const storageDescriptor = {
  type: "structure",
  members: {
    Columns: columnList,
    Location: locationString,
    AdditionalLocations: { type: "list", member: locationString },
    InputFormat: formatString,
    OutputFormat: formatString,
    Compressed: { type: "boolean" },
    NumberOfBuckets: { type: "integer" },
    SerdeInfo: serDeInfo,
    BucketColumns: nameStringList,
    SortColumns: { type: "list", member: order },
    Parameters: parametersMap,
    SkewedInfo: skewedInfo,
    StoredAsSubDirectories: { type: "boolean" },
    SchemaReference: schemaReference,
  },
} as const satisfies StructureShape;

const tableIdentifier = {
  type: "structure",
  members: { CatalogId: catalogIdString, DatabaseName: nameString, Name: nameString },
} as const satisfies StructureShape;

export const tableInput = {
  type: "structure",
  required: true,
  members: {
    Name: requiredName,
    Description: descriptionString,
    Owner: nameString,
    LastAccessTime: { type: "timestamp" },
    LastAnalyzedTime: { type: "timestamp" },
    Retention: { type: "integer", min: 0 },
    StorageDescriptor: storageDescriptor,
    PartitionKeys: columnList,
    ViewOriginalText: viewTextString,
    ViewExpandedText: viewTextString,
    TableType: tableTypeString,
    Parameters: parametersMap,
    TargetTable: tableIdentifier,
  },
} as const satisfies StructureShape;

const principalPermissions = {
  type: "structure",
  members: {
    Principal: { type: "structure", members: { DataLakePrincipalIdentifier: { type: "string", lengthMin: 1, lengthMax: 255 } } },
    Permissions: {
      type: "list",
      member: { type: "string", enum: ["ALL", "SELECT", "ALTER", "DROP", "DELETE", "INSERT", "CREATE_DATABASE", "CREATE_TABLE", "DATA_LOCATION_ACCESS"] },
    },
  },
} as const satisfies StructureShape;

export const databaseInput = {
  type: "structure",
  required: true,
  members: {
    Name: requiredName,
    Description: descriptionString,
    LocationUri: uri,
    Parameters: parametersMap,
    CreateTableDefaultPermissions: { type: "list", member: principalPermissions },
    TargetDatabase: { type: "structure", members: { CatalogId: catalogIdString, DatabaseName: nameString } },
  },
} as const satisfies StructureShape;

export const tagsMap = { type: "map", value: { type: "string", lengthMin: 0, lengthMax: 256 }, lengthMin: 0, lengthMax: 50, keyLength: [1, 128] } as const satisfies MapShape;

export function structure(members: Record<string, Shape>): StructureShape {
  return { type: "structure", members };
}

/** Glue's wire types as the actions receive them (timestamps as epoch milliseconds). */
export interface ColumnInput {
  Name: string;
  Type?: string;
  Comment?: string;
  Parameters?: Record<string, string>;
}
export interface TableInputValue {
  Name: string;
  Description?: string;
  Owner?: string;
  LastAccessTime?: number;
  LastAnalyzedTime?: number;
  Retention?: number;
  StorageDescriptor?: Record<string, unknown> & { Columns?: ColumnInput[]; SerdeInfo?: { Parameters?: Record<string, string> } };
  PartitionKeys?: ColumnInput[];
  ViewOriginalText?: string;
  ViewExpandedText?: string;
  TableType?: string;
  Parameters?: Record<string, string>;
  TargetTable?: Record<string, string>;
}
export interface DatabaseInputValue {
  Name: string;
  Description?: string;
  LocationUri?: string;
  Parameters?: Record<string, string>;
  CreateTableDefaultPermissions?: unknown[];
  TargetDatabase?: Record<string, string>;
}
