/**
 * Bad input at the edge: each invalid policy payload is answered 400 with Harbor's error body naming
 * the field; oversized and malformed bodies are refused cleanly.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { loadOpenApiDocument } from '@harbor-patching/shared/api/document';
import { openApiValidator } from '../../src/http/openapi';
import { anonymous, API, basic, startCore, type Caller, type Core } from '../harness';

let core: Core;
let admin: Caller;
const path = () => `${API}/projects/library/policies`;

before(async () => {
  core = await startCore();
  core.sim.addLabel({ name: 'prod' });
  core.sim.addLabel({ name: 'web', project: 'library' });
  admin = basic(core.adapter.url, 'admin');
});
after(async () => {
  await core?.close();
});

const ok = { name: 'valid-policy' };
const f = (filters: unknown[]) => ({ ...ok, filters });

/** [what, payload, field the error must name] */
const INVALID: [string, unknown, string][] = [
  ['missing name', {}, 'name'],
  ['empty name', { name: '' }, 'name'],
  ['one-character name', { name: 'a' }, 'name'],
  ['upper-case name', { name: 'Nightly' }, 'name'],
  ['name with a space', { name: 'my policy' }, 'name'],
  ['name starting with a separator', { name: '-nightly' }, 'name'],
  ['name with two separators in a row', { name: 'a__b' }, 'name'],
  ['name longer than 255', { name: 'a'.repeat(256) }, 'name'],
  ['name not a string', { name: 42 }, 'name'],
  ['description too long', { ...ok, description: 'x'.repeat(1025) }, 'description'],
  ['enabled not a boolean', { ...ok, enabled: 'yes' }, 'enabled'],
  ['unknown top-level field', { ...ok, colour: 'blue' }, 'colour'],
  ['read-only field id', { ...ok, id: 7 }, 'id'],
  ['filters not a list', { ...ok, filters: {} }, 'filters'],
  ['unknown filter type', f([{ type: 'resource', value: 'image' }]), 'filters[0].type'],
  ['empty repository pattern', f([{ type: 'repository', value: '' }]), 'filters[0].value'],
  ['missing filter value', f([{ type: 'tag' }]), 'filters[0].value'],
  [
    'duplicate filter types',
    f([
      { type: 'tag', value: '1.*' },
      { type: 'tag', value: '2.*' },
    ]),
    'filters[1].type',
  ],
  ['bad decoration', f([{ type: 'tag', value: '1.*', decoration: 'includes' }]), 'filters[0].decoration'],
  ['bad syntax', f([{ type: 'tag', value: '1.*', syntax: 'pcre' }]), 'filters[0].syntax'],
  ['regex backreference (not RE2)', f([{ type: 'tag', value: '(a)\\1', syntax: 'regex' }]), 'filters[0].value'],
  ['regex lookahead (not RE2)', f([{ type: 'repository', value: 'lib(?=x)', syntax: 'regex' }]), 'filters[0].value'],
  ['unbalanced regex', f([{ type: 'tag', value: '(1.0', syntax: 'regex' }]), 'filters[0].value'],
  ['unknown field in a filter', f([{ type: 'tag', value: '1.*', negate: true }]), 'filters[0].negate'],
  ['label filter with a pattern syntax', f([{ type: 'label', value: ['prod'], syntax: 'glob' }]), 'filters[0].syntax'],
  ['label filter with an empty list', f([{ type: 'label', value: [] }]), 'filters[0].value'],
  [
    'label that does not exist in Harbor',
    f([{ type: 'label', value: ['prod', 'no-such-label'] }]),
    'filters[0].value[1]',
  ],
  ['trigger not an object', { ...ok, trigger: 'manual' }, 'trigger'],
  ['unknown trigger type', { ...ok, trigger: { type: 'hourly' } }, 'trigger.type'],
  ['scheduled without cron', { ...ok, trigger: { type: 'scheduled' } }, 'trigger.cron'],
  ['cron on a manual trigger', { ...ok, trigger: { type: 'manual', cron: '0 0 0 * * *' } }, 'trigger.cron'],
  ['cron on an event trigger', { ...ok, trigger: { type: 'event_based', cron: '0 0 0 * * *' } }, 'trigger.cron'],
  ['5-field cron', { ...ok, trigger: { type: 'scheduled', cron: '0 0 * * *' } }, 'trigger.cron'],
  ['cron with non-zero seconds', { ...ok, trigger: { type: 'scheduled', cron: '30 0 0 * * *' } }, 'trigger.cron'],
  ['cron out of range', { ...ok, trigger: { type: 'scheduled', cron: '0 0 25 * * *' } }, 'trigger.cron'],
  ['cron alias', { ...ok, trigger: { type: 'scheduled', cron: '@daily' } }, 'trigger.cron'],
  [
    'cron with Quartz L (Harbor refuses it)',
    { ...ok, trigger: { type: 'scheduled', cron: '0 0 0 L * *' } },
    'trigger.cron',
  ],
  ['cron with day of week 7', { ...ok, trigger: { type: 'scheduled', cron: '0 0 0 * * 7' } }, 'trigger.cron'],
  ['lower-case severity', { ...ok, severity_threshold: 'high' }, 'severity_threshold'],
  ['unknown mode', { ...ok, mode: 'everything' }, 'mode'],
  ['unknown tag scheme', { ...ok, tag_scheme: 'semver' }, 'tag_scheme'],
  ['tag suffix starting with a dot', { ...ok, tag_suffix: '.patched' }, 'tag_suffix'],
  ['tag suffix with a slash', { ...ok, tag_suffix: 'pat/ched' }, 'tag_suffix'],
  ['tag suffix too long', { ...ok, tag_suffix: 'p'.repeat(33) }, 'tag_suffix'],
  [
    'delete_original without rescan',
    { ...ok, options: { rescan: false, delete_original: true } },
    'options.delete_original',
  ],
  ['unknown option', { ...ok, options: { rescan: true, force: true } }, 'options.force'],
  ['option not a boolean', { ...ok, options: { copy_labels: 'no' } }, 'options.copy_labels'],
  ['body is a list', [ok], ''],
];

