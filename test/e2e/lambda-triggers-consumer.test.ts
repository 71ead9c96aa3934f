/**
 * Stream triggers on a registered stream consumer (EventSourceArn = the consumer's ARN: on AWS the
 * records then arrive over enhanced fan-out), only through public clients: the consumer must exist
 * and be ACTIVE; the mapping answers with the consumer's ARN; every record reaches the function in
 * order per key, with the consumer's ARN as eventSourceARN, independently of a mapping on the
 * stream itself; once the consumer is deregistered the mapping reads no more.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, RegisterStreamConsumerCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { sleep, waitFor } from "../helpers/wait.js";
import { assertEveryKeyInOrder, createMapping, createStream, Producer, startTriggerWorld, TriggerSink, type TriggerWorld } from "./lambda-triggers-fixture.js";

const functionName = "trigger-consumer-recorder";
/** How long a new stream or consumer stays CREATING (and a deregistered consumer DELETING). */
const transitionMs = 300;

describe("e2e > lambda > stream triggers on a stream consumer", () => {
  let world: TriggerWorld;
  let kinesis: KinesisClient;
  let lambda: LambdaClient;
  const sink = new TriggerSink();

  before(async () => {
    world = await startTriggerWorld(sink, functionName, { server: { streams: { createStreamMs: transitionMs, deleteStreamMs: transitionMs } } });
    ({ kinesis, lambda } = world);
  });
  after(() => world.stop());

  async function rejection(eventSourceArn: string): Promise<[string, string, number | undefined]> {
    try {
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: eventSourceArn, StartingPosition: "TRIM_HORIZON" }));
    } catch (error) {
      const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return [e.name, e.message, e.$metadata?.httpStatusCode];
    }
    assert.fail("expected a rejection");
  }

  it("a mapping on an ACTIVE consumer delivers every record, in order per key, beside a mapping on the stream; none after deregistration", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-consumer", 4);
    const registered = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "lambda-efo" }));
    const consumerArn = registered.Consumer!.ConsumerARN!;
    assert.equal(registered.Consumer!.ConsumerStatus, "CREATING");

    assert.deepEqual(await rejection(consumerArn), ["InvalidParameterValueException", `Stream consumer is not ACTIVE (CREATING): ${consumerArn}`, 400]);
    const unknown = `${streamArn}/consumer/nobody:1700000000`;
    assert.deepEqual(await rejection(unknown), ["InvalidParameterValueException", `Stream consumer not found: ${unknown}`, 400]);

    await waitFor("consumer ACTIVE", async () => (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }))).ConsumerDescription?.ConsumerStatus === "ACTIVE");
    const viaConsumer = await createMapping(lambda, { FunctionName: functionName, EventSourceArn: consumerArn, StartingPosition: "TRIM_HORIZON", BatchSize: 100 });
    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: viaConsumer }));
    assert.equal(mapping.EventSourceArn, consumerArn);
    await createMapping(lambda, { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 100 });

    const producer = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 8, recordsPerRequest: 100 });
    await producer.run(5);
    await waitFor("every record through the consumer", () => sink.succeeded(consumerArn).length >= producer.ackedTotal, 20_000, 50);
    await waitFor("every record through the stream", () => sink.succeeded(streamArn).length >= producer.ackedTotal, 20_000, 50);
    const viaConsumerRecords = sink.succeeded(consumerArn);
    assert.equal(viaConsumerRecords.length, 2000);
    assertEveryKeyInOrder(producer.acked, viaConsumerRecords);
    assert.deepEqual(new Set(viaConsumerRecords.map((record) => record.shardId)).size, 4);
    assert.ok(sink.of(consumerArn).every((delivery) => delivery.event.Records.every((record) => record.eventSourceARN === consumerArn)));
    assert.equal(sink.succeeded(streamArn).length, 2000);

    // Deregistered: the consumer's mapping stops reading (at its next look at the source); the stream's goes on.
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn }));
    await waitFor("consumer gone", async () => {
      try {
        await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
        return false;
      } catch (error) {
        return (error as { name: string }).name === "ResourceNotFoundException";
      }
    });
    await sleep(5_500); // the engine looks at a mapping's source every 5 s
    const more = new Producer(kinesis, streamName, { writers: 1, keysPerWriter: 1, recordsPerRequest: 50 });
    await more.run(1);
    await waitFor("the stream's mapping still delivers", () => sink.succeeded(streamArn).length >= 2050, 10_000, 50);
    await sleep(300);
    assert.equal(sink.succeeded(consumerArn).length, 2000);
  });
});
