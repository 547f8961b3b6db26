/**
 * The API document stays sound as everyone adds to it: valid OpenAPI 3, every $ref resolves, unique
 * operation ids, path parameters declared, the committed generated types and enum constants match it, and
 * its TaskReason list is the adapter's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadOpenApiDocument, OPENAPI_FILE } from '@harbor-patching/shared/api/document';
import { enumConstants } from '../../../shared/scripts/enum-constants';

const require = createRequire(import.meta.url);
const doc = loadOpenApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('the document is valid OpenAPI 3.0', () => {
  const { OpenAPISchemaValidator } = require('express-openapi-validator/dist/framework/openapi.schema.validator.js');
  const validator = new OpenAPISchemaValidator({ version: String(doc.openapi), validateApiSpec: true });
  const { errors } = validator.validate(structuredClone(doc));
  assert.deepEqual(
    (errors ?? []).map((e: { instancePath: string; message: string }) => `${e.instancePath}: ${e.message}`),
    [],
    `fix ${OPENAPI_FILE}`,
  );
});

test('every $ref resolves', () => {
  const missing: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        let target: unknown = doc;
        for (const part of v.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown>)?.[part];
        if (target === undefined) missing.push(v);
      } else walk(v);
    }
  };
  walk(doc);
  assert.deepEqual(missing, []);
});

test('operation ids are unique and path parameters are declared', () => {
  const ids = new Map<string, string>();
  const resolve = (p: { $ref?: string; name?: string; in?: string }) => {
    if (!p.$ref) return p;
    let target: unknown = doc;
    for (const part of p.$ref.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown>)[part];
    return target as { name?: string; in?: string };
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = ((item as { parameters?: object[] }).parameters ?? []).map(resolve);
    for (const method of METHODS) {
      const op = (item as Record<string, { operationId?: string; parameters?: object[] } | undefined>)[method];
      if (!op) continue;
      assert.ok(op.operationId, `${method} ${path} has no operationId`);
      assert.ok(
        !ids.has(op.operationId),
        `operationId ${op.operationId} used twice (${ids.get(op.operationId)} and ${method} ${path})`,
      );
      ids.set(op.operationId, `${method} ${path}`);
      const declared = new Set(
        [...shared, ...(op.parameters ?? []).map(resolve)].filter((p) => p.in === 'path').map((p) => p.name),
      );
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g))
        assert.ok(declared.has(name), `${method} ${path}: path parameter ${name} not declared`);
    }
  }
  assert.ok(ids.size >= 7);
});

test('shared/src/api/generated.ts and enums.ts are up to date (npm run gen:api -w shared)', async () => {
  const generated = (name: string) => readFileSync(OPENAPI_FILE.replace(/openapi\.yaml$/, name), 'utf8');
  const fresh = astToString(await openapiTS(structuredClone(doc) as never, { alphabetize: true }));
  const stale = 'the generated files are stale: run npm run gen:api -w shared and commit the result';
  assert.ok(generated('generated.ts').endsWith(fresh), stale);
  assert.ok(generated('enums.ts').endsWith(enumConstants(doc as Parameters<typeof enumConstants>[0])), stale);
});

test("the document's TaskReason is exactly the adapter's classified reasons, and the README explains each", async () => {
  const { REASONS } = await import('../../src/patch/reasons');
  const codes = Object.keys(REASONS).sort();
  const schemas = (doc as unknown as { components: { schemas: Record<string, { enum?: string[] }> } }).components
    .schemas;
  assert.deepEqual([...(schemas.TaskReason.enum ?? [])].sort(), codes);
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const code of codes) assert.match(readme, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `README explains ${code}`);
});
