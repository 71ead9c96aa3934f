/**
 * The non-S3 destinations, by the kind a delivery stream's configuration names (the API member
 * without "DestinationConfiguration"): each a factory from that configuration and the
 * DestinationDeps to a FirehoseDestination, and a check of the configuration for
 * CreateDeliveryStream/UpdateDestination (an InvalidArgumentException's message, or undefined).
 *
 * @example
 *   const factory = destinationFactories.HttpEndpoint;
 *   const problem = factory.validate(input.HttpEndpointDestinationConfiguration);
 *   const destination = factory.create(input.HttpEndpointDestinationConfiguration, deps);
 */
import type { ConfigurationProblem, DestinationDeps } from "./common/deps.js";
import type { FirehoseDestination } from "./common/destination.js";
import { createHttpEndpointDestination, validateHttpEndpointConfiguration, type HttpEndpointDestinationConfiguration } from "./http-endpoint/index.js";
import { createOpenSearchDestination, validateOpenSearchConfiguration, type OpenSearchDestinationConfiguration } from "./opensearch/index.js";
import { createRedshiftDestination, validateRedshiftConfiguration, type RedshiftDestinationConfiguration } from "./redshift/index.js";
import { createSplunkDestination, validateSplunkConfiguration, type SplunkDestinationConfiguration } from "./splunk/index.js";

export type { ConfigurationProblem, DestinationDeps } from "./common/deps.js";
export type { FirehoseDestination } from "./common/destination.js";
export { createHttpEndpointDestination, validateHttpEndpointConfiguration, type HttpEndpointDestinationConfiguration } from "./http-endpoint/index.js";
export { createOpenSearchDestination, validateOpenSearchConfiguration, type OpenSearchDestinationConfiguration, type OpenSearchVariant } from "./opensearch/index.js";
export { createRedshiftDestination, validateRedshiftConfiguration, type RedshiftDestinationConfiguration } from "./redshift/index.js";
export { createSplunkDestination, validateSplunkConfiguration, type SplunkDestinationConfiguration } from "./splunk/index.js";

export type DestinationKind = "Redshift" | "AmazonopensearchService" | "Elasticsearch" | "AmazonOpenSearchServerless" | "HttpEndpoint" | "Splunk";

/** A configuration as stored: the API member's object (shape-checked before it gets here). */
export type DestinationConfiguration = Readonly<Record<string, unknown>>;

export interface DestinationFactory {
  /** The CreateDeliveryStream member: `${kind}DestinationConfiguration`. */
  readonly configurationMember: `${DestinationKind}DestinationConfiguration`;
  /** RetryOptions.DurationInSeconds when the configuration leaves it out. */
  readonly retryDurationSecondsDefault: number;
  create(configuration: DestinationConfiguration, deps: DestinationDeps): FirehoseDestination;
  validate(configuration: DestinationConfiguration): ConfigurationProblem | undefined;
}

const openSearch = (kind: "AmazonopensearchService" | "Elasticsearch" | "AmazonOpenSearchServerless"): DestinationFactory => ({
  configurationMember: `${kind}DestinationConfiguration`,
  retryDurationSecondsDefault: 300,
  create: (configuration, deps) => createOpenSearchDestination(kind, configuration as unknown as OpenSearchDestinationConfiguration, deps),
  validate: (configuration) => validateOpenSearchConfiguration(kind, configuration as unknown as OpenSearchDestinationConfiguration),
});

export const destinationFactories: Readonly<Record<DestinationKind, DestinationFactory>> = {
  Redshift: {
    configurationMember: "RedshiftDestinationConfiguration",
    retryDurationSecondsDefault: 3600,
    create: (configuration, deps) => createRedshiftDestination(configuration as unknown as RedshiftDestinationConfiguration, deps),
    validate: (configuration) => validateRedshiftConfiguration(configuration as unknown as RedshiftDestinationConfiguration),
  },
  AmazonopensearchService: openSearch("AmazonopensearchService"),
  Elasticsearch: openSearch("Elasticsearch"),
  AmazonOpenSearchServerless: openSearch("AmazonOpenSearchServerless"),
  HttpEndpoint: {
    configurationMember: "HttpEndpointDestinationConfiguration",
    retryDurationSecondsDefault: 300,
    create: (configuration, deps) => createHttpEndpointDestination(configuration as unknown as HttpEndpointDestinationConfiguration, deps),
    validate: (configuration) => validateHttpEndpointConfiguration(configuration as unknown as HttpEndpointDestinationConfiguration),
  },
  Splunk: {
    configurationMember: "SplunkDestinationConfiguration",
    retryDurationSecondsDefault: 300,
    create: (configuration, deps) => createSplunkDestination(configuration as unknown as SplunkDestinationConfiguration, deps),
    validate: (configuration) => validateSplunkConfiguration(configuration as unknown as SplunkDestinationConfiguration),
  },
};

/** The kind a configuration member names, if it is one of ours. */
export function destinationKindOf(member: string): DestinationKind | undefined {
  const kind = member.replace(/DestinationConfiguration$|DestinationUpdate$/, "");
  return kind in destinationFactories ? (kind as DestinationKind) : undefined;
}
