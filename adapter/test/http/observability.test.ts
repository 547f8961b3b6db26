/** Request ids, logs without secrets, health, metrics, the API document, and portal hosting. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { buildkitAddr, copaPath } from '@harbor-patching/oci-testkit';
import { createLogger } from '../../src/http/observability';
import { API, anonymous, basic, request, SERVICE_ROBOT, Session, startCore, type Core } from '../harness';

let core: Core;
const logLines: Record<string, unknown>[] = [];
let rawLog = '';

before(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      rawLog += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  core = await startCore({ buildkitAddr, copaPath, logLevel: 'info' });
  // A second instance on the same sim with a log we can read.
  await core.adapter.close();
  const { startAdapter } = await import('../../src/app');
  core.adapter = await startAdapter(
    {},
    {
      config: { ...core.adapter.config, logLevel: 'info', portalDir: join(core.dataDir, 'portal') },
      logger: createLogger('info', sink),
    },
  );
});
after(async () => {
  await core?.close();
});

test('X-Request-Id is honoured and echoed, or made up', async () => {
  const mine = await request(core.adapter.url, 'GET', `${API}/health`, {
    headers: { 'x-request-id': 'trace-abc.123' },
  });
  assert.equal(mine.headers.get('x-request-id'), 'trace-abc.123');
  const made = await request(core.adapter.url, 'GET', `${API}/health`);
  assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  const odd = await request(core.adapter.url, 'GET', `${API}/health`, {
    headers: { 'x-request-id': 'bad id with spaces' },
  });
  assert.notEqual(odd.headers.get('x-request-id'), 'bad id with spaces');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(logLines.some((l) => l.request_id === 'trace-abc.123' && l.msg === 'request'));
});

test('logs never hold credentials', async () => {
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies`, {
    headers: { cookie: 'sid=session-value-1' },
  });
  await request(core.adapter.url, 'GET', '/api/v2.0/users/current', {
    headers: { cookie: 'sid=session-value-2', authorization: 'Basic YWxpY2U6SGFyYm9yMTIzNDU=' },
  });
  core.adapter.logger.info(
    { headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=x' }, robotSecret: 'zzz', nested: { secret: 'yyy' } },
    'probe',
  );
  await new Promise((r) => setTimeout(r, 50));
  for (const s of ['session-value', 'YWxpY2U6', 'c2VjcmV0', SERVICE_ROBOT.secret, 'zzz', 'yyy', 'Harbor12345']) {
    assert.ok(!rawLog.includes(s), `${s} leaked into the log`);
  }
  assert.ok(rawLog.includes('[redacted]'));
});

/** Component names by name, after checking the answer is the public shape: names and states only. */
function publicComponents(res: { status: number; body: any }): Record<string, { name: string; status: string }> {
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body).sort(), ['components', 'status', 'version']);
  for (const c of res.body.components) assert.deepEqual(Object.keys(c).sort(), ['name', 'status'], JSON.stringify(c));
  return Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
}

test('health names each dependency and its state, and nothing more, to anyone but a system admin', async () => {
  const { config } = core.adapter;
  const callers = {
    anonymous: anonymous(core.adapter.url),
    'project admin': basic(core.adapter.url, 'alice'),
    developer: basic(core.adapter.url, 'dave'),
    'wrong password': basic(core.adapter.url, 'admin', 'not-the-password'),
    'unknown session': {
      call: (m: string, p: string) => request(core.adapter.url, m, p, {}, { cookie: 'sid=no-such-session' }),
    },
    'service robot': basic(core.adapter.url, SERVICE_ROBOT.name, SERVICE_ROBOT.secret),
  };
  for (const [who, caller] of Object.entries(callers)) {
    const res = await caller.call('GET', `${API}/health`);
    const byName = publicComponents(res);
    assert.equal(res.body.version, '0.1.0', who);
    for (const name of ['harbor', 'robot', 'database', 'buildkitd', 'copa', 'registry'])
      assert.ok(byName[name], `${name} missing for ${who}`);
    assert.equal(byName.harbor.status, 'healthy', who);
    assert.equal(byName.robot.status, 'healthy', who);
    assert.equal(byName.database.status, 'healthy', who);
    assert.equal(byName.registry.status, 'healthy', who);
    assert.ok(['healthy', 'unhealthy'].includes(res.body.status));
    for (const internal of [
      config.dataDir,
      config.copaPath,
      config.buildkitAddr,
      config.harborUrl,
      config.registryHost,
      SERVICE_ROBOT.secret,
    ]) {
      assert.ok(!res.text.includes(internal), `${who} sees ${internal}`);
    }
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('vary') ?? '', /Authorization/i);
    assert.match(res.headers.get('vary') ?? '', /Cookie/i);
  }
});