describe('invalid policy payloads are answered 400 naming the field', () => {
  test(`at least 30 distinct cases`, () => assert.ok(INVALID.length >= 30));
  for (const [what, payload, field] of INVALID) {
    test(`POST ${what} -> 400 ${field || '(body)'}`, async () => {
      const res = await admin.call('POST', path(), { body: payload });
      assert.equal(res.status, 400, res.text);
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, res.text);
      for (const e of res.body.errors) {
        assert.equal(e.code, 'BAD_REQUEST');
        assert.equal(typeof e.message, 'string');
        assert.ok(e.message.length > 5);
      }
      assert.ok(
        res.body.errors.some((e: { field?: string }) => e.field === field),
        `expected an error on "${field}", got ${res.text}`,
      );
    });
  }
});

/** Preview bodies are `{"policy_id": N}` or a draft (anyOf in the document): errors name the field of the form sent. */
const PREVIEW_INVALID: [string, unknown, string, RegExp][] = [
  ['policy_id zero', { policy_id: 0 }, 'policy_id', />= 1/],
  ['policy_id not a number', { policy_id: 'seven' }, 'policy_id', /integer/],
  ['policy_id with draft fields', { policy_id: 1, mode: 'targeted' }, 'mode', /unknown field/],
  ['draft with a bad severity', { severity_threshold: 'high' }, 'severity_threshold', /allowed values/],
  ['draft with an unknown field', { colour: 'blue' }, 'colour', /unknown field/],
  ['draft with a bad name', { name: 'A' }, 'name', /fewer than 2/],
  ['draft filter without value', { filters: [{ type: 'tag' }] }, 'filters[0].value', /required/],
  ['draft filter value of the wrong type', { filters: [{ type: 'tag', value: 5 }] }, 'filters[0].value', /string/],
  ['draft with a bad regex', { filters: [{ type: 'tag', value: '(', syntax: 'regex' }] }, 'filters[0].value', /RE2/],
  ['body is a list', [{ policy_id: 1 }], '', /object/],
];

