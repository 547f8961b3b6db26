/**
 * How the portal and the API are delivered: compressed as the client asks (the build's brotli and gzip copies
 * of hashed files, other responses compressed per response), hashed files cached for a year as immutable,
 * index.html and the translation files revalidated (`no-cache`), event streams never compressed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { compressResponses } from '../../src/http/compression';
import { API, basic, startCore, type Core } from '../harness';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PRECOMPRESS = resolve(import.meta.dirname, '../../../portal-plugin/scripts/precompress.ts');

let core: Core;
let portalDir: string;
// Text that compresses well, like a bundle: repeated code with a counter.
const bundle = Array.from({ length: 800 }, (_, i) => `export const value${i} = () => 'portal chunk ${i}';`).join('\n');
const translations = JSON.stringify(
  Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`KEY_${i}`, `Translated text number ${i}`])),
);
const indexHtml = `<!doctype html><html><head><title>portal</title>${'<meta name="x" content="padding">'.repeat(60)}</head><body><hp-root></hp-root><script src="main-ABCD1234.js" type="module"></script></body></html>`;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that keeps the body as sent (fetch would decompress it and hide how it came). */
function rawGet(url: string, acceptEncoding?: string): Promise<Raw> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = { authorization: basicAuth };
    if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}
const basicAuth = `Basic ${Buffer.from('alice:Harbor12345').toString('base64')}`;

function decoded(res: Raw): string {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(res.body).toString('utf8');
  assert.equal(encoding, undefined, `unexpected encoding ${encoding}`);
  return res.body.toString('utf8');
}

before(async () => {
  core = await startCore();
  portalDir = core.adapter.config.portalDir;
  // A production build in miniature, with its precompressed copies made by the portal's own build step.
  mkdirSync(join(portalDir, 'i18n/lang'), { recursive: true });
  writeFileSync(join(portalDir, 'index.html'), indexHtml);
  writeFileSync(join(portalDir, 'main-ABCD1234.js'), bundle);
  writeFileSync(join(portalDir, 'styles-WXYZ5678.css'), `.a{color:red}\n`.repeat(400));
  writeFileSync(join(portalDir, 'i18n/lang/en-us-lang.json'), translations);
  execFileSync(process.execPath, ['--import', 'tsx', PRECOMPRESS, portalDir], { stdio: 'pipe' });
  // A hashed file the build step did not see: compressed per response instead.
  writeFileSync(join(portalDir, 'chunk-NOCOPY12.js'), bundle);
});

after(async () => {
  await core?.close();
});

test('the build step writes brotli and gzip copies of hashed files only', () => {
  for (const name of ['main-ABCD1234.js', 'styles-WXYZ5678.css']) {
    assert.ok(existsSync(join(portalDir, `${name}.br`)), `${name}.br`);
    assert.ok(existsSync(join(portalDir, `${name}.gz`)), `${name}.gz`);
  }
  assert.equal(existsSync(join(portalDir, 'index.html.br')), false, 'index.html changes with each build: no copy');
  assert.equal(existsSync(join(portalDir, 'i18n/lang/en-us-lang.json.br')), false);
});

test('a hashed script comes as brotli or gzip as the client asks, cached for a year as immutable', async () => {
  const url = `${core.adapter.url}/patching/main-ABCD1234.js`;
  // What Chromium sends: brotli is chosen over gzip although gzip comes first.
  const br = await rawGet(url, 'gzip, deflate, br, zstd');
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(br.headers['content-type'] ?? '', /^text\/javascript/);
  assert.equal(br.headers['cache-control'], IMMUTABLE);
  assert.match(br.headers.vary ?? '', /accept-encoding/i);
  assert.equal(decoded(br), bundle);
  assert.ok(br.body.length < bundle.length / 5, `brotli copy is small (${br.body.length} of ${bundle.length})`);

  const gz = await rawGet(url, 'gzip, deflate');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['cache-control'], IMMUTABLE);
  assert.equal(decoded(gz), bundle);

  const preferGzip = await rawGet(url, 'br;q=0.5, gzip');
  assert.equal(preferGzip.headers['content-encoding'], 'gzip', 'the client q-values win over our preference');

  const plain = await rawGet(url, 'identity');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['cache-control'], IMMUTABLE);
  assert.equal(plain.body.toString('utf8'), bundle);

  const css = await rawGet(`${core.adapter.url}/patching/styles-WXYZ5678.css`, 'br');
  assert.equal(css.headers['content-encoding'], 'br');
  assert.match(css.headers['content-type'] ?? '', /^text\/css/);
  assert.equal(css.headers['cache-control'], IMMUTABLE);
});

