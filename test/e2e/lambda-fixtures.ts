/**
 * The functions the Lambda end-to-end tests deploy (test/e2e/lambda-cli.test.ts,
 * lambda-boto3.test.ts): a Node.js handler and a Python handler that echo their event with
 * context facts, fail on request, or sleep past their timeout; and a provided.al2023 function whose
 * bootstrap is a shell script speaking the Runtime API with curl (or python3's urllib where curl is
 * missing, as on a fresh machine).
 */
import { existsSync } from "node:fs";
import { zipOf } from "../helpers/zip.js";

export const nodeHandler = `
export const handler = async (event, context) => {
  console.log("node saw", JSON.stringify(event));
  if (event.fail) throw new Error("asked to fail");
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  return { runtime: "node", event, functionName: context.functionName, version: context.functionVersion, region: process.env.AWS_REGION, requestId: context.awsRequestId };
};
`;

export const pythonHandler = `
import json, os, time

def handler(event, context):
    print("python saw", json.dumps(event))
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("sleepMs"):
        time.sleep(event["sleepMs"] / 1000)
    return {"runtime": "python", "event": event, "functionName": context.function_name, "version": context.function_version, "region": os.environ["AWS_REGION"]}
`;

const curlBootstrap = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')"
  rm -f "$HEADERS"
  echo "bootstrap handling $REQUEST_ID"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"shell\\":true,\\"handler\\":\\"$_HANDLER\\",\\"event\\":$EVENT}" > /dev/null
done
`;

const pythonBootstrap = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  OUT="$(python3 -c 'import sys,urllib.request; r=urllib.request.urlopen(sys.argv[1]); print(r.headers["Lambda-Runtime-Aws-Request-Id"]); print(r.read().decode())' "$API/invocation/next")"
  REQUEST_ID="$(printf '%s\\n' "$OUT" | head -n 1)"
  EVENT="$(printf '%s\\n' "$OUT" | tail -n +2)"
  echo "bootstrap handling $REQUEST_ID"
  python3 -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST")).read()' "$API/invocation/$REQUEST_ID/response" "{\\"shell\\":true,\\"handler\\":\\"$_HANDLER\\",\\"event\\":$EVENT}"
done
`;

/** The shell bootstrap: curl's when curl is installed, python3's urllib otherwise. */
export function shellBootstrap(): string {
  return existsSync("/usr/bin/curl") || existsSync("/bin/curl") ? curlBootstrap : pythonBootstrap;
}

export const nodeZip = () => zipOf({ "index.mjs": nodeHandler });
export const pythonZip = () => zipOf({ "app.py": pythonHandler });
export const providedZip = () => zipOf({ bootstrap: shellBootstrap() });
export const role = "arn:aws:iam::000000000000:role/lambda-e2e";
