/**
 * The compose override for Harbor's installer (adapter/deploy/compose): parsed, and held against what the
 * service needs. Its settings, with the example env file, must pass the adapter's own configuration check in
 * production mode; the addresses must meet (buildkitd's listener, the nginx snippet's upstream, the registry
 * host buildkitd is told about); secrets stay out of the compose file; data lives on a volume that Harbor's
 * `install.sh` (`docker compose down -v`) does not remove.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '@harbor-patching/adapter';
import { binDir } from '@harbor-patching/oci-testkit';
import { ROOT } from '../../lib/portal';

const DIR = join(ROOT, 'adapter/deploy/compose');
const SNIPPET = join(ROOT, 'adapter/deploy/nginx/patching.location.conf');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Service {
  image?: string;
  environment?: Record<string, string>;
  env_file?: string[];
  command?: string[];
  volumes?: string[];
  networks?: string[];
  depends_on?: string[];
  privileged?: boolean;
  cap_drop?: string[];
  logging?: { driver: string; options: Record<string, string> };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, { external?: boolean; name?: string } | null>;
  networks?: unknown;
}

const compose = parse(readFileSync(join(DIR, 'docker-compose.override.yml'), 'utf8')) as ComposeFile;
const { patching, buildkitd, proxy } = compose.services;

/** An env file as Compose reads it: KEY=VALUE lines, # comments, single quotes keep a value literal. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    assert.ok(m, `env file line ${i + 1} is not KEY=VALUE: ${line}`);
    const value = m[2];
    if (value.startsWith("'")) {
      assert.ok(value.endsWith("'") && value.length >= 2, `env file line ${i + 1}: unclosed quote`);
      out[m[1]] = value.slice(1, -1);
    } else {
      assert.ok(!value.includes('$'), `env file line ${i + 1}: quote a value with "$" (Compose interpolates it)`);
      out[m[1]] = value;
    }
  }
  return out;
}

/** `source:target[:options]` of a volume entry. */
function mount(entry: string): { source: string; target: string; options: string[] } {
  const [source, target, options = ''] = entry.split(':');
  return { source, target, options: options.split(',').filter(Boolean) };
}

describe('compose override for Harbor installs', () => {
  test('adds the service and buildkitd, and mounts the nginx snippet into Harbor’s proxy', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['buildkitd', 'patching', 'proxy']);
    assert.equal(patching.image, `harbor-patching:${VERSION}`);
    assert.equal(buildkitd.image, `harbor-patching-buildkitd:${VERSION}`);
    // Harbor's own network, declared by Harbor's docker-compose.yml (an override must not redefine it).
    assert.deepEqual(patching.networks, ['harbor']);
    assert.deepEqual(buildkitd.networks, ['harbor']);
    assert.equal(compose.networks, undefined);
    // Logs go where Harbor's go: its log container's syslog.
    for (const s of [patching, buildkitd]) {
      assert.equal(s.logging?.driver, 'syslog');
      assert.equal(s.logging?.options['syslog-address'], 'tcp://localhost:1514');
    }
    assert.ok(patching.depends_on?.includes('core') && patching.depends_on.includes('buildkitd'));
    assert.deepEqual(patching.cap_drop, ['ALL']);

    // Only the proxy's extra mounts: both names Harbor's nginx.conf includes, from one shipped file.
    assert.deepEqual(Object.keys(proxy), ['volumes']);
    const mounts = (proxy.volumes ?? []).map(mount);
    assert.deepEqual(mounts.map((m) => m.target).sort(), [
      '/etc/nginx/conf.d/harbor.http.patching.conf',
      '/etc/nginx/conf.d/harbor.https.patching.conf',
    ]);
    for (const m of mounts) {
      assert.equal(m.source, './patching/patching.location.conf');
      assert.ok(m.options.includes('ro'), `${m.target} is mounted read-only`);
    }
    // Outside common/config, which Harbor's ./prepare wipes.
    assert.ok(mounts.every((m) => !m.source.includes('common/config')));
  });

  test('its settings and the example env file pass the adapter’s configuration check in production', () => {
    const env = patching.environment ?? {};
    assert.deepEqual(patching.env_file, ['./patching/patching.env']);
    const envFile = parseEnvFile(readFileSync(join(DIR, 'patching.env.example'), 'utf8'));
    // Secrets only in the env file (mode 600), never in the compose file.
    for (const key of ['PATCHING_ROBOT_SECRET', 'PATCHING_WEBHOOK_SECRET', 'PATCHING_JOBSERVICE_SECRET']) {
      assert.equal(env[key], undefined, `${key} is not in the compose file`);
      assert.ok(envFile[key], `${key} is in the env file`);
    }
    assert.equal(envFile.PATCHING_ROBOT_NAME, 'robot$patching');

    // The adapter's own check; copa as the image has it on PATH.
    const config = loadConfig({ ...env, ...envFile, PATH: binDir }, {}, '/');
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.harborUrl, 'http://core:8080');
    assert.equal(config.registryHost, 'core:8080');
    assert.equal(config.registryInsecure, true);
    assert.equal(config.trustProxy, true);
    assert.equal(config.externalUrl, 'https://harbor.example.com');
    assert.equal(config.dataDir, '/data');

    // The service reaches buildkitd where buildkitd listens.
    const listen = buildkitd.command?.[buildkitd.command.indexOf('--addr') + 1];
    assert.equal(listen, 'tcp://0.0.0.0:1234');
    assert.equal(config.buildkitAddr, 'tcp://buildkitd:1234');

    // nginx's snippet names the service by its compose name and port.
    const snippet = readFileSync(SNIPPET, 'utf8');
    assert.match(snippet, new RegExp(`set \\$patching_upstream http://patching:${config.port};`));
    assert.match(snippet, /location \/patching\/ \{/);
  });

  test('data survives install.sh, and buildkitd is told the registry speaks plain HTTP', () => {
    const data = (patching.volumes ?? []).map(mount).find((m) => m.target === '/data');
    assert.ok(data, 'the data directory is a volume');
    assert.equal(compose.volumes?.[data.source]?.external, true, '`docker compose down -v` keeps an external volume');
    assert.equal(compose.volumes?.[data.source]?.name, 'harbor-patching-data');

    const toml = (buildkitd.volumes ?? []).map(mount).find((m) => m.target === '/etc/buildkit/buildkitd.toml');
    assert.equal(toml?.source, './patching/buildkitd.toml');
    assert.deepEqual(buildkitd.command?.slice(-2), ['--config', '/etc/buildkit/buildkitd.toml']);
    const text = readFileSync(join(DIR, 'buildkitd.toml'), 'utf8');
    const block = /^\[registry\."([^"]+)"\]\n\s+http = true$/m.exec(text);
    assert.equal(block?.[1], patching.environment?.PATCHING_REGISTRY_HOST);
    assert.ok(existsSync(SNIPPET));
  });
});
