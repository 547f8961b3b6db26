/**
 * The release images, built by adapter/deploy/image/build.sh with the local buildkitd and pushed to the local
 * registry, run without Docker: each is unpacked with umoci into a runc bundle and started with runc.
 * harbor-patching runs against the Harbor stand-in and the stack's buildkitd and patches the sample image
 * through its API; harbor-patching-buildkitd starts and answers on its socket.
 *
 * Cached under $HP_CACHE/images, keyed by the layers and run settings of each image: the unpacked root
 * filesystems (shared read-only by the runs). build.sh skips an image whose inputs did not change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, serviceRobot, type HarborSim } from '@harbor-patching/harbor-sim';
import {
  advisoriesPath,
  buildkitAddr,
  cacheDir,
  RegistryClient,
  registryAddr,
  registryUrl,
  sampleImage,
  uniqueRepository,
} from '@harbor-patching/oci-testkit';
import { ensurePortalBuilt, PORTAL_DIR, ROOT } from '../../ui/harness';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ROBOT = { name: 'robot$image', secret: 'Image-Robot-Secret-1' };
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');
const SOCKET = buildkitAddr.replace(/^unix:\/\//, '');
const UID = 10000;

const registry = new RegistryClient(registryUrl);
const dir = mkdtempSync(join(tmpdir(), 'hp-image-'));
const containers: { id: string; child: ChildProcess }[] = [];
let sim: HarborSim;
let appRootfs: string;
let buildkitdRootfs: string;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

before(async () => {
  assert.ok(buildkitAddr.startsWith('unix://'), `the test shares buildkitd's unix socket, not ${buildkitAddr}`);
  let t = Date.now();
  execFileSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'adapter/scripts/build.ts'), '--out', join(dir, 'dist')],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  ensurePortalBuilt();
  cpSync(PORTAL_DIR, join(dir, 'dist/portal-plugin'), { recursive: true });
  console.log(`release build: ${seconds(t)}`);
  t = Date.now();
  execFileSync('bash', [join(ROOT, 'adapter/deploy/image/build.sh'), '--dist', join(dir, 'dist')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  console.log(`images built (or found up to date): ${seconds(t)}`);
  t = Date.now();
  appRootfs = await unpacked('harbor-patching');
  buildkitdRootfs = await unpacked('harbor-patching-buildkitd');
  console.log(`images unpacked (or found unpacked): ${seconds(t)}`);
  sim = await startHarborSim({
    port: 0,
    registryUrl,
    seed: 'demo',
    advisoriesFile: advisoriesPath,
    scanDelayMs: 200,
    robots: [serviceRobot(ROBOT.name, ROBOT.secret)],
  });
});

after(async () => {
  for (const { id, child } of containers) {
    if (child.exitCode === null) spawnSyncQuiet('runc', ['kill', id, 'KILL']);
    spawnSyncQuiet('runc', ['delete', '--force', id]);
  }
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function spawnSyncQuiet(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}

/**
 * `<name>:<version>` from the local registry as umoci unpacks it (config.json, rootfs/), once per content into
 * $HP_CACHE/images/<name>-<key>/ (older ones of the same name are removed).
 */
async function unpacked(name: string): Promise<string> {
  const digest = await registry.resolve(name, VERSION);
  assert.ok(digest, `${registryAddr}/${name}:${VERSION} is not in the registry`);
  // Keyed by the layers and the run settings: a new commit or build time (labels, dates) reuses the unpacked tree.
  const config = (await registry.getImageConfig(name, digest)) as unknown as {
    rootfs: unknown;
    config: { Labels?: unknown };
  };
  const key = createHash('sha256')
    .update(JSON.stringify({ rootfs: config.rootfs, config: { ...config.config, Labels: undefined } }))
    .digest('hex')
    .slice(0, 16);
  const images = join(cacheDir, 'images');
  const target = join(images, `${name}-${key}`);
  if (!existsSync(join(target, 'config.json'))) {
    mkdirSync(images, { recursive: true });
    const work = mkdtempSync(join(images, `${name}.tmp-`));
    try {
      execFileSync('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        `docker://${registryAddr}/${name}@${digest}`,
        `oci:${join(work, 'layout')}:image`,
      ]);
      execFileSync('umoci', ['unpack', '--image', `${join(work, 'layout')}:image`, join(work, 'bundle')]);
      rmSync(target, { recursive: true, force: true });
      renameSync(join(work, 'bundle'), target);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  for (const entry of readdirSync(images)) {
    if (
      entry.startsWith(`${name}-`) &&
      /^[0-9a-f]{16}$/.test(entry.slice(name.length + 1)) &&
      join(images, entry) !== target
    )
      rmSync(join(images, entry), { recursive: true, force: true });
  }
  return target;
}

interface Spec {
  root: { path: string; readonly?: boolean };
  process: {
    terminal?: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    noNewPrivileges?: boolean;
    capabilities?: Record<string, string[]>;
  };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string }[]; maskedPaths?: string[]; readonlyPaths?: string[]; seccomp?: unknown };
}

