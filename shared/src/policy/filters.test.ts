import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileFilters,
  compilePattern,
  FilterPatternError,
  matchLabels,
  matchRepository,
  matchTag,
  selectTags,
} from './filters';

test('regex is anchored on the whole name', () => {
  const m = compilePattern('app', 'regex');
  assert.equal(m('app'), true);
  assert.equal(m('my-app'), false);
  assert.equal(m('app2'), false);
  const any = compilePattern('library/.*', 'regex');
  assert.equal(any('library/nginx'), true);
  assert.equal(any('x/library/nginx'), false);
});

test('regex alternation is anchored as a whole, not per branch', () => {
  const m = compilePattern('a|b', 'regex');
  assert.equal(m('a'), true);
  assert.equal(m('b'), true);
  assert.equal(m('ab'), false);
});

test('RE2 rejects backreferences and lookaround', () => {
  assert.throws(() => compilePattern('(a)\\1', 'regex'), FilterPatternError);
  assert.throws(() => compilePattern('a(?=b)', 'regex'), FilterPatternError);
  assert.throws(() => compilePattern('(unclosed', 'regex'), /not a valid RE2 regular expression/);
});

test('RE2 runs pathological patterns in linear time', () => {
  const m = compilePattern('(a+)+$', 'regex');
  const start = Date.now();
  assert.equal(m('a'.repeat(5000) + '!'), false);
  assert.ok(Date.now() - start < 1000);
});

test('glob library/** matches every repository of the project, at any depth', () => {
  const m = compilePattern('library/**', 'glob');
  assert.equal(m('library/nginx'), true);
  assert.equal(m('library/team/app'), true);
  assert.equal(m('other/nginx'), false);
  assert.equal(m('librarything/nginx'), false);
});

test('glob * stays inside one path segment', () => {
  const m = compilePattern('library/*', 'glob');
  assert.equal(m('library/nginx'), true);
  assert.equal(m('library/team/app'), false);
});

test('glob 1.0* on tags', () => {
  const m = compilePattern('1.0*', 'glob');
  assert.equal(m('1.0'), true);
  assert.equal(m('1.0.3'), true);
  assert.equal(m('1.0-alpine'), true);
  assert.equal(m('1.1'), false);
  assert.equal(m('v1.0'), false);
});

test('glob braces and character classes', () => {
  const m = compilePattern('{1.0,2.0}*', 'glob');
  assert.equal(m('2.0.1'), true);
  assert.equal(m('3.0'), false);
  assert.equal(compilePattern('v[0-9]', 'glob')('v7'), true);
});

test('no filters match everything', () => {
  const m = compileFilters([]);
  assert.equal(matchRepository(m, 'any/thing'), true);
  assert.equal(matchTag(m, 'latest'), true);
  assert.equal(matchLabels(m, []), true);
});

test('excludes inverts a name filter', () => {
  const m = compileFilters([{ type: 'tag', value: '*-patched', decoration: 'excludes' }]);
  assert.equal(matchTag(m, '1.0'), true);
  assert.equal(matchTag(m, '1.0-patched'), false);
});

test('label filter follows Harbor: matches needs all labels, excludes drops artifacts carrying all', () => {
  const all = compileFilters([{ type: 'label', value: ['prod', 'web'] }]);
  assert.equal(matchLabels(all, ['prod', 'web', 'x']), true);
  assert.equal(matchLabels(all, ['prod']), false);
  const ex = compileFilters([{ type: 'label', value: ['prod', 'web'], decoration: 'excludes' }]);
  assert.equal(matchLabels(ex, ['prod']), true);
  assert.equal(matchLabels(ex, ['prod', 'web']), false);
});

test('selectTags combines repository, tag and label filters', () => {
  const m = compileFilters([
    { type: 'repository', value: 'library/**' },
    { type: 'tag', value: '1\\.[0-9]+', syntax: 'regex' },
    { type: 'label', value: ['prod'] },
  ]);
  assert.deepEqual(selectTags(m, { repository: 'library/app', tags: ['1.2', '1.2.3', 'latest'], labels: ['prod'] }), [
    '1.2',
  ]);
  assert.deepEqual(selectTags(m, { repository: 'library/app', tags: ['1.2'], labels: [] }), []);
  assert.deepEqual(selectTags(m, { repository: 'team/app', tags: ['1.2'], labels: ['prod'] }), []);
});
