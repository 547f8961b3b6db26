// Who is calling and what may they do: sessions (sid), Basic credentials of users and robots, registry bearer
// tokens (/service/token), Harbor's CSRF protection (gorilla/csrf behind src/server/middleware/csrf) and the
// permission check that combines roles, robot permissions and public-project rules.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { accessMatches, publicAllows, roleAllows } from './rbac';
import type { Project, Robot, SimState, User } from './state';

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: User; session: boolean }
  | { kind: 'robot'; robot: Robot }
  | { kind: 'token'; subject: string; access: TokenAccess[] };

export const ROBOT_PREFIX = 'robot$';
export const SESSION_COOKIE = 'sid';
export const CSRF_COOKIE = '_gorilla_csrf';
export const CSRF_HEADER = 'X-Harbor-CSRF-Token';
const SESSION_TTL_MS = 60 * 60 * 1000;
export const TOKEN_TTL_S = 1800;

export function parseCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export function basicCredentials(req: Request): { username: string; password: string } | undefined {
  const header = req.headers.authorization ?? '';
  if (!/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const b64url = (b: Buffer) => b.toString('base64url');

export class Auth {
  /** `userId` null: an anonymous session (no one signed in yet). */
  private sessions = new Map<string, { userId: number | null; expires: number }>();
  private csrfKey = randomBytes(32);
  private tokenKey = randomBytes(32);

  constructor(private state: SimState) {}

  /** Checks a username/secret pair: local users by password, robots (robot$...) by secret. */
  login(username: string, password: string): Principal | undefined {
    if (username.startsWith(ROBOT_PREFIX)) {
      const robot = this.state.robots.find((r) => r.name === username);
      if (!robot || robot.disable) return undefined;
      if (robot.expires_at > 0 && robot.expires_at * 1000 < Date.now()) return undefined;
      if (!safeEqual(robot.secret, password)) return undefined;
      return { kind: 'robot', robot };
    }
    const user = this.state.findUser(username);
    if (!user || !safeEqual(user.password, password)) return undefined;
    return { kind: 'user', user, session: false };
  }

  // ---- sessions ----
  /**
   * Like beego's session start on every request Harbor core serves: a caller without a live session gets a
   * new, anonymous one and its `sid` cookie (Harbor does this for anonymous answers too). Callers that send
   * Authorization get none here (Harbor would set one they ignore), so robots and scripts add no sessions.
   */
  startSession(req: Request, res: Response): void {
    if (req.headers.authorization) return;
    const sid = parseCookies(req)[SESSION_COOKIE];
    const live = sid ? this.sessions.get(sid) : undefined;
    if (live && live.expires >= Date.now()) return;
    const fresh = randomBytes(16).toString('hex');
    this.sessions.set(fresh, { userId: null, expires: Date.now() + SESSION_TTL_MS });
    setSessionCookie(res, `${SESSION_COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  }

  /** Signs the user in under a new session id (Harbor answers a login with a new `sid`). */
  createSession(res: Response, user: User): void {
    const sid = randomBytes(16).toString('hex');
    this.sessions.set(sid, { userId: user.user_id, expires: Date.now() + SESSION_TTL_MS });
    setSessionCookie(res, `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
  }

  destroySession(req: Request, res: Response): void {
    const sid = parseCookies(req)[SESSION_COOKIE];
    if (sid) this.sessions.delete(sid);
    setSessionCookie(res, `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly`);
  }

  sessionUser(req: Request): User | undefined {
    const sid = parseCookies(req)[SESSION_COOKIE];
    if (!sid) return undefined;
    const session = this.sessions.get(sid);
    if (!session || session.expires < Date.now() || session.userId === null) return undefined;
    if (req.headers['x-harbor-no-session-renewal'] === undefined) session.expires = Date.now() + SESSION_TTL_MS;
    return this.state.users.find((u) => u.user_id === session.userId);
  }

  /** The caller of an /api/ or /c/ request: Basic credentials first, then the session (Harbor's order). */
  principal(req: Request): Principal {
    const basic = basicCredentials(req);
    if (basic) {
      const found = this.login(basic.username, basic.password);
      if (found) return found;
    }
    const user = this.sessionUser(req);
    if (user) return { kind: 'user', user, session: true };
    return { kind: 'anonymous' };
  }

  // ---- permissions ----
  can(principal: Principal, project: Project, resource: string, action: string): boolean {
    if (project.public && publicAllows(resource, action)) return true;
    switch (principal.kind) {
      case 'anonymous':
        return false;
      case 'user': {
        if (principal.user.sysadmin) return true;
        const role = this.state.roleOf(project.project_id, principal.user.user_id);
        return role !== undefined && roleAllows(role, resource, action);
      }
      case 'robot': {
        const perms = principal.robot.permissions.filter(
          (p) => p.kind === 'project' && (p.namespace === project.name || p.namespace === '*'),
        );
        if (perms.length === 0) return false;
        // A robot with any permission in a project may read the project itself.
        if (resource === '' && action === 'read') return true;
        return perms.some((p) => p.access.some((a) => accessMatches(a, resource, action)));
      }
      case 'token': {
        if (resource !== 'repository') return false;
        return principal.access.some(
          (a) =>
            a.type === 'repository' &&
            a.name.split('/')[0] === project.name &&
            (a.actions.includes(action) || a.actions.includes('*')),
        );
      }
    }
  }

  isSysadmin(principal: Principal): boolean {
    return principal.kind === 'user' && principal.user.sysadmin;
  }

  // ---- registry bearer tokens (HS256 JWT) ----
  issueToken(subject: string, access: TokenAccess[]): { token: string; issuedAt: string } {
    const iat = Math.floor(Date.now() / 1000);
    const header = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
    const payload = b64url(
      Buffer.from(
        JSON.stringify({
          iss: 'harbor-token-issuer',
          sub: subject,
          aud: 'harbor-registry',
          exp: iat + TOKEN_TTL_S,
          nbf: iat,
          iat,
          jti: randomUUID(),
          access,
        }),
      ),
    );
    const signature = b64url(createHmac('sha256', this.tokenKey).update(`${header}.${payload}`).digest());
    return { token: `${header}.${payload}.${signature}`, issuedAt: new Date(iat * 1000).toISOString() };
  }

  verifyToken(token: string): Principal | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = b64url(createHmac('sha256', this.tokenKey).update(`${header}.${payload}`).digest());
    if (!safeEqual(expected, signature)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub: string;
      exp: number;
      access: TokenAccess[];
    };
    if (claims.exp * 1000 < Date.now()) return undefined;
    return { kind: 'token', subject: claims.sub, access: claims.access };
  }

  // ---- CSRF (gorilla/csrf: a secret in a cookie, a masked copy in the X-Harbor-CSRF-Token header) ----
  private csrfSecret(req: Request): Buffer | undefined {
    const cookie = parseCookies(req)[CSRF_COOKIE];
    if (!cookie) return undefined;
    const [value, mac] = cookie.split('.');
    if (!value || !mac) return undefined;
    const expected = b64url(createHmac('sha256', this.csrfKey).update(value).digest());
    if (!safeEqual(expected, mac)) return undefined;
    const secret = Buffer.from(value, 'base64url');
    return secret.length === 32 ? secret : undefined;
  }

  /** Applies the CSRF check; returns a failure reason or undefined. Always attaches a fresh masked token. */
  csrf(req: Request, res: Response): string | undefined {
    let secret = this.csrfSecret(req);
    if (!secret) {
      secret = randomBytes(32);
      const value = b64url(secret);
      const mac = b64url(createHmac('sha256', this.csrfKey).update(value).digest());
      res.append('Set-Cookie', `${CSRF_COOKIE}=${value}.${mac}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict`);
    }
    const otp = randomBytes(32);
    const masked = Buffer.concat([otp, xor(otp, secret)]);
    res.setHeader(CSRF_HEADER, masked.toString('base64'));
    if (['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(req.method)) return undefined;
    const sent = req.headers[CSRF_HEADER.toLowerCase()];
    if (typeof sent !== 'string' || sent === '') return 'CSRF token not found in request';
    const decoded = Buffer.from(sent, 'base64');
    if (decoded.length !== 64) return 'CSRF token invalid';
    const real = xor(decoded.subarray(0, 32), decoded.subarray(32));
    if (!this.csrfSecret(req) || !timingSafeEqual(real, secret)) return 'CSRF token invalid';
    return undefined;
  }

  /** Harbor skips CSRF for /v2/, /api/ and /service/ unless the request carries a session cookie. */
  csrfApplies(req: Request): boolean {
    const path = req.path;
    const skippable = path.startsWith('/v2/') || path.startsWith('/api/') || path.startsWith('/service/');
    return !skippable || parseCookies(req)[SESSION_COOKIE] !== undefined;
  }
}

/** Sets the `sid` cookie of a response, replacing one set earlier in the same response. */
function setSessionCookie(res: Response, cookie: string): void {
  const earlier = res.getHeader('Set-Cookie');
  const list = (Array.isArray(earlier) ? earlier : earlier === undefined ? [] : [String(earlier)]).filter(
    (c) => !c.startsWith(`${SESSION_COOKIE}=`),
  );
  res.setHeader('Set-Cookie', [...list, cookie]);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
