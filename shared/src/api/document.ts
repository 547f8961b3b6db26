/** Node only: where the OpenAPI document lives, and the document parsed. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const OPENAPI_FILE = fileURLToPath(new URL('./openapi.yaml', import.meta.url));

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

export function loadOpenApiDocument(): OpenApiDocument {
  return parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
}
