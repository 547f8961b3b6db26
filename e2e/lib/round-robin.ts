/**
 * A small round-robin HTTP front for several adapter replicas (the demo's `HP_REPLICAS=3 npm start`, and the
 * replica tests): each request goes to the next replica, its body and the answer are streamed through
 * unchanged (the Host header too, so the adapter sees the front's origin: CSRF origin check, webhook address).
 * A replica that refuses the connection is left out for 2 s and the request answered 502; the others carry on.
 *
 *   node --import tsx e2e/lib/round-robin.ts --port 8480 http://127.0.0.1:8481 http://127.0.0.1:8482 ...
 */
import { createServer, request, Agent, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface RoundRobin {
  url: string;
  port: number;
  /** Requests sent to each target so far, in the order given. */
  counts(): number[];
  close(): Promise<void>;
}

const DOWN_MS = 2000;

export async function startRoundRobin(opts: { targets: string[]; port?: number; host?: string }): Promise<RoundRobin> {
  if (opts.targets.length === 0) throw new Error('round-robin: no targets');
  const targets = opts.targets.map((t) => ({ url: new URL(t), downUntil: 0, count: 0 }));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const pick = () => {
    const now = Date.now();
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(next + i) % targets.length];
      if (t.downUntil <= now) {
        next = (next + i + 1) % targets.length;
        return t;
      }
    }
    // All marked down: try the next one anyway (it may be back).
    return targets[next++ % targets.length];
  };

  const server: Server = createServer((req, res) => {
    const target = pick();
    target.count++;
    const upstream = request(
      {
        host: target.url.hostname,
        port: target.url.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') target.downUntil = Date.now() + DOWN_MS;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`round-robin: replica ${target.url.host} did not answer (${err.message}); try again\n`);
      } else res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    counts: () => targets.map((t) => t.count),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
    allowPositionals: true,
  });
  const front = await startRoundRobin({ targets: positionals, port: Number(values.port ?? 0), host: values.host });
  console.log(`round-robin front on ${front.url} for ${positionals.join(' ')}`);
  const stop = () => void front.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
