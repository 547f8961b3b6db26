// Proof that the real patch toolchain works end to end on this machine: the real copa, through the real
// buildkitd (runc worker), against the real registry, patches the vulnerable sample image with the fixed
// Debian packages from Debian's mirror. Needs the local stack and fixtures (the top-level test command
// starts and builds them).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareDebianVersions } from '@harbor-patching/shared/debversion';
import {
  RegistryClient,
  buildkitAddr,
  copaPath,
  parseOsRelease,
  readAdvisories,
  readInstalledPackages,
  registryAddr,
  sampleImage,
  uniqueRepository,
  type AdvisoryFile,
} from '@harbor-patching/oci-testkit';

interface CopaResult {
  code: number | null;
  stderr: string;
  stdout: string;
  wallMs: number;
}

function runCopa(args: string[], env: NodeJS.ProcessEnv): Promise<CopaResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(copaPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - started }));
  });
}

/** copa's v1alpha1 UpdateManifest (`--scanner native`) from the advisory file and the image's OS. */
function updateManifest(advisories: AdvisoryFile['advisories'], os: Record<string, string>) {
  return {
    apiVersion: 'v1alpha1',
    metadata: { os: { type: os.ID, version: os.VERSION_ID }, config: { arch: 'amd64' } },
    updates: advisories.map((a) => ({
      name: a.package,
      installedVersion: a.installed_version,
      fixedVersion: a.fixed_version,
      vulnerabilityID: a.cve,
    })),
  };
}

function lastLines(text: string, n = 40): string {
  return text.split('\n').slice(-n).join('\n');
}

