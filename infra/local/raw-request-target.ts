import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Log } from '../../shared/log.js';

/**
 * What the local server does with requests Node's HTTP parser refuses before any handler runs.
 *
 * `curl 'http://localhost:3000/v1/search?q=クラスター'` sends the query's UTF-8 bytes raw; Node
 * answers such a request target with a bare `400 Bad Request` (no body, no request id, no log).
 * Here a request line whose target holds raw non-ASCII, control or space-like bytes is
 * percent-encoded (as a browser would have sent it) and parsed again, so the README's first
 * example works as typed. Anything else the parser refuses gets the API's JSON error shape with a
 * request id and a log line: 431 for headers too large, 400 otherwise. API Gateway does its own
 * parsing in AWS; this is the local server only.
 */
export function acceptRawRequestTargets(server: Server, log: Log): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const fixed = error.rawPacket ? encodedRequestLine(error.rawPacket) : undefined;
    if (fixed && socket.writable) {
      server.emit('connection', replaying(socket, fixed));
      return;
    }
    refuse(socket, error, log);
  });
}

/** Bytes a request target may not hold raw: controls, space, DEL, non-ASCII and a few reserved characters. */
function needsEncoding(byte: number): boolean {
  return (
    byte <= 0x20 ||
    byte >= 0x7f ||
    byte === 0x22 ||
    byte === 0x3c ||
    byte === 0x3e ||
    byte === 0x5c ||
    byte === 0x5e ||
    byte === 0x60 ||
    byte === 0x7b ||
    byte === 0x7c ||
    byte === 0x7d
  );
}

/**
 * The packet with its request target percent-encoded, or `undefined` when it does not start with a
 * request line (`METHOD SP target SP HTTP/x.y`) or its target needs no encoding (so a refused
 * request is never retried as it was).
 */
export function encodedRequestLine(packet: Buffer): Buffer | undefined {
  const lineEnd = packet.indexOf(0x0a);
  if (lineEnd < 0) return undefined;
  const line = packet.subarray(0, packet[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd);
  const firstSpace = line.indexOf(0x20);
  const lastSpace = line.lastIndexOf(0x20);
  if (firstSpace <= 0 || lastSpace <= firstSpace) return undefined;
  const method = line.subarray(0, firstSpace).toString('latin1');
  const version = line.subarray(lastSpace + 1).toString('latin1');
  if (!/^[A-Z]{3,10}$/.test(method) || !/^HTTP\/1\.[01]$/.test(version)) return undefined;
  const target = line.subarray(firstSpace + 1, lastSpace);
  if (!target.some(needsEncoding)) return undefined;
  let encoded = '';
  for (const byte of target)
    encoded += needsEncoding(byte) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  return Buffer.concat([Buffer.from(`${method} ${encoded} ${version}`, 'latin1'), packet.subarray(line.length)]);
}

/** A stream that reads `first`, then whatever else the socket sends, and writes to the socket. */
function replaying(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  // The HTTP server reads these for the request's source address and its timeouts.
  Object.assign(stream, {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    setTimeout: (ms: number, callback?: () => void) => {
      socket.setTimeout(ms, callback);
      return stream;
    },
    setNoDelay: () => stream,
    setKeepAlive: () => stream,
  });
  stream.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return stream;
}

function refuse(socket: Socket, error: NodeJS.ErrnoException, log: Log): void {
  const requestId = randomUUID();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  log.warn('request refused by the HTTP parser', { requestId, code: error.code, status });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    error: 'InvalidInputError',
    message: tooLarge
      ? 'the request headers or URL are too large (at most 16 KB)'
      : `the request is not valid HTTP (${error.code ?? 'parse error'})`,
    requestId,
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
