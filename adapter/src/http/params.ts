/** Path and query parameters the OpenAPI validator already typed, read once more as safe numbers. */
import type { Request } from 'express';
import {
  isProjectName,
  isReference,
  isRepositoryName,
  MAX_REPOSITORY_LENGTH,
  NAME_RULES,
  REPOSITORY_NAME,
} from '@harbor-patching/shared/harbor/names';
import { badRequest } from './errors';

/**
 * A positive integer id from the path (`path.<name>`) or the query (`query.<name>`); undefined when
 * an optional query parameter is absent. Ids beyond 2^53 cannot exist, so they are refused too.
 */
export function positiveId(req: Request, name: string, from: 'path'): number;
export function positiveId(req: Request, name: string, from: 'query'): number | undefined;
export function positiveId(req: Request, name: string, from: 'path' | 'query'): number | undefined {
  // The query is read as sent: the OpenAPI validator may have coerced `req.query` already (e.g. "1e3" to 1000).
  const raw = from === 'path' ? req.params[name] : rawQuery(req).get(name);
  if (from === 'query' && (raw === undefined || raw === null || raw === '')) return undefined;
  const id = typeof raw === 'string' && /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw badRequest([{ field: `${from}.${name}`, message: `${from}.${name}: must be a positive integer (an id)` }]);
  }
  return id;
}

/** The query as the client sent it (before any validator coerced it). */
export function rawQuery(req: Request): URLSearchParams {
  const q = req.originalUrl.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : req.originalUrl.slice(q + 1));
}

/**
 * The repository of a `{repository_name}` path parameter, without the project. Harbor's clients encode a
 * `/` twice (`a%252Fb`): Express decoded the segment once, this decodes it a second time. The result must
 * be a valid repository name of `project` as it is: `..`, `.`, empty components, backslashes or control
 * characters are a 400, never normalised into another name.
 */
export function repositoryParam(req: Request, project: string): string {
  const field = 'path.repository_name';
  let repository: string;
  try {
    repository = decodeURIComponent(String(req.params.repository_name));
  } catch {
    throw badRequest([{ field, message: `${field}: is not validly URL-encoded` }]);
  }
  if (!isRepositoryName(repository, project)) {
    const message = REPOSITORY_NAME.test(repository)
      ? `${field}: "${project}/${repository}" is longer than ${MAX_REPOSITORY_LENGTH} characters`
      : `${field}: ${NAME_RULES.repository}`;
    throw badRequest([{ field, message }]);
  }
  return repository;
}

/** A project name, tag or digest from the path, checked again against Harbor's grammar. */
export function nameParam(req: Request, name: string, kind: 'project' | 'reference'): string {
  const value = String(req.params[name]);
  const valid = kind === 'project' ? isProjectName(value) : isReference(value);
  if (!valid) throw badRequest([{ field: `path.${name}`, message: `path.${name}: ${NAME_RULES[kind]}` }]);
  return value;
}
