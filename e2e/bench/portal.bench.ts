/**
 * Portal delivery benchmark: the production build served by a real adapter in front of the Harbor
 * stand-in (demo seed), both in a child process on loopback, measured from headless Chromium.
 *
 *   npm run bench:portal [-- --runs 7 --policies 25 --verbose]
 *
 * Prints, in one run:
 *  - the initial JavaScript (what index.html loads before the first route): bytes raw, bytes as the
 *    adapter sends them to a client asking for gzip and for brotli, and gzip -6 of it for reference;
 *  - requests per page along a user's way (sign-in, projects, policies, executions, tasks, task), by
 *    kind, from the network and from the browser cache, with the bytes transferred;
 *  - time from navigation start to the first policy rows in the DOM, with a cold browser cache (a new
 *    browser context each time) and a warm one (a new page in a context that loaded the portal before);
 *    the median, min and max of --runs loads each, after one warm-up load that is not counted, with the
 *    main-thread time spent until then (less sensitive than wall time to other load on the machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensurePortalBuilt, initialScripts, launchChromium, PORTAL_DIR, startPortalServers } from '../lib/portal';

const ROBOT = { name: 'robot$bench-portal', secret: 'Bench-Portal-Secret-1' };
const USER = 'alice';
const PASSWORD = 'Harbor12345';
const PROJECT = 'library';
const FIRST_ROWS = 'clr-dg-row[data-policy]';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
    policies: { type: 'string', default: '25' },
    verbose: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

type FromChild = { kind: 'ready'; url: string };

/** The child process: the Harbor stand-in and the adapter serving the built portal. */
async function serve(): Promise<void> {
  const { SERVICE_ROBOT_ACCESS } = await import('@harbor-patching/harbor-sim');
  const servers = await startPortalServers({
    robot: {
      ...ROBOT,
      level: 'system',
      permissions: [{ kind: 'project', namespace: '*', access: SERVICE_ROBOT_ACCESS }],
    },
  });
  process.on('disconnect', () => {
    void servers.close().then(() => process.exit(0));
  });
  process.send!({ kind: 'ready', url: servers.adapter.url } satisfies FromChild);
}

// ---------------------------------------------------------------------------------------------
// Data the pages show, made through the API as the user.

