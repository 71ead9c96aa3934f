// bench/s3/raw-http.mjs — s3-bench's `--client raw`: hand-built HTTP/1.1 requests on keep-alive
// net sockets, one request in flight per connection, unsigned (Tributary under the default
// `--auth none` and s3rver both accept requests without an Authorization header: s3rver's
// authentication middleware passes them on as anonymous, and no handler it has checks the account).
// The point is a client whose CPU per request is a small fraction of the server's, so a small-object
// rate measures the server: @aws-sdk/client-s3 costs ~0.7 ms of client CPU per PUT (its middleware
// stack, signing, XML), node:http's client parser and agent bookkeeping still ~0.1 ms; this writes one
// buffer per request and reads the answer with a parser that knows only what these answers need
// (status line, Content-Length or chunked Transfer-Encoding, ETag, Connection: close).

import { connect } from 'node:net';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Parsed answer: status, the ETag header ('' when absent), the body. */
function parseHead(text) {
  const lines = text.split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  let contentLength = -1, chunked = false, etag = '', close = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    if (name === 'content-length') contentLength = Number(value);
    else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
    else if (name === 'etag') etag = value;
    else if (name === 'connection') close = value.toLowerCase() === 'close';
  }
  return { status, contentLength, chunked, etag, close };
}

/** Decodes a complete chunked body from `buffer` at `offset`: { body, end } or undefined if incomplete. */
function decodeChunked(buffer, offset) {
  const parts = [];
  let at = offset;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, lineEnd).split(';')[0], 16);
    if (size === 0) {
      // Trailers (none expected) end with an empty line.
      const end = buffer.indexOf(CRLFCRLF, lineEnd);
      return end < 0 ? undefined : { body: Buffer.concat(parts), end: end + 4 };
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** One keep-alive connection, one request at a time. */
export class RawConnection {
  constructor(host, port, timeoutMs = 60_000) {
    this.host = host; this.port = port; this.timeoutMs = timeoutMs;
    this.socket = undefined; this.pending = undefined; this.buffer = Buffer.alloc(0); this.head = undefined;
  }

  #open() {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.once('connect', () => { socket.off('error', reject); resolve(socket); });
      socket.once('error', reject);
      // A socket given up on (Connection: close, or after a failure) no longer speaks for this connection.
      socket.on('data', (chunk) => { if (this.socket === socket) this.#onData(chunk); });
      socket.on('error', (error) => { if (this.socket === socket) this.#fail(error); });
      socket.on('close', () => { if (this.socket === socket) this.#fail(new Error('connection closed before the answer')); });
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new Error(`no answer in ${this.timeoutMs} ms`)));
    });
  }

  #fail(error) {
    const pending = this.pending;
    this.pending = undefined; this.buffer = Buffer.alloc(0); this.head = undefined;
    if (this.socket) { this.socket.destroy(); this.socket = undefined; }
    pending?.reject(error);
  }

  #onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.pending) { this.#fail(new Error('data with no request in flight')); return; }
    if (!this.head) {
      const end = this.buffer.indexOf(CRLFCRLF);
      if (end < 0) return;
      this.head = parseHead(this.buffer.toString('latin1', 0, end));
      this.head.bodyStart = end + 4;
    }
    const head = this.head;
    let body, end;
    if (head.chunked) {
      const decoded = decodeChunked(this.buffer, head.bodyStart);
      if (!decoded) return;
      ({ body, end } = decoded);
    } else {
      const length = head.contentLength < 0 ? 0 : head.contentLength;
      if (this.buffer.length < head.bodyStart + length) return;
      body = this.buffer.subarray(head.bodyStart, head.bodyStart + length);
      end = head.bodyStart + length;
    }
    if (end !== this.buffer.length) { this.#fail(new Error(`${this.buffer.length - end} bytes after the answer`)); return; }
    const pending = this.pending;
    this.pending = undefined; this.buffer = Buffer.alloc(0); this.head = undefined;
    if (head.close && this.socket) { this.socket.end(); this.socket = undefined; }
    pending.resolve({ status: head.status, etag: head.etag, body });
  }

  /** Sends one complete request (head and body in `bytes`); resolves with { status, etag, body }. */
  async request(bytes) {
    if (this.pending) throw new Error('a request is already in flight on this connection');
    if (!this.socket) this.socket = await this.#open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  close() { this.socket?.end(); this.socket = undefined; }
}

/** Path-style S3 requests on `connections` keep-alive connections (one per worker of the pool). */
export class RawS3 {
  constructor(endpoint, connections) {
    const url = new URL(endpoint);
    this.hostHeader = url.host;
    this.connections = Array.from({ length: connections }, () => new RawConnection(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port) || 80));
  }

  #head(method, path, extra = '') {
    return `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n${extra}\r\n`;
  }

  /** PUT of `body` at /bucket/key; the answer must be 200 with an ETag. */
  async put(worker, bucket, key, body) {
    const head = Buffer.from(this.#head('PUT', `/${bucket}/${key}`, `Content-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n`), 'latin1');
    const answer = await this.connections[worker].request(Buffer.concat([head, body], head.length + body.length));
    check(answer, 'PUT', key);
    return answer;
  }

  /** GET of /bucket/key; the answer must be 200 with an ETag; resolves with the body. */
  async get(worker, bucket, key) {
    const answer = await this.connections[worker].request(Buffer.from(this.#head('GET', `/${bucket}/${key}`), 'latin1'));
    check(answer, 'GET', key);
    return answer.body;
  }

  /** GET of any path (a listing): { status, body }. */
  async getPath(worker, path) {
    return this.connections[worker].request(Buffer.from(this.#head('GET', path), 'latin1'));
  }

  close() { for (const connection of this.connections) connection.close(); }
}

function check(answer, method, key) {
  if (answer.status !== 200 || !answer.etag) {
    const error = new Error(`${method} ${key} answered ${answer.status}${answer.etag ? '' : ' without an ETag'}: ${answer.body.toString('utf8', 0, Math.min(answer.body.length, 200))}`);
    error.name = answer.status === 200 ? 'NoETag' : `HTTP${answer.status}`;
    throw error;
  }
}
