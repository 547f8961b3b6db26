/**
 * Harbor-jobservice-compatible routes for the IMAGE_PATCH job (mounted at the root, paths /api/v1/...).
 * Every route, GET /api/v1/stats included, needs `Authorization: Harbor-Secret <secret>`: this API is for
 * Harbor's core, not the public (Harbor's own jobservice leaves /stats open as its health check; here the
 * health check is /patching/api/v1/health).
 * Errors use jobservice's body `{"code","message","details"}`.
 */
import { Router, type RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { JobRequestError, type JobService } from '../jobservice/service';

function secretMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function jobserviceRouter(service: JobService, secret: string | undefined): Router {
  const r = Router();
  const auth: RequestHandler = (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Harbor-Secret\s+(.+)$/.exec(header);
    if (!secret || !m || !secretMatches(m[1].trim(), secret)) {
      res.status(401).json({
        code: 10008,
        message: 'unauthorized',
        details: 'a valid "Authorization: Harbor-Secret <secret>" header is required',
      });
      return;
    }
    next();
  };
  const validId: RequestHandler = (req, res, next) => {
    const id = String(req.params.job_id);
    if (id.includes('..') || id.includes('/') || id.includes('\\')) {
      res.status(400).json({ code: 10002, message: 'bad request', details: 'invalid job id' });
      return;
    }
    next();
  };
  const notFound = (res: import('express').Response, id: string) =>
    res.status(404).json({ code: 10010, message: 'object is not found', details: `job ${id} does not exist` });

  r.get('/api/v1/stats', auth, (_req, res) => {
    res.json(service.workerPools());
  });

  r.post('/api/v1/jobs', auth, async (req, res) => {
    try {
      res.status(202).json(await service.launch(req.body));
    } catch (err) {
      if (err instanceof JobRequestError) {
        res.status(err.httpStatus).json({
          code: err.code,
          message: err.httpStatus === 400 ? 'bad request' : 'error',
          details: err.message,
          ...(err.field ? { field: err.field } : {}),
        });
        return;
      }
      res.status(500).json({ code: 10000, message: 'internal error', details: (err as Error).message });
    }
  });

  r.get('/api/v1/jobs/:job_id', auth, validId, async (req, res) => {
    const stats = await service.stats(String(req.params.job_id));
    if (!stats) return notFound(res, String(req.params.job_id));
    res.json(stats);
  });

  r.post('/api/v1/jobs/:job_id', auth, validId, async (req, res) => {
    const action = (req.body as { action?: unknown } | undefined)?.action;
    if (typeof action !== 'string' || action === '') {
      res.status(400).json({ code: 10002, message: 'bad request', details: 'body must be {"action":"stop"}' });
      return;
    }
    if (action !== 'stop') {
      res.status(501).json({
        code: 10005,
        message: 'not implemented',
        details: `action "${action}" is not supported; only "stop" is`,
      });
      return;
    }
    if (!(await service.stop(String(req.params.job_id)))) return notFound(res, String(req.params.job_id));
    res.status(204).end();
  });

  r.get('/api/v1/jobs/:job_id/log', auth, validId, async (req, res) => {
    const log = await service.log(String(req.params.job_id));
    if (log === undefined) return notFound(res, String(req.params.job_id));
    res.type('text/plain; charset=utf-8').send(log);
  });

  return r;
}
