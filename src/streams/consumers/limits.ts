/** Enhanced fan-out limits, as AWS documents them (RegisterStreamConsumer, ListStreamConsumers). */
export const consumerLimits = {
  /** Consumers one stream may have registered (AWS's On-demand Advantage streams may have 50; we have none). */
  consumersPerStreamMax: 20,
  /** Consumers the account may have in CREATING at once: a sixth registration is refused. */
  consumersCreatingMax: 5,
  consumerNameLengthMax: 128,
  consumerNamePattern: "[a-zA-Z0-9_.-]+",
  consumerArnPattern: "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+",
  consumerArnLengthMax: 2048,
  /** ListStreamConsumers' MaxResults accepts up to 10,000 but a page holds at most 100 (the default). */
  listResultsMax: 10_000,
  listPageMax: 100,
} as const;
