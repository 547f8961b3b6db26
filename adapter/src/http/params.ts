/** Path and query parameters the OpenAPI validator already typed, read once more as safe numbers. */
import type { Request } from 'express';
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
