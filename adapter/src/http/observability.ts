/**
 * Structured logs with a request id, and Prometheus metrics. Secrets never reach the logs: headers
 * that carry credentials and any field named like a secret are redacted.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-harbor-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'secret',
  'robotSecret',
  'webhookSecret',
  'jobserviceSecret',
  'authorization',
  'cookie',
  '*.password',
  '*.secret',
  '*.robotSecret',
  '*.webhookSecret',
  '*.jobserviceSecret',
  '*.authorization',
  '*.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'harbor-patching-adapter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a sane incoming X-Request-Id (else makes one), echoes it, and logs each request when it ends. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const log = logger.child({ request_id: id });
    res.locals.log = log;
    res.locals.requestId = id;
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const entry = {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        duration_ms: Math.round(ms * 10) / 10,
        user: (res.locals.caller as { username?: string } | undefined)?.username,
      };
      if (res.statusCode >= 500) log.error(entry, 'request failed');
      else log.info(entry, 'request');
    });
    next();
  };
}

export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

/** The route label: the matched Express route pattern, or a fixed group name, never the raw URL. */
function routeLabel(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): string {
  const fixed = res.locals.routeGroup as string | undefined;
  if (fixed) return fixed;
  if (req.route?.path)
    return `${(res.locals.mountPath as string | undefined) ?? req.baseUrl}${typeof req.route.path === 'string' ? req.route.path : ''}`;
  return 'unmatched';
}

export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'patching_' });
  const requests = new Counter({
    name: 'patching_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'patching_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      requests.inc(labels);
      end(labels);
    });
    next();
  };
  return { registry, middleware };
}
