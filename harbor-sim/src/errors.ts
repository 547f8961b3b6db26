// Harbor's error body: {"errors":[{"code","message"}]} with Harbor's codes (src/lib/errors/const.go).
import type { Response } from 'express';

export type HarborErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION'
  | 'METHOD_NOT_ALLOWED'
  | 'UNPROCESSABLE_ENTITY'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNKNOWN';

const statusOf: Record<HarborErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_ENTITY: 422,
  UNKNOWN: 500,
};

export class HarborError extends Error {
  constructor(
    readonly code: HarborErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  get status(): number {
    return statusOf[this.code];
  }
}

export const badRequest = (message: string, field?: string) => new HarborError('BAD_REQUEST', message, field);
export const notFound = (message: string) => new HarborError('NOT_FOUND', message);
export const forbidden = (message = 'forbidden') => new HarborError('FORBIDDEN', message);
export const unauthorized = (message = 'unauthorized') => new HarborError('UNAUTHORIZED', message);
export const conflict = (message: string) => new HarborError('CONFLICT', message);
export const precondition = (message: string) => new HarborError('PRECONDITION', message);

export function sendError(res: Response, err: HarborError): void {
  const body: { code: string; message: string; field?: string } = { code: err.code, message: err.message };
  if (err.field) body.field = err.field;
  res.status(err.status).json({ errors: [body] });
}
