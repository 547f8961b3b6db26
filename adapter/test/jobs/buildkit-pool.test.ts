/**
 * The buildkitd pool without a buildkitd: slot accounting, the choice of endpoint, taking endpoints out and
 * putting them back, waiting and stopping while waiting, and PATCHING_BUILDKIT_ADDR's forms. The endpoint
 * checks are a function the test controls; the real check (buildkit-probe.ts) is exercised here against
 * addresses that are not buildkitd, and against real buildkitds in buildkit-pool-real.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { buildkitEndpoints, ConfigError, loadConfig } from '../../src/config/config';
import { BuildkitPool, BuildkitUnavailableError } from '../../src/jobs/buildkit-pool';
import { probeBuildkitd } from '../../src/jobs/buildkit-probe';

/** A pool whose endpoint checks answer from `up` (address -> answers), counting the checks. */
function poolWith(addrs: string, up: Record<string, boolean>) {
  const checks: string[] = [];
  const pool = new BuildkitPool(buildkitEndpoints(addrs, 2), {
    probe: async (addr) => {
      checks.push(addr);
      return up[addr] ? { ok: true, detail: addr } : { ok: false, detail: addr, error: 'connection refused' };
    },
  });
  return { pool, checks };
}

const A = 'tcp://a:1234';
const B = 'unix:///run/b.sock';
const inUse = (pool: BuildkitPool) => pool.list().map((e) => e.inUse);
const pending = <T>(p: Promise<T>) => {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
};
const tick = () => new Promise((r) => setImmediate(r));

test('slots: the least loaded endpoint first, then the one listed first; a full pool makes callers wait in order', async () => {
  const { pool } = poolWith(`${A}=2,${B}=1`, { [A]: true, [B]: true });
  assert.equal(pool.totalSlots, 3);
  const signal = new AbortController().signal;
  const s1 = await pool.acquire(signal);
  const s2 = await pool.acquire(signal);
  const s3 = await pool.acquire(signal);
  assert.deepEqual([s1.addr, s2.addr, s3.addr], [A, B, A]);
  assert.deepEqual(inUse(pool), [2, 1]);

  const w1 = pool.acquire(signal);
  const w2 = pool.acquire(signal);
  const w1done = pending(w1);
  await tick();
  assert.equal(w1done(), false, 'no free slot: the caller waits');

  s2.release(1);
  const got1 = await w1;
  assert.equal(got1.addr, B, 'the first waiter gets the freed slot');
  assert.ok(got1.waitedSeconds > 0 && s3.waitedSeconds < got1.waitedSeconds, 'the wait is measured');
  assert.deepEqual(inUse(pool), [2, 1]);
  s1.release(1);
  assert.equal((await w2).addr, A);

  // A second release of the same slot frees nothing more.
  got1.release();
  got1.release();
  assert.deepEqual(inUse(pool), [2, 0]);
});

test('release tells how long the slot was held beyond copa', async () => {
  const { pool } = poolWith(A, { [A]: true });
  const slot = await pool.acquire(new AbortController().signal);
  await new Promise((r) => setTimeout(r, 120));
  const held = slot.release(0.1);
  assert.ok(held.heldSeconds >= 0.1, `held ${held.heldSeconds}`);
  assert.ok(held.overheadSeconds! >= 0 && held.overheadSeconds! < 0.1, `overhead ${held.overheadSeconds}`);
  assert.equal(pool.list()[0]!.slots, 2, 'an address without =N gets the concurrency setting');
});

test('a stop while waiting for a slot ends the wait with the stop, and no slot is lost', async () => {
  const { pool } = poolWith(`${A}=1`, { [A]: true });
  const held = await pool.acquire(new AbortController().signal);
  const ac = new AbortController();
  const waiting = pool.acquire(ac.signal);
  ac.abort('stopped');
  await assert.rejects(waiting, (err) => err === 'stopped');
  held.release();
  assert.deepEqual(inUse(pool), [0]);
  const again = await pool.acquire(new AbortController().signal);
  assert.equal(again.addr, A);
});

test('an endpoint whose check fails is taken out; it is put back when its check answers again', async () => {
  const up = { [A]: false, [B]: true };
  const { pool } = poolWith(`${A}=1,${B}=1`, up);
  await pool.checkAll();
  assert.deepEqual(
    pool.list().map((e) => [e.state, e.error]),
    [
      ['unhealthy', 'connection refused'],
      ['healthy', undefined],
    ],
  );
  const signal = new AbortController().signal;
  const s1 = await pool.acquire(signal);
  assert.equal(s1.addr, B, 'only the healthy endpoint is used');
  const waiting = pool.acquire(signal);
  const done = pending(waiting);
  await tick();
  assert.equal(done(), false, 'the taken-out endpoint is not used even though it has a free slot');

  up[A] = true;
  await pool.checkAll();
  assert.equal((await waiting).addr, A, 'put back: the waiter gets its slot');
  s1.release();
});

test('copa reporting an endpoint unreachable takes it out at once; the next copa run goes to the other', async () => {
  const { pool, checks } = poolWith(`${A}=1,${B}=1`, { [A]: true, [B]: true });
  const signal = new AbortController().signal;
  const first = await pool.acquire(signal);
  assert.equal(first.addr, A);
  first.release(1);
  pool.markUnreachable(A, 'copa: failed to dial');
  assert.equal(pool.list()[0]!.state, 'unhealthy');
  assert.equal(pool.list()[0]!.error, 'copa: failed to dial');
  const second = await pool.acquire(signal);
  assert.equal(second.addr, B);
  assert.equal(checks.length, 0, 'no check was needed while an endpoint is usable');
});

