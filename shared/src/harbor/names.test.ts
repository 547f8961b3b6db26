import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDigest, isProjectName, isReference, isRepositoryName, isTag, splitRepositoryName } from './names';

test('repository names follow distribution grammar and never climb out of the project', () => {
  for (const ok of ['sample-app', 'team/app', 'a', 'a__b', 'a---b', 'x.y/z_w']) assert.ok(isRepositoryName(ok), ok);
  for (const bad of ['..', '.', '../other/secret-app', 'a/../b', 'a//b', '/a', 'a/', 'a\\b', 'A', 'a\nb', 'a b', '']) {
    assert.equal(isRepositoryName(bad), false, JSON.stringify(bad));
  }
  assert.equal(isRepositoryName('a'.repeat(250), 'library'), false, 'full name over 255 characters');
});

test('projects, tags, digests and references', () => {
  assert.ok(isProjectName('library'));
  assert.equal(isProjectName('Library'), false);
  assert.equal(isProjectName('..'), false);
  assert.ok(isTag('1.0'));
  assert.ok(isTag('_x'));
  assert.equal(isTag('.hidden'), false);
  assert.equal(isTag('a'.repeat(129)), false);
  assert.ok(isDigest('sha256:' + 'a'.repeat(64)));
  assert.equal(isDigest('sha256:' + 'A'.repeat(64)), false);
  assert.ok(isReference('sha256:' + '0'.repeat(64)));
  assert.equal(isReference('sha256:abc'), false);
});

test('full names split into project and repository', () => {
  assert.deepEqual(splitRepositoryName('library/team/app'), { project: 'library', repository: 'team/app' });
  assert.equal(splitRepositoryName('library'), undefined);
  assert.equal(splitRepositoryName('library/../other'), undefined);
});
