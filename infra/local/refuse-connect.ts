import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Log } from '../../shared/log.js';

/**
 * Answers `CONNECT` (a proxy tunnel request, which the API does not serve) with the API's JSON
 * 404 and a request id. Without a `connect` listener Node closes such a socket with no answer.
 */
export function refuseConnect(server: Server, log: Log): void {
  server.on('connect', (_request: unknown, socket: Duplex) => {
    const requestId = randomUUID();
    log.info('request finished', { method: 'CONNECT', status: 404, requestId });
    const body = JSON.stringify({
      error: 'NotFoundError',
      message: 'no route for CONNECT; see /v1/openapi.json',
      requestId,
    });
    socket.end(
      'HTTP/1.1 404 Not Found\r\n' +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
