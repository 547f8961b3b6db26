/**
 * Generates TypeScript types from the API documents:
 *  - our REST API: shared/src/api/openapi.yaml -> shared/src/api/generated.ts (adapter and portal), and the
 *    constants of its named enums -> shared/src/api/enums.ts (enum-constants.ts)
 *  - Harbor's API: shared/harbor/swagger-v2.0.yaml (Swagger 2, converted to OpenAPI 3 first)
 *    -> adapter/src/harbor/generated.ts; set HARBOR_SWAGGER to use another copy.
 * Usage: npm run gen:api -w shared   (add --check to fail when a committed file is out of date)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import swagger2openapi from 'swagger2openapi';
import { parse } from 'yaml';
import { enumConstants } from './enum-constants';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const check = process.argv.includes('--check');
let stale = 0;

function header(source: string): string {
  return `/**\n * Generated from ${source} by shared/scripts/gen-api.ts. Do not edit: change the source and run\n * \`npm run gen:api -w shared\`.\n */\n\n`;
}

function write(file: string, text: string): void {
  const rel = relative(root, file);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current === text) return console.log(`${rel}: up to date`);
  if (check) {
    stale++;
    return console.error(`${rel}: out of date, run npm run gen:api -w shared`);
  }
  writeFileSync(file, text);
  console.log(`${rel}: written`);
}

async function generate(document: object, source: string, out: string): Promise<void> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  write(out, header(source) + astToString(ast));
}

const ours = parse(readFileSync(resolve(root, 'shared/src/api/openapi.yaml'), 'utf8'));
await generate(ours, 'shared/src/api/openapi.yaml', resolve(root, 'shared/src/api/generated.ts'));
write(resolve(root, 'shared/src/api/enums.ts'), header('shared/src/api/openapi.yaml') + enumConstants(ours));

const harborSwagger = process.env.HARBOR_SWAGGER ?? resolve(root, 'shared/harbor/swagger-v2.0.yaml');
if (!existsSync(harborSwagger)) {
  console.error(`Harbor's swagger is missing at ${harborSwagger} (see shared/harbor/SOURCE.md)`);
  process.exit(1);
}
const converted = await swagger2openapi.convertObj(parse(readFileSync(harborSwagger, 'utf8')), {
  patch: true,
  warnOnly: true,
});
await generate(converted.openapi, "Harbor's api/v2.0/swagger.yaml", resolve(root, 'adapter/src/harbor/generated.ts'));
if (stale > 0) process.exit(1);
