/**
 * The release build: the adapter bundle (adapter/scripts/build.ts) and the production portal, copied to a
 * folder outside the repository, run by Node.js 24 with NODE_ENV=production against the Harbor stand-in.
 * Nothing of the repository (node_modules, tsx, sources) is reachable from there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, serviceRobot, type HarborSim } from '@harbor-patching/harbor-sim';
import { buildkitAddr, cacheDir, copaPath, node24Dir, registryUrl } from '@harbor-patching/oci-testkit';
import { ensurePortalBuilt, PORTAL_DIR, ROOT } from '../../ui/harness';

const NODE24 = join(node24Dir, 'node/bin/node');
const ROBOT = { name: 'robot$release', secret: 'Release-Robot-Secret-1' };
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');

const dir = mkdtempSync(join(tmpdir(), 'hp-release-'));
const release = join(dir, 'dist');
const main = join(release, 'adapter/main.js');
let sim: HarborSim;
const children: ChildProcess[] = [];

before(async () => {
  assert.ok(existsSync(NODE24), `Node.js 24 is not installed at ${NODE24}: run bash e2e/toolchain/node24.sh`);
  const started = Date.now();
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'adapter/scripts/build.ts'), '--out', release], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  console.log(`release bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  ensurePortalBuilt();
  cpSync(PORTAL_DIR, join(release, 'portal-plugin'), { recursive: true });
  sim = await startHarborSim({
    port: 0,
    registryUrl,
    seed: 'demo',
    robots: [serviceRobot(ROBOT.name, ROBOT.secret)],
  });
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of an installed release: no PATH to the local stack's tools, no repository variables. */
function releaseEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: dir, NODE_ENV: 'production', HP_CACHE: cacheDir, ...settings };
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(node: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(node, [main], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The URL from the "adapter started" log line. */
async function startedUrl(r: Run): Promise<string> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const started = r
      .output()
      .split('\n')
      .map((line) => (line.startsWith('{') ? (JSON.parse(line) as { msg?: string; url?: string }) : {}))
      .find((entry) => entry.msg === 'adapter started');
    if (started?.url) return started.url;
    if (r.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the release did not start:\n${r.output()}`);
}

test('the compiled adapter runs on Node 24 in production: health, an API call, the portal, a clean stop', async () => {
  const r = run(
    NODE24,
    releaseEnv({
      PATCHING_PORT: '0',
      PATCHING_HARBOR_URL: sim.url,
      PATCHING_ROBOT_NAME: ROBOT.name,
      PATCHING_ROBOT_SECRET: ROBOT.secret,
      PATCHING_DATA_DIR: join(dir, 'data'),
      PATCHING_COPA_PATH: copaPath,
      PATCHING_BUILDKIT_ADDR: buildkitAddr,
    }),
  );
  const url = await startedUrl(r);

  const health = await fetch(`${url}/patching/api/v1/health`);
  assert.equal(health.status, 200);
  const body = (await health.json()) as { components: { name: string; status: string }[] };
  const status = Object.fromEntries(body.components.map((c) => [c.name, c.status]));
  for (const name of ['harbor', 'database', 'buildkitd', 'copa', 'registry']) {
    assert.equal(status[name], 'healthy', `${name}: ${JSON.stringify(body)}`);
  }

  const created = await fetch(`${url}/patching/api/v1/projects/library/policies`, {
    method: 'POST',
    headers: { authorization: alice, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release-check', filters: [], trigger: { type: 'manual' } }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const listed = await fetch(`${url}/patching/api/v1/projects/library/policies`, {
    headers: { authorization: alice },
  });
  assert.deepEqual(
    ((await listed.json()) as { name: string }[]).map((p) => p.name),
    ['release-check'],
  );

  // The portal beside the bundle (dist/portal-plugin) is served without PATCHING_PORTAL_DIR.
  const page = await fetch(`${url}/patching/projects`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<base href="\/patching\/">/);
  const script = readdirSync(join(release, 'portal-plugin')).find((f) => /^main-.*\.js$/.test(f));
  assert.ok(script, 'the production portal has a hashed main-*.js');
  assert.equal((await fetch(`${url}/patching/${script}`)).status, 200);

  r.child.kill('SIGTERM');
  assert.equal(await r.exited, 0, r.output());
});

test('in production a missing copa is a configuration error, even when the local stack has one', async () => {
  assert.ok(existsSync(copaPath), 'the local stack has copa');
  const r = run(NODE24, releaseEnv({ PATCHING_HARBOR_URL: sim.url, PATCHING_DATA_DIR: join(dir, 'data2') }));
  assert.equal(await r.exited, 2, r.output());
  assert.match(r.output(), /^config: PATCHING_COPA_PATH: copa is not on PATH; install copa or set PATCHING_COPA_PATH/m);
});

test(
  'the bundle refuses another Node.js than 24 with a clear message',
  { skip: process.versions.node.startsWith('24.') },
  async () => {
    const r = run(process.execPath, releaseEnv({}));
    assert.equal(await r.exited, 1);
    assert.match(r.output(), /runs on Node\.js 24 .* not v\d+/);
  },
);
