/**
 * The one place that talks HTTP to Harbor's /api/v2.0. Resource-specific calls live
 * in small modules next to this file (one per concern) and use `HarborClient.request`.
 */
import { UnauthorizedError, UpstreamError, type DomainError } from '../model/errors';

/** How a call to Harbor is authenticated. */
export type HarborAuth =
  /** The service's own robot account (or any basic credential). */
  | { kind: 'basic'; username: string; password: string }
  /** The caller's own credentials, forwarded as received (cookie and/or Authorization). */
  | { kind: 'forward'; cookie?: string; authorization?: string; csrfToken?: string }
  | { kind: 'anonymous' };

export interface HarborRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides the client's default credentials for this call. */
  auth?: HarborAuth;
  /** Milliseconds before the call is abandoned (default: the client's). */
  timeoutMs?: number;
}

export interface HarborResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** A non-2xx answer from Harbor, or a failure to reach it (status 0). */
export class HarborError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'HarborError';
  }

  /** Harbor (or the network to it) failed, not the request: worth retrying. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

/** A Harbor failure seen while serving a caller: Harbor's 401 stays 401, anything unexpected is upstream. */
export function harborFailure(err: HarborError): DomainError {
  if (err.status === 401)
    return new UnauthorizedError('Harbor did not accept the credentials: sign in to Harbor again');
  if (err.status === 0) return new UpstreamError(`${err.message}; check that Harbor is running`);
  return new UpstreamError(`Harbor answered ${err.status} to ${err.method} ${err.path}: ${err.message}`);
}

/** Harbor requires a repository name containing '/' to be URL-encoded twice in a path segment. */
export function repositoryPathSegment(repositoryWithoutProject: string): string {
  return encodeURIComponent(encodeURIComponent(repositoryWithoutProject));
}

/** Splits Harbor's full repository name ("library/team/app") into project and the rest. */
export function splitRepositoryName(fullName: string): { project: string; repository: string } {
  const slash = fullName.indexOf('/');
  if (slash <= 0) throw new Error(`repository name "${fullName}" has no project part`);
  return { project: fullName.slice(0, slash), repository: fullName.slice(slash + 1) };
}

/** Whether a path has a segment the URL standard resolves away (`.`, `..`, also as `%2e`). */
export function hasDotSegment(path: string): boolean {
  return path
    .split(/[?#]/)[0]
    .split('/')
    .some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

export function authHeaders(auth: HarborAuth): Record<string, string> {
  switch (auth.kind) {
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'forward': {
      const h: Record<string, string> = {};
      if (auth.cookie) h.cookie = auth.cookie;
      if (auth.authorization) h.authorization = auth.authorization;
      if (auth.csrfToken) h['x-harbor-csrf-token'] = auth.csrfToken;
      return h;
    }
    case 'anonymous':
      return {};
  }
}

export class HarborClient {
  constructor(
    /** Harbor's origin, e.g. http://127.0.0.1:8380 (no trailing slash, no /api/v2.0). */
    readonly baseUrl: string,
    private readonly defaultAuth: HarborAuth,
    private readonly defaultTimeoutMs = 15_000,
    /** The fetch to call Harbor with (config/outbound.ts: trusts PATCHING_CA_FILE). */
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** A client for the same Harbor with other credentials. */
  withAuth(auth: HarborAuth): HarborClient {
    return new HarborClient(this.baseUrl, auth, this.defaultTimeoutMs, this.fetchImpl);
  }

  /** Calls `/api/v2.0<path>` and parses JSON (or returns text for non-JSON answers). Throws HarborError on non-2xx. */
  async request<T = unknown>(method: string, path: string, req: HarborRequest = {}): Promise<HarborResponse<T>> {
    if (hasDotSegment(path)) {
      // A URL parser would resolve it into another path (another project's): names are checked at the
      // edge, so this only guards against a caller that forgot to.
      throw new Error(`refusing to call Harbor at ${path}: a "." or ".." path segment would change the path`);
    }
    const url = new URL(`${this.baseUrl}/api/v2.0${path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...authHeaders(req.auth ?? this.defaultAuth),
      ...req.headers,
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(req.timeoutMs ?? this.defaultTimeoutMs),
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new HarborError(
        0,
        'UNREACHABLE',
        `Harbor at ${this.baseUrl} could not be reached: ${reason}`,
        method,
        path,
      );
    }
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    let parsed: unknown = text;
    if (isJson && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      const first = (parsed as { errors?: { code?: string; message?: string }[] })?.errors?.[0];
      throw new HarborError(
        res.status,
        first?.code ?? `HTTP_${res.status}`,
        first?.message ?? (typeof parsed === 'string' && parsed ? parsed.slice(0, 300) : res.statusText),
        method,
        path,
      );
    }
    return {
      status: res.status,
      headers: res.headers,
      body: (isJson || text.length === 0 ? parsed || undefined : text) as T,
    };
  }

  async get<T = unknown>(path: string, req?: HarborRequest): Promise<T> {
    return (await this.request<T>('GET', path, req)).body;
  }
}
