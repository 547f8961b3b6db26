/**
 * Compression of the adapter's own responses (API JSON, index.html, translation files), brotli or gzip
 * as the client asks, by the `compression` middleware. The portal's hashed files are compressed at build
 * time instead (see portal.ts); a response that already has a Content-Encoding is left as it is.
 * Event streams are never compressed: zlib would hold each event back until its buffer fills.
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

export function shouldCompress(req: Request, res: Response): boolean {
  const type = String(res.getHeader('Content-Type') ?? '');
  if (type.startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
}

export function compressResponses(): RequestHandler {
  return compression({ filter: shouldCompress });
}
