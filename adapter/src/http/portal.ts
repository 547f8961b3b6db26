/**
 * The built portal under /patching/: static files, and index.html for any other page path (the
 * Angular router handles it). A missing build is answered with a 503 page that says how to build it.
 *
 * Caching: files whose name carries the build's content hash (`main-3VQ2OSYC.js`, `chunk-….js`,
 * `styles-….css`) never change, so browsers keep them for a year without asking again; everything else
 * (index.html, which names the current hashed files, and the translation files) is `no-cache`: asked
 * again each time, answered 304 while unchanged.
 * Compression: the build writes brotli and gzip copies of the hashed files (`.br`, `.gz`, at the highest
 * levels, once); they are sent to clients that accept them. Other files are compressed per response.
 */
import { existsSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import express, { type Request, type RequestHandler, type Router } from 'express';
import Negotiator from 'negotiator';

const RESERVED = ['/patching/api/', '/patching/metrics', '/patching/webhooks/'];

/** Angular's output hashing: `<name>-<8 characters A-Z, 0-9>.<ext>`. */
export const HASHED_FILE = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** In the order preferred when the client accepts several equally (brotli is the smaller). */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;
type Precompressed = (typeof PRECOMPRESSED)[number];

/** The copy to send: the client's most wanted encoding among those available (ours breaks ties), or none. */
function chooseEncoding(req: Request, available: Precompressed[]): Precompressed | undefined {
  const names = [...available.map((a) => a.encoding), 'identity'];
  // negotiator 1.x takes the server's preference order; its published types predate that option.
  const negotiator = new Negotiator(req);
  const encodings = negotiator.encodings as unknown as (list: string[], options: { preferred: string[] }) => string[];
  const best = encodings.call(negotiator, names, { preferred: names })[0];
  return available.find((a) => a.encoding === best);
}

function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Image patching: portal not built</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:4rem auto;color:#333}code{background:#eee;padding:.1rem .3rem}</style></head>
<body><h1>The patching portal is not built yet</h1>
<p>The API is running, but there is no built portal at <code>${dir.replace(/[<>&]/g, '')}</code>.</p>
<p>Build it with <code>npx nx run portal-plugin:build</code>, or point <code>PATCHING_PORTAL_DIR</code> at a built portal, then reload this page.</p>
</body></html>`;
}

/**
 * Serves a file of the build with its caching headers, and a precompressed copy of a hashed file when the
 * client accepts its encoding. The copies are looked for on each request, so a portal built after the start
 * gets them too (express-static-gzip, which does the same, indexes the folder once at start).
 */
function staticFiles(portalDir: string): RequestHandler {
  const root = resolve(portalDir);
  const files = express.static(root, { index: false, fallthrough: true, cacheControl: false });
  return (req, res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const url = req.url;
    const headers: Record<string, string> = {};
    if (!HASHED_FILE.test(path)) {
      headers['Cache-Control'] = 'no-cache';
    } else {
      headers['Cache-Control'] = IMMUTABLE;
      const file = resolve(root, `.${path}`);
      const available = file.startsWith(root + sep) ? PRECOMPRESSED.filter((p) => existsSync(file + p.suffix)) : [];
      if (available.length > 0) {
        res.vary('Accept-Encoding');
        const chosen = chooseEncoding(req, available);
        if (chosen) {
          const query = url.indexOf('?');
          req.url = `${req.path}${chosen.suffix}${query < 0 ? '' : url.slice(query)}`;
          headers['Content-Encoding'] = chosen.encoding;
          headers['Content-Type'] = String(res.type(extname(path)).getHeader('Content-Type'));
        }
      }
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    // Not a file of the build: leave no trace for whatever answers instead (a 404 is not cached for a year).
    files(req, res, (err?: unknown) => {
      req.url = url;
      for (const name of Object.keys(headers)) res.removeHeader(name);
      next(err);
    });
  };
}

export function portalRouter(portalDir: string): Router {
  const router = express.Router();
  const files = staticFiles(portalDir);
  const indexFile = join(portalDir, 'index.html');
  const built = () => existsSync(indexFile);

  const serveIndex: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (RESERVED.some((p) => req.originalUrl.startsWith(p))) return next();
    // A missing asset is a 404, not the app page.
    if (/\.[A-Za-z0-9]+$/.test(req.path) && built()) return next();
    res.locals.routeGroup = 'portal';
    if (!built()) {
      res.status(503).type('html').send(notBuiltPage(portalDir));
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  };

  router.use('/patching', (req, res, next) => {
    if (RESERVED.some((p) => req.originalUrl.startsWith(p))) return next();
    if (!built()) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.locals.routeGroup = 'portal';
    return files(req, res, next);
  });
  router.get(['/patching', '/patching/', '/patching/{*page}'], serveIndex);
  return router;
}
