/**
 * Our error body (Harbor's): `{"errors":[{"code","message","field"?}]}`, and the Express handlers that
 * turn thrown errors into it. Controllers and services throw domain errors (model/errors.ts), mapped here to
 * a status; handlers and middleware may throw ApiError for what only HTTP knows (or let Express 5 forward a
 * rejected promise).
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { NAME_RULES, REPOSITORY_PATH_PARAMETER_PATTERN } from '@harbor-patching/shared/harbor/names';
import { harborFailure, HarborError } from '../harbor/client';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  UpstreamError,
  ValidationError,
} from '../model/errors';

export interface ApiErrorItem {
  code: string;
  message: string;
  field?: string;
}

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
};

export function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
}

export class ApiError extends Error {
  readonly items: ApiErrorItem[];
  constructor(
    readonly status: number,
    message: string,
    options: { code?: string; field?: string; items?: ApiErrorItem[] } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.items = options.items ?? [
      {
        code: options.code ?? codeFor(status),
        message,
        ...(options.field !== undefined ? { field: options.field } : {}),
      },
    ];
  }
}

/** 400 with one item per field problem. */
export function badRequest(problems: { field?: string; message: string }[]): ApiError {
  return new ApiError(400, problems.map((p) => p.message).join('; '), {
    items: problems.map((p) => ({ code: 'BAD_REQUEST', message: p.message, field: p.field })),
  });
}

export const notFound = (message: string) => new ApiError(404, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const unauthorized = (message: string) => new ApiError(401, message);
export const conflict = (message: string, field?: string) => new ApiError(409, message, { field });

export function sendError(res: Response, status: number, items: ApiErrorItem[]): void {
  if (res.headersSent) return;
  res.status(status).type('application/json').json({ errors: items });
}

/** The HTTP status of each kind of domain error. */
function statusOf(err: DomainError): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof UnauthorizedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof UpstreamError) return 502;
  if (err instanceof UnavailableError) return 503;
  return 500;
}

/** A domain error as its HTTP status and body. */
export function fromDomainError(err: DomainError): ApiError {
  if (err instanceof ValidationError) return badRequest(err.problems);
  return new ApiError(statusOf(err), err.message, { code: err.code, field: err.field });
}

/** Turns a validator error path like `/body/filters/0/value` or `.query.page` into `filters[0].value` / `query.page`. */
export function fieldFromPath(path: string | undefined): string {
  if (!path) return '';
  const parts = path
    .replace(/^[./]/, '')
    .split(/[./]/)
    .filter((p) => p !== '');
  if (parts[0] === 'body') parts.shift();
  else if (parts[0] === 'params') parts[0] = 'path';
  let out = '';
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** Plain words for the patterns our document uses. */
const PATTERN_HELP: [string, string][] = [
  ['^[a-z0-9]+(?:[._-][a-z0-9]+)*$', NAME_RULES.project],
  ['^[A-Za-z0-9][A-Za-z0-9._-]*$', 'may hold letters, digits, ".", "_" and "-", and must start with a letter or digit'],
  ['^(?:sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$', NAME_RULES.reference],
  [REPOSITORY_PATH_PARAMETER_PATTERN, NAME_RULES.repository],
];

interface SchemaError {
  path?: string;
  message?: string;
  errorCode?: string;
}

const isAlternativesSummary = (x: SchemaError) => /^(oneOf|anyOf)\./.test(x.errorCode ?? '');

/**
 * A value checked against alternatives (oneOf/anyOf) fails with the errors of every alternative. Keeps
 * the ones that say what to fix: a property one alternative requires is dropped when another
 * alternative found a problem inside the same object (`policy_id` is not missing from a draft whose
 * `mode` is wrong), and "unknown field" is dropped for a field another alternative knows and faults.
 */
function withoutAlternativeNoise(errors: SchemaError[]): SchemaError[] {
  if (!errors.some(isAlternativesSummary)) return errors;
  const problems = errors.filter((x) => !isAlternativesSummary(x));
  const code = (x: SchemaError) => x.errorCode ?? '';
  const parent = (path = '') => path.replace(/[./][^./]*$/, '');
  return problems.filter((x) => {
    if (code(x).startsWith('required')) {
      const object = parent(x.path);
      return !problems.some(
        (y) =>
          y !== x &&
          (y.path ?? '').startsWith(`${object}/`) &&
          !(code(y).startsWith('required') && parent(y.path) === object),
      );
    }
    if (code(x).startsWith('additionalProperties')) {
      return !problems.some((y) => y.path === x.path && !code(y).startsWith('additionalProperties'));
    }
    return true;
  });
}

/** Schema errors in plain words. */
function friendlyMessage(x: SchemaError): string {
  const code = x.errorCode ?? '';
  const message = x.message ?? 'is not valid';
  if (code.startsWith('additionalProperties')) return 'unknown field, remove it';
  if (code.startsWith('required')) return 'is required';
  if (code.startsWith('pattern')) {
    const help = PATTERN_HELP.find(([pattern]) => message.includes(pattern));
    if (help) return help[1];
  }
  return message;
}

interface ValidatorLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  errors?: SchemaError[];
  message?: string;
  expose?: boolean;
}

