/**
 * The DynamoDB subset under `--auth sigv4`: each call needs an identity policy allowing
 * `dynamodb:<Action>` on the table's ARN (`*` for ListTables), an explicit Deny wins, and a refusal
 * answers AccessDeniedException in IAM's words — through the real @aws-sdk/client-dynamodb.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand, UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { CredentialsDir, allowAll, sdkSigner } from "../auth/sigv4-helpers.js";
import { rawRequest } from "../helpers/raw.js";

const home = "000000000000";
const admin: TestCredentials = { accessKeyId: "AKIAADMINEXAMPLE0002", secretAccessKey: "admin/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const worker: TestCredentials = { accessKeyId: "AKIAWORKEREXAMPLE002", secretAccessKey: "worker/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const workerArn = `arn:aws:iam::${home}:user/lease-worker`;
/** What a KCL worker needs on its lease tables (leases-*), and never DeleteTable. */
const workerPolicies = [
  {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:DeleteTable"],
        Resource: `arn:aws:dynamodb:*:${home}:table/leases-*`,
      },
      { Effect: "Deny", Action: "dynamodb:DeleteTable", Resource: "*" },
    ],
  },
];

let credentials: CredentialsDir;
let server: TestServer;
const clients: DynamoDBClient[] = [];

function client(as: TestCredentials): DynamoDBClient {
  const made = new DynamoDBClient({ endpoint: server.url, region: server.region, credentials: as });
  clients.push(made);
  return made;
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([
    { ...admin, accountId: home, principalArn: `arn:aws:iam::${home}:user/admin`, policies: [allowAll] },
    { ...worker, accountId: home, principalArn: workerArn, policies: workerPolicies },
  ]);
  server = await startTestServer({ credentialsFile: credentials.path });
  for (const TableName of ["leases-app", "billing"]) {
    await client(admin).send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
});

after(async () => {
  for (const made of clients) made.destroy();
  await server?.stop();
  credentials?.remove();
});

async function assertDenied(call: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, "AccessDeniedException");
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, 400);
    return true;
  });
}

describe("dynamodb > authorization", () => {
  it("allows what the worker's policy allows on its lease tables", async () => {
    const worker1 = client(worker);
    await worker1.send(new PutItemCommand({ TableName: "leases-app", Item: { leaseKey: { S: "shardId-000000000000" }, leaseCounter: { N: "1" } } }));
    await worker1.send(
      new UpdateItemCommand({
        TableName: "leases-app",
        Key: { leaseKey: { S: "shardId-000000000000" } },
        UpdateExpression: "SET leaseCounter = leaseCounter + :one, leaseOwner = :me",
        ConditionExpression: "leaseCounter = :seen",
        ExpressionAttributeValues: { ":one": { N: "1" }, ":me": { S: "w1" }, ":seen": { N: "1" } },
      }),
    );
    const { Item } = await worker1.send(new GetItemCommand({ TableName: "leases-app", Key: { leaseKey: { S: "shardId-000000000000" } }, ConsistentRead: true }));
    assert.deepEqual(Item, { leaseKey: { S: "shardId-000000000000" }, leaseCounter: { N: "2" }, leaseOwner: { S: "w1" } });
  });

  it("refuses another table, naming the action and the table's ARN", async () => {
    await assertDenied(
      client(worker).send(new PutItemCommand({ TableName: "billing", Item: { leaseKey: { S: "x" } } })),
      `User: ${workerArn} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:${home}:table/billing because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it("refuses ListTables, whose resource is every table", async () => {
    await assertDenied(
      client(worker).send(new ListTablesCommand({})),
      `User: ${workerArn} is not authorized to perform: dynamodb:ListTables on resource: arn:aws:dynamodb:us-east-1:${home}:table/* because no identity-based policy allows the dynamodb:ListTables action`,
    );
  });

  it("an explicit Deny wins over an Allow", async () => {
    await assertDenied(
      client(worker).send(new DeleteTableCommand({ TableName: "leases-app" })),
      `User: ${workerArn} is not authorized to perform: dynamodb:DeleteTable on resource: arn:aws:dynamodb:us-east-1:${home}:table/leases-app with an explicit deny in an identity-based policy`,
    );
  });

  it("a request signed for another service (kinesis) is refused: the scope must name dynamodb", async () => {
    const target = new URL(server.url);
    const body = Buffer.from("{}");
    const signed = await sdkSigner(admin, server.region, "kinesis").sign({
      method: "POST",
      protocol: "http:",
      hostname: target.hostname,
      port: Number(target.port),
      path: "/",
      query: {},
      headers: { host: target.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables" },
      body,
    });
    const response = await rawRequest(server.url, body, { headers: signed.headers as Record<string, string> });
    assert.equal(response.statusCode, 400);
    const envelope = response.body as { __type: string; message: string };
    assert.match(envelope.__type, /InvalidSignatureException$/);
    assert.equal(envelope.message, "Credential should be scoped to correct service: 'dynamodb'. ");
  });

  it("a wrong secret is refused before any policy is looked at", async () => {
    await assert.rejects(client({ ...worker, secretAccessKey: "not/the/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" }).send(new ListTablesCommand({})), (error: Error) => {
      assert.equal(error.name, "InvalidSignatureException");
      return true;
    });
  });
});
