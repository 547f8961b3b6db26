/** Harbor-style paging: `page` (from 1), `page_size` (default 10, at most 100), `X-Total-Count` and `Link`. */
import type { Request, Response } from 'express';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export interface Paging {
  page: number;
  pageSize: number;
}

export function pagingOf(req: Request): Paging {
  const page = Number(req.query.page ?? 1);
  const pageSize = Number(req.query.page_size ?? DEFAULT_PAGE_SIZE);
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: Number.isInteger(pageSize) && pageSize >= 1 ? Math.min(pageSize, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE,
  };
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
