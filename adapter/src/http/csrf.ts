/**
 * CSRF defence for our unsafe methods when the caller is authenticated by the session cookie only
 * (a browser adds cookies to cross-site requests by itself, not custom headers):
 *  - the `X-Harbor-CSRF-Token` header must be present, as Harbor's portal sends it on every unsafe
 *    call (a cross-site form or a simple fetch cannot set it; a script on another origin would need
 *    a CORS preflight, which this service never grants),
 *  - `Origin` (or, without it, `Referer`) must be this service's origin when the browser sends one.
 * Only a request authenticated by its Authorization header (Basic or Bearer with a value: `credentialsOf`
 * then ignores the cookie) skips the check. Any other header (`Foo bar`, an empty `Basic`, `Harbor-Secret`)
 * leaves the request authenticated by the cookie, so it is checked.
 * The token's value is not compared with the `_gorilla_csrf` cookie: Harbor's gorilla/csrf middleware signs
 * that cookie with Harbor's own CSRF_KEY and masks the header token, so only Harbor can verify the pair; an
 * unsigned comparison here would be passed by anyone able to set both. What stops a cross-site request is
 * that a browser sends a custom header to another origin only after a CORS preflight, which this service
 * never grants, plus the Origin/Referer check (README, "Security").
 */
import type { Request, RequestHandler } from 'express';
import { sendError } from './errors';
import { credentialsOf } from '../auth/credentials';

export const CSRF_HEADER = 'x-harbor-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

/** The origins this service is reached at: the request's own host, plus the configured external URL. */
function allowedOrigins(req: Request, externalUrl?: string): Set<string> {
  const out = new Set<string>();
  const host = req.get('host');
  if (host) out.add(`${req.protocol}://${host}`);
  if (externalUrl) out.add(new URL(externalUrl).origin);
  return out;
}

/** Why the request fails the CSRF check, or undefined when it passes (or needs no check). */
export function csrfProblem(req: Request, externalUrl?: string): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  // Only cookie-authenticated requests are what a browser sends on its own to another site.
  if (credentialsOf(req)?.kind !== 'cookie') return undefined;
  const token = req.headers[CSRF_HEADER];
  if (typeof token !== 'string' || token.trim() === '') {
    return 'CSRF token missing: send the X-Harbor-CSRF-Token header (the Harbor portal does this), or use Basic auth';
  }
  const origin = req.headers.origin;
  const referer = req.headers.referer;
  const allowed = allowedOrigins(req, externalUrl);
  if (origin !== undefined) {
    const o = originOf(origin);
    if (!o || !allowed.has(o)) return `cross-site request refused: Origin ${origin} is not this service's origin`;
  } else if (referer !== undefined) {
    const o = originOf(referer);
    if (!o || !allowed.has(o)) return "cross-site request refused: the Referer is not on this service's origin";
  }
  return undefined;
}

export function csrfGuard(externalUrl?: string): RequestHandler {
  return (req, res, next) => {
    const problem = csrfProblem(req, externalUrl);
    if (problem) return sendError(res, 403, [{ code: 'FORBIDDEN', message: problem }]);
    next();
  };
}