const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/patching/api/v1${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Policies for the list, and one finished task (an ad-hoc patch that is skipped before copa runs). */
async function seed(base: string, policies: number): Promise<{ execution: number; task: number }> {
  for (let i = 1; i <= policies; i++) {
    await api(base, 'POST', `/projects/${PROJECT}/policies`, {
      name: `bench-policy-${String(i).padStart(3, '0')}`,
      description: `Benchmark policy ${i}`,
      filters: [{ type: 'repository', value: `${PROJECT}/app-${i}-*`, syntax: 'glob', decoration: 'matches' }],
    });
  }
  // The sample image has nothing Critical: the task ends Skipped NOTHING_FIXABLE without running copa.
  const res = await fetch(`${base}/patching/api/v1/projects/${PROJECT}/repositories/sample-app/artifacts/1.0/patch`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ severity_threshold: 'Critical' }),
  });
  if (res.status !== 202) throw new Error(`patching library/sample-app:1.0: ${res.status} ${await res.text()}`);
  const execution = ((await res.json()) as { id: number }).id;
  const task = Number(res.headers.get('x-patch-task-id'));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const t = await api<{ status: string }>(base, 'GET', `/projects/${PROJECT}/executions/${execution}/tasks/${task}`);
    if (['Success', 'Error', 'Stopped', 'Skipped'].includes(t.status)) break;
    if (Date.now() > deadline) throw new Error(`task ${task} did not finish within 120 s (${t.status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { execution, task };
}

// ---------------------------------------------------------------------------------------------
// Initial JavaScript, as the adapter serves it.

interface Fetched {
  bytes: number;
  encoding: string;
  body: Buffer;
}

/** A GET that keeps the body as sent (no decompression), with the given Accept-Encoding. */
function rawGet(url: string, acceptEncoding: string): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`));
        const body = Buffer.concat(chunks);
        resolve({ bytes: body.length, encoding: String(res.headers['content-encoding'] ?? 'identity'), body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measureInitialJs(base: string): Promise<void> {
  const index = await rawGet(`${base}/patching/`, 'identity');
  const scripts = initialScripts(index.body.toString('utf8'));
  if (scripts.length === 0) throw new Error('index.html loads no JavaScript: is this the production build?');
  const rows: string[][] = [];
  const total = { raw: 0, gzip: 0, br: 0, ref: 0 };
  const encodings = { gzip: new Set<string>(), br: new Set<string>() };
  for (const src of scripts) {
    const url = new URL(src, `${base}/patching/`).href;
    const raw = await rawGet(url, 'identity');
    const gzip = await rawGet(url, 'gzip, deflate');
    const br = await rawGet(url, 'gzip, deflate, br');
    const ref = gzipSync(raw.body, { level: 6 }).length;
    encodings.gzip.add(gzip.encoding);
    encodings.br.add(br.encoding);
    total.raw += raw.bytes;
    total.gzip += gzip.bytes;
    total.br += br.bytes;
    total.ref += ref;
    rows.push([src, kb(raw.bytes), `${kb(gzip.bytes)} ${gzip.encoding}`, `${kb(br.bytes)} ${br.encoding}`, kb(ref)]);
  }
  rows.push([
    `total (${scripts.length} files)`,
    kb(total.raw),
    `${kb(total.gzip)} ${[...encodings.gzip].join('/')}`,
    `${kb(total.br)} ${[...encodings.br].join('/')}`,
    kb(total.ref),
  ]);
  console.log('Initial JavaScript (loaded by index.html before the first route):');
  table(['file', 'raw', 'sent for "gzip, deflate"', 'sent for "..., br"', 'gzip -6 (reference)'], rows);
  console.log(`  => initial JS: ${kb(total.raw)} raw, ${kb(Math.min(total.gzip, total.br))} compressed as sent\n`);
}

// ---------------------------------------------------------------------------------------------
// Requests as the browser makes them (Chrome DevTools Protocol: cache hits are told apart).

interface Recorded {
  url: string;
  type: string;
  fromCache: boolean;
  status: number;
  encoding: string;
  bytes: number;
}

class NetworkLog {
  private live = new Map<string, Recorded>();
  private finished: Recorded[] = [];
  private lastChange = performance.now();

  static async attach(page: Page): Promise<NetworkLog> {
    const log = new NetworkLog();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.request.url.startsWith('data:')) return;
      log.live.set(e.requestId, {
        url: e.request.url,
        type: e.type ?? 'Other',
        fromCache: false,
        status: 0,
        encoding: 'identity',
        bytes: 0,
      });
      log.lastChange = performance.now();
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = log.live.get(e.requestId);
      if (r) r.fromCache = true;
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = log.live.get(e.requestId);
      if (!r) return;
      r.status = e.response.status;
      r.fromCache ||= !!e.response.fromDiskCache || !!e.response.fromPrefetchCache;
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      r.encoding = String(headers['content-encoding'] ?? 'identity');
    });
    const end = (id: string, bytes: number) => {
      const r = log.live.get(id);
      if (!r) return;
      log.live.delete(id);
      r.bytes = r.fromCache ? 0 : bytes;
      log.finished.push(r);
      log.lastChange = performance.now();
    };
    cdp.on('Network.loadingFinished', (e) => end(e.requestId, e.encodedDataLength));
    cdp.on('Network.loadingFailed', (e) => end(e.requestId, 0));
    return log;
  }

  /** Waits until nothing has been in flight for `idleMs` (or `timeoutMs` passed), then hands over what finished. */
  async settle(idleMs = 400, timeoutMs = 15_000): Promise<Recorded[]> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.live.size === 0 && performance.now() - this.lastChange >= idleMs) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = this.finished;
    this.finished = [];
    return done;
  }
}

