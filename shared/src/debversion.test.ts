import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDebianVersions, debVersionLessThan, parseDebianVersion } from './debversion';

test('parses epoch, upstream and revision (revision after the last dash)', () => {
  assert.deepEqual(parseDebianVersion('1:2.3-4-5'), { epoch: 1, upstream: '2.3-4', revision: '5' });
  assert.deepEqual(parseDebianVersion('3.0.20-1~deb12u2'), { epoch: 0, upstream: '3.0.20', revision: '1~deb12u2' });
  assert.deepEqual(parseDebianVersion('1.2'), { epoch: 0, upstream: '1.2', revision: '' });
  assert.throws(() => parseDebianVersion(''), /empty/);
  assert.throws(() => parseDebianVersion('x:1'), /epoch/);
  assert.throws(() => parseDebianVersion('abc'), /digit/);
});

// Pairs checked with `dpkg --compare-versions a lt b` on Debian 12.
const ordered: Array<[string, string]> = [
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['1.0', '1.0.1'],
  ['1.9', '1.10'],
  ['1.0-1', '1.0-2'],
  ['1.0-1', '1.0-1.1'],
  ['1.0-9', '1.0-10'],
  ['3.0.20-1~deb12u2', '3.0.22-1~deb12u2'],
  ['3.0.11-1~deb12u2', '3.0.11-1~deb12u3'],
  ['2.36-9+deb12u7', '2.36-9+deb12u10'],
  ['1.2.13.dfsg-1', '1:1.2.13.dfsg-1'],
  ['9:1.0', '10:0.1'],
  ['1.0-1~bpo1', '1.0-1'],
  ['252.30-1~deb12u2', '252.33-1~deb12u1'],
  ['1.0', '1.0-0.1'],
  ['0.9', '1.0~alpha'],
];

test('orders versions like dpkg', () => {
  for (const [lower, higher] of ordered) {
    assert.ok(compareDebianVersions(lower, higher) < 0, `${lower} < ${higher}`);
    assert.ok(compareDebianVersions(higher, lower) > 0, `${higher} > ${lower}`);
    assert.equal(debVersionLessThan(lower, higher), true);
    assert.equal(debVersionLessThan(higher, lower), false);
  }
});

test('treats equal versions as equal, including leading zeros and empty revision vs none', () => {
  assert.equal(compareDebianVersions('1.0-1', '1.0-1'), 0);
  assert.equal(compareDebianVersions('1.01', '1.1'), 0);
  assert.equal(compareDebianVersions('0:1.0', '1.0'), 0);
  assert.equal(compareDebianVersions('1.0-0', '1.0'), 0);
});
