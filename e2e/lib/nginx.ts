/**
 * Debian's nginx configured as Harbor's own (harbor-nginx.conf beside this file) with the service's conf.d
 * snippet (adapter/deploy/nginx/patching.location.conf) included, in the foreground, in its own temporary
 * folder, on a free loopback port: Harbor's front door for tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const HARBOR_NGINX_CONF = join(HERE, 'harbor-nginx.conf');
export const PATCHING_SNIPPET = resolve(HERE, '../../adapter/deploy/nginx/patching.location.conf');
/** The service's address as the snippet names it (the compose service `patching` on its default port). */
export const SNIPPET_UPSTREAM = 'http://patching:8480';

export function nginxBinary(): string {
  const path = process.env.HP_NGINX ?? '/usr/sbin/nginx';
  if (!existsSync(path)) {
    throw new Error(`nginx is not installed at ${path}: run bash e2e/toolchain/setup.sh (Debian package nginx)`);
  }
  return path;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

export interface HarborNginx {
  /** http://127.0.0.1:<port>, the one origin of Harbor and the service. */
  url: string;
  /** `METHOD URI STATUS UPSTREAM` per request served so far, from nginx's own log. */
  routed(): string[];
  close(): Promise<void>;
}

/**
 * Starts nginx with Harbor's configuration: `core` and `portal` are the given host:port (the Harbor stand-in),
 * and the snippet's `http://patching:8480` becomes the adapter's address (no Docker DNS here).
 */
export async function startHarborNginx(o: {
  core: string;
  portal?: string;
  patching: string;
  port?: number;
}): Promise<HarborNginx> {
  const binary = nginxBinary();
  const prefix = mkdtempSync(join(tmpdir(), 'hp-nginx-'));
  // nginx's workers run as nobody when started by root: they must reach the temp folders below.
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'conf.d'));
  const port = o.port ?? (await freePort());
  const conf = readFileSync(HARBOR_NGINX_CONF, 'utf8')
    .replaceAll('@PREFIX@', prefix)
    .replaceAll('@CORE@', o.core)
    .replaceAll('@PORTAL@', o.portal ?? o.core)
    .replaceAll('@PORT@', String(port));
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const snippet = readFileSync(PATCHING_SNIPPET, 'utf8');
  if (snippet.split(SNIPPET_UPSTREAM).length !== 2) {
    throw new Error(`${PATCHING_SNIPPET} must name the service exactly once as ${SNIPPET_UPSTREAM}`);
  }
  writeFileSync(
    join(prefix, 'conf.d', 'harbor.http.patching.conf'),
    snippet.replace(SNIPPET_UPSTREAM, `http://${o.patching}`),
  );
  // Only the name pattern of the install's protocol is included: this one must be ignored by an http install.
  copyFileSync(PATCHING_SNIPPET, join(prefix, 'conf.d', 'harbor.https.patching.conf'));

  const child: ChildProcess = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exited = code;
      done();
    }),
  );
  const errors = () => {
    const file = join(prefix, 'error.txt');
    return `${stderr}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`.trim();
  };
  const close = async () => {
    if (exited === undefined) {
      child.kill('SIGQUIT');
      await exit;
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = errors();
      await close();
      throw new Error(`nginx did not start (exit ${exited}): ${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    routed: () => {
      const file = join(prefix, 'routed.txt');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    },
    close,
  };
}
