/**
 * copa's input: which images copa can patch (UNSUPPORTED_OS otherwise, per mode), and the UpdateManifest
 * of targeted mode (fixable packages only, the image's architecture).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VulnerabilityItem } from '../../../src/harbor/repositories';
import { PatchOutcome } from '../../../src/patch/reasons';
import { copaInputFor } from '../../../src/patch/stages/copa-input';

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