interface Container {
  id: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the unpacked image with runc: its own config (user, entrypoint, environment from the image), the
 * root file system read-only, the host's network (the stand-in, registry and buildkitd listen on loopback).
 */
function runContainer(unpackedDir: string, change: (spec: Spec) => void): Container {
  const id = `hp-image-${randomBytes(4).toString('hex')}`;
  const bundle = join(dir, id);
  mkdirSync(bundle);
  const spec = JSON.parse(readFileSync(join(unpackedDir, 'config.json'), 'utf8')) as Spec;
  spec.root = { path: join(unpackedDir, 'rootfs'), readonly: true };
  spec.process.terminal = false;
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  spec.mounts.push(
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755'] },
  );
  change(spec);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  const child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  containers.push({ id, child });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { id, child, output: () => output, exited };
}

function setEnv(spec: Spec, settings: Record<string, string>): void {
  const keys = new Set(Object.keys(settings));
  spec.process.env = [
    ...spec.process.env.filter((e) => !keys.has(e.slice(0, e.indexOf('=')))),
    ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
  ];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, c: Container, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (c.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${ms / 1000} s\n--- container output\n${c.output()}`);
}

/** The user the container's first process runs as, from /proc (uid and gid, real). */
function containerUser(id: string): { uid: number; gid: number } {
  const state = JSON.parse(execFileSync('runc', ['state', id], { encoding: 'utf8' })) as { pid: number };
  const status = readFileSync(`/proc/${state.pid}/status`, 'utf8');
  return {
    uid: Number(/^Uid:\s+(\d+)/m.exec(status)![1]),
    gid: Number(/^Gid:\s+(\d+)/m.exec(status)![1]),
  };
}

test('harbor-patching: the image config says how it runs (user, entrypoint, settings, volume, port, health, labels)', async () => {
  const config = (await registry.getImageConfig('harbor-patching', VERSION)) as unknown as {
    config: {
      User: string;
      Entrypoint: string[];
      Env: string[];
      Volumes: Record<string, object>;
      ExposedPorts: Record<string, object>;
      Labels: Record<string, string>;
      Healthcheck: { Test: string[] };
    };
  };
  const c = config.config;
  assert.equal(c.User, `${UID}:${UID}`);
  assert.deepEqual(c.Entrypoint, [
    '/usr/bin/tini',
    '--',
    '/usr/local/bin/node',
    // A young generation of 4 MB per half and a heap limit that sizes V8's heap growth (README, "Release build").
    '--max-semi-space-size=4',
    '--max-old-space-size=192',
    '/opt/harbor-patching/adapter/main.js',
  ]);
  for (const e of [
    'NODE_ENV=production',
    'PATCHING_HOST=0.0.0.0',
    'PATCHING_PORT=8480',
    'PATCHING_DATA_DIR=/data',
    'MALLOC_ARENA_MAX=2',
  ]) {
    assert.ok(c.Env.includes(e), `${e} in ${c.Env.join(' ')}`);
  }
  assert.deepEqual(Object.keys(c.Volumes), ['/data']);
  assert.deepEqual(Object.keys(c.ExposedPorts), ['8480/tcp']);
  assert.deepEqual(c.Healthcheck.Test, ['CMD', '/usr/local/bin/node', '/opt/harbor-patching/healthcheck.mjs']);
  assert.equal(c.Labels['org.opencontainers.image.version'], VERSION);
  assert.equal(c.Labels['org.opencontainers.image.title'], 'harbor-patching');
  assert.match(c.Labels['org.opencontainers.image.revision'], /^[0-9a-f]{40}(-dirty)?$/);
  assert.ok(
    statSync(join(appRootfs, 'rootfs/etc/ssl/certs/ca-certificates.crt')).size > 0,
    'the CA bundle is in the image',
  );
});

test('harbor-patching under runc: non-root, healthy, patches the sample image through its API, stops cleanly', async (t) => {
  const started = Date.now();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  chownSync(dataDir, UID, UID);
  const port = await freePort();
  const socketGid = statSync(SOCKET).gid;
  const c = runContainer(appRootfs, (spec) => {
    setEnv(spec, {
      PATCHING_PORT: String(port),
      PATCHING_HARBOR_URL: sim.url,
      PATCHING_ROBOT_NAME: ROBOT.name,
      PATCHING_ROBOT_SECRET: ROBOT.secret,
      PATCHING_SCAN_TIMEOUT: '60',
    });
    // The socket's group, as the buildkitd image's socket belongs to the service's group (gid 10000).
    spec.process.user.additionalGids = [socketGid];
    spec.process.noNewPrivileges = true;
    spec.mounts.push(
      { destination: '/data', type: 'bind', source: dataDir, options: ['rbind', 'rw'] },
      { destination: '/run/buildkit/buildkitd.sock', type: 'bind', source: SOCKET, options: ['bind'] },
    );
  });
  const url = `http://127.0.0.1:${port}`;

  const health = await waitFor(
    'all components healthy',
    c,
    async () => {
      const res = await fetch(`${url}/patching/api/v1/health`);
      const body = (await res.json()) as { status: string; components: { name: string; status: string }[] };
      return res.status === 200 && body.status === 'healthy' ? body : undefined;
    },
    60_000,
  );
  t.diagnostic(`healthy ${seconds(started)} after runc run: ${health.components.map((x) => x.name).join(', ')}`);
  assert.deepEqual(containerUser(c.id), { uid: UID, gid: UID });
  // The image's own health check, as a container engine runs it.
  const check = execFileSync('runc', ['exec', c.id, '/usr/local/bin/node', '/opt/harbor-patching/healthcheck.mjs'], {
    encoding: 'utf8',
  });
  assert.match(check, /: 200 healthy /);
  const page = await fetch(`${url}/patching/projects`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<base href="\/patching\/">/);

  const repository = uniqueRepository('library', 'sample-app');
  await registry.copyImage(sampleImage, `${repository}:1.0`);
  const name = repository.slice('library/'.length);
  const patchStarted = Date.now();
  const res = await fetch(`${url}/patching/api/v1/projects/library/repositories/${name}/artifacts/1.0/patch`, {
    method: 'POST',
    headers: { authorization: alice, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 202, await res.clone().text());
  const execution = (await res.json()) as { id: number };
  const taskId = Number(res.headers.get('x-patch-task-id'));
  const task = await waitFor(
    'the patch task to finish',
    c,
    async () => {
      const r = await fetch(`${url}/patching/api/v1/projects/library/executions/${execution.id}/tasks/${taskId}`, {
        headers: { authorization: alice },
      });
      const body = (await r.json()) as {
        status: string;
        reason?: string;
        status_message?: string;
        patched_tag?: string;
        patched_digest?: string;
      };
      return ['Pending', 'Running'].includes(body.status) ? undefined : body;
    },
    300_000,
  );
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}\n${c.output().slice(-3000)}`);
  t.diagnostic(`patch through the container: ${seconds(patchStarted)}`);
  assert.equal(task.patched_tag, '1.0-patched');
  assert.equal(await registry.resolve(repository, '1.0-patched'), task.patched_digest);

  // State is in the mounted data directory, owned by the service's user; nothing else was writable.
  assert.equal(statSync(join(dataDir, 'patching.db')).uid, UID);
  const readOnly = spawn('runc', [
    'exec',
    c.id,
    '/usr/local/bin/node',
    '-e',
    'require("fs").writeFileSync("/opt/x", "")',
  ]);
  assert.notEqual(await new Promise((resolve) => readOnly.once('exit', resolve)), 0);

  execFileSync('runc', ['kill', c.id, 'TERM']);
  assert.equal(await c.exited, 0, c.output().slice(-3000));
  t.diagnostic(`whole run: ${seconds(started)}`);
});

test('harbor-patching-buildkitd under runc: buildkitd starts and answers on a socket of the service group', async () => {
  const state = join(dir, 'buildkit-state');
  const run = join(dir, 'buildkit-run');
  mkdirSync(state);
  mkdirSync(run);
  const c = runContainer(buildkitdRootfs, (spec) => {
    // A privileged container, as buildkitd's OCI worker needs (mounts, runc for build steps): every
    // capability this process may hand on.
    const bounding = BigInt('0x' + /^CapBnd:\s+([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    const caps = CAPABILITIES.filter((_, i) => (bounding >> BigInt(i)) & 1n);
    spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
    spec.linux.maskedPaths = [];
    spec.linux.readonlyPaths = [];
    delete spec.linux.seccomp;
    spec.mounts.push(
      { destination: '/var/lib/buildkit', type: 'bind', source: state, options: ['rbind', 'rw'] },
      { destination: '/run/buildkit', type: 'bind', source: run, options: ['rbind', 'rw'] },
    );
  });
  const sock = join(run, 'buildkitd.sock');
  const workers = await waitFor(
    'buildkitd to answer',
    c,
    async () => {
      if (!existsSync(sock)) return undefined;
      return execFileSync(join(cacheDir, 'bin/buildctl'), ['--addr', `unix://${sock}`, 'debug', 'workers'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    },
    60_000,
  );
  assert.match(workers, /linux\/amd64/);
  const s = statSync(sock);
  assert.equal(s.gid, UID, 'the socket belongs to the service group');
  assert.equal(s.mode & 0o777, 0o660);
  // buildkitd ends with status 1 on SIGTERM ("forcing shutdown"); what counts is that it ends.
  execFileSync('runc', ['kill', c.id, 'TERM']);
  assert.equal(typeof (await c.exited), 'number', c.output().slice(-3000));
});

const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];