test('a hashed file without a copy is compressed per response, still immutable', async () => {
  const res = await rawGet(`${core.adapter.url}/patching/chunk-NOCOPY12.js`, 'gzip');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.equal(res.headers['cache-control'], IMMUTABLE);
  assert.equal(decoded(res), bundle);
});

test('index.html and the translation files are revalidated each time (no-cache), and compressed', async () => {
  for (const path of ['/patching/', '/patching/projects/library/policies']) {
    const res = await rawGet(`${core.adapter.url}${path}`, 'gzip, deflate, br');
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['cache-control'], 'no-cache', path);
    assert.equal(res.headers['content-encoding'], 'br', path);
    assert.equal(decoded(res), indexHtml, path);
  }
  const i18n = await rawGet(`${core.adapter.url}/patching/i18n/lang/en-us-lang.json`, 'gzip');
  assert.equal(i18n.status, 200);
  assert.equal(i18n.headers['cache-control'], 'no-cache');
  assert.equal(i18n.headers['content-encoding'], 'gzip');
  assert.equal(decoded(i18n), translations);
  const plain = await rawGet(`${core.adapter.url}/patching/i18n/lang/en-us-lang.json`, 'identity');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString('utf8'), translations);
});

test('a missing hashed file is a 404 that is not cached as immutable', async () => {
  const res = await rawGet(`${core.adapter.url}/patching/chunk-GONE0000.js`, 'gzip, br');
  assert.equal(res.status, 404);
  assert.notEqual(res.headers['cache-control'], IMMUTABLE);
  assert.equal(res.headers['content-encoding'], undefined);
});

test('API lists come compressed when the client asks', async () => {
  const alice = basic(core.adapter.url, 'alice');
  for (let i = 0; i < 12; i++) {
    const created = await alice.call('POST', `${API}/projects/library/policies`, {
      body: { name: `delivery-${i}`, description: 'a policy to make the list long enough to be worth compressing' },
    });
    assert.equal(created.status, 201, created.text);
  }
  const url = `${core.adapter.url}${API}/projects/library/policies?page_size=100`;
  const res = await rawGet(url, 'gzip, deflate, br');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-encoding'], 'br');
  const list = JSON.parse(decoded(res)) as { name: string }[];
  assert.equal(list.filter((p) => p.name.startsWith('delivery-')).length, 12);
  const plain = await rawGet(url);
  assert.equal(plain.headers['content-encoding'], undefined, 'nothing asked, nothing compressed');
  assert.deepEqual(JSON.parse(plain.body.toString('utf8')), list);
});

test('an event stream is never compressed: each event reaches the client at once', { timeout: 10_000 }, async () => {
  const app = express();
  app.use(compressResponses());
  app.get('/events', (_req, res) => {
    res.setHeader('Content-Type', 'text/event-stream');
    res.flushHeaders();
    res.write(`data: ${'first event '.repeat(200)}\n\n`);
    // The stream stays open: the test reads the first event while it is.
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const first = await new Promise<{ headers: IncomingHttpHeaders; chunk: string }>((done, fail) => {
      const req = httpRequest(
        `http://127.0.0.1:${port}/events`,
        { headers: { 'accept-encoding': 'gzip, br' } },
        (res) => {
          res.once('data', (c: Buffer) => {
            done({ headers: res.headers, chunk: c.toString('utf8') });
            req.destroy();
          });
        },
      );
      req.on('error', fail);
      req.end();
    });
    assert.equal(first.headers['content-encoding'], undefined);
    assert.match(first.chunk, /^data: first event/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
