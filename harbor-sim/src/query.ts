// Harbor's list conventions: q= filters (src/lib/q/builder.go), sort=, page/page_size, X-Total-Count and Link
// (src/server/v2.0/handler/base.go Links, src/lib/link.go).
import type { Request, Response } from 'express';
import { badRequest } from './errors';

export type QueryValue =
  | { kind: 'exact'; value: string }
  | { kind: 'fuzzy'; value: string }
  | { kind: 'range'; min: string; max: string }
  | { kind: 'or'; values: string[] }
  | { kind: 'and'; values: string[] };

export type Query = Map<string, QueryValue>;

function splitTerms(q: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of q) {
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') depth--;
    if (c === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += c;
  }
  if (current) terms.push(current);
  return terms;
}

export function parseQuery(raw: unknown): Query {
  const out: Query = new Map();
  if (raw === undefined || raw === '') return out;
  if (typeof raw !== 'string') throw badRequest('q must be a single string like name=~nginx', 'q');
  let q = raw;
  try {
    q = decodeURIComponent(raw);
  } catch {
    throw badRequest(`q "${raw}" is not correctly URL-encoded`, 'q');
  }
  for (const term of splitTerms(q)) {
    const eq = term.indexOf('=');
    if (eq <= 0)
      throw badRequest(
        `invalid query term "${term}": use key=value, key=~value, key=[a~b], key={a b} or key=(a b)`,
        'q',
      );
    const key = term.slice(0, eq).trim();
    const value = term.slice(eq + 1).trim();
    let parsed: QueryValue;
    if (value.startsWith('~')) parsed = { kind: 'fuzzy', value: value.slice(1) };
    else if (value.startsWith('[') && value.endsWith(']')) {
      const [min = '', max = ''] = value.slice(1, -1).split('~');
      parsed = { kind: 'range', min: min.trim(), max: max.trim() };
    } else if (value.startsWith('{') && value.endsWith('}'))
      parsed = { kind: 'or', values: value.slice(1, -1).split(/\s+/).filter(Boolean) };
    else if (value.startsWith('(') && value.endsWith(')'))
      parsed = { kind: 'and', values: value.slice(1, -1).split(/\s+/).filter(Boolean) };
    else parsed = { kind: 'exact', value };
    out.set(key, parsed);
  }
  return out;
}

/** Whether a single string field satisfies a query value. */
export function matchString(field: string, value: QueryValue): boolean {
  switch (value.kind) {
    case 'exact':
      return field === value.value;
    case 'fuzzy':
      return field.includes(value.value);
    case 'range':
      return (!value.min || field >= value.min) && (!value.max || field <= value.max);
    case 'or':
      return value.values.includes(field);
    case 'and':
      return value.values.every((v) => v === field);
  }
}

export interface Paging {
  page: number;
  pageSize: number;
}

export function parsePaging(req: Request): Paging {
  const page = req.query.page === undefined ? 1 : Number(req.query.page);
  const pageSize = req.query.page_size === undefined ? 10 : Number(req.query.page_size);
  if (!Number.isInteger(page) || page < 1) throw badRequest('page must be an integer of at least 1', 'page');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    throw badRequest('page_size must be an integer between 1 and 100', 'page_size');
  return { page, pageSize };
}

export type SortKey = { field: string; desc: boolean };

export function parseSort(raw: unknown, allowed: string[]): SortKey[] {
  if (raw === undefined || raw === '') return [];
  if (typeof raw !== 'string') throw badRequest('sort must be a string like -push_time,name', 'sort');
  return raw.split(',').map((part) => {
    const desc = part.startsWith('-');
    const field = desc ? part.slice(1) : part;
    if (!allowed.includes(field))
      throw badRequest(`cannot sort by "${field}"; use one of ${allowed.join(', ')}`, 'sort');
    return { field, desc };
  });
}

export function compareBy<T>(keys: SortKey[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const { field, desc } of keys) {
      const av = (a as Record<string, unknown>)[field] as string | number;
      const bv = (b as Record<string, unknown>)[field] as string | number;
      if (av === bv) continue;
      const result = av < bv ? -1 : 1;
      return desc ? -result : result;
    }
    return 0;
  };
}

// Go's url.QueryEscape: everything but [A-Za-z0-9-_.~] is percent-encoded, space becomes '+'.
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

// Go's url.URL.EscapedPath for a path without RawPath: only characters not allowed in a path are escaped.
function goPathEscape(path: string): string {
  return path.replace(/[^A-Za-z0-9\-_.~!$&'()*+,;=:@/]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

/** Sets X-Total-Count and Link exactly like Harbor's BaseAPI.Links. */
export function setPagingHeaders(req: Request, res: Response, total: number, { page, pageSize }: Paging): void {
  res.setHeader('X-Total-Count', String(total));
  const [rawPath, rawQuery = ''] = req.originalUrl.split('?');
  let path = rawPath;
  // Harbor unescapes the (already once-decoded) path, so a double-encoded repository name comes out with '/'.
  try {
    path = decodeURIComponent(decodeURIComponent(rawPath));
  } catch {
    /* keep as is */
  }
  const params = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(rawQuery)) params.set(k, [...(params.get(k) ?? []), v]);
  const build = (p: number): string => {
    const q = new Map(params);
    q.set('page', [String(p)]);
    q.set('page_size', [String(pageSize)]);
    const encoded = [...q.keys()]
      .sort()
      .flatMap((k) => q.get(k)!.map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
      .join('&');
    return `${goPathEscape(path)}?${encoded}`;
  };
  const links: string[] = [];
  if (page > 1 && (page - 1) * pageSize < total) links.push(`<${build(page - 1)}>; rel="prev"`);
  if (pageSize * page < total) links.push(`<${build(page + 1)}>; rel="next"`);
  if (links.length) res.setHeader('Link', links.join(' , '));
}

export function pageOf<T>(items: T[], { page, pageSize }: Paging): T[] {
  return items.slice((page - 1) * pageSize, page * pageSize);
}
