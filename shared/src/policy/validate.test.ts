import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelNamesOf, policyNameProblem, validatePolicy } from './validate';

test('a minimal policy gets every default', () => {
  const { errors, policy } = validatePolicy({ name: 'nightly' });
  assert.deepEqual(errors, []);
  assert.deepEqual(policy, {
    name: 'nightly',
    description: '',
    enabled: true,
    filters: [],
    trigger: { type: 'manual' },
    severity_threshold: 'None',
    mode: 'targeted',
    tag_scheme: 'floating',
    tag_suffix: 'patched',
    options: { rescan: true, copy_labels: true, delete_original: false },
  });
});

test('a full policy is normalized', () => {
  const { errors, policy } = validatePolicy({
    name: 'web.prod-1',
    description: 'patch the web images',
    enabled: false,
    filters: [
      { type: 'repository', value: 'library/**' },
      { type: 'tag', value: '1\\..*', syntax: 'regex', decoration: 'matches' },
      { type: 'label', value: ['prod', 'web'], decoration: 'excludes' },
    ],
    trigger: { type: 'scheduled', cron: '0  0 2 * * *' },
    severity_threshold: 'High',
    mode: 'comprehensive',
    tag_scheme: 'incremental',
    tag_suffix: 'fixed',
    options: { rescan: true, delete_original: true },
  });
  assert.deepEqual(errors, []);
  assert.equal(policy!.trigger.cron, '0 0 2 * * *');
  assert.deepEqual(policy!.filters[0], {
    type: 'repository',
    value: 'library/**',
    decoration: 'matches',
    syntax: 'glob',
  });
  assert.deepEqual(policy!.options, { rescan: true, copy_labels: true, delete_original: true });
  assert.deepEqual(labelNamesOf(policy!), ['prod', 'web']);
});

const invalid: [string, unknown, string][] = [
  ['not an object', [], ''],
  ['missing name', {}, 'name'],
  ['upper-case name', { name: 'Nightly' }, 'name'],
  ['one-character name', { name: 'a' }, 'name'],
  ['double separator', { name: 'a--b' }, 'name'],
  ['unknown field', { name: 'ok', colour: 'red' }, 'colour'],
  ['read-only field', { name: 'ok', id: 3 }, 'id'],
  [
    'duplicate filter types',
    {
      name: 'ok',
      filters: [
        { type: 'tag', value: 'a' },
        { type: 'tag', value: 'b' },
      ],
    },
    'filters[1].type',
  ],
  ['empty filter value', { name: 'ok', filters: [{ type: 'repository', value: '' }] }, 'filters[0].value'],
  ['backreference', { name: 'ok', filters: [{ type: 'tag', value: '(a)\\1', syntax: 'regex' }] }, 'filters[0].value'],
  ['syntax on label', { name: 'ok', filters: [{ type: 'label', value: ['x'], syntax: 'glob' }] }, 'filters[0].syntax'],
  ['label as string', { name: 'ok', filters: [{ type: 'label', value: 'x' }] }, 'filters[0].value'],
  ['cron on manual', { name: 'ok', trigger: { type: 'manual', cron: '0 0 0 * * *' } }, 'trigger.cron'],
  ['scheduled without cron', { name: 'ok', trigger: { type: 'scheduled' } }, 'trigger.cron'],
  ['5-field cron', { name: 'ok', trigger: { type: 'scheduled', cron: '0 0 * * *' } }, 'trigger.cron'],
  ['bad severity', { name: 'ok', severity_threshold: 'high' }, 'severity_threshold'],
  ['bad suffix', { name: 'ok', tag_suffix: '-x' }, 'tag_suffix'],
  [
    'delete without rescan',
    { name: 'ok', options: { rescan: false, delete_original: true } },
    'options.delete_original',
  ],
  ['non-boolean option', { name: 'ok', options: { rescan: 'yes' } }, 'options.rescan'],
];

for (const [what, input, field] of invalid) {
  test(`refused: ${what} (${field || 'body'})`, () => {
    const { errors, policy } = validatePolicy(input);
    assert.equal(policy, undefined);
    assert.ok(
      errors.some((e) => e.field === field),
      `expected an error on "${field}", got ${JSON.stringify(errors)}`,
    );
    for (const e of errors) assert.ok(e.message.length > 5);
  });
}

test('every problem is reported at once', () => {
  const { errors } = validatePolicy({ name: 'X', mode: 'fast', tag_scheme: 'weird' });
  assert.deepEqual(errors.map((e) => e.field).sort(), ['mode', 'name', 'tag_scheme']);
});

test('name rule follows Harbor', () => {
  for (const ok of ['ab', 'a.b', 'a_b-c', 'web1', 'x'.repeat(255)]) assert.equal(policyNameProblem(ok), undefined, ok);
  for (const bad of ['a', '.ab', 'ab.', 'a b', 'x'.repeat(256), 'a__b']) assert.ok(policyNameProblem(bad), bad);
});
