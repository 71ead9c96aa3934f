/**
 * The Glue Data Catalog subset through @aws-sdk/client-glue: databases and tables, versions,
 * GetTables' Expression and paging, and the exact errors (types, messages, statuses).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  GetTableVersionCommand,
  GetTableVersionsCommand,
  GlueClient,
  UpdateTableCommand,
  type TableInput,
} from "@aws-sdk/client-glue";
import { exampleCredentials, startTestServer, type TestServer } from "../helpers/server.js";

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

function tableInput(name: string, columns: [string, string][] = [["id", "int"]]): TableInput {
  return {
    Name: name,
    StorageDescriptor: {
      Columns: columns.map(([Name, Type]) => ({ Name, Type })),
      Location: "s3://bucket/prefix/",
      SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", Parameters: { "serialization.format": "1" } },
    },
    PartitionKeys: [{ Name: "dt", Type: "string" }],
    TableType: "EXTERNAL_TABLE",
    Parameters: { classification: "parquet" },
  };
}

async function rejects(promise: Promise<unknown>, name: string, message: string, status = 400): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.name, name);
    assert.equal(error.message, message);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe("glue > api", () => {
  it("glue > api > databases: create, get (case-insensitive, stored lowercase), list with paging, exists, not found, delete", async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "Sales", Description: "sales data", Parameters: { owner: "team" } } }));
    const { Database } = await glue.send(new GetDatabaseCommand({ Name: "SALES" }));
    assert.equal(Database?.Name, "sales");
    assert.equal(Database?.Description, "sales data");
    assert.deepEqual(Database?.Parameters, { owner: "team" });
    assert.equal(Database?.CatalogId, server.accountId);
    assert.ok(Database?.CreateTime instanceof Date);
    assert.deepEqual(Database?.CreateTableDefaultPermissions, [{ Principal: { DataLakePrincipalIdentifier: "IAM_ALLOWED_PRINCIPALS" }, Permissions: ["ALL"] }]);
    await rejects(glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "sales" } })), "AlreadyExistsException", "Database already exists.");
    await rejects(glue.send(new GetDatabaseCommand({ Name: "nothere" })), "EntityNotFoundException", "Database nothere not found.");

    for (const name of ["db_a", "db_b", "db_c"]) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: name } }));
    const first = await glue.send(new GetDatabasesCommand({ MaxResults: 2 }));
    assert.deepEqual(first.DatabaseList?.map((database) => database.Name), ["db_a", "db_b"]);
    assert.ok(first.NextToken);
    const second = await glue.send(new GetDatabasesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.DatabaseList?.map((database) => database.Name), ["db_c", "sales"]);
    assert.equal(second.NextToken, undefined);

    await glue.send(new DeleteDatabaseCommand({ Name: "db_c" }));
    await rejects(glue.send(new DeleteDatabaseCommand({ Name: "db_c" })), "EntityNotFoundException", "Database db_c not found.");
  });

  it("glue > api > tables: create, get, exists, not found in a missing database or table", async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "tables_db" } }));
    await glue.send(new CreateTableCommand({ DatabaseName: "tables_db", TableInput: tableInput("Events", [["id", "int"], ["payload", "struct<a:string,b:array<int>>"]]) }));
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: "TABLES_DB", Name: "events" }));
    assert.equal(Table?.Name, "events");
    assert.equal(Table?.DatabaseName, "tables_db");
    assert.equal(Table?.VersionId, "0");
    assert.equal(Table?.Retention, 0);
    assert.equal(Table?.TableType, "EXTERNAL_TABLE");
    assert.equal(Table?.IsRegisteredWithLakeFormation, false);
    assert.deepEqual(Table?.StorageDescriptor?.Columns, [{ Name: "id", Type: "int" }, { Name: "payload", Type: "struct<a:string,b:array<int>>" }]);
    assert.deepEqual(Table?.PartitionKeys, [{ Name: "dt", Type: "string" }]);
    assert.deepEqual(Table?.StorageDescriptor?.SerdeInfo?.Parameters, { "serialization.format": "1" });
    assert.ok(Table?.CreateTime instanceof Date && Table.UpdateTime instanceof Date);

    await rejects(glue.send(new CreateTableCommand({ DatabaseName: "tables_db", TableInput: tableInput("events") })), "AlreadyExistsException", "Table already exists.");
    await rejects(glue.send(new CreateTableCommand({ DatabaseName: "missing_db", TableInput: tableInput("t") })), "EntityNotFoundException", "Database missing_db not found.");
    await rejects(glue.send(new GetTableCommand({ DatabaseName: "tables_db", Name: "nope" })), "EntityNotFoundException", "Table nope not found.");
    await rejects(glue.send(new GetTableCommand({ DatabaseName: "missing_db", Name: "nope" })), "EntityNotFoundException", "Database missing_db not found.");
    await rejects(glue.send(new DeleteTableCommand({ DatabaseName: "tables_db", Name: "nope" })), "EntityNotFoundException", "Table nope not found.");
  });

  it("glue > api > UpdateTable makes a new version; a stale VersionId is refused; versions list newest first", async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "versions_db" } }));
    await glue.send(new CreateTableCommand({ DatabaseName: "versions_db", TableInput: tableInput("t") }));
    await glue.send(new UpdateTableCommand({ DatabaseName: "versions_db", TableInput: tableInput("t", [["id", "bigint"]]), VersionId: "0" }));
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: "versions_db", Name: "t" }));
    assert.equal(Table?.VersionId, "1");
    assert.deepEqual(Table?.StorageDescriptor?.Columns, [{ Name: "id", Type: "bigint" }]);
    await assert.rejects(glue.send(new UpdateTableCommand({ DatabaseName: "versions_db", TableInput: tableInput("t"), VersionId: "0" })), { name: "ConcurrentModificationException" });
    await glue.send(new UpdateTableCommand({ DatabaseName: "versions_db", TableInput: tableInput("t", [["id", "string"]]) }));
    const versions = await glue.send(new GetTableVersionsCommand({ DatabaseName: "versions_db", TableName: "t" }));
    assert.deepEqual(versions.TableVersions?.map((version) => [version.VersionId, version.Table?.StorageDescriptor?.Columns?.[0]?.Type]), [["2", "string"], ["1", "bigint"], ["0", "int"]]);
    const old = await glue.send(new GetTableVersionCommand({ DatabaseName: "versions_db", TableName: "t", VersionId: "1" }));
    assert.equal(old.TableVersion?.Table?.StorageDescriptor?.Columns?.[0]?.Type, "bigint");
    await rejects(glue.send(new GetTableVersionCommand({ DatabaseName: "versions_db", TableName: "t", VersionId: "9" })), "EntityNotFoundException", "Version not found.");
    await rejects(glue.send(new UpdateTableCommand({ DatabaseName: "versions_db", TableInput: tableInput("other") })), "EntityNotFoundException", "Table other not found.");
  });

  it("glue > api > GetTables: Expression (Hive pattern), MaxResults and NextToken; DeleteTable and DeleteDatabase remove tables", async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "list_db" } }));
    for (const name of ["orders", "sales_2023", "sales_2024", "sales_2025", "users"]) await glue.send(new CreateTableCommand({ DatabaseName: "list_db", TableInput: tableInput(name) }));
    const all = await glue.send(new GetTablesCommand({ DatabaseName: "list_db" }));
    assert.deepEqual(all.TableList?.map((table) => table.Name), ["orders", "sales_2023", "sales_2024", "sales_2025", "users"]);
    const sales = await glue.send(new GetTablesCommand({ DatabaseName: "list_db", Expression: "sales_*" }));
    assert.deepEqual(sales.TableList?.map((table) => table.Name), ["sales_2023", "sales_2024", "sales_2025"]);
    const either = await glue.send(new GetTablesCommand({ DatabaseName: "list_db", Expression: "orders|users" }));
    assert.deepEqual(either.TableList?.map((table) => table.Name), ["orders", "users"]);
    const page1 = await glue.send(new GetTablesCommand({ DatabaseName: "list_db", Expression: "sales.*", MaxResults: 2 }));
    assert.deepEqual(page1.TableList?.map((table) => table.Name), ["sales_2023", "sales_2024"]);
    const page2 = await glue.send(new GetTablesCommand({ DatabaseName: "list_db", Expression: "sales.*", MaxResults: 2, NextToken: page1.NextToken }));
    assert.deepEqual(page2.TableList?.map((table) => table.Name), ["sales_2025"]);
    assert.equal(page2.NextToken, undefined);
    await rejects(glue.send(new GetTablesCommand({ DatabaseName: "nodb" })), "EntityNotFoundException", "Database nodb not found.");

    await glue.send(new DeleteTableCommand({ DatabaseName: "list_db", Name: "orders" }));
    await rejects(glue.send(new GetTableCommand({ DatabaseName: "list_db", Name: "orders" })), "EntityNotFoundException", "Table orders not found.");
    await glue.send(new DeleteDatabaseCommand({ Name: "list_db" }));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "list_db" } }));
    assert.deepEqual((await glue.send(new GetTablesCommand({ DatabaseName: "list_db" }))).TableList, []);
  });

  it("glue > api > model constraints answer ValidationException with the model's wording", async () => {
    await rejects(
      glue.send(new GetDatabaseCommand({ Name: "" })),
      "ValidationException",
      "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    await rejects(
      glue.send(new GetDatabasesCommand({ MaxResults: 1000 })),
      "ValidationException",
      "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    await rejects(
      glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "bad\u0001name" } })),
      "ValidationException",
      "1 validation error detected: Value 'bad\u0001name' at 'databaseInput.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*",
    );
  });
});
