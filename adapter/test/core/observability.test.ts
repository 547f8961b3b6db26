/** Request ids, logs without secrets, health, metrics, the API document, and portal hosting. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { buildkitAddr, copaPath } from '@harbor-patching/e2e/lib/stack';
import { createLogger } from '../../src/http/observability';
import { API, anonymous, basic, request, SERVICE_ROBOT, startCore, type Core } from './harness';

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
  const mine = await request(core.adapter.url, 'GET', `${API}/health`, { headers: { 'x-request-id': 'trace-abc.123' } });
  assert.equal(mine.headers.get('x-request-id'), 'trace-abc.123');
  const made = await request(core.adapter.url, 'GET', `${API}/health`);
  assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  const odd = await request(core.adapter.url, 'GET', `${API}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.notEqual(odd.headers.get('x-request-id'), 'bad id with spaces');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(logLines.some((l) => l.request_id === 'trace-abc.123' && l.msg === 'request'));
});

test('logs never hold credentials', async () => {
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies`, { headers: { cookie: 'sid=session-value-1' } });
  await request(core.adapter.url, 'GET', '/api/v2.0/users/current', { headers: { cookie: 'sid=session-value-2', authorization: 'Basic YWxpY2U6SGFyYm9yMTIzNDU=' } });
  core.adapter.logger.info({ headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=x' }, robotSecret: 'zzz', nested: { secret: 'yyy' } }, 'probe');
  await new Promise((r) => setTimeout(r, 50));
  for (const s of ['session-value', 'YWxpY2U6', 'c2VjcmV0', SERVICE_ROBOT.secret, 'zzz', 'yyy', 'Harbor12345']) {
    assert.ok(!rawLog.includes(s), `${s} leaked into the log`);
  }
  assert.ok(rawLog.includes('[redacted]'));
});

test('health reports each dependency and the version', async () => {
  const res = await anonymous(core.adapter.url).call('GET', `${API}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.body.version, '0.1.0');
  const byName = Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
  for (const name of ['harbor', 'database', 'buildkitd', 'copa', 'registry']) assert.ok(byName[name], `${name} missing`);
  assert.equal(byName.harbor.status, 'healthy');
  assert.equal(byName.database.status, 'healthy');
  assert.equal(byName.registry.status, 'healthy', JSON.stringify(byName.registry));
  assert.ok(['healthy', 'unhealthy'].includes(res.body.status));
  assert.ok(!res.text.includes(SERVICE_ROBOT.secret));
});

test('health says clearly what is down', async () => {
  const { startAdapter } = await import('../../src/app');
  const down = await startAdapter(
    {},
    {
      config: {
        ...core.adapter.config,
        port: 0,
        dataDir: join(core.dataDir, 'down'),
        harborUrl: 'http://127.0.0.1:9',
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
    const res = await anonymous(down.url).call('GET', `${API}/health`);
    assert.equal(res.status, 200, 'liveness stays 200');
    assert.equal(res.body.status, 'unhealthy');
    const byName = Object.fromEntries(res.body.components.map((c: { name: string }) => [c.name, c]));
    assert.equal(byName.database.status, 'healthy');
    for (const name of ['harbor', 'buildkitd', 'copa', 'registry']) {
      assert.equal(byName[name].status, 'unhealthy', name);
      assert.ok(byName[name].error.length > 5);
    }
    assert.match(byName.copa.error, /PATCHING_COPA_PATH/);
  } finally {
    await down.close();
  }
});

test('Prometheus metrics count requests by route pattern and status', async () => {
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies`);
  await basic(core.adapter.url, 'alice').call('GET', `${API}/projects/library/policies/12345`);
  const res = await request(core.adapter.url, 'GET', '/patching/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(res.text, /patching_http_requests_total\{method="GET",route="\/patching\/api\/v1\/projects\/:project_name\/policies",status="200"\} \d+/);
  assert.match(res.text, /route="\/patching\/api\/v1\/projects\/:project_name\/policies\/:policy_id",status="404"/);
  assert.match(res.text, /patching_http_request_duration_seconds_bucket/);
  assert.ok(!res.text.includes('12345'), 'raw URLs never become labels');
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
