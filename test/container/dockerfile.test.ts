/**
 * The container image's promises that hold without a container engine, read from the Dockerfile,
 * .dockerignore, compose.yaml and docs/container.md: not root, the data directory is the volume,
 * the health check asks /health (and its command really works against a server), signals reach
 * the server through an init process, and the entrypoint runs the `tributary server` the docs
 * name. test/container/image.test.ts builds and runs the image where an engine works.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../cli/cli-process.js";
import { freePort } from "../cli/process-group.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const run = promisify(execFile);

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions per stage (line continuations joined, comments dropped). */
function stages(text: string): Instruction[][] {
  const logical = text.replace(/\\\n/g, " ").split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  const out: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === "FROM") out.push([]);
    out.at(-1)?.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, " ").trim() });
  }
  return out;
}

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const all = stages(dockerfile);
const final = all.at(-1)!;
const one = (keyword: string) => {
  const found = final.filter((instruction) => instruction.keyword === keyword);
  assert.equal(found.length, 1, `the final stage has one ${keyword}`);
  return found[0]!.args;
};
const finalEnv = new Map(
  final.filter((instruction) => instruction.keyword === "ENV").flatMap((instruction) => [...instruction.args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!] as const)),
);

describe("container > Dockerfile", () => {
  it("container > Dockerfile > builds in one stage and runs from another, as a user that is not root", () => {
    assert.ok(all.length >= 2, "multi-stage");
    const user = one("USER");
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
    // Nothing after USER switches back.
    const afterUser = final.slice(final.findIndex((instruction) => instruction.keyword === "USER") + 1);
    assert.deepEqual(afterUser.filter((instruction) => instruction.keyword === "USER" || instruction.keyword === "RUN"), []);
    assert.match(dockerfile, /chown node:node \/data/, "the volume's mount point belongs to that user, so a new volume does too");
  });

  it("container > Dockerfile > the data directory is the volume", () => {
    const volumes = JSON.parse(one("VOLUME")) as string[];
    assert.deepEqual(volumes, [finalEnv.get("TRIBUTARY_DATA_DIR")]);
    const compose = readFileSync(join(repoRoot, "compose.yaml"), "utf8");
    assert.match(compose, new RegExp(`^\\s+- tributary-data:${finalEnv.get("TRIBUTARY_DATA_DIR")}$`, "m"), "compose.yaml mounts a volume there");
  });

  it("container > Dockerfile > an init process (tini, from Debian) is PID 1 and runs `tributary server`, the command the docs name", () => {
    const entrypoint = JSON.parse(one("ENTRYPOINT")) as string[];
    const command = JSON.parse(one("CMD")) as string[];
    assert.deepEqual([...entrypoint, ...command], ["/usr/bin/tini", "--", "tributary", "server"]);
    assert.match(dockerfile, /apt-get install -y --no-install-recommends tini/);
    // `tributary` on PATH is the launcher npm installs (bin/tributary), over the build.
    assert.match(dockerfile, /^COPY bin \.\/bin$/m);
    assert.match(dockerfile, /^RUN ln -s \/opt\/tributary\/bin\/tributary \/usr\/local\/bin\/tributary/m);
    assert.match(dockerfile, /^COPY --from=build \/build\/dist \.\/dist$/m);
    const docs = readFileSync(join(repoRoot, "docs/container.md"), "utf8");
    assert.match(docs, /runs `tributary server`/);
  });

  it("container > Dockerfile > listens on the container's interfaces, on the port it exposes and checks", () => {
    assert.equal(finalEnv.get("TRIBUTARY_HOST"), "0.0.0.0");
    assert.equal(one("EXPOSE"), finalEnv.get("TRIBUTARY_PORT"));
    const compose = readFileSync(join(repoRoot, "compose.yaml"), "utf8");
    assert.match(compose, new RegExp(`- "127\\.0\\.0\\.1:${finalEnv.get("TRIBUTARY_PORT")}:${finalEnv.get("TRIBUTARY_PORT")}"`), "compose publishes it on loopback only");
  });

  it("container > Dockerfile > .dockerignore keeps local builds, data and dependencies out of the context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n").map((line) => line.trim());
    for (const path of [".git", "node_modules", "dist", "data"]) assert.ok(ignored.includes(path), path);
    // …but not what the build copies.
    for (const copied of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const path of copied[1]!.split(" ")) assert.ok(!ignored.includes(path.replace(/^\.\//, "")), `${path} is copied but ignored`);
    }
  });
});

describe("container > HEALTHCHECK", () => {
  const healthcheck = one("HEALTHCHECK");
  const command = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD ") + 4)) as string[];
  let server: TestServer;
  before(async () => {
    server = await startTestServer({});
  });
  after(() => server?.stop());

  it("container > HEALTHCHECK > runs node (the slim image has no curl) against /health", () => {
    assert.equal(command[0], "node");
    assert.match(command.join(" "), /\/health/);
  });

  it("container > HEALTHCHECK > its command succeeds against a running server on TRIBUTARY_PORT", async () => {
    const port = new URL(server.url).port;
    const { stdout, stderr } = await run(command[0] === "node" ? process.execPath : command[0]!, command.slice(1), { env: { ...process.env, TRIBUTARY_PORT: port }, timeout: 10_000 });
    assert.equal(stdout + stderr, "");
  });

  it("container > HEALTHCHECK > and fails when nothing answers there", async () => {
    const port = await freePort();
    await assert.rejects(run(process.execPath, command.slice(1), { env: { ...process.env, TRIBUTARY_PORT: String(port) }, timeout: 10_000 }), (error: { code?: number }) => error.code === 1);
  });
});
