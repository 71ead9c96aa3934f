/**
 * When npm started the server (src/cli/stop-signals.ts): only a script that is the tributary
 * command alone makes losing the parent a stop signal; the launcher tests (test/cli/launcher.test.ts)
 * show it working through npx.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { startedByNpm } from "../../src/cli/stop-signals.js";

describe("cli > stop signals", () => {
  it("cli > stop signals > npm's script is the tributary command alone", () => {
    const npm = (event: string, script: string) => startedByNpm({ npm_lifecycle_event: event, npm_lifecycle_script: script });
    assert.equal(npm("start", "exec bin/tributary server"), true);
    assert.equal(npm("npx", "'tributary' server --port 0 --data-dir /tmp/x"), true);
    assert.equal(npm("npx", "'tributary-server' server"), true);
    assert.equal(npm("serve", "tributary server --port $PORT > server.log 2>&1"), true);
    assert.equal(npm("serve", "/srv/app/node_modules/.bin/tributary server"), true);
    assert.equal(npm("npx", "'tributary' kcl --properties app.properties"), true);
  });

  it("cli > stop signals > anything else keeps running when its parent exits", () => {
    const npm = (event: string, script: string) => startedByNpm({ npm_lifecycle_event: event, npm_lifecycle_script: script });
    assert.equal(startedByNpm({}), false, "not under npm");
    assert.equal(npm("", "tributary server"), false, "npm_lifecycle_event emptied: the way out");
    assert.equal(npm("db", "tributary server &"), false, "backgrounded by its script");
    assert.equal(npm("dev", "tributary server & vite"), false);
    assert.equal(npm("dev", "tributary server; echo done"), false);
    assert.equal(npm("dev", "tributary server && echo done"), false);
    assert.equal(npm("dev", "tributary server | tee log"), false);
    assert.equal(npm("dev", "concurrently 'tributary server' 'vite'"), false);
    assert.equal(npm("test", "node --test"), false, "a test suite's children");
    assert.equal(npm("x", "tributary-like server"), false);
  });

  it("cli > stop signals > notices a new parent within a check interval", { timeout: 60_000 }, async () => {
    // A child that watches its parent, a sh that exits once told to (orphaning it), and says when it noticed.
    const script = `
      import { watchParent } from ${JSON.stringify(new URL("../../src/cli/stop-signals.ts", import.meta.url).href)};
      watchParent(() => { process.stdout.write("orphaned\\n"); process.exit(0); }, 50);
      process.stdout.write("watching\\n");
      setTimeout(() => { process.stdout.write("never noticed\\n"); process.exit(1); }, 20000);
    `;
    const child = spawn("sh", ["-c", `"${process.execPath}" --import tsx --input-type=module -e '${script.replaceAll("'", "'\\''")}' & read line; exit 0`], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let output = "";
    const waiters: (() => void)[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      for (const waiter of waiters.splice(0)) waiter();
    });
    const line = async (text: string) => {
      while (!output.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await line("watching\n");
    const orphanedMs = performance.now();
    child.stdin.end("exit\n");
    await line("orphaned\n");
    const noticedMs = performance.now() - orphanedMs;
    assert.equal(output, "watching\norphaned\n");
    assert.ok(noticedMs < 5_000, `noticed after ${Math.round(noticedMs)} ms`);
  });
});
