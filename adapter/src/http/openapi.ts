/**
 * The OpenAPI document (shared/src/api/openapi.yaml) at the edge: requests to documented operations
 * are checked against it (path and query parameters, body schema, unknown fields), and the document
 * itself is served as JSON at /patching/api/v1/openapi.json.
 */
import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { OpenApiDocument } from '@harbor-patching/shared/api/document';

/** Validates requests of documented operations; undocumented paths pass through (their routers check them). */
export function openApiValidator(document: OpenApiDocument): RequestHandler[] {
  return OpenApiValidator.middleware({
    apiSpec: structuredClone(document) as never,
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false },
    validateResponses: false,
    validateSecurity: false,
    ignoreUndocumented: true,
    validateFormats: true,
  }) as unknown as RequestHandler[];
}