describe('invalid preview bodies are answered 400 naming the field', () => {
  for (const [what, payload, field, message] of PREVIEW_INVALID) {
    test(`preview: ${what} -> 400 ${field || '(body)'}`, async () => {
      const res = await admin.call('POST', `${path()}/preview`, { body: payload });
      assert.equal(res.status, 400, res.text);
      const errors = res.body.errors as { code: string; field?: string; message: string }[];
      const named = errors.find((e) => e.field === field);
      assert.ok(named, `expected an error on "${field}", got ${res.text}`);
      assert.match(named.message, message);
      for (const e of errors) {
        assert.equal(e.code, 'BAD_REQUEST');
        // The other form's complaints and the anyOf summary are left out.
        assert.doesNotMatch(e.message, /anyOf|oneOf|is not valid$/, res.text);
        if ('policy_id' in (payload as object)) assert.notEqual(e.field, 'name', res.text);
        else assert.notEqual(e.field, 'policy_id', res.text);
      }
    });
  }

  test('a {"policy_id": N} body is not filled with the draft defaults: an unknown id is a 404', async () => {
    const res = await admin.call('POST', `${path()}/preview`, { body: { policy_id: 999999 } });
    assert.equal(res.status, 404, res.text);
    assert.match(res.body.errors[0].message, /policy 999999 does not exist/);
  });
});

test('PUT validates the same way', async () => {
  const created = await admin.call('POST', path(), { body: { name: 'put-target' } });
  assert.equal(created.status, 201);
  const res = await admin.call('PUT', `${path()}/${created.body.id}`, { body: { name: 'put-target', mode: 'fast' } });
  assert.equal(res.status, 400);
  assert.equal(res.body.errors[0].field, 'mode');
});

