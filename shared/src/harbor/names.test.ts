import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOpenApiDocument } from '../api/document';
import {
  isDigest,
  isFullRepositoryName,
  isProjectName,
  isReference,
  isRepositoryName,
  isTag,
  REPOSITORY_PATH_PARAMETER_PATTERN,
  splitRepositoryName,
} from './names';

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

test('full names are a project and a repository, both valid', () => {
  assert.ok(isFullRepositoryName('library/team/app'));
  for (const bad of [
    'library',
    'library/../other/app',
    '../other/app',
    'Library/app',
    'library//app',
    'library/app/',
  ]) {
    assert.equal(isFullRepositoryName(bad), false, bad);
  }
});

test("the API document's repository_name pattern is this grammar on the once-decoded path value", () => {
  const doc = loadOpenApiDocument() as unknown as {
    paths: Record<string, { parameters?: { name: string; schema?: { pattern?: string } }[] }>;
  };
  const patterns = Object.values(doc.paths)
    .flatMap((item) => item.parameters ?? [])
    .filter((p) => p.name === 'repository_name')
    .map((p) => p.schema?.pattern);
  assert.ok(patterns.length > 0);
  for (const pattern of patterns) assert.equal(pattern, REPOSITORY_PATH_PARAMETER_PATTERN);
  const once = new RegExp(REPOSITORY_PATH_PARAMETER_PATTERN);
  const names = ['app', 'team/app', 'a__b/c-d', '..', '.', '../other/app', 'a/../b', 'a//b', 'a/', 'a\\b', 'a\nb', 'A'];
  for (const name of names) {
    // A client encodes the name twice; the validator sees it decoded once.
    const onceDecoded = encodeURIComponent(name);
    assert.equal(once.test(onceDecoded), isRepositoryName(name), `${JSON.stringify(name)} as ${onceDecoded}`);
  }
  // What decodes further into something else is refused as it stands: never a second way to write "..".
  for (const sneaky of ['%2E%2E%2Fother', '%252F', 'a%5Cb', 'a%0Ab']) assert.equal(once.test(sneaky), false, sneaky);
});
