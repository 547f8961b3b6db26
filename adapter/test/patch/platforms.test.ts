/** Image indexes without copa: which indexes can be patched on a host, and the per-platform VEX documents. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostArchitecture, nativePlatforms, unsupportedIndex } from '../../src/patch/platforms';
import { mergeVex, platformVex, type VexDocument } from '../../src/patch/vex';
import type { UpdateManifestV1Alpha1 } from '../../src/patch/report';

const ref = (architecture: string, os = 'linux') => ({
  child_digest: `sha256:${architecture}`,
  platform: { os, architecture },
});

test('an index is patched here when one platform runs natively; MULTI_PLATFORM says why not otherwise', () => {
  assert.deepEqual(nativePlatforms('x64'), ['linux/amd64', 'linux/386']);
  assert.equal(hostArchitecture('x64'), 'amd64');
  const x64 = nativePlatforms('x64');
  assert.equal(unsupportedIndex([ref('arm64'), ref('386')], x64), undefined);
  assert.match(
    unsupportedIndex([ref('arm64'), ref('unknown', 'unknown')], x64)!,
    /none of its platforms \(linux\/arm64\) runs natively on this host \(linux\/amd64, linux\/386\)/,
  );
  assert.equal(unsupportedIndex([ref('unknown', 'unknown')], x64), 'it lists no platform images');
  assert.match(unsupportedIndex([ref('amd64')], nativePlatforms('arm64'))!, /linux\/amd64/);
});

const manifest = (arch: string, cves: string[]): UpdateManifestV1Alpha1 => ({
  apiVersion: 'v1alpha1',
  metadata: { os: { type: 'debian', version: '12' }, config: { arch } },
  updates: cves.flatMap((id) => [
    { name: 'libssl3', installedVersion: '3.0.1', fixedVersion: '3.0.2', vulnerabilityID: id },
    { name: 'openssl', installedVersion: '3.0.1', fixedVersion: '3.0.2', vulnerabilityID: id },
  ]),
});

test("VEX per platform: copa's own document for the platform it names, the same form for the others, merged per CVE", () => {
  const copa: VexDocument = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://openvex.dev/docs/public/vex-copa',
    author: 'Project Copacetic',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    tooling: 'Project Copacetic',
    statements: [
      {
        vulnerability: { '@id': 'CVE-1' },
        products: [{ '@id': 'pkg:oci/app@sha256:p386' }],
        status: 'fixed',
      },
    ],
  };
  const docs = platformVex(
    copa,
    [
      {
        platform: 'linux/amd64',
        patchedDigest: 'sha256:pamd64',
        updateManifest: manifest('amd64', ['CVE-1', 'CVE-2']),
      },
      { platform: 'linux/386', patchedDigest: 'sha256:p386', updateManifest: manifest('386', ['CVE-1']) },
    ],
    'app',
  );
  assert.equal(docs.get('linux/386'), copa, "copa's document is kept for the platform it names");
  const amd64 = docs.get('linux/amd64')!;
  assert.equal(amd64.author, 'Project Copacetic');
  assert.deepEqual(
    amd64.statements.map((s) => [s.vulnerability['@id'], s.status, s.products.map((p) => p['@id'])]),
    [
      ['CVE-1', 'fixed', ['pkg:oci/app@sha256:pamd64']],
      ['CVE-2', 'fixed', ['pkg:oci/app@sha256:pamd64']],
    ],
  );
  assert.deepEqual(amd64.statements[0].products[0].subcomponents, [
    { '@id': 'pkg:deb/debian/libssl3@3.0.1?arch=amd64&distro=debian-12' },
    { '@id': 'pkg:deb/debian/openssl@3.0.1?arch=amd64&distro=debian-12' },
  ]);
  const merged = mergeVex([...docs.values()])!;
  assert.deepEqual(
    merged.statements.map((s) => [s.vulnerability['@id'], s.products.map((p) => p['@id']).sort()]),
    [
      ['CVE-1', ['pkg:oci/app@sha256:p386', 'pkg:oci/app@sha256:pamd64']],
      ['CVE-2', ['pkg:oci/app@sha256:pamd64']],
    ],
  );
  assert.equal(mergeVex([]), null);
});
