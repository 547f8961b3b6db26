/**
 * API latency under load: a data dir seeded with `--executions` executions (default 10,000) of `--tasks`
 * tasks each (default 10: 100,000 tasks) in project "library", the adapter started on it as its own process
 * (the release build when it can be built here, else tsx: printed) against the Harbor stand-in (another
 * process), and the list and detail endpoints driven from this process at fixed rates (an open-loop driver
 * over keep-alive connections: requests leave on schedule whether or not earlier ones were answered). Next
 * to each, a bare Node.js `http` server (its own process) answering the same JSON bodies: the ceiling on
 * this machine. Prints p50/p99 per rate and the highest rate whose p99 stays under 25 ms.
 * Requests sign in as Harbor's admin with Basic auth; the adapter's identity cache is warmed first.
 *
 *   npm run bench:api [-- --executions 10000 --tasks 10 --seconds 3 --rates 50,100,250,500,1000,1500,2000,3000]
 *                     [--tsx] [--without-status-index]   (the adapter as it was: under tsx, without the index)
 *                     [--write-every-ms 100]   (another connection updates a task that often, as running tasks do:
 *                                               every write makes the adapter read its list pages afresh)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAdapterProcess } from './lib/adapter-process';
import { openDatabase } from '@harbor-patching/adapter';
import { BASIC, drive, seed } from './lib/api-load';

const { values } = parseArgs({
  options: {
    'serve-bare': { type: 'string' },
    'serve-sim': { type: 'boolean', default: false },
    executions: { type: 'string', default: '10000' },
    tasks: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '3' },
    rates: { type: 'string', default: '50,100,250,500,1000,1500,2000,3000' },
    /** Run the adapter under tsx even when the release build can be made (for comparison). */
    tsx: { type: 'boolean', default: false },
    /** Drop the index on tasks by (execution, status, reason) after seeding (for comparison). */
    'without-status-index': { type: 'boolean', default: false },
    /** Update one task row this often from another connection while the load runs (0: the data stays as seeded). */
    'write-every-ms': { type: 'string', default: '0' },
  },
  allowPositionals: true,
});
const ROBOT = { name: 'robot$bench', secret: 'Bench-Secret-1' };
const API = '/patching/api/v1/projects/library';
const LIMIT_MS = 25;

