/** firehose > destinations > factories: every non-S3 kind has a factory, a check and its retry default. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { destinationFactories, destinationKindOf } from "../../src/firehose/destinations/index.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { localObjectClient } from "../../src/storage/object-client/index.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

it("firehose > destinations > factories: kinds, members, defaults, and a destination from each", async () => {
  assert.deepEqual(Object.keys(destinationFactories).sort(), ["AmazonOpenSearchServerless", "AmazonopensearchService", "Elasticsearch", "HttpEndpoint", "Redshift", "Splunk"]);
  assert.equal(destinationKindOf("AmazonopensearchServiceDestinationConfiguration"), "AmazonopensearchService");
  assert.equal(destinationKindOf("SplunkDestinationUpdate"), "Splunk");
  assert.equal(destinationKindOf("ExtendedS3DestinationConfiguration"), undefined);
  const deps = { objectClient: localObjectClient({ store: createMemoryEngine(new SeededRandom(1)).objects, clock: systemClock, region: "us-east-1" }), clock: systemClock, random: new SeededRandom(1), logger: silentLogger, accountId: "123456789012", region: "us-east-1", deliveryStreamName: "s" };
  const s3 = { BucketARN: "arn:aws:s3:::b" };
  const configurations = {
    Redshift: { ClusterJDBCURL: "jdbc:redshift://c.redshift.localhost:5439/dev", CopyCommand: { DataTableName: "t" }, Username: "u", Password: "password", S3Configuration: s3 },
    AmazonopensearchService: { ClusterEndpoint: "https://search.example", IndexName: "i", S3Configuration: s3 },
    Elasticsearch: { ClusterEndpoint: "https://search.example", IndexName: "i", S3Configuration: s3 },
    AmazonOpenSearchServerless: { CollectionEndpoint: "https://coll.example", IndexName: "i", S3Configuration: s3 },
    HttpEndpoint: { EndpointConfiguration: { Url: "https://sink.example" }, S3Configuration: s3 },
    Splunk: { HECEndpoint: "https://hec.example:8088", HECEndpointType: "Event", HECToken: "t", S3Configuration: s3 },
  };
  for (const [kind, factory] of Object.entries(destinationFactories)) {
    const configuration = configurations[kind as keyof typeof configurations];
    assert.equal(factory.configurationMember, `${kind}DestinationConfiguration`);
    assert.equal(factory.validate(configuration), undefined, kind);
    const destination = factory.create(configuration, deps);
    assert.equal(destination.retryDurationSeconds, factory.retryDurationSecondsDefault, kind);
    await destination.close();
  }
  assert.equal(destinationFactories.Redshift.retryDurationSecondsDefault, 3600);
});
