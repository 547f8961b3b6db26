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
  const raw = from === 'path' ? req.params[name] : req.query[name];
  if (from === 'query' && (raw === undefined || raw === '')) return undefined;
  const id = typeof raw === 'string' && /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw badRequest([{ field: `${from}.${name}`, message: `${from}.${name}: must be a positive integer (an id)` }]);
  }
  return id;
}
