/**
 * Unpacked code under the sandbox root, rebuilt from the stored zips whenever missing (a cache,
 * not state):
 *
 *   <sandboxRoot>/code/<CodeSha256 as hex>/        a deployment package: the task root
 *   <sandboxRoot>/opt/<hash of the layers' shas>/  the layers of a version, in order, later ones
 *                                                  overwriting earlier ones (Lambda's /opt)
 *
 * A directory is unpacked beside its final name and renamed into place, so a half-unpacked one is
 * never used; concurrent cold starts of one package share one unpacking.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { CodeRef, CodeStore, ResolvedLayer } from "../model.js";
import { unpackZip } from "./unzip.js";

export class CodeCache {
  private readonly unpacking = new Map<string, Promise<string>>();
  private attempt = 0;

  constructor(
    private readonly code: CodeStore,
    private readonly sandboxRoot: string,
  ) {}

  /** The task root of a deployment package, unpacked on first use. */
  taskRoot(code: CodeRef): Promise<string> {
    const hex = Buffer.from(code.sha256Base64, "base64").toString("hex") || "empty";
    return this.once(join(this.sandboxRoot, "code", hex), async (directory) => unpackZip(await this.code.readZip(code), directory));
  }

  /** The "/opt" of a list of layers (an empty directory for none). */
  optDirectory(layers: readonly ResolvedLayer[]): Promise<string> {
    const hash = createHash("sha256");
    for (const layer of layers) hash.update(`${layer.code.sha256Base64}\n`);
    return this.once(join(this.sandboxRoot, "opt", hash.digest("hex").slice(0, 32)), async (directory) => {
      const zips = await Promise.all(layers.map((layer) => this.code.readZip(layer.code)));
      for (const zip of zips) unpackZip(zip, directory);
    });
  }

  private once(directory: string, fill: (directory: string) => Promise<void>): Promise<string> {
    let pending = this.unpacking.get(directory);
    if (pending === undefined) {
      pending = this.unpack(directory, fill);
      pending.catch(() => this.unpacking.delete(directory));
      this.unpacking.set(directory, pending);
    }
    return pending;
  }

  private async unpack(directory: string, fill: (directory: string) => Promise<void>): Promise<string> {
    if (existsSync(directory)) return directory;
    const partial = `${directory}.partial-${process.pid}-${++this.attempt}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      await fill(partial);
      if (existsSync(directory)) rmSync(partial, { recursive: true, force: true });
      else renameSync(partial, directory);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
    return directory;
  }
}
