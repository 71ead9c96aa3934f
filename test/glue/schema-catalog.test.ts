/** The Glue service's SchemaCatalog: what Firehose's format conversion reads, through the running app's instance. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient, UpdateTableCommand } from "@aws-sdk/client-glue";
import { exampleCredentials, startTestServer, type TestServer } from "../helpers/server.js";
import type { GlueService } from "../../src/glue/index.js";

let server: TestServer;
let glue: GlueClient;

before(async () => {
  server = await startTestServer();
  glue = new GlueClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials });
});
after(async () => {
  glue?.destroy();
  await server?.stop();
});

describe("glue > schema catalog", () => {
  it("glue > schema catalog > columns, partition keys and SerDe parameters of the current or a named version; undefined when absent", async () => {
    const catalog = server.app!.service<GlueService>("glue")!.schemaCatalog;
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "Stream_DB" } }));
    const input = {
      Name: "Records",
      StorageDescriptor: { Columns: [{ Name: "id", Type: "int" }], SerdeInfo: { Parameters: { "paths": "id" } } },
      PartitionKeys: [{ Name: "dt", Type: "string" }],
      Parameters: { classification: "json" },
    };
    await glue.send(new CreateTableCommand({ DatabaseName: "stream_db", TableInput: input }));
    await glue.send(new UpdateTableCommand({ DatabaseName: "stream_db", TableInput: { ...input, StorageDescriptor: { ...input.StorageDescriptor, Columns: [{ Name: "id", Type: "bigint" }] } } }));

    const current = await catalog.getTable(server.accountId, server.region, "STREAM_DB", "records");
    assert.deepEqual(current, {
      DatabaseName: "stream_db",
      Name: "records",
      Columns: [{ Name: "id", Type: "bigint", Comment: undefined }],
      PartitionKeys: [{ Name: "dt", Type: "string", Comment: undefined }],
      Parameters: { classification: "json", paths: "id" },
    });
    assert.equal((await catalog.getTable(server.accountId, server.region, "stream_db", "records", "LATEST"))?.Columns[0]?.Type, "bigint");
    assert.equal((await catalog.getTable(server.accountId, server.region, "stream_db", "records", "0"))?.Columns[0]?.Type, "int");
    assert.equal(await catalog.getTable(server.accountId, server.region, "stream_db", "records", "7"), undefined);
    assert.equal(await catalog.getTable(server.accountId, server.region, "stream_db", "nothing"), undefined);
    assert.equal(await catalog.getTable(server.accountId, server.region, "no_db", "records"), undefined);
    assert.equal(await catalog.getTable(server.accountId, "eu-west-1", "stream_db", "records"), undefined);
    assert.equal(await catalog.getTable("111122223333", server.region, "stream_db", "records"), undefined);
  });
});
