/**
 * Records what copa writes with `--progress rawjson` (BuildKit SolveStatus JSON lines among its log lines)
 * during a real patch of the sample image, through the local stack's buildkitd and registry, into the
 * fixture the progress tests replay: adapter/test/patch/fixtures/copa-rawjson.jsonl. Run it again after a
 * copa upgrade (the stack and fixtures must be up):
 *   source e2e/scripts/env.sh && node --import tsx e2e/scripts/record-copa-progress.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  RegistryClient,
  buildkitAddr,
  copaPath,
  readAdvisories,
  registryAddr,
  sampleImage,
  uniqueRepository,
} from '@harbor-patching/oci-testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'adapter/test/patch/fixtures/copa-rawjson.jsonl');

const work = mkdtempSync(join(tmpdir(), 'copa-progress-'));
const registry = new RegistryClient();
const repo = uniqueRepository('progress', 'sample-app');
try {
  await registry.copyImage(sampleImage, `${repo}:1.0`);
  writeFileSync(join(work, 'config.json'), '{"auths":{}}\n', { mode: 0o600 });
  const report = join(work, 'report.json');
  writeFileSync(
    report,
    JSON.stringify({
      apiVersion: 'v1alpha1',
      metadata: { os: { type: 'debian', version: '12' }, config: { arch: 'amd64' } },
      updates: readAdvisories().advisories.map((a) => ({
        name: a.package,
        installedVersion: a.installed_version,
        fixedVersion: a.fixed_version,
        vulnerabilityID: a.cve,
      })),
    }),
  );
  const args = ['patch', '-i', `${registryAddr}/${repo}:1.0`, '-r', report, '--scanner', 'native'];
  args.push('--addr', buildkitAddr, '--push', '--timeout', '10m', '--progress', 'rawjson');
  args.push('--format', 'openvex', '-o', join(work, 'vex.json'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_CONFIG: work };
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn(copaPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let all = '';
    child.stdout.on('data', (d: Buffer) => (all += d.toString()));
    child.stderr.on('data', (d: Buffer) => (all += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(all) : reject(new Error(`copa exited ${code}:\n${all}`))));
  });
  // The recording names the sample image, not the throwaway repository it was copied to.
  writeFileSync(out, text.replaceAll(repo, 'library/sample-app'));
  const statuses = text.split('\n').filter((l) => l.startsWith('{')).length;
  process.stdout.write(`wrote ${out}: ${statuses} progress lines\n`);
  for (const tag of await registry.tags(repo)) {
    const digest = await registry.resolve(repo, tag);
    if (digest) await registry.deleteManifest(repo, digest);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
