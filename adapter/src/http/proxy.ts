/**
 * Harbor's own paths, forwarded as they are so the portal and this service share one origin and one
 * session: /api/v2.0 (API), /c/ (login, logout, OIDC), /service/ (registry tokens). Cookies, the CSRF
 * header and Set-Cookie pass through untouched; X-Forwarded-* are added.
 */
import type { Agent } from 'node:https';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from 'pino';

export function isHarborPath(path: string): boolean {
  return (
    path === '/api/v2.0' || path.startsWith('/api/v2.0/') || path.startsWith('/c/') || path.startsWith('/service/')
  );
}

/** `httpsAgent` (config/outbound.ts) trusts PATCHING_CA_FILE for an https:// Harbor. */
export function harborProxy(harborUrl: string, logger: Logger, httpsAgent?: Agent): RequestHandler {
  const proxy = createProxyMiddleware({
    target: harborUrl,
    agent: harborUrl.startsWith('https:') ? httpsAgent : undefined,
    changeOrigin: false,
    xfwd: true,
    pathFilter: (path) => isHarborPath(path),
    proxyTimeout: 900_000,
    on: {
      error: (err, _req, res) => {
        logger.warn({ err: { message: err.message } }, 'Harbor proxy error');
        if ('writeHead' in res && !res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              errors: [{ code: 'BAD_GATEWAY', message: `Harbor at ${harborUrl} could not be reached: ${err.message}` }],
            }),
          );
        } else if ('destroy' in res) {
          res.destroy();
        }
      },
    },
  });
  return (req, res, next) => {
    // The adapter's own paths skip the proxy middleware altogether (it runs first, for every request).
    if (!isHarborPath(req.path)) return next();
    res.locals.routeGroup = 'harbor-proxy';
    return proxy(req, res, next);
  };
}
