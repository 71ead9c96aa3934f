#!/usr/bin/env node
// bench/s3/s3rver-server.mjs — s3rver (the root devDependency) on 127.0.0.1:PORT over DIRECTORY, for
// the S3 benchmark. Run it under `node --openssl-legacy-provider`: s3rver encrypts ListObjectsV2
// continuation tokens with DES, which OpenSSL 3 leaves out otherwise (a truncated listing fails).
//   node --openssl-legacy-provider bench/s3/s3rver-server.mjs PORT DIRECTORY
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const [port, directory] = process.argv.slice(2);

mkdirSync(directory, { recursive: true });
const S3rver = createRequire(import.meta.url)('s3rver');
const server = new S3rver({ port: Number(port), address: '127.0.0.1', silent: true, directory, vhostBuckets: false });
await server.run();
console.error(`s3rver on 127.0.0.1:${port}, ${directory}`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
