/**
 * The adapter started in-process against the Harbor stand-in (both on free ports), plus an HTTP
 * helper that speaks as a given Harbor user: by Basic auth, or by a portal session (cookie + CSRF).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PASSWORD, startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import { registryUrl } from '@harbor-patching/oci-testkit';
import { startAdapter, type RunningAdapter } from '../src/app';
import type { Config } from '../src/config/config';

export const PASSWORD = DEFAULT_PASSWORD;
export const SERVICE_ROBOT = { name: 'robot$patcher', secret: 'Service-Robot-Secret-1' };

export interface Core {
  sim: HarborSim;
  adapter: RunningAdapter;
  dataDir: string;
  /** Starts a new adapter instance on the same data dir (the old one must be closed). */
  restart(): Promise<RunningAdapter>;
  close(): Promise<void>;
}

export async function startCore(overrides: Partial<Config> = {}): Promise<Core> {
  const sim = await startHarborSim({
    port: 0,
    registryUrl,
    seed: 'demo',
    robots: [{ name: SERVICE_ROBOT.name, secret: SERVICE_ROBOT.secret, level: 'system' }],
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-core-'));
  const config: Partial<Config> = {
    port: 0,
    harborUrl: sim.url,
    dataDir,
    logLevel: 'silent',
    robotName: SERVICE_ROBOT.name,
    robotSecret: SERVICE_ROBOT.secret,
    portalDir: join(dataDir, 'no-portal'),
    validateResponses: true,
    ...overrides,
  };
  const core: Core = {
    sim,
    adapter: await startAdapter(config),
    dataDir,
    async restart() {
      core.adapter = await startAdapter(config);
      return core.adapter;
    },
    async close() {
      await core.adapter.close().catch(() => undefined);
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return core;
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text (sent as is, with content-type application/json unless headers say otherwise). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Someone calling the adapter. */
export interface Caller {
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
}

export async function request(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
  extra: Record<string, string> = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...extra, ...opts.headers };
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function anonymous(base: string): Caller {
  return { call: (m, p, o) => request(base, m, p, o) };
}

export function basic(base: string, username: string, password = PASSWORD): Caller {
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return { call: (m, p, o) => request(base, m, p, o, { authorization }) };
}

/** A browser-like session: signs in through the adapter's proxy of Harbor's /c/login and keeps cookies. */
export class Session implements Caller {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  constructor(readonly base: string) {}

  private remember(res: CallResult): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const token = res.headers.get('x-harbor-csrf-token');
    if (token) this.csrfToken = token;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A call with the session cookie; unsafe methods carry the CSRF token unless `csrf: false`. */
  async call(method: string, path: string, opts: CallOptions & { csrf?: boolean } = {}): Promise<CallResult> {
    const extra: Record<string, string> = { cookie: this.cookieHeader() };
    if (opts.csrf !== false && !['GET', 'HEAD'].includes(method) && this.csrfToken)
      extra['x-harbor-csrf-token'] = this.csrfToken;
    const res = await request(this.base, method, path, opts, extra);
    this.remember(res);
    return res;
  }

  async login(username: string, password = PASSWORD): Promise<CallResult> {
    // Harbor's /c/ paths are always CSRF-protected: a first GET hands out the token and its cookie.
    await this.call('GET', '/c/log_out');
    const res = await request(
      this.base,
      'POST',
      '/c/login',
      {
        raw: new URLSearchParams({ principal: username, password }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { cookie: this.cookieHeader(), 'x-harbor-csrf-token': this.csrfToken },
    );
    this.remember(res);
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
    return res;
  }
}

export const API = '/patching/api/v1';

/** Harbor's core launching an IMAGE_PATCH job (kind Generic) through the jobservice API. */
export function launchImagePatch(adapterUrl: string, secret: string, parameters: Record<string, unknown>) {
  return fetch(`${adapterUrl}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Harbor-Secret ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ job: { name: 'IMAGE_PATCH', metadata: { kind: 'Generic' }, parameters } }),
  });
}
