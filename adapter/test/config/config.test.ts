/** Configuration: defaults, environment, JSON file, one clear line per problem, secrets never shown. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, describeConfig, findCopa, loadConfig } from '../../src/config/config';
import { hasModernFetch } from '../../src/config/outbound';
import { makeTestCertificates } from '@harbor-patching/oci-testkit';

const dir = mkdtempSync(join(tmpdir(), 'hp-config-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, {}, dir);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

test('defaults need no configuration', () => {
  const c = loadConfig({}, {}, dir);
  assert.equal(c.port, 8480);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.harborUrl, 'http://127.0.0.1:8380');
  assert.equal(c.registryHost, '127.0.0.1:8380');
  assert.equal(c.registryInsecure, true);
  assert.equal(c.dataDir, join(dir, '.data'));
  assert.equal(c.concurrency, 2);
  assert.equal(c.maxBodyBytes, 1024 * 1024);
  assert.equal(c.robotName, undefined);
  assert.equal(c.copaEolApiUrl, undefined, "copa's own default");
});

test('environment variables are read and typed', () => {
  const c = loadConfig(
    {
      PATCHING_PORT: '9000',
      PATCHING_HARBOR_URL: 'https://harbor.example.com/',
      PATCHING_DATA_DIR: 'state',
      PATCHING_CONCURRENCY: '4',
      PATCHING_TASK_TIMEOUT: '15m',
      PATCHING_ROBOT_NAME: 'robot$patcher',
      PATCHING_ROBOT_SECRET: 's3cret-value',
      PATCHING_TRUST_PROXY: 'true',
      PATCHING_COPA_EOL_API_URL: 'http://eol.internal:8080/api/v1/products/',
    },
    {},
    dir,
  );
  assert.equal(c.port, 9000);
  assert.equal(c.harborUrl, 'https://harbor.example.com');
  assert.equal(c.registryHost, 'harbor.example.com', 'the registry follows Harbor');
  assert.equal(c.registryInsecure, false);
  assert.equal(c.dataDir, join(dir, 'state'));
  assert.equal(c.concurrency, 4);
  assert.equal(c.taskTimeoutSeconds, 900);
  assert.equal(c.trustProxy, true);
  assert.equal(c.copaEolApiUrl, 'http://eol.internal:8080/api/v1/products');
});

test('a JSON file is read; the environment wins over it; unknown keys are refused', () => {
  const file = join(dir, 'patching.json');
  writeFileSync(file, JSON.stringify({ port: 7000, concurrency: 3, log_level: 'debug' }));
  const c = loadConfig({ PATCHING_CONFIG_FILE: file, PATCHING_CONCURRENCY: '5' }, {}, dir);
  assert.equal(c.port, 7000);
  assert.equal(c.concurrency, 5);
  assert.equal(c.logLevel, 'debug');
  writeFileSync(file, JSON.stringify({ prot: 7000 }));
  assert.match(problems({ PATCHING_CONFIG_FILE: file })[0], /unknown setting "prot"/);
  writeFileSync(file, '{not json');
  assert.match(problems({ PATCHING_CONFIG_FILE: file })[0], /cannot read .* as JSON/);
});

test('every problem is reported, one line each, naming the variable', () => {
  const list = problems({
    PATCHING_PORT: 'eighty',
    PATCHING_HARBOR_URL: 'ftp://harbor',
    PATCHING_CONCURRENCY: '0',
    PATCHING_TASK_TIMEOUT: 'soon',
    PATCHING_LOG_LEVEL: 'loud',
    PATCHING_BUILDKIT_ADDR: '/run/buildkitd.sock',
    PATCHING_ROBOT_NAME: 'patcher',
    PATCHING_TRUST_PROXY: 'maybe',
    PATCHING_POTR: '1',
    PATCHING_COPA_EOL_API_URL: 'endoflife.internal',
  });
  const joined = list.join('\n');
  for (const name of [
    'PATCHING_PORT',
    'PATCHING_HARBOR_URL',
    'PATCHING_CONCURRENCY',
    'PATCHING_TASK_TIMEOUT',
    'PATCHING_LOG_LEVEL',
    'PATCHING_BUILDKIT_ADDR',
    'PATCHING_ROBOT_NAME',
    'PATCHING_TRUST_PROXY',
    'PATCHING_POTR',
    'PATCHING_COPA_EOL_API_URL',
  ]) {
    assert.ok(joined.includes(name), `${name} missing from:\n${joined}`);
  }
  for (const line of list) assert.ok(!line.includes('\n'));
  assert.match(problems({ PATCHING_HARBOR_URL: 'http://harbor/api/v2.0' })[0], /without a path/);
  assert.match(problems({ PATCHING_HARBOR_URL: 'http://user:pw@harbor' })[0], /credentials/);
});

test('secrets are never shown, not even when invalid', () => {
  const list = problems({ PATCHING_ROBOT_SECRET: 'top-secret-value' });
  assert.ok(list.some((l) => l.includes('must be set together')));
  assert.ok(!list.join('\n').includes('top-secret-value'));
  const c = loadConfig(
    {
      PATCHING_ROBOT_NAME: 'robot$x',
      PATCHING_ROBOT_SECRET: 'top-secret-value',
      PATCHING_WEBHOOK_SECRET: 'hook-secret',
    },
    {},
    dir,
  );
  const shown = JSON.stringify(describeConfig(c));
  assert.ok(!shown.includes('top-secret-value'));
  assert.ok(!shown.includes('hook-secret'));
  assert.ok(shown.includes('robot$x'));
});

test('copa is found on PATH, then in $HP_CACHE/bin', () => {
  const cache = join(dir, 'cache');
  mkdirSync(join(cache, 'bin'), { recursive: true });
  const copa = join(cache, 'bin', 'copa');
  writeFileSync(copa, '#!/bin/sh\n');
  chmodSync(copa, 0o755);
  assert.equal(findCopa({ PATH: '/nonexistent', HP_CACHE: cache }), copa);
  const onPath = join(dir, 'path-bin');
  mkdirSync(onPath);
  writeFileSync(join(onPath, 'copa'), '#!/bin/sh\n');
  chmodSync(join(onPath, 'copa'), 0o755);
  assert.equal(findCopa({ PATH: onPath, HP_CACHE: cache }), join(onPath, 'copa'));
  assert.equal(findCopa({ PATH: '/nonexistent', HP_CACHE: join(dir, 'none') }), undefined);
});

test('NODE_ENV=production: copa only from PATCHING_COPA_PATH or PATH, never $HP_CACHE/bin; the Harbor URL is required', () => {
  const cache = join(dir, 'prod-cache');
  mkdirSync(join(cache, 'bin'), { recursive: true });
  writeFileSync(join(cache, 'bin', 'copa'), '#!/bin/sh\n');
  chmodSync(join(cache, 'bin', 'copa'), 0o755);
  const base = { NODE_ENV: 'production', PATH: '/nonexistent', HP_CACHE: cache };
  assert.equal(findCopa(base), undefined, 'the local stack is not looked at');
  assert.equal(findCopa({ ...base, NODE_ENV: 'development' }), join(cache, 'bin', 'copa'));

  const list = problems(base);
  assert.ok(
    list.some((l) => /^PATCHING_COPA_PATH: copa is not on PATH; install copa or set PATCHING_COPA_PATH/.test(l)),
    list.join('\n'),
  );
  assert.ok(
    list.some((l) => /^PATCHING_HARBOR_URL: must be set when NODE_ENV=production/.test(l)),
    list.join('\n'),
  );

  const missing = problems({
    ...base,
    PATCHING_HARBOR_URL: 'https://harbor.example.com',
    PATCHING_COPA_PATH: 'bin/copa',
  });
  assert.deepEqual(missing, [`PATCHING_COPA_PATH: ${join(dir, 'bin/copa')} is not an executable file`]);

  const onPath = join(dir, 'prod-path');
  mkdirSync(onPath);
  writeFileSync(join(onPath, 'copa'), '#!/bin/sh\n');
  chmodSync(join(onPath, 'copa'), 0o755);
  const c = loadConfig({ ...base, PATH: onPath, PATCHING_HARBOR_URL: 'https://harbor.example.com' }, {}, dir);
  assert.equal(c.copaPath, join(onPath, 'copa'));
});

test('PATCHING_CA_FILE must name a readable file of PEM certificates', () => {
  const none = join(dir, 'no-such-ca.pem');
  assert.match(problems({ PATCHING_CA_FILE: none })[0], /^PATCHING_CA_FILE: cannot read .*no-such-ca\.pem: ENOENT/);
  const notPem = join(dir, 'not-pem.txt');
  writeFileSync(notPem, 'hello\n');
  assert.match(problems({ PATCHING_CA_FILE: notPem })[0], /^PATCHING_CA_FILE: .*not-pem\.txt holds no PEM certificate/);
  const broken = join(dir, 'broken.pem');
  writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
  assert.match(
    problems({ PATCHING_CA_FILE: broken })[0],
    /^PATCHING_CA_FILE: certificate 1 in .*broken\.pem cannot be read/,
  );
});

test('a valid PATCHING_CA_FILE is taken on Node.js 22.19 and newer, and refused with the reason on older ones', () => {
  const certs = makeTestCertificates(mkdtempSync(join(dir, 'ca-')));
  const list = problems({ PATCHING_CA_FILE: certs.caFile });
  if (hasModernFetch()) {
    assert.deepEqual(list, []);
    assert.equal(loadConfig({ PATCHING_CA_FILE: certs.caFile }, {}, dir).caFile, certs.caFile);
  } else {
    assert.deepEqual(list, [
      `PATCHING_CA_FILE: needs Node.js 22.19 or newer (the release runs on 24), this is ${process.version}`,
    ]);
  }
  assert.equal(hasModernFetch('20.20.2'), false);
  assert.equal(hasModernFetch('22.18.0'), false);
  assert.equal(hasModernFetch('22.19.0'), true);
  assert.equal(hasModernFetch('24.22.3'), true);
});
