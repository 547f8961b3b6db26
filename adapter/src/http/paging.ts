/**
 * Harbor-style paging: `page` (from 1), `page_size` (default 10, at most 100), `X-Total-Count` and `Link`.
 * Values are read as Harbor's API reads them (go-swagger, int64 in base 10): digits only, so `1e3`, `0x10`,
 * `1.0`, ` 1` or an empty value are a 400 naming the parameter; any page up to int64's maximum is valid
 * (past the end it is empty).
 */
import type { Request, Response } from 'express';
import { badRequest } from './errors';
import { rawQuery } from './params';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;
const INT64_MAX = 2n ** 63n - 1n;

export interface Paging {
  page: number;
  pageSize: number;
}

function wholeNumber(req: Request, name: string, fallback: number, max: bigint, range: string): bigint {
  const values = rawQuery(req).getAll(name);
  if (values.length > 1) {
    throw badRequest([{ field: `query.${name}`, message: `query.${name}: give it once, got ${values.length} values` }]);
  }
  const raw = values[0];
  if (raw === undefined) return BigInt(fallback);
  const value = /^[0-9]+$/.test(raw) ? BigInt(raw) : undefined;
  if (value === undefined || value < 1n || value > max) {
    throw badRequest([
      { field: `query.${name}`, message: `query.${name}: must be a whole number ${range}, got "${raw.slice(0, 40)}"` },
    ]);
  }
  return value;
}

export function pagingOf(req: Request): Paging {
  const pageSize = Number(
    wholeNumber(req, 'page_size', DEFAULT_PAGE_SIZE, BigInt(MAX_PAGE_SIZE), `from 1 to ${MAX_PAGE_SIZE}`),
  );
  const page = wholeNumber(req, 'page', 1, INT64_MAX, `from 1 (at most ${INT64_MAX})`);
  // Every page past the end is empty: cap the page so that its offset stays an exact integer for SQLite.
  const lastUsefulPage = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / pageSize));
  return { page: Number(page < lastUsefulPage ? page : lastUsefulPage), pageSize };
}

/** Sets X-Total-Count and Link (`<path?page=2&page_size=10>; rel="next"`, joined by " , " as Harbor does). */
export function setPagingHeaders(req: Request, res: Response, paging: Paging, total: number): void {
  res.setHeader('X-Total-Count', String(total));
  const links: string[] = [];
  const url = new URL(req.originalUrl, 'http://placeholder');
  const linkTo = (page: number, rel: string) => {
    url.searchParams.set('page', String(page));
    url.searchParams.set('page_size', String(paging.pageSize));
    links.push(`<${url.pathname}${url.search}>; rel="${rel}"`);
  };
  if (paging.page > 1) linkTo(Math.min(paging.page - 1, Math.max(1, Math.ceil(total / paging.pageSize))), 'prev');
  if (paging.page * paging.pageSize < total) linkTo(paging.page + 1, 'next');
  if (links.length > 0) res.setHeader('Link', links.join(' , '));
}
