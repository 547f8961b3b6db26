/** The distribution client against a private docker-registry: push, copy, read files inside images, delete. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  debianImage,
  layer,
  parseOsRelease,
  readInstalledPackages,
  RegistryClient,
  RegistryError,
  startRegistry,
  tinyImage,
  unique,
  type OwnRegistry,
} from '../src/index';

let own: OwnRegistry;
let client: RegistryClient;

before(async () => {
  own = await startRegistry();
  client = new RegistryClient(own.url);
});
after(() => own?.stop());

test('a pushed image resolves to its digest, lists its tag, and its dpkg status reads back', async () => {
  const repository = `${unique('kit')}/app`;
  const packages = [
    { name: 'openssl', version: '3.0.11-1~deb12u2' },
    { name: 'removed', version: '1.0', status: 'deinstall ok config-files' },
  ];
  const digest = await client.mustPushImage(repository, '1.0', await debianImage(packages));
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await client.resolve(repository, '1.0'), digest);
  assert.deepEqual(await client.tags(repository), ['1.0']);
  assert.deepEqual([...(await readInstalledPackages(client, `${repository}:1.0`))], [['openssl', '3.0.11-1~deb12u2']]);
  const osRelease = parseOsRelease((await client.readImageFile(repository, '1.0', '/etc/os-release'))!.toString());
  assert.equal(osRelease.VERSION_ID, '12');
});

test('a copy into another repository keeps the digest and moves no blob through the client', async () => {
  const from = `${unique('kit')}/app`;
  const to = `${unique('kit')}/copy`;
  const digest = await client.mustPushImage(from, '1.0', await tinyImage({ 'etc/app': 'one\n' }));
  assert.equal(await client.copyImage(`${from}:1.0`, `${to}:2.0`), digest);
  assert.equal(await client.resolve(to, '2.0'), digest);
  assert.equal((await client.readImageFile(to, '2.0', 'etc/app'))?.toString(), 'one\n');
});

test('files are read as a container sees them: upper layers win, whiteouts hide, symlinks are followed', async () => {
  const repository = `${unique('kit')}/layers`;
  const lower = await layer([
    { path: 'etc/a', content: 'lower a' },
    { path: 'etc/gone', content: 'lower gone' },
    { path: 'usr/lib/os-release', content: 'ID=debian\n' },
  ]);
  const upper = await layer([
    { path: 'etc/a', content: 'upper a' },
    { path: 'etc/.wh.gone' },
    { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  ]);
  await client.mustPushImage(repository, '1', { layers: [lower, upper] });
  assert.equal((await client.readImageFile(repository, '1', 'etc/a'))?.toString(), 'upper a');
  assert.equal(await client.readImageFile(repository, '1', 'etc/gone'), undefined);
  assert.equal((await client.readImageFile(repository, '1', 'etc/os-release'))?.toString(), 'ID=debian\n');
});

test('names a registry could not hold are unknown, never a path that climbs into another repository', async () => {
  assert.equal(await client.resolve('library/../other/app', '1.0'), undefined);
  assert.equal(await client.manifest('library/app', '../../other'), undefined);
  assert.deepEqual(await client.tags('library/../other'), []);
  await assert.rejects(
    client.putManifest('library/../other/app', '1.0', {}, 'application/json'),
    (err: unknown) => err instanceof RegistryError && err.status === 404,
  );
});

test('a deleted manifest is gone; a stopped registry is a RegistryError 502 naming it', async () => {
  const repository = `${unique('kit')}/app`;
  const digest = await client.mustPushImage(repository, '1', await tinyImage({ x: '1' }));
  await client.deleteManifest(repository, digest);
  assert.equal(await client.resolve(repository, '1'), undefined);

  const other = await startRegistry();
  await other.stop();
  await assert.rejects(
    new RegistryClient(other.url).resolve('library/app', '1'),
    (err: unknown) => err instanceof RegistryError && err.status === 502 && err.message.includes(other.url),
  );
});
