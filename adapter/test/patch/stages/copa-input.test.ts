/**
 * copa's input: which images copa can patch (UNSUPPORTED_OS otherwise, per mode), and the UpdateManifest
 * of targeted mode (fixable packages only, the image's architecture).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VulnerabilityItem } from '../../../src/harbor/repositories';
import { PatchOutcome } from '../../../src/patch/reasons';
import { copaInputFor, readCopaInput } from '../../../src/patch/stages/copa-input';
import { hostArchitecture } from '../../../src/patch/platforms';
import { fakeContext } from './fake-context';

const ref = 'library/app:1.0';
const debian = { id: 'debian', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)' };
const vulns: VulnerabilityItem[] = [
  { id: 'CVE-2024-1', package: 'libssl3', version: '3.0.1', fix_version: '3.0.2', severity: 'High' },
  { id: 'CVE-2024-2', package: 'zlib1g', version: '1.2', severity: 'Critical' },
];

const unsupported = (pattern: RegExp) => (err: unknown) =>
  err instanceof PatchOutcome && err.code === 'UNSUPPORTED_OS' && err.status === 'Error' && pattern.test(err.message);

test('no os-release, or a distribution copa does not know, is UNSUPPORTED_OS in either mode', () => {
  for (const mode of ['targeted', 'comprehensive'] as const) {
    assert.throws(() => copaInputFor(ref, undefined, 'amd64', mode, vulns), unsupported(/has no \/etc\/os-release/));
    assert.throws(
      () => copaInputFor(ref, { id: 'gentoo', version_id: '2.15', pretty_name: 'Gentoo Linux' }, 'amd64', mode, vulns),
      unsupported(/^library\/app:1\.0 runs Gentoo Linux 2\.15, which copa cannot patch/),
    );
  }
});

test('a release without VERSION_ID: targeted mode cannot name it in an UpdateManifest, comprehensive mode patches it', () => {
  const rolling = { id: 'debian', version_id: '', pretty_name: 'Debian GNU/Linux trixie/sid' };
  assert.throws(
    () => copaInputFor(ref, rolling, 'amd64', 'targeted', vulns),
    unsupported(/runs Debian GNU\/Linux trixie\/sid,/),
  );
  assert.deepEqual(copaInputFor(ref, rolling, 'amd64', 'comprehensive', vulns), {});
});

test("targeted mode: an UpdateManifest of the fixable packages for the image's OS and architecture", () => {
  const { updateManifest } = copaInputFor(ref, debian, 'arm64', 'targeted', vulns);
  assert.deepEqual(updateManifest, {
    apiVersion: 'v1alpha1',
    metadata: { os: { type: 'debian', version: '12' }, config: { arch: 'arm64' } },
    updates: [{ name: 'libssl3', installedVersion: '3.0.1', fixedVersion: '3.0.2', vulnerabilityID: 'CVE-2024-1' }],
  });
  assert.deepEqual(copaInputFor(ref, debian, 'amd64', 'comprehensive', vulns), {}, 'comprehensive: every package');
});

test('comprehensive mode: copa is not kept waiting for the os-release read; a failure is explained by it', async () => {
  const reads: string[] = [];
  const registry = (osRelease: { id: string; version_id: string; pretty_name?: string } | undefined) => ({
    getManifest: async () => ({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: [],
    }),
    getConfig: async () => ({ architecture: hostArchitecture(), os: 'linux' }),
    readOsRelease: async () => {
      reads.push('os-release');
      return osRelease;
    },
  });
  const source = { tag: '1.0', vulns: vulns, artifact: {} } as never;
  const plan9 = { id: 'plan9', version_id: '4', pretty_name: 'Plan 9' };

  const comprehensive = fakeContext({ mode: 'comprehensive' });
  const input = await readCopaInput(
    { harbor: {} as never, registry: registry(plan9) as never },
    comprehensive.ctx,
    comprehensive.meter,
    source,
  );
  assert.deepEqual(reads, [], 'nothing read before copa starts');
  assert.equal(input.updateManifest, undefined);
  const outcome = await input.unsupportedOs!();
  assert.ok(unsupported(/^library\/team\/app:1\.0 runs Plan 9 4, which copa cannot patch/)(outcome));
  assert.equal(
    await (
      await readCopaInput(
        { harbor: {} as never, registry: registry(debian) as never },
        comprehensive.ctx,
        comprehensive.meter,
        source,
      )
    ).unsupportedOs!(),
    undefined,
  );

  // Targeted mode needs the OS and its version for the UpdateManifest: read first, refused before copa.
  reads.length = 0;
  const targeted = fakeContext({ mode: 'targeted' });
  await assert.rejects(
    readCopaInput({ harbor: {} as never, registry: registry(plan9) as never }, targeted.ctx, targeted.meter, source),
    unsupported(/Plan 9 4, which copa cannot patch/),
  );
  assert.deepEqual(reads, ['os-release']);
});