function kindOf(r: Recorded): string {
  if (r.type === 'Script') return 'js';
  if (r.type === 'Stylesheet') return 'css';
  if (r.type === 'Document') return 'html';
  if (r.type === 'XHR' || r.type === 'Fetch') return new URL(r.url).pathname.includes('/i18n/') ? 'i18n' : 'api';
  if (r.type === 'Font') return 'font';
  if (r.type === 'Image') return 'image';
  return 'other';
}

function summarize(page: string, requests: Recorded[]): string[] {
  const network = requests.filter((r) => !r.fromCache);
  const byKind = (list: Recorded[]) => {
    const counts = new Map<string, number>();
    for (const r of list) counts.set(kindOf(r), (counts.get(kindOf(r)) ?? 0) + 1);
    return (
      [...counts]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || '-'
    );
  };
  const jsEncodings = [...new Set(network.filter((r) => r.type === 'Script').map((r) => r.encoding))].join('/') || '-';
  return [
    page,
    String(requests.length),
    String(network.length),
    byKind(network),
    String(requests.length - network.length),
    kb(network.reduce((a, r) => a + r.bytes, 0)),
    jsEncodings,
  ];
}

async function measureRequestsPerPage(
  browser: Browser,
  base: string,
  seeded: { execution: number; task: number },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const log = await NetworkLog.attach(page);
  const rows: string[][] = [];
  const step = async (name: string, act: () => Promise<unknown>, ready: string) => {
    await act();
    await page.waitForSelector(ready, { timeout: 60_000 });
    const requests = await log.settle();
    rows.push(summarize(name, requests));
    if (values.verbose)
      for (const r of requests)
        console.log(
          `  ${name}: ${r.fromCache ? 'cache  ' : 'network'} ${r.status} ${kindOf(r)} ${r.encoding} ${r.bytes} ${r.url}`,
        );
  };
  for (const pass of ['cold cache', 'warm cache']) {
    if (pass === 'warm cache') {
      // The same way again in the same browser: the page loads anew, signed in this time.
      await page.goto('about:blank');
      await log.settle();
      await step('projects (reload)', () => page.goto(`${base}/patching/projects`), 'a.project-link');
    } else {
      await step('sign-in', () => page.goto(`${base}/patching/`), '#login_username');
      await step(
        'projects',
        async () => {
          await page.fill('#login_username', USER);
          await page.fill('#login_password', PASSWORD);
          await page.click('#log_in');
        },
        'a.project-link',
      );
    }
    await step('policies', () => page.click(`a.project-link:text-is("${PROJECT}")`), FIRST_ROWS);
    await step('executions', () => page.click('#tab-executions'), '#execution-list clr-dg-row');
    await step('tasks', () => page.click(`a.execution-link:text-is("${seeded.execution}")`), '#task-list clr-dg-row');
    await step('task', () => page.click(`a.task-link:text-is("${seeded.task}")`), '#task-status [data-status]');
    if (pass === 'cold cache') rows.push(['', '', '', '', '', '', '']);
  }
  console.log(
    'Requests per page (in-app navigation as a user clicks; a new browser context, then the same way again):',
  );
  table(['page', 'requests', 'from network', 'network by kind', 'from cache', 'transferred', 'JS encoding'], rows);
  console.log('');
  await page.close();
  return context;
}

// ---------------------------------------------------------------------------------------------
// Time to the first policy rows.

