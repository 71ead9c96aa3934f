/**
 * The wire shapes of the CloudWatch subset served (GetMetricData, GetMetricStatistics, ListMetrics),
 * from botocore's monitoring-2010-08-01 model: member names, types and, for the query protocol's
 * XML, member order (the model's xmlOrder). One model drives all three protocols' decoding and
 * encoding; CloudWatch's constraints (lengths, enums, period rules) are checked by the actions in
 * CloudWatch's own wording, not here.
 */

export type Shape =
  | { readonly type: "string" | "integer" | "double" | "boolean" | "timestamp" }
  | { readonly type: "list"; readonly member: Shape }
  | { readonly type: "map"; readonly value: Shape }
  | { readonly type: "structure"; readonly members: Readonly<Record<string, Shape>> };

export type StructureShape = Extract<Shape, { type: "structure" }>;

const string = { type: "string" } as const;
const integer = { type: "integer" } as const;
const double = { type: "double" } as const;
const boolean = { type: "boolean" } as const;
const timestamp = { type: "timestamp" } as const;
const list = (member: Shape) => ({ type: "list", member }) as const;
const structure = (members: Record<string, Shape>): StructureShape => ({ type: "structure", members });

const dimension = structure({ Name: string, Value: string });
const metric = structure({ Namespace: string, MetricName: string, Dimensions: list(dimension) });
const messageData = structure({ Code: string, Value: string });

export const getMetricDataInput = structure({
  MetricDataQueries: list(
    structure({
      Id: string,
      MetricStat: structure({ Metric: metric, Period: integer, Stat: string, Unit: string }),
      Expression: string,
      Label: string,
      ReturnData: boolean,
      Period: integer,
      AccountId: string,
    }),
  ),
  StartTime: timestamp,
  EndTime: timestamp,
  NextToken: string,
  ScanBy: string,
  MaxDatapoints: integer,
  LabelOptions: structure({ Timezone: string }),
});

export const getMetricDataOutput = structure({
  MetricDataResults: list(
    structure({ Id: string, Label: string, Timestamps: list(timestamp), Values: list(double), StatusCode: string, Messages: list(messageData) }),
  ),
  NextToken: string,
  Messages: list(messageData),
});

export const getMetricStatisticsInput = structure({
  Namespace: string,
  MetricName: string,
  Dimensions: list(dimension),
  StartTime: timestamp,
  EndTime: timestamp,
  Period: integer,
  Statistics: list(string),
  ExtendedStatistics: list(string),
  Unit: string,
});

export const getMetricStatisticsOutput = structure({
  Label: string,
  Datapoints: list(
    structure({
      Timestamp: timestamp,
      SampleCount: double,
      Average: double,
      Sum: double,
      Minimum: double,
      Maximum: double,
      Unit: string,
      ExtendedStatistics: { type: "map", value: double },
    }),
  ),
});

export const listMetricsInput = structure({
  Namespace: string,
  MetricName: string,
  Dimensions: list(structure({ Name: string, Value: string })),
  NextToken: string,
  RecentlyActive: string,
  IncludeLinkedAccounts: boolean,
  OwningAccount: string,
});

export const listMetricsOutput = structure({ Metrics: list(metric), NextToken: string, OwningAccounts: list(string) });

/** The inputs as the actions receive them: members the request left out are absent; timestamps are epoch milliseconds. */
export interface DimensionInput {
  Name?: string;
  Value?: string;
}

export interface MetricInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: DimensionInput[];
}

export interface MetricDataQueryInput {
  Id?: string;
  MetricStat?: { Metric?: MetricInput; Period?: number; Stat?: string; Unit?: string };
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

export interface GetMetricDataInput {
  MetricDataQueries?: MetricDataQueryInput[];
  StartTime?: number;
  EndTime?: number;
  NextToken?: string;
  ScanBy?: string;
  MaxDatapoints?: number;
  LabelOptions?: { Timezone?: string };
}

export interface GetMetricStatisticsInput extends MetricInput {
  StartTime?: number;
  EndTime?: number;
  Period?: number;
  Statistics?: string[];
  ExtendedStatistics?: string[];
  Unit?: string;
}

export interface ListMetricsInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: DimensionInput[];
  NextToken?: string;
  RecentlyActive?: string;
  IncludeLinkedAccounts?: boolean;
  OwningAccount?: string;
}
