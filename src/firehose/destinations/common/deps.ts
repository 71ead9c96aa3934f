/**
 * What every destination factory gets besides its own Firehose configuration: the object client
 * for intermediate and backup objects (the delivery stream's S3Configuration bucket), the injected
 * clock and randomness, and who the delivery stream is.
 */
import type { ObjectClient } from "../../../storage/object-client/index.js";
import type { Clock } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import type { Random } from "../../../util/random.js";

export interface DestinationDeps {
  readonly objectClient: ObjectClient;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly accountId: string;
  readonly region: string;
  readonly deliveryStreamName: string;
  /**
   * Where an OpenSearch DomainARN is served (we have no AWS domains): the endpoint URL for a
   * domain ARN, or undefined when none is known (delivery then fails, retriably, naming the ARN).
   */
  readonly resolveDomainEndpoint?: (domainArn: string) => string | undefined;
  /**
   * TLS for https endpoints (OpenSearch, HTTP endpoints, Splunk HEC): extra trusted certificates
   * (PEM), for endpoints with a private or self-signed certificate. Node's default CAs otherwise.
   */
  readonly tls?: { readonly ca?: string | readonly string[] };
}

/** The failure a Create/UpdateDestination check reports: Firehose's InvalidArgumentException text. */
export interface ConfigurationProblem {
  readonly message: string;
}
