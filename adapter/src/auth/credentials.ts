/**
 * The caller's Harbor credentials as found on a request: HTTP Basic (user or robot), a Bearer token
 * (Harbor's OIDC ID token), or the portal's `sid` session cookie. Authorization wins over the cookie,
 * as in Harbor. Credentials are only ever forwarded to Harbor; caches key them by a SHA-256 hash.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { HarborAuth } from '../harbor/client';

export interface Credentials {
  kind: 'basic' | 'bearer' | 'cookie';
  /** What to send to Harbor to act as the caller. */
  auth: HarborAuth;
  /** sha256 of the credential: a cache key that reveals nothing. */
  hash: string;
  /** The login name from Basic auth (robots are named this way), when known. */
  basicUsername?: string;
}

export const SESSION_COOKIE = 'sid';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function credentialsOf(req: { headers: IncomingHttpHeaders }): Credentials | undefined {
  const authorization = req.headers.authorization?.trim();
  if (authorization) {
    const space = authorization.indexOf(' ');
    const scheme = (space > 0 ? authorization.slice(0, space) : authorization).toLowerCase();
    const value = space > 0 ? authorization.slice(space + 1).trim() : '';
    if (scheme === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return {
        kind: 'basic',
        auth: { kind: 'forward', authorization },
        hash: sha256(`basic:${value}`),
        basicUsername: colon > 0 ? decoded.slice(0, colon) : undefined,
      };
    }
    if (scheme === 'bearer' && value) {
      return { kind: 'bearer', auth: { kind: 'forward', authorization }, hash: sha256(`bearer:${value}`) };
    }
    // Other schemes (e.g. Harbor-Secret for the jobservice API) are not a user's credentials.
  }
  const sid = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (sid) {
    return {
      kind: 'cookie',
      auth: { kind: 'forward', cookie: `${SESSION_COOKIE}=${sid}` },
      hash: sha256(`sid:${sid}`),
    };
  }
  return undefined;
}
