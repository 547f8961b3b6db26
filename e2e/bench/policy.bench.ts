/**
 * Policy evaluation against a Harbor-like listing cost: the Harbor stand-in (a child process) holds one
 * project of `--repositories` x `--artifacts` (scale mode) and answers every API request after
 * `--latency-ms` (default 300 ms, about what a real Harbor takes for a page of 100 artifacts with tags,
 * labels and scan overviews). In one run it measures
 *   (a) a bare paged listing of the project: repositories page by page, every repository's artifacts
 *       (the same query the evaluation sends), `--concurrency` requests at a time;
 *   (b) the adapter's dry-run preview of a policy without filters over the same project (the walk a policy
 *       run makes), through its API, with the same request concurrency;
 * and prints both walls and their ratio, the Harbor requests of each (the evaluation's extra requests are
 * full reports read for artifacts whose scan summary cannot decide the threshold), and the adapter's peak
 * resident memory (its own process, the release build when it can be built, else tsx: printed).
 *
 * Each severity threshold in `--threshold` is one evaluation: "None" is decided from the listing alone (every
 * summary decides), "High" also reads the full report of the artifacts whose summary cannot tell whether a
 * fixable vulnerability reaches High.
 *
 *   npm run bench:policy [-- --repositories 200 --artifacts 100 --latency-ms 300 --threshold None,High --concurrency 4]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decideFromSummary, scanFacts } from '@harbor-patching/adapter';
import { startAdapterProcess } from './lib/adapter-process';

const ROBOT = { name: 'robot$bench', secret: 'Bench-Secret-1' };
const ADMIN = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

const { values } = parseArgs({
  options: {
    'serve-sim': { type: 'boolean', default: false },
    repositories: { type: 'string', default: '200' },
    artifacts: { type: 'string', default: '100' },
    'latency-ms': { type: 'string', default: '300' },
    threshold: { type: 'string', default: 'None,High' },
    concurrency: { type: 'string', default: '4' },
    /**
     * Node.js/V8 flags for the adapter process beside the image's own (memory experiments), e.g.
     * --node-options="--max-old-space-size=96". The image's ENTRYPOINT flags are always used.
     */
    'node-options': { type: 'string', default: '' },
  },
  allowPositionals: true,
});
const concurrency = Number(values.concurrency);
const latencyMs = Number(values['latency-ms']);

type ToChild = { kind: 'count' };
type FromChild =
  { kind: 'ready'; url: string; project: string; artifacts: number; ms: number } | { kind: 'count'; value: number };

async function serveSim(): Promise<void> {
  const { startHarborSim, SERVICE_ROBOT_ACCESS } = await import('@harbor-patching/harbor-sim');
  const sim = await startHarborSim({
    port: 0,
    seed: 'empty',
    latencyMs,
    robots: [
      {
        name: ROBOT.name,
        secret: ROBOT.secret,
        level: 'system',
        permissions: [{ kind: 'project', namespace: '*', access: SERVICE_ROBOT_ACCESS }],
      },
    ],
  });
  const seeded = sim.seedScale({
    projects: 1,
    repositories: Number(values.repositories),
    artifactsPerRepository: Number(values.artifacts),
    projectPrefix: 'bench',
  });
  process.on('message', (m: ToChild) => {
    if (m.kind === 'count') process.send!({ kind: 'count', value: sim.requestCount() } satisfies FromChild);
  });
  process.on('disconnect', () => {
    void sim.close().then(() => process.exit(0));
  });
  process.send!({
    kind: 'ready',
    url: sim.url,
    project: seeded.projects[0].name,
    artifacts: seeded.artifacts,
    ms: seeded.ms,
  } satisfies FromChild);
}

function ask(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: FromChild) => {
      if (m.kind !== 'count') return;
      child.off('message', onMessage);
      resolve(m.value);
    };
    child.on('message', onMessage);
    child.send({ kind: 'count' } satisfies ToChild);
  });
}

const robotAuth = 'Basic ' + Buffer.from(`${ROBOT.name}:${ROBOT.secret}`).toString('base64');

