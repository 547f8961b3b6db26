/** The real process: `node --import tsx adapter/src/main.ts` refuses bad settings and stops cleanly on signals. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import { registryUrl } from '@harbor-patching/oci-testkit';
import { API, basic } from './harness';

const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../src/main.ts');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function settingsFree(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATCHING_')));
}

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...settingsFree(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited, out: () => stdout, err: () => stderr };
}

test('bad settings: one line per problem on stderr, exit code 2, secrets not printed', async () => {
  const p = run({ PATCHING_PORT: 'x', PATCHING_CONCURRENCY: '-1', PATCHING_ROBOT_SECRET: 'very-secret-value' });
  const { code } = await p.exited;
  assert.equal(code, 2);
  const lines = p.err().trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith('config: PATCHING_PORT:')));
  assert.ok(lines.some((l) => l.startsWith('config: PATCHING_CONCURRENCY:')));
  assert.ok(lines.some((l) => l.includes('PATCHING_ROBOT_NAME and PATCHING_ROBOT_SECRET')));
  assert.ok(!p.err().includes('very-secret-value'));
  assert.ok(!p.out().includes('very-secret-value'));
});

test('starts, serves, logs JSON without secrets, and stops cleanly on SIGTERM', async () => {
  let sim: HarborSim | undefined;
  try {
    sim = await startHarborSim({
      port: 0,
      registryUrl,
      seed: 'demo',
      robots: [{ name: 'robot$svc', secret: 'Svc-Secret-42', level: 'system' }],
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'hp-proc-'));
    dirs.push(dataDir);
    const p = run({
      PATCHING_PORT: '0',
      PATCHING_HARBOR_URL: sim.url,
      PATCHING_DATA_DIR: dataDir,
      PATCHING_ROBOT_NAME: 'robot$svc',
      PATCHING_ROBOT_SECRET: 'Svc-Secret-42',
      PATCHING_WEBHOOK_SECRET: 'Hook-Secret-42',
    });
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"adapter started"/.exec(p.out());
      if (m) url = m[1];
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(url, `no start line in:\n${p.out()}\n${p.err()}`);
    const res = await basic(url, 'admin').call('POST', `${API}/projects/library/policies`, {
      body: { name: 'from-process' },
      headers: { cookie: 'sid=abc; other=1' },
    });
    assert.equal(res.status, 201, res.text);
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0, p.err());
    const lines = p
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.msg === 'shutting down'));
    assert.ok(lines.some((l) => l.msg === 'adapter stopped'));
    const request = lines.find((l) => l.msg === 'request' && l.method === 'POST');
    assert.ok(request?.request_id, 'request lines carry a request id');
    assert.equal(request.user, 'admin');
    for (const secret of ['Svc-Secret-42', 'Hook-Secret-42', 'Harbor12345', 'YWRtaW46']) {
      assert.ok(!p.out().includes(secret) && !p.err().includes(secret), `${secret} leaked into the logs`);
    }
  } finally {
    await sim?.close();
  }
});

test('a crash (SIGKILL) right after a request loses nothing: a new process sees the policy', async () => {
  let sim: HarborSim | undefined;
  try {
    sim = await startHarborSim({ port: 0, registryUrl, seed: 'demo' });
    const dataDir = mkdtempSync(join(tmpdir(), 'hp-crash-'));
    dirs.push(dataDir);
    const env = { PATCHING_PORT: '0', PATCHING_HARBOR_URL: sim.url, PATCHING_DATA_DIR: dataDir };
    const first = run(env);
    const url = await startedUrl(first);
    const created = await basic(url, 'alice').call('POST', `${API}/projects/library/policies`, {
      body: { name: 'survivor' },
    });
    assert.equal(created.status, 201);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    const second = run(env);
    const url2 = await startedUrl(second);
    const got = await basic(url2, 'alice').call('GET', `${API}/projects/library/policies/${created.body.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, created.body);
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0);
  } finally {
    await sim?.close();
  }
});

async function startedUrl(p: ReturnType<typeof run>): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /"url":"(http:\/\/[^"]+)".*"msg":"adapter started"/.exec(p.out());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no start line in:\n${p.out()}\n${p.err()}`);
}
