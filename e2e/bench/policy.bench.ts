/**
 * Policy evaluation benchmark: the dry-run preview (the same walk a policy run makes) over the
 * Harbor stand-in in scale mode, 1,000 repositories x 100 artifacts, for a policy matching 1% of the
 * repositories and one matching 50% (plus one without filters for reference).
 * The stand-in runs in a child process, so the numbers measure the adapter's side alone.
 *
 *   npm run bench:policy [-- --repositories 1000 --artifacts 100 --threshold High --concurrency 4]
 *
 * Prints wall time, Harbor requests (counted by the adapter and checked against the stand-in),
 * artifacts judged per second and peak memory (rss and heap, sampled every 10 ms).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NormalizedFilter, SeverityThreshold } from '@harbor-patching/shared/policy/model';

const ROBOT = { name: 'robot$bench', secret: 'Bench-Secret-1' };

const { values } = parseArgs({
  options: {
    'serve-sim': { type: 'boolean', default: false },
    repositories: { type: 'string', default: '1000' },
    artifacts: { type: 'string', default: '100' },
    threshold: { type: 'string', default: 'High' },
    concurrency: { type: 'string', default: '4' },
  },
  allowPositionals: true,
});

type ToChild = { kind: 'count' };
type FromChild =
  { kind: 'ready'; url: string; project: string; artifacts: number; ms: number } | { kind: 'count'; value: number };

async function serveSim(): Promise<void> {
  const { startHarborSim, SERVICE_ROBOT_ACCESS } = await import('@harbor-patching/harbor-sim');
  const sim = await startHarborSim({
    port: 0,
    seed: 'empty',
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

interface Peak {
  rss: number;
  heap: number;
}

function sampleMemory(): { stop(): Peak } {
  const peak: Peak = { rss: 0, heap: 0 };
  const take = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  take();
  const timer = setInterval(take, 10);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const { HarborClient, previewPolicy } = await import('@harbor-patching/adapter');

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
  const repos = Number(values.repositories);
  const threshold = values.threshold as SeverityThreshold;
  console.log(
    `Harbor stand-in (child process) at ${ready.url}: project ${ready.project}, ${repos} repositories x ${values.artifacts} artifacts = ${ready.artifacts} artifacts (seeded in ${Math.round(ready.ms)} ms)`,
  );
  console.log(
    `severity threshold: ${threshold}; Harbor page size 100; ${values.concurrency} repositories walked concurrently\n`,
  );

  const client = new HarborClient(ready.url, { kind: 'basic', username: ROBOT.name, password: ROBOT.secret }, 60_000);
  // Repositories are named <project>/app-0000 ... app-0999: "app-000?" is 10 of them (1% of 1,000),
  // "app-0[0-4]xx" 500 (50%).
  const cases: { name: string; filters: NormalizedFilter[] }[] = [
    {
      name: '~1% of repositories (glob)',
      filters: [{ type: 'repository', value: `${ready.project}/app-000?`, syntax: 'glob', decoration: 'matches' }],
    },
    {
      name: '~50% of repositories (regex)',
      filters: [
        { type: 'repository', value: `${ready.project}/app-0[0-4][0-9][0-9]`, syntax: 'regex', decoration: 'matches' },
      ],
    },
    { name: '100% (no filter, reference)', filters: [] },
  ];

  // Warm-up (not measured): both processes compile their hot paths on a first walk of 100 repositories.
  await previewPolicy(
    client,
    ready.project,
    {
      filters: [{ type: 'repository', value: `${ready.project}/app-09??`, syntax: 'glob', decoration: 'matches' }],
      severity_threshold: threshold,
      tag_suffix: 'patched',
    },
    { limit: 0, concurrency: Number(values.concurrency) },
  );

  const rows: string[][] = [];
  for (const c of cases) {
    global.gc?.();
    const before = await ask(child);
    const memory = sampleMemory();
    const baseline = process.memoryUsage();
    const started = performance.now();
    const preview = await previewPolicy(
      client,
      ready.project,
      { filters: c.filters, severity_threshold: threshold, tag_suffix: 'patched' },
      { limit: 50, concurrency: Number(values.concurrency) },
    );
    const seconds = (performance.now() - started) / 1000;
    const peak = memory.stop();
    const served = (await ask(child)) - before;
    const judged = preview.counts.candidates + preview.counts.excluded - preview.counts.by_reason.FILTERED_REPOSITORY;
    if (served !== preview.harbor_requests) {
      console.error(
        `request count mismatch: adapter counted ${preview.harbor_requests}, the stand-in served ${served}`,
      );
      process.exitCode = 1;
    }
    rows.push([
      c.name,
      `${seconds.toFixed(2)} s`,
      String(preview.harbor_requests),
      String(preview.counts.repositories_matched),
      String(judged),
      String(preview.counts.candidates),
      `${Math.round(judged / seconds)}/s`,
      `${mb(peak.rss)} (+${mb(peak.rss - baseline.rss)})`,
      `${mb(peak.heap)} (+${mb(Math.max(0, peak.heap - baseline.heapUsed))})`,
    ]);
    const reasons = Object.entries(preview.counts.by_reason)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    console.log(`${c.name}: ${preview.counts.candidates} candidates; left out: ${reasons}`);
  }
  const header = [
    'policy',
    'wall',
    'Harbor requests',
    'repos matched',
    'artifacts judged',
    'candidates',
    'artifacts/s',
    'peak rss',
    'peak heap',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
  console.log(
    '\n"artifacts judged" counts artifacts of matched repositories (untagged ones counted per repository, not listed).',
  );
  child.disconnect();
}

if (values['serve-sim']) {
  await serveSim();
} else {
  await main();
}