describe('copa patches the sample image through buildkitd and the registry', () => {
  const registry = new RegistryClient();
  let work: string;
  let env: NodeJS.ProcessEnv;
  let advisories: AdvisoryFile;
  const repositories: string[] = [];

  before(async () => {
    assert.ok(existsSync(copaPath), `copa is not built at ${copaPath}: run bash e2e/toolchain/setup.sh`);
    assert.ok(
      await registry.resolve('library/sample-app', '1.0'),
      `${sampleImage} is not in the registry at ${registryAddr}: run bash e2e/stack/stack.sh start && bash e2e/fixtures/build.sh`,
    );
    advisories = readAdvisories();
    assert.ok(advisories.advisories.length > 0, 'the advisory file lists no advisories');
    work = mkdtempSync(join(tmpdir(), 'copa-proof-'));
    // copa takes registry credentials from DOCKER_CONFIG; the local registry needs none.
    const dockerConfig = join(work, 'docker');
    mkdirSync(dockerConfig, { mode: 0o700 });
    writeFileSync(join(dockerConfig, 'config.json'), '{"auths":{}}\n', { mode: 0o600 });
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_CONFIG: dockerConfig };
  });

  after(async () => {
    for (const repo of repositories) {
      for (const tag of await registry.tags(repo)) {
        const digest = await registry.resolve(repo, tag);
        if (digest) await registry.deleteManifest(repo, digest);
      }
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a report with fixable CVEs gives a pushed 1.0-patched image with the fixed packages and a VEX document', async (t) => {
    const repo = uniqueRepository('toolchain-proof', 'sample-app');
    repositories.push(repo);
    const sourceDigest = await registry.copyImage(sampleImage, `${repo}:1.0`);
    const osRelease = await registry.readImageFile(repo, '1.0', 'etc/os-release');
    assert.ok(osRelease, 'the sample image has an /etc/os-release');
    const os = parseOsRelease(osRelease.toString('utf8'));
    assert.equal(os.ID, 'debian');

    const report = join(work, 'report.json');
    writeFileSync(report, JSON.stringify(updateManifest(advisories.advisories, os)));
    const vex = join(work, 'vex.json');
    const image = `${registryAddr}/${repo}:1.0`;
    const result = await runCopa(
      [
        'patch',
        '-i',
        image,
        '-r',
        report,
        '--scanner',
        'native',
        '--addr',
        buildkitAddr,
        '--push',
        '--timeout',
        '10m',
        '--progress',
        'rawjson',
        '--format',
        'openvex',
        '-o',
        vex,
      ],
      env,
    );
    t.diagnostic(`copa patch wall time: ${(result.wallMs / 1000).toFixed(1)} s`);
    assert.equal(result.code, 0, `copa failed:\n${lastLines(result.stderr)}`);
    assert.match(result.stderr, new RegExp(`Patched image \\(linux/amd64\\): ${registryAddr}/${repo}:1.0-patched`));

    // --progress rawjson: BuildKit's SolveStatus as JSON lines on stderr, among copa's log lines.
    const statuses = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { vertexes?: { name?: string; completed?: string }[] });
    assert.ok(statuses.length > 0, 'rawjson progress lines on stderr');
    const vertexNames = statuses.flatMap((s) => s.vertexes ?? []).map((v) => v.name ?? '');
    assert.ok(
      vertexNames.some((n) => /apt-get|Install/i.test(n)),
      `an install step among ${[...new Set(vertexNames)].length} vertexes`,
    );

    // The patched tag exists, is a new image, and the source tag is untouched.
    const patchedDigest = await registry.resolve(repo, '1.0-patched');
    assert.ok(patchedDigest, '1.0-patched was pushed');
    assert.notEqual(patchedDigest, sourceDigest);
    assert.equal(await registry.resolve(repo, '1.0'), sourceDigest);
    assert.deepEqual((await registry.tags(repo)).sort(), ['1.0', '1.0-patched']);

    // copa adds one layer on top of the original ones and keeps the image's configuration.
    const source = await registry.getImageManifest(repo, '1.0');
    const patched = await registry.getImageManifest(repo, '1.0-patched');
    const sourceLayers = source.manifest.layers!.map((l) => l.digest);
    assert.deepEqual(
      patched.manifest.layers!.slice(0, sourceLayers.length).map((l) => l.digest),
      sourceLayers,
    );
    assert.equal(patched.manifest.layers!.length, sourceLayers.length + 1);
    const config = await registry.getImageConfig(repo, '1.0-patched');
    assert.deepEqual(config.config?.Entrypoint, ['/opt/sample-app/run.sh']);
    assert.equal(config.config?.Labels?.['org.opencontainers.image.title'], 'sample-app');

    // The patched image's dpkg database holds the fixed versions; the source still has the old ones.
    const before = await readInstalledPackages(registry, `${repo}:1.0`);
    const now = await readInstalledPackages(registry, `${repo}:1.0-patched`);
    for (const a of advisories.advisories) {
      assert.equal(before.get(a.package), a.installed_version, `${a.package} in the source image`);
      const version = now.get(a.package);
      assert.ok(version, `${a.package} is installed in the patched image`);
      assert.ok(
        compareDebianVersions(version, a.fixed_version) >= 0,
        `${a.package} ${version} in the patched image is at least ${a.fixed_version} (${a.cve})`,
      );
    }

    // The OpenVEX document marks every CVE fixed, for the pushed digest.
    const doc = JSON.parse(readFileSync(vex, 'utf8')) as {
      statements: { vulnerability: { '@id': string }; status: string; products: { '@id': string }[] }[];
    };
    const byCve = new Map(doc.statements.map((s) => [s.vulnerability['@id'], s]));
    for (const cve of new Set(advisories.advisories.map((a) => a.cve))) {
      const statement = byCve.get(cve);
      assert.ok(statement, `VEX has a statement for ${cve}`);
      assert.equal(statement.status, 'fixed', cve);
      assert.ok(statement.products[0]['@id'].endsWith(`@${patchedDigest}`), statement.products[0]['@id']);
    }
  });

  test('a report with nothing to update exits 0 and pushes no tag', async () => {
    const repo = uniqueRepository('toolchain-proof', 'up-to-date');
    repositories.push(repo);
    await registry.copyImage(sampleImage, `${repo}:1.0`);
    const report = join(work, 'empty-report.json');
    writeFileSync(report, JSON.stringify(updateManifest([], { ID: 'debian', VERSION_ID: '12' })));
    const vex = join(work, 'empty-vex.json');
    const result = await runCopa(
      [
        'patch',
        '-i',
        `${registryAddr}/${repo}:1.0`,
        '-r',
        report,
        '--scanner',
        'native',
        '--addr',
        buildkitAddr,
        '--push',
        '--progress',
        'rawjson',
        '--format',
        'openvex',
        '-o',
        vex,
      ],
      env,
    );
    assert.equal(result.code, 0, `copa failed:\n${lastLines(result.stderr)}`);
    assert.match(result.stderr, /No patch was applied/);
    assert.equal(await registry.resolve(repo, '1.0-patched'), undefined);
    assert.deepEqual((await registry.tags(repo)).sort(), ['1.0']);
    assert.equal(existsSync(vex), false, 'no VEX document without updates');
  });
});