/** The bare ceiling: answers each path in `bodies` (JSON file given on the command line) with its body. */
async function serveBare(file: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const bodies = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const byPrefix = Object.entries(bodies).map(([k, v]) => [k, Buffer.from(v)] as const);
  const srv = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const body = byPrefix.find(([k]) => new RegExp(k).test(path))?.[1];
    if (!body) {
      res.statusCode = 404;
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  srv.listen(0, '127.0.0.1', () => process.send!((srv.address() as { port: number }).port));
  process.on('disconnect', () => process.exit(0));
}

/** The Harbor stand-in with project library (no registry needed: nothing here reads images). */
async function serveSim(): Promise<void> {
  const { startHarborSim } = await import('@harbor-patching/harbor-sim');
  const sim = await startHarborSim({
    port: 0,
    seed: 'empty',
    robots: [{ name: ROBOT.name, secret: ROBOT.secret, level: 'system' }],
  });
  // Synthetic (scale mode): its repository count comes from memory, not from a registry.
  sim.addProject('library', { owner: 'admin' }).synthetic = true;
  process.send!(sim.url);
  process.on('disconnect', () => {
    void sim.close().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const executions = Number(values.executions);
  const tasksEach = Number(values.tasks);
  const seconds = Number(values.seconds);
  const rates = values.rates!.split(',').map(Number);
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-bench-api-'));
  const seedMs = seed(dataDir, executions, tasksEach, { withoutStatusIndex: values['without-status-index'] });
  console.log(
    `${values['without-status-index'] ? '(index patch_tasks_execution_status dropped) ' : ''}seeded ${executions} executions x ${tasksEach} tasks = ${executions * tasksEach} tasks in ${(seedMs / 1000).toFixed(1)} s (${dataDir})`,
  );

  const writeEveryMs = Number(values['write-every-ms']);
  if (!Number.isInteger(writeEveryMs) || writeEveryMs < 0) throw new Error('--write-every-ms must be a whole number');

  const sim = fork(fileURLToPath(import.meta.url), ['--serve-sim'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const simUrl = await new Promise<string>((r) => sim.once('message', (m) => r(String(m))));
  const adapter = await startAdapterProcess(
    {
      PATCHING_HARBOR_URL: simUrl,
      PATCHING_ROBOT_NAME: ROBOT.name,
      PATCHING_ROBOT_SECRET: ROBOT.secret,
      PATCHING_DATA_DIR: dataDir,
      // Longer than the run: the identity cache stays warm throughout.
      PATCHING_AUTH_CACHE_SECONDS: '300',
    },
    { compiled: !values.tsx },
  );
  let bare: ChildProcess | undefined;
  const writer = writeEveryMs > 0 ? startWriter(dataDir, writeEveryMs, executions * tasksEach) : undefined;
  try {
    if (writeEveryMs > 0) console.log(`another connection updates a task every ${writeEveryMs} ms while the load runs`);
    console.log(
      `adapter: ${adapter.runtime}; load average ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const execId = (i: number) => executions - (i % 1000);
    const endpoints: { name: string; pattern: string; path: (i: number) => string }[] = [
      {
        name: 'list executions (page 1..20 of 15)',
        pattern: '^/patching/api/v1/projects/library/executions$',
        path: (i) => `${API}/executions?page=${(i % 20) + 1}&page_size=15`,
      },
      {
        name: "list an execution's tasks",
        pattern: '^/patching/api/v1/projects/library/executions/\\d+/tasks$',
        path: (i) => `${API}/executions/${execId(i)}/tasks?page=1&page_size=15`,
      },
      {
        name: 'execution detail',
        pattern: '^/patching/api/v1/projects/library/executions/\\d+$',
        path: (i) => `${API}/executions/${execId(i)}`,
      },
      {
        name: 'task detail',
        pattern: '^/patching/api/v1/projects/library/executions/\\d+/tasks/\\d+$',
        path: (i) => `${API}/executions/${execId(i)}/tasks/${execId(i) * tasksEach - (i % tasksEach)}`,
      },
    ];
    // Warm the identity cache and capture a body per endpoint for the bare server.
    const bodies: Record<string, string> = {};
    for (const e of endpoints) {
      const res = await fetch(adapter.url + e.path(0), { headers: { authorization: BASIC } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${e.name}: ${res.status} ${text.slice(0, 300)}`);
      bodies[e.pattern] = text;
    }
    const bodiesFile = join(dataDir, 'bare-bodies.json');
    (await import('node:fs')).writeFileSync(bodiesFile, JSON.stringify(bodies));
    bare = fork(fileURLToPath(import.meta.url), ['--serve-bare', bodiesFile], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const barePort = await new Promise<number>((r) => bare!.once('message', (m) => r(Number(m))));
    const bareUrl = `http://127.0.0.1:${barePort}`;

    const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    const summary: string[] = [];
    for (const e of endpoints) {
      console.log(`\n${e.name}  (${Buffer.byteLength(bodies[e.pattern])} bytes)`);
      console.log('  rate/s   | adapter: achieved  p50 ms  p99 ms  errors | bare node: achieved  p50 ms  p99 ms');
      const best = { adapter: 0, bare: 0 };
      const failed = { adapter: false, bare: false };
      await drive(adapter.url, e.path, 200, 1); // warm-up (JIT, statement cache)
      for (const rate of rates) {
        const a = failed.adapter ? undefined : await drive(adapter.url, e.path, rate, seconds);
        const b = failed.bare ? undefined : await drive(bareUrl, e.path, rate, seconds);
        for (const [k, r] of [
          ['adapter', a],
          ['bare', b],
        ] as const) {
          if (!r) continue;
          if (r.p99 < LIMIT_MS && r.errors === 0 && r.achieved >= rate * 0.95) best[k] = Math.max(best[k], rate);
          else if (r.p99 > 4 * LIMIT_MS || r.achieved < rate * 0.8) failed[k] = true;
        }
        console.log(
          `  ${String(rate).padStart(7)}  | ${a ? `${fmt(a.achieved).padStart(16)}  ${fmt(a.p50).padStart(6)}  ${fmt(a.p99).padStart(6)}  ${String(a.errors).padStart(6)}` : '         (stopped: saturated)       '} | ${b ? `${fmt(b.achieved).padStart(18)}  ${fmt(b.p50).padStart(6)}  ${fmt(b.p99).padStart(6)}` : '  (stopped: saturated)'}`,
        );
        if (failed.adapter && failed.bare) break;
      }
      summary.push(
        `  ${e.name.padEnd(36)} adapter ${String(best.adapter).padStart(5)} req/s   bare node ${String(best.bare).padStart(5)} req/s`,
      );
    }
    console.log(`\nhighest rate tried with p99 < ${LIMIT_MS} ms (and every request answered on schedule):`);
    console.log(summary.join('\n'));
    console.log(`adapter peak rss ${(adapter.peakRss() / 1024 / 1024).toFixed(0)} MB`);
    if (writer) console.log(`another connection wrote ${writer.writes()} times (every ${writeEveryMs} ms)`);
  } finally {
    writer?.stop();
    await adapter.close();
    bare?.disconnect();
    sim.disconnect();
  }
}

/** Touches one task row every `ms` from a connection of its own (a running task's progress, as the engine writes it). */
function startWriter(dataDir: string, ms: number, tasks: number): { writes(): number; stop(): void } {
  const db = openDatabase(join(dataDir, 'patching.db'));
  const update = db.prepare('UPDATE patch_tasks SET update_time = ? WHERE id = ?');
  let n = 0;
  const timer = setInterval(() => {
    update.run(new Date().toISOString(), 1 + (n++ % tasks));
  }, ms);
  return {
    writes: () => n,
    stop: () => {
      clearInterval(timer);
      db.close();
    },
  };
}

if (values['serve-bare']) {
  await serveBare(values['serve-bare']);
} else if (values['serve-sim']) {
  await serveSim();
} else {
  await main();
}