type ListedArtifact = { tags?: { name: string }[] | null; scan_overview?: Parameters<typeof scanFacts>[0] };

/** Every page of a Harbor list, as the adapter asks for it (page_size 100, stop on a short page or the total). */
async function listAll(
  base: string,
  path: string,
  query: Record<string, string>,
  onItems: (items: ListedArtifact[]) => void,
): Promise<number> {
  let requests = 0;
  for (let page = 1; ; page++) {
    const q = new URLSearchParams({ ...query, page: String(page), page_size: '100' });
    const res = await fetch(`${base}/api/v2.0${path}?${q}`, {
      headers: {
        authorization: robotAuth,
        'X-Accept-Vulnerabilities':
          'application/vnd.security.vulnerability.report; version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
      },
    });
    requests++;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    const items = (await res.json()) as ListedArtifact[];
    onItems(items);
    const total = Number(res.headers.get('x-total-count'));
    if (items.length < 100 || page * 100 >= total) return requests;
  }
}

/**
 * (a) The bare listing: repositories page by page, artifacts of `concurrency` repositories at a time.
 * `undecidable` counts, per threshold, the tagged artifacts whose scan summary cannot decide it (the most
 * full reports an evaluation may read).
 */
async function bareListing(base: string, project: string, undecidable: Map<string, number>): Promise<number> {
  let requests = 0;
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const q = new URLSearchParams({ sort: 'name', page: String(page), page_size: '100' });
    const res = await fetch(`${base}/api/v2.0/projects/${project}/repositories?${q}`, {
      headers: { authorization: robotAuth },
    });
    requests++;
    const items = (await res.json()) as { name: string }[];
    names.push(...items.map((r) => r.name));
    if (items.length < 100 || page * 100 >= Number(res.headers.get('x-total-count'))) break;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++].slice(project.length + 1);
        const n = await listAll(
          base,
          `/projects/${project}/repositories/${encodeURIComponent(encodeURIComponent(name))}/artifacts`,
          { with_tag: 'true', with_label: 'true', with_scan_overview: 'true', sort: '-push_time', q: 'tags=*' },
          (items) => {
            for (const a of items) {
              const facts = scanFacts(a.scan_overview);
              if (!facts || facts.scan_status !== 'Success' || !a.tags?.length) continue;
              for (const t of undecidable.keys()) {
                if (decideFromSummary(facts, t).kind === 'NEED_REPORT') undecidable.set(t, undecidable.get(t)! + 1);
              }
            }
          },
        );
        requests += n;
      }
    }),
  );
  return requests;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-sim', ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Extract<FromChild, { kind: 'ready' }>>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the Harbor stand-in exited (${code})`)));
    child.on('message', (m: FromChild) => {
      if (m.kind === 'ready') resolve(m);
    });
  });
  const adapter = await startAdapterProcess(
    {
      PATCHING_HARBOR_URL: ready.url,
      PATCHING_ROBOT_NAME: ROBOT.name,
      PATCHING_ROBOT_SECRET: ROBOT.secret,
      PATCHING_DATA_DIR: mkdtempSync(join(tmpdir(), 'hp-bench-policy-')),
      PATCHING_HARBOR_TIMEOUT_MS: '120000',
    },
    { nodeArgs: values['node-options']!.split(/\s+/).filter(Boolean) },
  );
  try {
    console.log(
      `Harbor stand-in (child process) at ${ready.url}: project ${ready.project}, ${values.repositories} repositories x ${values.artifacts} artifacts = ${ready.artifacts} artifacts (seeded in ${Math.round(ready.ms)} ms), ${latencyMs} ms per request`,
    );
    console.log(`adapter: ${adapter.runtime}, pid ${adapter.pid}, rss after start ${mb(adapter.rss())}`);
    console.log(`request concurrency ${concurrency} for both; severity threshold ${values.threshold}\n`);

    const preview = async (threshold: string) => {
      const res = await fetch(`${adapter.url}/patching/api/v1/projects/${ready.project}/policies/preview?limit=50`, {
        method: 'POST',
        headers: { authorization: ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ filters: [], severity_threshold: threshold }),
      });
      if (res.status !== 200) throw new Error(`preview: ${res.status} ${await res.text()}`);
      return (await res.json()) as {
        counts: { candidates: number; excluded: number; artifacts_listed: number; by_reason: Record<string, number> };
        harbor_requests: number;
      };
    };

    // Sign-in checks (who the caller is, project admin) are cached by the adapter (PATCHING_AUTH_CACHE_SECONDS,
    // 10 s): warmed right before each evaluation, as a portal user's are while editing a policy.
    const warmSignIn = async () => {
      const warm = await fetch(`${adapter.url}/patching/api/v1/projects/${ready.project}/policies`, {
        headers: { authorization: ADMIN },
      });
      if (warm.status !== 200) throw new Error(`listing policies: ${warm.status} ${await warm.text()}`);
    };

    const thresholds = values.threshold!.split(',');
    const undecidable = new Map(thresholds.map((t) => [t, 0]));
    let before = await ask(child);
    let started = performance.now();
    const bareRequests = await bareListing(ready.url, ready.project, undecidable);
    const bareWall = (performance.now() - started) / 1000;
    const bareServed = (await ask(child)) - before;
    console.log(
      `(a) bare paged listing:              ${bareWall.toFixed(2)} s, ${bareRequests} Harbor requests (stand-in served ${bareServed})`,
    );

    let failed = 0;
    for (const threshold of thresholds) {
      await warmSignIn();
      before = await ask(child);
      const cpuBefore = adapter.cpuSeconds();
      started = performance.now();
      const p = await preview(threshold);
      const evalWall = (performance.now() - started) / 1000;
      const evalServed = (await ask(child)) - before;
      const cpu = adapter.cpuSeconds() - cpuBefore;
      const extra = p.harbor_requests - bareRequests;
      const reasons = Object.entries(p.counts.by_reason)
        .filter(([, n]) => n > 0)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      console.log(
        `(b) evaluation, threshold ${threshold.padEnd(8)}   ${evalWall.toFixed(2)} s, ${p.harbor_requests} Harbor requests (stand-in served ${evalServed}, sign-in checks cached)`,
      );
      console.log(
        `    ${p.counts.artifacts_listed} artifacts listed, ${p.counts.candidates} candidates; left out: ${reasons}`,
      );
      const maxRequests = bareRequests + undecidable.get(threshold)!;
      const ratio = evalWall / bareWall;
      // Full reports are extra requests the bare listing does not make: the wall target is for the walk that
      // needs none (the summary decides), the request target for every threshold.
      const wallTarget = extra === 0 ? 1.05 : undefined;
      console.log(
        `    Harbor requests: ${p.harbor_requests} = ${bareRequests} listing pages + ${extra} full reports  (target <= ${maxRequests}: one per page + one per artifact whose summary cannot decide ${threshold}, ${undecidable.get(threshold)})`,
      );
      console.log(
        `    wall ratio evaluation / listing: ${ratio.toFixed(3)}x  (${wallTarget ? `target <= ${wallTarget}x` : `no target: ${extra} full reports beside the listing`}); adapter CPU ${cpu.toFixed(1)} s`,
      );
      if (extra < 0) {
        console.error('the evaluation made fewer requests than the listing: it did not list every page');
        process.exitCode = 1;
      }
      if (p.harbor_requests > maxRequests || (wallTarget && ratio > wallTarget)) failed++;
    }
    const peak = adapter.peakRss();
    console.log(`adapter peak rss over the run: ${mb(peak)} (${adapter.runtime})  (target <= 150 MB)`);
    if (peak > 150 * 1024 * 1024) failed++;
    console.log(
      failed === 0
        ? 'all targets met'
        : `${failed} target(s) missed (the wall ratio is noisy on a loaded machine: see uptime)`,
    );
  } finally {
    await adapter.close();
    child.disconnect();
  }
}

if (values['serve-sim']) {
  await serveSim();
} else {
  await main();
}