/** The last handler: every error becomes our body; unexpected ones are logged and answered 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof ApiError) return sendError(res, err.status, err.items);
    if (err instanceof DomainError) {
      const mapped = fromDomainError(err);
      return sendError(res, mapped.status, mapped.items);
    }
    if (err instanceof HarborError) {
      const mapped = fromDomainError(harborFailure(err));
      ((res.locals.log as Logger | undefined) ?? logger).warn(
        { err: { status: err.status, path: err.path, message: err.message } },
        'harbor call failed',
      );
      return sendError(res, mapped.status, mapped.items);
    }
    const e = (err ?? {}) as ValidatorLikeError;
    const status = e.status ?? e.statusCode;
    if (e.type === 'entity.too.large' || status === 413) {
      return sendError(res, 413, [
        { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large (at most 1 MiB is accepted)' },
      ]);
    }
    if (e.type === 'entity.parse.failed') {
      return sendError(res, 400, [{ code: 'BAD_REQUEST', message: 'the request body is not valid JSON', field: '' }]);
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return sendError(res, 415, [{ code: 'UNSUPPORTED_MEDIA_TYPE', message: e.message ?? 'unsupported encoding' }]);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      if (Array.isArray(e.errors) && e.errors.some((x) => /malformed uri/i.test(x.message ?? ''))) {
        const message = 'the request path is not validly URL-encoded (a "%" must be followed by two hex digits)';
        return sendError(res, 400, [{ code: 'BAD_REQUEST', message, field: 'path' }]);
      }
      // express-openapi-validator errors carry `errors[]` with paths.
      if (Array.isArray(e.errors) && e.errors.length > 0) {
        const byField = new Map<string, string[]>();
        for (const x of withoutAlternativeNoise(e.errors)) {
          const field = fieldFromPath(x.path);
          const list = byField.get(field) ?? [];
          const message = friendlyMessage(x);
          if (!list.includes(message)) list.push(message);
          byField.set(field, list);
        }
        const items = [...byField].map(([field, messages]) => {
          const message = messages.join(', or ');
          return { code: codeFor(status), message: field ? `${field}: ${message}` : message, field };
        });
        if (items.length === 0) items.push({ code: codeFor(status), message: 'the request is not valid', field: '' });
        return sendError(res, status, items);
      }
      return sendError(res, status, [{ code: codeFor(status), message: e.message ?? 'the request is not valid' }]);
    }
    ((res.locals.log as Logger | undefined) ?? logger).error({ err }, 'unexpected error');
    sendError(res, 500, [
      {
        code: 'INTERNAL_SERVER_ERROR',
        message: `internal error; quote request id ${res.getHeader('x-request-id') ?? ''} when reporting it`.trim(),
      },
    ]);
  };
}

export function apiNotFound(): RequestHandler {
  return (req, res) =>
    sendError(res, 404, [
      { code: 'NOT_FOUND', message: `no such API path: ${req.method} ${req.originalUrl.split('?')[0]}` },
    ]);
}
