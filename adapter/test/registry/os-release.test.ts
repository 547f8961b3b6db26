/**
 * Reading /etc/os-release out of an image's layers: the usual symlink to /usr/lib/os-release is followed, the
 * topmost layer wins, and a layer already read (by digest) is not fetched again by a later image sharing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureRegistry, layer, RegistryClient as PushClient, unique } from '@harbor-patching/oci-testkit';
import { RegistryClient } from '../../src/registry/client';

test('os-release: the symlink is followed, the top layer wins, a shared layer is read once', async () => {
  const registryUrl = await ensureRegistry();
  const push = new PushClient(registryUrl);
  const repo = `library/${unique('os-release')}`;
  const base = await layer([
    { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    {
      path: 'usr/lib/os-release',
      content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    },
  ]);
  const upgrade = await layer([{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="13"\n' }]);
  await push.pushImage(repo, 'base', { layers: [base] });
  await push.pushImage(repo, 'upgraded', { layers: [base, upgrade] });

  const blobs: string[] = [];
  const client = new RegistryClient(registryUrl, undefined, 30_000, (input, init) => {
    const url = String(input);
    if (url.includes('/blobs/')) blobs.push(url.slice(url.lastIndexOf('/') + 1));
    return fetch(input, init);
  });
  const manifest = async (tag: string) => (await client.getManifest(repo, tag))!;
  const [baseManifest, upgradedManifest] = [await manifest('base'), await manifest('upgraded')];
  blobs.length = 0;

  assert.deepEqual(await client.readOsRelease(repo, baseManifest), {
    id: 'debian',
    version_id: '12',
    pretty_name: 'Debian GNU/Linux 12 (bookworm)',
  });
  assert.deepEqual(blobs, [baseManifest.layers![0].digest]);

  blobs.length = 0;
  assert.deepEqual(await client.readOsRelease(repo, upgradedManifest), {
    id: 'debian',
    version_id: '13',
    pretty_name: undefined,
  });
  assert.deepEqual(blobs, [upgradedManifest.layers![1].digest], 'the base layer is not fetched again');

  // Tasks that start together share one read of a layer.
  const fresh = new RegistryClient(registryUrl, undefined, 30_000, (input, init) => {
    const url = String(input);
    if (url.includes('/blobs/')) blobs.push(url.slice(url.lastIndexOf('/') + 1));
    return fetch(input, init);
  });
  blobs.length = 0;
  const both = await Promise.all([fresh.readOsRelease(repo, baseManifest), fresh.readOsRelease(repo, baseManifest)]);
  assert.equal(both[0]?.version_id, '12');
  assert.deepEqual(blobs, [baseManifest.layers![0].digest]);
});
