// Checks every operation the stand-in serves against Harbor's own API contract (swagger 2.0): the path and
// method exist, the status code is declared, declared headers are present and the body is valid against the
// declared schema (ajv directly on the swagger definitions).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { SERVED_OPERATIONS, UNDECLARED_HARBOR_ANSWERS, startHarborSim, type HarborSim } from '../src/index';
import { debianImage, ensureRegistry, layer, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, waitFor } from './helpers';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const swaggerPath = resolve(repoRoot, 'shared/harbor/swagger-v2.0.yaml');

type Json = Record<string, unknown>;
interface Swagger {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  definitions: Record<string, Json>;
  responses: Record<string, Json>;
}

/** Swagger 2 -> JSON Schema as go-swagger reads it: x-nullable allows null, a bare `type: object` means any value. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === 'example' ? v : toJsonSchema(v);
  if (out.type === 'object' && !out.properties && !out.additionalProperties && !out.$ref) delete out.type;
  if (out['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.type === 'file') delete out.type;
  if (typeof out.$ref === 'string') out.$ref = `swagger${out.$ref}`;
  return out;
}

let swagger: Swagger;
let ajv: Ajv;
let sim: HarborSim;
let project: string;
let projectId: number;
const admin = { authorization: basic('admin', 'Harbor12345') };
const exercised = new Map<string, Set<number>>();
const validators = new Map<string, ValidateFunction>();

before(async () => {
  if (!existsSync(swaggerPath))
    throw new Error(`Harbor's swagger file is missing at ${swaggerPath} (see shared/harbor/SOURCE.md)`);
  swagger = YAML.parse(readFileSync(swaggerPath, 'utf8')) as Swagger;
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  for (const f of ['int32', 'int64', 'int', 'uint64', 'password']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'swagger', definitions: toJsonSchema(swagger.definitions) });

  const registry = await ensureRegistry();
  sim = await startHarborSim({ registryUrl: registry, seed: 'demo', scanDelayMs: 20 });
  project = unique('contract');
  projectId = sim.addProject(project).project_id;
  const c = new RegistryClient(registry);
  await c.pushImage(`${project}/app`, '1.0', await debianImage([{ name: 'bash', version: '5.2.15-2' }]));
  const signedApp = await c.pushImage(
    `${project}/app`,
    '2.0',
    await debianImage([{ name: 'bash', version: '5.2.15-3' }]),
  );
  // A cosign signature in the tag scheme (sha256-<hex>.sig with a simplesigning layer): Harbor's accessory.
  const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': signedApp.digest } } }));
  const config = Buffer.from('{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}');
  await c.putManifest(
    `${project}/app`,
    `${signedApp.digest.replace(':', '-')}.sig`,
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await c.pushBlob(`${project}/app`, config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
          digest: await c.pushBlob(`${project}/app`, payload),
          size: payload.length,
          annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ' },
        },
      ],
    },
    'application/vnd.oci.image.manifest.v1+json',
  );
  await c.pushImage(`${project}/team/api`, 'v1', await debianImage([]));
  await c.pushImage(`${project}/chart`, '0.1.0', {
    layers: [await layer([{ path: 'Chart.yaml', content: 'name: x\n' }])],
    configMediaType: 'application/vnd.cncf.helm.config.v1+json',
    config: {},
  });
});
after(() => sim?.close());

function responseSpec(method: string, template: string, status: number): Json {
  const pathItem = swagger.paths[template];
  assert.ok(pathItem, `swagger has no path ${template}`);
  const op = pathItem[method];
  assert.ok(op, `swagger has no ${method.toUpperCase()} ${template}`);
  let spec = op.responses[String(status)] as Json | undefined;
  assert.ok(
    spec,
    `${method.toUpperCase()} ${template} does not declare status ${status} (declared: ${Object.keys(op.responses).join(', ')})`,
  );
  if (typeof spec.$ref === 'string') spec = swagger.responses[spec.$ref.split('/').pop()!];
  return spec!;
}

async function check(
  method: string,
  template: string,
  path: string,
  expect: number,
  init: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Response> {
  const key = `${method} ${template}`;
  assert.ok((SERVED_OPERATIONS as readonly string[]).includes(key), `${key} is not in SERVED_OPERATIONS`);
  const headers: Record<string, string> = { ...admin, ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sim.url}/api/v2.0${path}`, {
    method: method.toUpperCase(),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  assert.equal(res.status, expect, `${key} (${path}) answered ${res.status}: ${text.slice(0, 300)}`);
  (exercised.get(key) ?? exercised.set(key, new Set()).get(key)!).add(res.status);
  if ((UNDECLARED_HARBOR_ANSWERS as readonly string[]).includes(`${key} ${res.status}`)) {
    assert.ok(JSON.parse(text).errors, 'undeclared Harbor answers still use the Errors body');
    return new Response(text, { status: res.status, headers: res.headers });
  }
  const spec = responseSpec(method, template, res.status);
  for (const name of Object.keys((spec.headers as Json) ?? {})) {
    if (name === 'Link') continue; // only present when there is another page
    assert.ok(res.headers.get(name) !== null, `${key} ${res.status} must carry header ${name}`);
  }
  const schema = spec.schema as Json | undefined;
  if (schema && method !== 'head') {
    if (schema.type === 'string') assert.equal(typeof text, 'string');
    else {
      const id = `${key} ${res.status}`;
      let validate = validators.get(id);
      if (!validate) {
        validate = ajv.compile(toJsonSchema(schema) as object);
        validators.set(id, validate);
      }
      const body = JSON.parse(text);
      assert.ok(
        validate(body),
        `${key} ${res.status} body does not match the swagger schema: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
      );
    }
  }
  return new Response(text, { status: res.status, headers: res.headers });
}

const A = '/projects/{project_name}/repositories/{repository_name}/artifacts';

test('every served operation matches the swagger contract', async () => {
  await check('get', '/ping', '/ping', 200);
  await check('get', '/health', '/health', 200);
  await check('get', '/systeminfo', '/systeminfo', 200);
  await check('get', '/systeminfo', '/systeminfo', 200, { headers: { authorization: '' } });
  await check('get', '/users/current', '/users/current', 200);
  await check('get', '/users/current', '/users/current', 401, { headers: { authorization: '' } });
  sim.addRobot({ name: 'contract', secret: 'Contract1', level: 'system' });
  await check('get', '/users/current', '/users/current', 412, {
    headers: { authorization: basic('robot$contract', 'Contract1') },
  });
  await check(
    'get',
    '/users/current/permissions',
    `/users/current/permissions?scope=/project/${projectId}&relative=true`,
    200,
  );

  await check('get', '/projects', '/projects?page_size=2', 200);
  await check('get', '/projects', '/projects?page_size=500', 400);
  await check('head', '/projects', `/projects?project_name=${project}`, 200);
  await check('head', '/projects', '/projects?project_name=absent', 404);
  const newProject = unique('contract-new');
  await check('post', '/projects', '/projects', 201, {
    body: { project_name: newProject, metadata: { public: 'false' } },
  });
  await check('post', '/projects', '/projects', 409, { body: { project_name: newProject } });
  await check('post', '/projects', '/projects', 400, { body: { project_name: 'Bad Name' } });
  await check('get', '/projects/{project_name_or_id}', `/projects/${project}`, 200, {
    headers: { 'X-Is-Resource-Name': 'true' },
  });
  await check('get', '/projects/{project_name_or_id}', `/projects/${projectId}`, 200);
  await check('get', '/projects/{project_name_or_id}', '/projects/absent-project', 404);
  await check('get', '/projects/{project_name_or_id}', `/projects/library`, 401, { headers: { authorization: '' } });
  sim.addUser('contract-outsider');
  await check('get', '/projects/{project_name_or_id}', `/projects/library`, 403, {
    headers: { authorization: basic('contract-outsider', 'Harbor12345') },
  });
  await check('post', '/projects/{project_name_or_id}/members', `/projects/${project}/members`, 201, {
    body: { role_id: 2, member_user: { username: 'dave' } },
  });
  await check('get', '/projects/{project_name_or_id}/members', `/projects/${project}/members`, 200);

  await check('get', '/projects/{project_name}/repositories', `/projects/${project}/repositories`, 200);
  await check(
    'get',
    '/projects/{project_name}/repositories/{repository_name}',
    `/projects/${project}/repositories/team%252Fapi`,
    200,
  );
  await check(
    'get',
    '/projects/{project_name}/repositories/{repository_name}',
    `/projects/${project}/repositories/none`,
    404,
  );

  await check(
    'get',
    A,
    `/projects/${project}/repositories/app/artifacts?with_tag=true&with_label=true&with_scan_overview=true&with_immutable_status=true&page_size=1`,
    200,
  );
  await check('get', A, `/projects/${project}/repositories/app/artifacts?q=${encodeURIComponent('bogus=1')}`, 400);
  const withAccessories = (await (
    await check('get', A, `/projects/${project}/repositories/app/artifacts?q=${encodeURIComponent('tags=2.0')}`, 200)
  ).json()) as { digest: string; accessories: { type: string; subject_artifact_digest: string }[] | null }[];
  assert.equal(withAccessories.length, 1, 'the signature itself is not listed');
  assert.equal(withAccessories[0].accessories?.[0]?.type, 'signature.cosign');
  const accessories = (await (
    await check(
      'get',
      `${A}/{reference}/accessories`,
      `/projects/${project}/repositories/app/artifacts/2.0/accessories`,
      200,
    )
  ).json()) as { type: string; subject_artifact_digest: string }[];
  assert.deepEqual(
    accessories.map((a) => [a.type, a.subject_artifact_digest]),
    [['signature.cosign', withAccessories[0].digest]],
  );
  await check(
    'get',
    `${A}/{reference}/accessories`,
    `/projects/${project}/repositories/app/artifacts/1.0/accessories`,
    200,
  );
  await check(
    'get',
    `${A}/{reference}/accessories`,
    `/projects/${project}/repositories/app/artifacts/9.9/accessories`,
    404,
  );
  await check(
    'get',
    `${A}/{reference}`,
    `/projects/${project}/repositories/app/artifacts/1.0?with_scan_overview=true&with_label=true`,
    200,
  );
  await check('get', `${A}/{reference}`, `/projects/${project}/repositories/chart/artifacts/0.1.0`, 200);
  await check('get', `${A}/{reference}`, `/projects/${project}/repositories/app/artifacts/9.9`, 404);

  sim.setScanDelay(500);
  await check('post', `${A}/{reference}/scan`, `/projects/${project}/repositories/app/artifacts/1.0/scan`, 202);
  await check('post', `${A}/{reference}/scan`, `/projects/${project}/repositories/app/artifacts/1.0/scan`, 409);
  sim.setScanDelay(20);
  await check('post', `${A}/{reference}/scan`, `/projects/${project}/repositories/chart/artifacts/0.1.0/scan`, 422);
  await check('post', `${A}/{reference}/scan`, `/projects/${project}/repositories/app/artifacts/1.0/scan`, 403, {
    headers: { authorization: basic('dave', 'Harbor12345') },
  });
  const scanned = await waitFor(async () => {
    const res = await fetch(
      `${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.0?with_scan_overview=true`,
      { headers: admin },
    );
    const body = (await res.json()) as { scan_overview?: Record<string, { scan_status: string; report_id: string }> };
    const s = body.scan_overview && Object.values(body.scan_overview)[0];
    return s?.scan_status === 'Success' ? s : undefined;
  });
  await check(
    'get',
    `${A}/{reference}`,
    `/projects/${project}/repositories/app/artifacts/1.0?with_scan_overview=true`,
    200,
  );
  await check(
    'get',
    `${A}/{reference}/scan/{report_id}/log`,
    `/projects/${project}/repositories/app/artifacts/1.0/scan/${scanned.report_id}/log`,
    200,
  );
  await check(
    'get',
    `${A}/{reference}/additions/vulnerabilities`,
    `/projects/${project}/repositories/app/artifacts/1.0/additions/vulnerabilities`,
    200,
  );

  // No-scanner mode answers as a Harbor without Trivy (reference/harbor.md §12): 412 on scan, 404 on the
  // report, and no scan overview in lists, even for an artifact that was scanned before.
  sim.setScanner(project, false);
  const noScan = await check(
    'post',
    `${A}/{reference}/scan`,
    `/projects/${project}/repositories/app/artifacts/1.0/scan`,
    412,
  );
  assert.deepEqual(await noScan.json(), {
    errors: [{ code: 'PRECONDITION', message: `no available scanner for project: ${projectId}` }],
  });
  await check(
    'get',
    `${A}/{reference}/additions/vulnerabilities`,
    `/projects/${project}/repositories/app/artifacts/1.0/additions/vulnerabilities`,
    404,
  );
  const unscanned = (await (
    await check('get', A, `/projects/${project}/repositories/app/artifacts?with_scan_overview=true`, 200)
  ).json()) as { scan_overview?: unknown; addition_links?: Record<string, unknown> }[];
  assert.ok(unscanned.length > 0 && unscanned.every((a) => a.scan_overview === undefined));
  assert.ok(unscanned.every((a) => !a.addition_links?.vulnerabilities));
  sim.setScanner(project, true);

  await check('get', `${A}/{reference}/tags`, `/projects/${project}/repositories/app/artifacts/1.0/tags`, 200);
  await check('post', `${A}/{reference}/tags`, `/projects/${project}/repositories/app/artifacts/1.0/tags`, 201, {
    body: { name: '1.0-extra' },
  });
  await check('post', `${A}/{reference}/tags`, `/projects/${project}/repositories/app/artifacts/1.0/tags`, 409, {
    body: { name: '1.0-extra' },
  });
  await check('post', `${A}/{reference}/tags`, `/projects/${project}/repositories/app/artifacts/1.0/tags`, 400, {
    body: {},
  });
  await check(
    'delete',
    `${A}/{reference}/tags/{tag_name}`,
    `/projects/${project}/repositories/app/artifacts/1.0/tags/1.0-extra`,
    200,
  );
  await check(
    'delete',
    `${A}/{reference}/tags/{tag_name}`,
    `/projects/${project}/repositories/app/artifacts/1.0/tags/nope`,
    404,
  );

  await check('post', '/labels', '/labels', 201, { body: { name: 'contract-g', scope: 'g' } });
  await check('post', '/labels', '/labels', 201, { body: { name: 'contract-p', scope: 'p', project_id: projectId } });
  await check('post', '/labels', '/labels', 409, { body: { name: 'contract-g', scope: 'g' } });
  const labels = (await (await check('get', '/labels', `/labels?scope=p&project_id=${projectId}`, 200)).json()) as {
    id: number;
  }[];
  await check('get', '/labels', '/labels?scope=g', 200);
  await check('get', '/labels', '/labels?scope=z', 400);
  await check('get', '/labels/{label_id}', `/labels/${labels[0].id}`, 200);
  await check('get', '/labels/{label_id}', '/labels/99999', 404);
  await check('post', `${A}/{reference}/labels`, `/projects/${project}/repositories/app/artifacts/1.0/labels`, 200, {
    body: { id: labels[0].id },
  });
  await check('post', `${A}/{reference}/labels`, `/projects/${project}/repositories/app/artifacts/1.0/labels`, 409, {
    body: { id: labels[0].id },
  });
  await check(
    'delete',
    `${A}/{reference}/labels/{label_id}`,
    `/projects/${project}/repositories/app/artifacts/1.0/labels/${labels[0].id}`,
    200,
  );
  await check(
    'delete',
    `${A}/{reference}/labels/{label_id}`,
    `/projects/${project}/repositories/app/artifacts/1.0/labels/${labels[0].id}`,
    404,
  );

  const rule = {
    disabled: false,
    action: 'immutable',
    template: 'immutable_template',
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '2.*' }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  };
  const created = await check(
    'post',
    '/projects/{project_name_or_id}/immutabletagrules',
    `/projects/${project}/immutabletagrules`,
    201,
    { body: rule },
  );
  const ruleId = created.headers.get('location')!.split('/').pop();
  await check(
    'post',
    '/projects/{project_name_or_id}/immutabletagrules',
    `/projects/${project}/immutabletagrules`,
    400,
    { body: {} },
  );
  await check('get', '/projects/{project_name_or_id}/immutabletagrules', `/projects/${project}/immutabletagrules`, 200);
  await check(
    'delete',
    `${A}/{reference}/tags/{tag_name}`,
    `/projects/${project}/repositories/app/artifacts/2.0/tags/2.0`,
    412,
  );
  await check('delete', `${A}/{reference}`, `/projects/${project}/repositories/app/artifacts/2.0`, 412);
  await check(
    'put',
    '/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}',
    `/projects/${project}/immutabletagrules/${ruleId}`,
    200,
    { body: { ...rule, disabled: true } },
  );
  await check(
    'delete',
    '/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}',
    `/projects/${project}/immutabletagrules/${ruleId}`,
    200,
  );
  await check(
    'delete',
    '/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}',
    `/projects/${project}/immutabletagrules/${ruleId}`,
    404,
  );
  await check('delete', `${A}/{reference}`, `/projects/${project}/repositories/app/artifacts/2.0`, 200);
  await check('delete', `${A}/{reference}`, `/projects/${project}/repositories/app/artifacts/2.0`, 404);

  await check('get', '/projects/{project_name_or_id}/webhook/events', `/projects/${project}/webhook/events`, 200);
  const hook = {
    name: 'c',
    enabled: true,
    event_types: ['PUSH_ARTIFACT'],
    targets: [{ type: 'http', address: 'http://127.0.0.1:9/x', auth_header: 'Bearer t' }],
  };
  const hookRes = await check(
    'post',
    '/projects/{project_name_or_id}/webhook/policies',
    `/projects/${project}/webhook/policies`,
    201,
    { body: hook },
  );
  const hookId = hookRes.headers.get('location')!.split('/').pop();
  await check('post', '/projects/{project_name_or_id}/webhook/policies', `/projects/${project}/webhook/policies`, 400, {
    body: { ...hook, targets: [] },
  });
  await check('get', '/projects/{project_name_or_id}/webhook/policies', `/projects/${project}/webhook/policies`, 200);
  await check(
    'get',
    '/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
    `/projects/${project}/webhook/policies/${hookId}`,
    200,
  );
  await check(
    'put',
    '/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
    `/projects/${project}/webhook/policies/${hookId}`,
    200,
    { body: { ...hook, enabled: false } },
  );
  await check(
    'delete',
    '/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
    `/projects/${project}/webhook/policies/${hookId}`,
    200,
  );
  await check(
    'get',
    '/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}',
    `/projects/${project}/webhook/policies/${hookId}`,
    404,
  );

  const robotBody = {
    name: 'ci',
    level: 'project',
    duration: -1,
    permissions: [
      {
        kind: 'project',
        namespace: project,
        access: [
          { resource: 'repository', action: 'pull' },
          { resource: 'repository', action: 'push' },
        ],
      },
    ],
  };
  const robot = await check('post', '/robots', '/robots', 201, { body: robotBody });
  const robotBodyJson = (await robot.json()) as { id: number; name: string; secret: string };
  assert.equal(robotBodyJson.name, `robot$${project}+ci`);
  assert.ok(robotBodyJson.secret.length >= 16);
  await check('post', '/robots', '/robots', 400, { body: { ...robotBody, duration: 0 } });
  await check('post', '/robots', '/robots', 403, {
    body: robotBody,
    headers: { authorization: basic('dave', 'Harbor12345') },
  });
  const list = await check(
    'get',
    '/robots',
    `/robots?q=${encodeURIComponent(`Level=project,ProjectID=${projectId}`)}`,
    200,
  );
  assert.ok(!(await list.text()).includes(robotBodyJson.secret), 'secrets are shown only at creation');
  await check('get', '/robots/{robot_id}', `/robots/${robotBodyJson.id}`, 200);
  await check('delete', '/robots/{robot_id}', `/robots/${robotBodyJson.id}`, 200);
  await check('get', '/robots/{robot_id}', `/robots/${robotBodyJson.id}`, 404);

  await check('delete', '/labels/{label_id}', `/labels/${labels[0].id}`, 200);
});

test('the declared operation list is fully exercised', () => {
  const missing = SERVED_OPERATIONS.filter((op) => !exercised.has(op));
  assert.deepEqual(missing, [], `operations never called by the contract test: ${missing.join(', ')}`);
});

test('the contract validator rejects wrong shapes (it can fail)', () => {
  const project = ajv.compile({ $ref: 'swagger#/definitions/Project' });
  assert.equal(project({ project_id: 'one', name: 'x' }), false);
  assert.equal(project({ project_id: 1, name: 'x', metadata: { public: true } }), false, 'metadata.public is a string');
  const artifact = ajv.compile({ $ref: 'swagger#/definitions/Artifact' });
  assert.equal(artifact({ digest: 'sha256:x', push_time: 'yesterday' }), false, 'date-time format is checked');
  assert.equal(artifact({ digest: 'sha256:x', tags: [{ name: 1 }] }), false);
  assert.equal(
    artifact({ digest: 'sha256:x', extra_attrs: { os: 'linux' } }),
    true,
    'extra_attrs values are free-form',
  );
});