test('no usable endpoint: one fresh check, then an error naming each address; waiters fail when the last one goes', async () => {
  const up = { [A]: false, [B]: false };
  const { pool, checks } = poolWith(`${A}=1,${B}=1`, up);
  await pool.checkAll();
  assert.equal(checks.length, 2);
  await assert.rejects(pool.acquire(new AbortController().signal), (err: Error) => {
    assert.ok(err instanceof BuildkitUnavailableError);
    assert.match(err.message, /tcp:\/\/a:1234: connection refused/);
    assert.match(err.message, /PATCHING_BUILDKIT_ADDR/);
    return true;
  });
  assert.equal(checks.length, 4, 'every endpoint was checked again before giving up');

  // Back up on the fresh check: the caller gets a slot without waiting for the periodic check.
  up[B] = true;
  const slot = await pool.acquire(new AbortController().signal);
  assert.equal(slot.addr, B);
  const waiting = pool.acquire(new AbortController().signal);
  pool.markUnreachable(B, 'gone');
  await assert.rejects(waiting, BuildkitUnavailableError);
  slot.release();
  assert.deepEqual(inUse(pool), [0, 0]);
});

test('metrics per endpoint: state, slots, slots in use, copa runs, and the slot overhead histogram', async () => {
  const { pool } = poolWith(`${A}=2,${B}=1`, { [A]: true, [B]: false });
  const registry = new Registry();
  pool.registerMetrics(registry);
  await pool.checkAll();
  const slot = await pool.acquire(new AbortController().signal);
  const text = await registry.metrics();
  assert.match(text, /patching_buildkitd_up\{endpoint="1"\} 1/);
  assert.match(text, /patching_buildkitd_up\{endpoint="2"\} 0/);
  assert.match(text, /patching_buildkitd_slots\{endpoint="1"\} 2/);
  assert.match(text, /patching_buildkitd_slots_in_use\{endpoint="1"\} 1/);
  assert.match(text, /patching_buildkitd_copa_runs_total\{endpoint="1"\} 1/);
  slot.release(0);
  const after = await registry.metrics();
  assert.match(after, /patching_buildkitd_slots_in_use\{endpoint="1"\} 0/);
  assert.match(after, /patching_copa_slot_overhead_seconds_count 1/);
  assert.ok(!after.includes('tcp://a'), 'addresses are not in the open metrics');
});

test('PATCHING_BUILDKIT_ADDR: several addresses, each with its own slots, in the environment and the file', () => {
  assert.deepEqual(buildkitEndpoints(`${A}=2, ${B}=1`, 4), [
    { addr: A, slots: 2 },
    { addr: B, slots: 1 },
  ]);
  assert.deepEqual(buildkitEndpoints(B, 4), [{ addr: B, slots: 4 }]);
  const env = { PATCHING_BUILDKIT_ADDR: `${A}=3,${B}`, PATCHING_CONCURRENCY: '2' };
  assert.equal(loadConfig(env, {}, '/').buildkitAddr, `${A}=3,${B}`);

  const dir = mkdtempSync(join(tmpdir(), 'hp-bk-config-'));
  try {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ buildkit_addr: [`${A}=2`, B], task_concurrency: 8 }));
    const c = loadConfig({ PATCHING_CONFIG_FILE: file }, {}, dir);
    assert.deepEqual(buildkitEndpoints(c.buildkitAddr, c.concurrency), [
      { addr: A, slots: 2 },
      { addr: B, slots: 2 },
    ]);
    assert.equal(c.taskConcurrency, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const problem = (value: string) => {
    try {
      loadConfig({ PATCHING_BUILDKIT_ADDR: value }, {}, '/');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems.join('\n');
    }
    assert.fail(`${value} was accepted`);
  };
  assert.match(problem(`${A}=0`), /PATCHING_BUILDKIT_ADDR: the slot count .* from 1 to 64, got "tcp:\/\/a:1234=0"/);
  assert.match(problem(`${A}=two`), /slot count/);
  assert.match(problem(`${A},/run/b.sock`), /must look like unix:\/\/\/path\/buildkitd.sock .* got "\/run\/b.sock"/);
  assert.match(problem(`${A},${A}=2`), /listed twice/);
  assert.match(problem(`${A},`), /non-empty list/);
});

test('the endpoint check says why an address is not a working buildkitd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hp-bk-probe-'));
  const closed = createNetServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const web = createServer((_req, res) => res.end('not grpc'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  try {
    const missing = await probeBuildkitd(`unix://${dir}/buildkitd.sock`);
    assert.equal(missing.ok, false);
    assert.match(missing.error!, /cannot reach buildkitd .*ENOENT.*PATCHING_BUILDKIT_ADDR/);
    const refused = await probeBuildkitd(`tcp://127.0.0.1:${closedPort}`);
    assert.equal(refused.ok, false);
    assert.match(refused.error!, /ECONNREFUSED/);
    const http1 = await probeBuildkitd(`tcp://127.0.0.1:${(web.address() as AddressInfo).port}`, 1500);
    assert.equal(http1.ok, false, 'an HTTP/1 server is not buildkitd');
    const other = await probeBuildkitd('docker-container://buildkitd');
    assert.equal(other.ok, true);
    assert.match(other.detail, /not checked/);
  } finally {
    web.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
