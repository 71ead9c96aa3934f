#!/usr/bin/env node
// bench/s3/ack-endpoint.mjs — an "S3" that stores nothing: PUT drains the body and answers 200 with an
// ETag, GET answers 1 KiB of zeros, anything else an empty 200 (ListBuckets an empty list). The most
// objects/s one s3-bench client process can drive on this machine: the ceiling of the small-object
// figures (`ack-only` in bench/s3/run.sh, small phases only).
//   node bench/s3/ack-endpoint.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
const small = Buffer.alloc(1024);
const etag = '"0f343b0931126a20f133d67c2b018a3b"'; // MD5 of 1 KiB of zeros
const buckets = '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>';
const server = http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'GET' && request.url.split('?')[0] === '/') {
      response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(buckets) }).end(buckets);
    } else if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': small.length, etag, 'last-modified': new Date().toUTCString() }).end(small);
    } else {
      response.writeHead(200, { 'content-length': 0, etag }).end();
    }
  });
});
server.listen(port, '127.0.0.1', () => console.error(`ack-only S3 on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
