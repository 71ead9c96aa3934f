#!/usr/bin/env node
/**
 * Extracts the facts test/conformance/streams/model-coverage.test.ts compares our shapes with from
 * a botocore Kinesis model (service-2.json): every operation's input and output members, which are
 * required, and their min/max/pattern/enum traits — no documentation. The installed AWS SDK for
 * JavaScript carries member lists but no constraints, botocore carries both; the test checks the
 * two agree, so an SDK upgrade with new members fails until this file is regenerated.
 *
 *   python3 -m pip download botocore --no-deps -d /tmp/botocore && unzip -o /tmp/botocore/*.whl \
 *     'botocore/data/kinesis/*' -d /tmp/botocore
 *   node scripts/kinesis-model-constraints.mjs /tmp/botocore/botocore/data/kinesis/2013-12-02/service-2.json.gz \
 *     "botocore 1.43.107" > test/fixtures/kinesis-model/kinesis-2013-12-02.json
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const [path, source] = process.argv.slice(2);
if (!path || !source) {
  console.error("usage: kinesis-model-constraints.mjs <service-2.json[.gz]> <source description>");
  process.exit(2);
}
const raw = readFileSync(path);
const model = JSON.parse((path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8"));

/** One shape with its traits; structures that contain themselves are cut at the second visit. */
function flatten(shapeName, visiting) {
  const shape = model.shapes[shapeName];
  const out = { type: shape.type };
  for (const trait of ["min", "max", "pattern", "enum"]) if (shape[trait] !== undefined) out[trait] = shape[trait];
  if (shape.eventstream) out.eventstream = true;
  if (shape.type === "structure") {
    if (visiting.has(shapeName)) return { type: "structure", recursive: shapeName };
    const inner = new Set(visiting).add(shapeName);
    out.members = {};
    for (const [name, member] of Object.entries(shape.members)) {
      out.members[name] = flatten(member.shape, inner);
      if ((shape.required ?? []).includes(name)) out.members[name].required = true;
    }
  } else if (shape.type === "list") {
    out.member = flatten(shape.member.shape, visiting);
  } else if (shape.type === "map") {
    out.key = flatten(shape.key.shape, visiting);
    out.value = flatten(shape.value.shape, visiting);
  }
  return out;
}

const operations = {};
for (const name of Object.keys(model.operations).sort()) {
  const operation = model.operations[name];
  operations[name] = {
    input: operation.input ? flatten(operation.input.shape, new Set()) : null,
    output: operation.output ? flatten(operation.output.shape, new Set()) : null,
    errors: (operation.errors ?? []).map((error) => error.shape).sort(),
  };
}
process.stdout.write(JSON.stringify({ source, apiVersion: model.metadata.apiVersion, operations }, null, 1) + "\n");