test('a system admin also sees what each check looked at', async () => {
  const { config } = core.adapter;
  const session = new Session(core.adapter.url);
  await session.login('admin');
  for (const admin of [basic(core.adapter.url, 'admin'), session]) {
    const res = await admin.call('GET', `${API}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.body.version, '0.1.0');
    const byName = Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
    assert.equal(byName.harbor.status, 'healthy');
    assert.equal(byName.harbor.detail, config.harborUrl);
    assert.ok(byName.database.detail.startsWith(`SQLite ${config.dataDir}`), byName.database.detail);
    assert.equal(byName.copa.detail, config.copaPath);
    assert.equal(byName.buildkitd.detail, config.buildkitAddr);
    assert.deepEqual(
      byName.buildkitd.slots,
      { total: config.concurrency, in_use: 0 },
      'one address: PATCHING_CONCURRENCY slots',
    );
    assert.match(byName.registry.detail, new RegExp(config.registryHost.replace(/\./g, '\\.')));
    assert.ok(!res.text.includes(SERVICE_ROBOT.secret));
  }
});

test('health says clearly what is down: states to anyone, reasons to a system admin', async () => {
  const { startAdapter } = await import('../../src/app');
  const down = await startAdapter(
    {},
    {
      config: {
        ...core.adapter.config,
        port: 0,
        dataDir: join(core.dataDir, 'down'),
        registryHost: '127.0.0.1:9',
        buildkitAddr: 'unix:///nonexistent/buildkitd.sock',
        copaPath: '/nonexistent/copa',
        robotName: undefined,
        robotSecret: undefined,
      },
      logger: createLogger('silent'),
    },
  );
  try {
    const open = await anonymous(down.url).call('GET', `${API}/health`);
    const openByName = publicComponents(open);
    assert.equal(open.body.status, 'unhealthy');
    assert.equal(openByName.database.status, 'healthy');
    for (const name of ['buildkitd', 'copa', 'registry']) assert.equal(openByName[name].status, 'unhealthy', name);
    assert.ok(!open.text.includes('/nonexistent'));

    const res = await basic(down.url, 'admin').call('GET', `${API}/health`);
    assert.equal(res.status, 200, 'liveness stays 200');
    assert.equal(res.body.status, 'unhealthy');
    const byName = Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
    assert.equal(byName.database.status, 'healthy');
    assert.equal(byName.harbor.status, 'healthy');
    for (const name of ['buildkitd', 'copa', 'registry']) {
      assert.equal(byName[name].status, 'unhealthy', name);
      assert.ok(byName[name].error.length > 5);
    }
    assert.match(byName.copa.error, /PATCHING_COPA_PATH/);
    assert.match(byName.buildkitd.error, /PATCHING_BUILDKIT_ADDR/);
    assert.equal(byName.copa.detail, '/nonexistent/copa');
  } finally {
    await down.close();
  }
});

test('with Harbor down health still answers 200, and nobody can be shown the details', async () => {
  const { startAdapter } = await import('../../src/app');
  const { builtInHealthChecks } = await import('../../src/health/checks');
  const down = await startAdapter(
    {},
    {
      config: {
        ...core.adapter.config,
        port: 0,
        dataDir: join(core.dataDir, 'no-harbor'),
        harborUrl: 'http://127.0.0.1:9',
      },
      logger: createLogger('silent'),
    },
  );
  try {
    for (const caller of [anonymous(down.url), basic(down.url, 'admin')]) {
      const res = await caller.call('GET', `${API}/health`);
      const byName = publicComponents(res);
      assert.equal(res.body.status, 'unhealthy');
      assert.equal(byName.harbor.status, 'unhealthy');
      assert.equal(byName.database.status, 'healthy');
    }
    // The reason is still worked out (and shown once an admin can be identified).
    const harbor = builtInHealthChecks(down.config, down.database).find((c) => c.name === 'harbor');
    const result = await harbor!.check();
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /unreachable/);
  } finally {
    await down.close();
  }
});

test('a burst of health calls probes Harbor once: components are checked once per PATCHING_HEALTH_CACHE_SECONDS', async () => {
  const { startAdapter } = await import('../../src/app');
  const health = async (url: string, n: number) => {
    const answers = await Promise.all(Array.from({ length: n }, () => anonymous(url).call('GET', `${API}/health`)));
    for (const a of answers) assert.equal(a.status, 200);
    return answers;
  };
  const cached = await startAdapter(
    {},
    {
      config: { ...core.adapter.config, port: 0, dataDir: join(core.dataDir, 'health-cache'), healthCacheSeconds: 1 },
      logger: createLogger('silent'),
    },
  );
  const uncached = await startAdapter(
    {},
    {
      config: { ...core.adapter.config, port: 0, dataDir: join(core.dataDir, 'health-nocache'), healthCacheSeconds: 0 },
      logger: createLogger('silent'),
    },
  );
  const pings = core.sim.watchRequests('/api/v2.0/ping');
  try {
    const burst = await health(cached.url, 50);
    assert.equal(pings.count(), 1, 'fifty concurrent calls share one check');
    assert.ok(burst.every((a) => JSON.stringify(a.body) === JSON.stringify(burst[0].body)));
    await health(cached.url, 1);
    assert.equal(pings.count(), 1, 'a call within the cache time gets the last result');
    await new Promise((r) => setTimeout(r, 1100));
    await health(cached.url, 1);
    assert.equal(pings.count(), 2, 'after the cache time the components are checked again');

    for (let i = 0; i < 3; i++) await health(uncached.url, 1);
    assert.equal(pings.count(), 5, '0 checks on every call');
  } finally {
    pings.stop();
    await cached.close();
    await uncached.close();
  }
});

test('Prometheus metrics count requests by route pattern and status', async () => {
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies`);
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies/12345`);
  const res = await request(core.adapter.url, 'GET', '/patching/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(
    res.text,
    /patching_http_requests_total\{method="GET",route="\/patching\/api\/v1\/projects\/:project_name\/policies",status="200"\} \d+/,
  );
  assert.match(res.text, /route="\/patching\/api\/v1\/projects\/:project_name\/policies\/:policy_id",status="404"/);
  assert.match(res.text, /patching_http_request_duration_seconds_bucket/);
  // Only labels are looked at: a sample's value may well contain those digits.
  assert.ok(!/\{[^}]*12345[^}]*\}/.test(res.text), 'raw URLs never become labels');
});

test('the API document is served as JSON', async () => {
  const res = await request(core.adapter.url, 'GET', `${API}/openapi.json`);
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.0.3');
  assert.ok(res.body.paths['/projects/{project_name}/policies']);
  assert.ok(res.body.components.schemas.PatchPolicy);
  assert.ok(res.body.components.schemas.VulnerabilitySummary);
});

test('portal: a clear 503 page while not built, then files and SPA fallback once built', async () => {
  const missing = await request(core.adapter.url, 'GET', '/patching/');
  assert.equal(missing.status, 503);
  assert.match(missing.headers.get('content-type') ?? '', /html/);
  assert.match(missing.text, /not built/);
  assert.match(missing.text, /PATCHING_PORTAL_DIR/);
  const dir = core.adapter.config.portalDir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>portal</title><app-root></app-root>');
  writeFileSync(join(dir, 'main.js'), 'console.log(1)');
  const index = await request(core.adapter.url, 'GET', '/patching/');
  assert.equal(index.status, 200);
  assert.match(index.text, /app-root/);
  const deep = await request(core.adapter.url, 'GET', '/patching/projects/library/policies/3');
  assert.equal(deep.status, 200);
  assert.match(deep.text, /app-root/);
  const js = await request(core.adapter.url, 'GET', '/patching/main.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.equal((await request(core.adapter.url, 'GET', '/patching/missing.js')).status, 404);
  const api404 = await request(core.adapter.url, 'GET', `${API}/unknown`);
  assert.equal(api404.status, 404);
  assert.equal(api404.body.errors[0].code, 'NOT_FOUND', 'API paths never fall back to the portal');
  const root = await request(core.adapter.url, 'GET', '/');
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/patching/');
});