/** Runs in the page before its scripts: notes when the first policy row enters the DOM. */
function markFirstRows(selector: string): void {
  const w = window as unknown as { __firstRows?: number };
  const observer = new MutationObserver(() => {
    if (w.__firstRows === undefined && document.querySelector(selector)) {
      w.__firstRows = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

interface FirstRows {
  ms: number;
  requests: number;
  /** Main-thread time until then (Chrome's Performance metrics): all tasks, script, style and layout. */
  busy: { tasks: number; script: number; styleLayout: number };
}

async function timeToFirstRows(context: BrowserContext, url: string): Promise<FirstRows> {
  const page = await context.newPage();
  const log = await NetworkLog.attach(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as unknown as { __firstRows?: number }).__firstRows !== undefined, null, {
    timeout: 60_000,
    polling: 50,
  });
  const ms = await page.evaluate(() => (window as unknown as { __firstRows: number }).__firstRows);
  const metrics = new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value * 1000]));
  const busy = {
    tasks: metrics.get('TaskDuration') ?? 0,
    script: metrics.get('ScriptDuration') ?? 0,
    styleLayout: (metrics.get('RecalcStyleDuration') ?? 0) + (metrics.get('LayoutDuration') ?? 0),
  };
  if (values.verbose) {
    const timeline = await page.evaluate(() =>
      performance
        .getEntries()
        .filter((e) => e.entryType === 'resource' || e.entryType === 'navigation')
        .map((e) => {
          const t = e as PerformanceResourceTiming;
          return `${Math.round(t.startTime)}-${Math.round(t.responseEnd)} ms ${t.name.replace(location.origin, '')}`;
        }),
    );
    console.log(`  timeline (first rows at ${Math.round(ms)} ms):\n    ${timeline.join('\n    ')}`);
  }
  const requests = (await log.settle(200)).filter((r) => !r.fromCache).length;
  await page.close();
  return { ms, requests, busy };
}

async function measureFirstRows(browser: Browser, signedIn: BrowserContext, base: string, runs: number) {
  const url = `${base}/patching/projects/${PROJECT}/policies`;
  const state = await signedIn.storageState();
  const newContext = async () => {
    const c = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: state });
    await c.addInitScript(markFirstRows, FIRST_ROWS);
    return c;
  };
  const cold: FirstRows[] = [];
  for (let i = 0; i <= runs; i++) {
    const c = await newContext();
    const r = await timeToFirstRows(c, url);
    await c.close();
    if (i > 0) cold.push(r); // the first is a warm-up: the server's first load of these pages
  }
  const warm: FirstRows[] = [];
  const w = await newContext();
  await timeToFirstRows(w, url);
  for (let i = 0; i < runs; i++) warm.push(await timeToFirstRows(w, url));
  await w.close();
  const row = (name: string, list: FirstRows[]) => {
    const times = list.map((r) => r.ms);
    return [
      name,
      ms(median(times)),
      ms(Math.min(...times)),
      ms(Math.max(...times)),
      String(median(list.map((r) => r.requests))),
      `${ms(median(list.map((r) => r.busy.tasks)))} (script ${ms(median(list.map((r) => r.busy.script)))}, ` +
        `style+layout ${ms(median(list.map((r) => r.busy.styleLayout)))})`,
    ];
  };
  console.log(`Time from navigation start to the first policy rows (${url.replace(base, '')}, ${runs} loads each):`);
  table(
    ['browser cache', 'median', 'min', 'max', 'network requests', 'main thread busy until then (medians)'],
    [row('cold', cold), row('warm', warm)],
  );
  const load = loadavg()[0];
  console.log(
    `  (load average ${load.toFixed(1)} on ${availableParallelism()} cores at the end: wall times grow with it)`,
  );
}

// ---------------------------------------------------------------------------------------------

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);
const ms = (n: number) => `${Math.round(n)} ms`;

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  ensurePortalBuilt();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<FromChild>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the adapter and Harbor stand-in exited (${code})`)));
    child.on('message', (m: FromChild) => {
      if (m.kind === 'ready') resolve(m);
    });
  });
  child.removeAllListeners('exit');
  const browser = await launchChromium();
  try {
    console.log(`adapter (with the Harbor stand-in, child process) at ${ready.url}, portal from ${PORTAL_DIR}\n`);
    const seeded = await seed(ready.url, Number(values.policies));
    await measureInitialJs(ready.url);
    const signedIn = await measureRequestsPerPage(browser, ready.url, seeded);
    await measureFirstRows(browser, signedIn, ready.url, runs);
    await signedIn.close();
  } finally {
    await browser.close();
    child.disconnect();
  }
}

if (values.serve) {
  await serve();
} else {
  await main();
}
