/**
 * The fetch the adapter calls Harbor and the registry with (config/outbound.ts) survives a response with
 * `Connection: close` whose body is read only after the server sent it all and closed the connection.
 * The fetch built into Node 24 (undici 7) crashes the whole process there with an uncatchable
 * AssertionError (nodejs/undici#5360); the registry answers image layers this way behind some proxies.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { outbound } from '../../src/config/outbound';

const body = Buffer.alloc(64 * 1024, 0x61);
const server = createServer((socket) => {
  socket.once('data', () => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    socket.end(body);
  });
});
after(() => server.close());

test('a Connection: close response read after the server closed is read whole, the process keeps running', async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { fetch } = await outbound();
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/layer`);
  assert.equal(res.status, 200);
  // Meanwhile the server has sent the whole body and closed its side, while nobody read the body.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const got = Buffer.from(await res.arrayBuffer());
  assert.equal(got.length, body.length);
});
