/**
 * The built portal under /patching/: static files, and index.html for any other page path (the
 * Angular router handles it). A missing build is answered with a 503 page that says how to build it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

const RESERVED = ['/patching/api/', '/patching/metrics', '/patching/webhooks/'];

function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Image patching: portal not built</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:4rem auto;color:#333}code{background:#eee;padding:.1rem .3rem}</style></head>
<body><h1>The patching portal is not built yet</h1>
<p>The API is running, but there is no built portal at <code>${dir.replace(/[<>&]/g, '')}</code>.</p>
<p>Build it with <code>npx nx run portal-plugin:build</code>, or point <code>PATCHING_PORTAL_DIR</code> at a built portal, then reload this page.</p>
</body></html>`;
}

export function portalRouter(portalDir: string): Router {
  const router = express.Router();
  const files = express.static(portalDir, { index: false, fallthrough: true, maxAge: '1h' });
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
    res.locals.routeGroup = 'portal';
    return files(req, res, next);
  });
  router.get(['/patching', '/patching/', '/patching/{*page}'], serveIndex);
  return router;
}
