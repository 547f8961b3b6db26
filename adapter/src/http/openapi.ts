/**
 * The OpenAPI document (shared/src/api/openapi.yaml) at the edge: requests to documented operations
 * are checked against it (path and query parameters, body schema, unknown fields), a documented path
 * asked with a method it does not have is a 405, and the document itself is served as JSON at
 * /patching/api/v1/openapi.json.
 */
import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import * as pathToRegexpModule from 'path-to-regexp';
import type { OpenApiDocument } from '@harbor-patching/shared/api/document';
import { sendError } from './errors';

type PathToRegexp = typeof pathToRegexpModule.pathToRegexp;
const COMPILED_PATHS_KEPT = 1000;

/**
 * express-openapi-validator (5.6) finds a request's operation by compiling every documented path with
 * path-to-regexp on every request (upstream: cdimascio/express-openapi-validator#1217): the larger part of
 * what the validator costs per request. A path compiles to the same matcher every time, so the matchers are
 * kept here by path and options (for the validator and Express's router, which share the package). Only
 * the speed depends on it: when the package's exports cannot be replaced, nothing changes.
 */
export function keepCompiledPaths(): boolean {
  // The CommonJS module's own exports object (what the validator calls into), under Node.js and esbuild alike.
  const exports = ((pathToRegexpModule as unknown as { default?: object }).default ?? pathToRegexpModule) as {
    pathToRegexp: PathToRegexp & { kept?: true };
  };
  if (exports.pathToRegexp.kept) return true;
  const compile = exports.pathToRegexp;
  const kept = new Map<string, ReturnType<PathToRegexp>>();
  const keeping: PathToRegexp & { kept?: true } = (path, options) => {
    if (typeof path !== 'string') return compile(path, options);
    const key = `${path}\u0000${JSON.stringify(options ?? {})}`;
    let matcher = kept.get(key);
    if (!matcher) {
      matcher = compile(path, options);
      if (kept.size >= COMPILED_PATHS_KEPT) kept.clear();
      kept.set(key, matcher);
    }
    return matcher;
  };
  keeping.kept = true;
  try {
    exports.pathToRegexp = keeping;
  } catch {
    return false;
  }
  return exports.pathToRegexp === keeping;
}

/**
 * Validates requests of documented operations; undocumented paths pass through (their routers check them).
 * With `validateResponses` (the test suite's setting) a JSON response that does not match the document is
 * answered 500 saying what differs, so drift between the code and the document fails a test.
 */
export function openApiValidator(
  document: OpenApiDocument,
  options: { validateResponses?: boolean } = {},
): RequestHandler[] {
  keepCompiledPaths();
  return OpenApiValidator.middleware({
    apiSpec: structuredClone(document) as never,
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false },
    validateResponses: options.validateResponses
      ? {
          // Answered here (not thrown): the response may itself be an error the error handler is sending.
          onError: (err, _body, req) => {
            const message = `the response of ${req.method} ${req.originalUrl} (status ${req.res?.statusCode}) does not match the API document: ${err.message}`;
            if (req.res) sendError(req.res, 500, [{ code: 'INTERNAL_SERVER_ERROR', message }]);
          },
        }
      : false,
    validateSecurity: false,
    ignoreUndocumented: true,
    validateFormats: true,
  }) as unknown as RequestHandler[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'trace'];

interface DocumentedPath {
  /** Literal segments, or undefined for a `{parameter}` segment (matches any one segment). */
  segments: (string | undefined)[];
  allow: string[];
}

/** The documented path a request path falls on; a literal segment wins over a parameter, as OpenAPI says. */
function findPath(paths: DocumentedPath[], requestPath: string): DocumentedPath | undefined {
  const segments = requestPath.split('/').filter((s) => s !== '');
  let best: DocumentedPath | undefined;
  let bestRank = '';
  for (const p of paths) {
    if (p.segments.length !== segments.length) continue;
    if (!p.segments.every((s, i) => s === undefined || s === segments[i].toLowerCase())) continue;
    const rank = p.segments.map((s) => (s === undefined ? '1' : '0')).join('');
    if (!best || rank < bestRank) [best, bestRank] = [p, rank];
  }
  return best;
}

/**
 * Mounted at the API base: a documented path asked with a method it does not document is answered
 * 405 with an `Allow` header and our error body (as Harbor's API does). Unknown paths pass on (404 later).
 */
export function methodNotAllowed(document: OpenApiDocument): RequestHandler {
  const paths: DocumentedPath[] = Object.entries(document.paths).map(([path, item]) => {
    const methods = HTTP_METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase());
    // Express answers HEAD with the GET handler.
    if (methods.includes('GET')) methods.splice(1 + methods.indexOf('GET'), 0, 'HEAD');
    return {
      segments: path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => (/^\{[^}]+\}$/.test(s) ? undefined : s.toLowerCase())),
      allow: methods,
    };
  });
  return (req, res, next) => {
    const documented = findPath(paths, req.path);
    if (!documented || documented.allow.includes(req.method)) return next();
    const allow = documented.allow.join(', ');
    res.set('Allow', allow);
    sendError(res, 405, [
      {
        code: 'METHOD_NOT_ALLOWED',
        message: `method ${req.method} is not allowed on ${req.originalUrl.split('?')[0]}; use ${allow}`,
      },
    ]);
  };
}