test('an ad-hoc patch with an unknown mode, tag scheme or severity is a 400 naming the field and the allowed values', async () => {
  const patch = `${API}/projects/library/repositories/sample-app/artifacts/1.0/patch`;
  for (const [field, value, allowed] of [
    ['mode', 'fast', /targeted, comprehensive/],
    ['tag_scheme', 'rolling', /floating, incremental/],
    ['severity_threshold', 'high', /Critical, High, Medium, Low, None/],
  ] as const) {
    const res = await admin.call('POST', patch, { body: { [field]: value } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.errors[0].field, field);
    assert.match(res.body.errors[0].message, allowed);
  }
});

test('a valid policy with existing labels (global and project) is accepted', async () => {
  const res = await admin.call('POST', path(), {
    body: {
      name: 'labelled',
      filters: [
        { type: 'label', value: ['prod', 'web'] },
        { type: 'repository', value: 'library/**' },
      ],
    },
  });
  assert.equal(res.status, 201, res.text);
});

test('query parameters are validated', async () => {
  for (const [query, field] of [
    ['page=0', 'query.page'],
    ['page_size=101', 'query.page_size'],
    ['page=abc', 'query.page'],
    ['sort=colour', 'query.sort'],
    ['unknown=1', 'query.unknown'],
  ]) {
    const res = await admin.call('GET', `${path()}?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.errors[0].field, field, res.text);
  }
  const bad = await admin.call('GET', `${path()}/abc`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, 'path.policy_id');
});

test('odd path and query values are 400s naming the parameter, never 500s', async () => {
  const projectApi = `${API}/projects/library`;
  const cases: [string, string, string][] = [
    ['GET', `${projectApi}/policies?page=1e300`, 'query.page'],
    ['GET', `${projectApi}/policies?page=99999999999999999999`, 'query.page'],
    ['GET', `${projectApi}/executions?page=1e300`, 'query.page'],
    ['GET', `${projectApi}/executions/1/tasks?page=1e300`, 'query.page'],
    ['GET', `${projectApi}/policies/99999999999999999999`, 'path.policy_id'],
    ['GET', `${projectApi}/policies/1e5`, 'path.policy_id'],
    ['GET', `${projectApi}/policies/99999999999999999999/schedule`, 'path.policy_id'],
    ['GET', `${projectApi}/executions/1e3`, 'path.execution_id'],
    ['GET', `${projectApi}/executions/99999999999999999999`, 'path.execution_id'],
    ['POST', `${projectApi}/executions/1/tasks/1e3/stop`, 'path.task_id'],
    ['GET', `${projectApi}/executions?policy_id=1e3`, 'query.policy_id'],
    ['GET', `${API}/projects/%ZZ/policies`, 'path'],
    ['POST', `${projectApi}/repositories/%ZZ/artifacts/1.0/patch`, 'path'],
    ['POST', `${projectApi}/repositories/app/artifacts/sha256:zz/patch`, 'path.reference'],
    ['POST', `${projectApi}/repositories/app/artifacts/..%2F..%2Fx/patch`, 'path.reference'],
    ['POST', `${projectApi}/repositories/app/artifacts/${'t'.repeat(129)}/patch`, 'path.reference'],
    ['POST', `${projectApi}/repositories/${'r'.repeat(256)}/artifacts/1.0/patch`, 'path.repository_name'],
  ];
  for (const [method, url, field] of cases) {
    const res = await admin.call(method, url);
    assert.equal(res.status, 400, `${method} ${url}: ${res.text}`);
    assert.equal(res.body.errors[0].code, 'BAD_REQUEST');
    assert.equal(res.body.errors[0].field, field, `${url}: ${res.text}`);
  }
  const tag = await admin.call('POST', `${projectApi}/repositories/app/artifacts/sha256:zz/patch`);
  assert.match(tag.body.errors[0].message, /must be a tag .* or a digest/);
  const encoding = await admin.call('GET', `${API}/projects/%ZZ/policies`);
  assert.match(encoding.body.errors[0].message, /not validly URL-encoded/);
});

test('paging reads page and page_size as Harbor does: base-10 digits only, any int64 page, 400 naming the parameter', async () => {
  const lists = [`${API}/projects/library/policies`, `${API}/projects/library/executions`];
  const refused: [string, string][] = [
    ['page=1e400', 'query.page'],
    ['page=1e3', 'query.page'],
    ['page=0x10', 'query.page'],
    ['page=1.0', 'query.page'],
    ['page=%201', 'query.page'],
    ['page=-1', 'query.page'],
    ['page=', 'query.page'],
    ['page=9223372036854775808', 'query.page'],
    ['page_size=1e400', 'query.page_size'],
    ['page_size=1e1', 'query.page_size'],
    ['page_size=0', 'query.page_size'],
    ['page_size=101', 'query.page_size'],
  ];
  for (const list of lists) {
    for (const [query, field] of refused) {
      const res = await admin.call('GET', `${list}?${query}`);
      assert.equal(res.status, 400, `${list}?${query}: ${res.text}`);
      assert.equal(res.body.errors[0].field, field, `${query}: ${res.text}`);
      assert.match(res.body.errors[0].message, new RegExp(`^${field}: `));
    }
    for (const query of ['page=99999999999', 'page=9223372036854775807', 'page=99999999999&page_size=100']) {
      const res = await admin.call('GET', `${list}?${query}`);
      assert.equal(res.status, 200, `${list}?${query}: ${res.text}`);
      assert.deepEqual(res.body, [], 'a page past the end is empty');
    }
  }
});

test('valid ids in the path and the query are accepted (the validator may hand them over as numbers)', async () => {
  const projectApi = `${API}/projects/library`;
  for (const url of [
    `${projectApi}/executions?policy_id=1`,
    `${projectApi}/executions?policy_id=1&page=2&page_size=5`,
    `${projectApi}/executions?status=Running`,
  ]) {
    const res = await admin.call('GET', url);
    assert.equal(res.status, 200, `${url}: ${res.text}`);
    assert.ok(Array.isArray(res.body), url);
  }
  const missing = await admin.call('GET', `${projectApi}/executions/12345`);
  assert.equal(missing.status, 404, missing.text);
});

test('a body over 1 MiB is refused with 413 and our error body', async () => {
  const huge = JSON.stringify({ name: 'huge', description: 'x'.repeat(2 * 1024 * 1024) });
  const res = await admin.call('POST', path(), { raw: huge });
  assert.equal(res.status, 413);
  assert.equal(res.body.errors[0].code, 'PAYLOAD_TOO_LARGE');
});

test('malformed JSON is refused with 400 and our error body', async () => {
  for (const raw of ['{"name": "x",', '{name: x}', 'not json at all']) {
    const res = await admin.call('POST', path(), { raw });
    assert.equal(res.status, 400, raw);
    assert.equal(res.body.errors[0].code, 'BAD_REQUEST');
    assert.match(res.body.errors[0].message, /not valid JSON/);
  }
});

test('a body that is not JSON is refused with 415', async () => {
  const res = await admin.call('POST', path(), {
    raw: 'name=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 415);
  assert.equal(res.body.errors[0].code, 'UNSUPPORTED_MEDIA_TYPE');
});

test('an unknown API path is a 404 in our error body', async () => {
  const res = await admin.call('GET', `${API}/nothing-here`);
  assert.equal(res.status, 404);
  assert.equal(res.body.errors[0].code, 'NOT_FOUND');
});

describe('a documented path asked with a method it does not have is a 405 with Allow', () => {
  const projectApi = `${API}/projects/library`;
  const cases: [string, string, string][] = [
    ['DELETE', `${projectApi}/policies`, 'GET, HEAD, POST'],
    ['PATCH', `${projectApi}/policies/1`, 'GET, HEAD, PUT, DELETE'],
    // A literal segment wins over a parameter: this is the preview path, not policy "preview".
    ['GET', `${projectApi}/policies/preview`, 'POST'],
    ['PUT', `${projectApi}/policies/preview`, 'POST'],
    ['GET', `${projectApi}/executions/1/stop`, 'POST'],
    ['DELETE', `${projectApi}/repositories/app/artifacts/1.0/patch`, 'POST'],
    ['POST', `${API}/health`, 'GET, HEAD'],
    ['OPTIONS', `${projectApi}/webhook/`, 'GET, HEAD, POST'],
  ];
  for (const [method, url, allow] of cases) {
    test(`${method} ${url.slice(API.length)} -> 405 Allow: ${allow}`, async () => {
      const res = await admin.call(method, url);
      assert.equal(res.status, 405, res.text);
      assert.equal(res.headers.get('allow'), allow);
      assert.equal(res.body.errors[0].code, 'METHOD_NOT_ALLOWED');
      assert.match(res.body.errors[0].message, new RegExp(`method ${method} is not allowed.*use ${allow}`));
    });
  }

  test('before authentication and body parsing, like a router', async () => {
    const res = await anonymous(core.adapter.url).call('DELETE', `${projectApi}/policies`, { raw: '{broken' });
    assert.equal(res.status, 405, res.text);
  });

  test('unknown paths stay 404, whatever the method', async () => {
    for (const [method, url] of [
      ['DELETE', `${API}/nothing-here`],
      ['GET', `${projectApi}/policies/1/nothing`],
      ['POST', `${projectApi}/policies/1/enable/now`],
    ]) {
      const res = await admin.call(method, url);
      assert.equal(res.status, 404, `${method} ${url}: ${res.text}`);
      assert.match(res.body.errors[0].message, /no such API path/);
      assert.equal(res.headers.get('allow'), null);
    }
  });

  test('no documented operation is refused with 405 (HEAD is served for GET)', async () => {
    const values: Record<string, string> = {
      project_name: 'library',
      policy_id: '999999',
      execution_id: '999999',
      task_id: '999999',
      repository_name: 'no-such-repo',
      reference: '1.0',
    };
    const doc = loadOpenApiDocument();
    let checked = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      const url = API + template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x');
      for (const method of Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))) {
        for (const m of method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()]) {
          const res = await admin.call(m, url);
          assert.notEqual(res.status, 405, `${m} ${template}: ${res.text}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 20, `only ${checked} operations checked`);
  });
});

test("the validator's path matchers are compiled once, not on every request", () => {
  openApiValidator(loadOpenApiDocument());
  // The path-to-regexp the validator itself loads (its lookup calls pathToRegexp for every documented path).
  const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  const { pathToRegexp } = fromValidator('path-to-regexp') as typeof import('path-to-regexp');
  const path = '/patching/api/v1/projects/:project_name/executions/:execution_id';
  const first = pathToRegexp(path, { sensitive: false });
  assert.equal(pathToRegexp(path, { sensitive: false }), first);
  assert.notEqual(pathToRegexp(path, { sensitive: true }), first, 'other options, another matcher');
  assert.deepEqual(first.regexp.exec('/patching/api/v1/projects/library/executions/7')?.slice(1), ['library', '7']);
});
