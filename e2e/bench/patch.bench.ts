/**
 * Patch throughput, each side on N fresh copies of the sample image, all on the same buildkitd:
 *   targeted (from the vulnerability report):
 *     (a) a plain sequential loop of `copa patch` commands against the registry, the way a user would
 *         script it (the same package list the adapter gives copa, no scans),
 *     (b) the adapter (Harbor stand-in, ad-hoc patch API) with concurrency 2;
 *   comprehensive (every package updated, no report):
 *     (c) copa's bulk mode, `copa patch --config <file>` (update-all, copa's NumCPU workers, pushed straight
 *         to the registry),
 *     (d) the adapter in comprehensive mode with concurrency = the number of CPUs.
 * Prints wall times, the ratios, and the adapter's own overhead per task (task time outside the copa
 * process: Harbor calls, registry reads, verification, re-scan, waiting for a copa slot) and the copa-slot
 * overhead per task (time the task held its buildkitd slot minus copa's own time, from the task log's
 * "copa slot on ... held" line). The adapter's project has its webhook registered, so Harbor's scan events end the waits for scans. copa's end-of-life lookup goes to an
 * address that refuses at once on every side (`--eol-api-url`; this machine has no internet).
 *
 *   npm run bench:patch -- --n 4
 *
 * With `--platforms 2`, the multi-platform sample (linux/amd64 + linux/386, one index) instead:
 *   (a) through the adapter: one task patches the index, both platforms in one copa run, one patched index;
 *   (b) each platform on its own: two copa runs over the index, each given one platform's report (the other
 *       platform kept as it is), one after the other;
 *   (c) for reference, the linux/amd64 image as a single-platform image (copa patches a single-platform
 *       image only as the host's platform, so the linux/386 image cannot be patched that way);
 * all in one run, on the same buildkitd.
 *
 *   npm run bench:patch -- --platforms 2
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startHarborSim, SERVICE_ROBOT_ACCESS } from '@harbor-patching/harbor-sim';
import {
  advisoriesPath,
  buildkitAddr,
  copaPath,
  registryAddr,
  sampleImage,
  multiarchImage,
  readAdvisories,
  RegistryClient,
} from '@harbor-patching/oci-testkit';
import { startAdapter } from '@harbor-patching/adapter';
import { freePort } from './lib/adapter-process';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '4' },
    platforms: { type: 'string', default: '1' },
    /** Print the first adapter task's log of each adapter run (where its time went). */
    'show-log': { type: 'boolean', default: false },
  },
});
const n = Number(values.n);
if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error('--n must be an integer from 1 to 50');
const platforms = Number(values.platforms);
if (platforms !== 1 && platforms !== 2)
  throw new Error(`--platforms must be 1 (the sample image) or 2 (the ${multiarchImage} index)`);

const run = `bench${Date.now().toString(36)}`;
const cpus = availableParallelism();
/** Nothing listens there: copa's end-of-life lookup fails at once instead of waiting for the internet. */
const eolApiUrl = `http://127.0.0.1:${await freePort()}/`;
const robot = { name: 'robot$bench', secret: 'Bench-Secret-1234' };
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');

async function copy(to: string, from = sampleImage): Promise<void> {
  await execa('skopeo', [
    'copy',
    '--quiet',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${registryAddr}/${from}`,
    `docker://${registryAddr}/${to}`,
  ]);
}

/** The same v1alpha1 package list the adapter derives from Harbor's report, built from the advisory file. */
function updateManifest(arch = 'amd64', dir?: string): string {
  const adv = readAdvisories();
  const seen = new Set<string>();
  const updates = [];
  for (const a of adv.advisories) {
    const key = `${a.package}|${a.cve}`;
    if (seen.has(key)) continue;
    seen.add(key);
    updates.push({
      name: a.package,
      installedVersion: a.installed_version,
      fixedVersion: a.fixed_version,
      vulnerabilityID: a.cve,
    });
  }
  const file = join(dir ?? mkdtempSync(join(tmpdir(), 'hp-bench-')), `update-manifest-${arch}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1alpha1',
      metadata: { os: { type: 'debian', version: '12' }, config: { arch } },
      updates,
    }),
  );
  return file;
}

async function plainLoop(): Promise<number> {
  const repos = Array.from({ length: n }, (_, i) => `library/${run}-loop-${i}/app`);
  for (const r of repos) await copy(`${r}:1.0`);
  const report = updateManifest();
  const started = Date.now();
  for (const r of repos) await copaRun(`${registryAddr}/${r}:1.0`, `${registryAddr}/${r}:1.0-patched`, report);
  return (Date.now() - started) / 1000;
}

/** copa's bulk mode over N copies: one PatchConfig, every image's tag 1.0 to 1.0-patched, update-all. */
async function copaBulk(): Promise<number> {
  // The target repository is target.registry + the image's last path segment: one segment per copy.
  const repos = Array.from({ length: n }, (_, i) => `${run}-bulk-${i}`);
  for (const r of repos) await copy(`library/${r}:1.0`);
  const config = [
    'apiVersion: copa.sh/v1alpha1',
    'kind: PatchConfig',
    'target:',
    `  registry: ${registryAddr}/library`,
    '  tag: "{{ .SourceTag }}-patched"',
    'images:',
    ...repos.flatMap((r) => [
      `  - name: ${r}`,
      `    image: ${registryAddr}/library/${r}`,
      '    tags:',
      '      strategy: list',
      '      list: ["1.0"]',
    ]),
  ].join('\n');
  const file = join(mkdtempSync(join(tmpdir(), 'hp-bench-bulk-')), 'patch-config.yaml');
  writeFileSync(file, config + '\n');
  const started = Date.now();
  const res = await execa(
    copaPath,
    ['patch', '--config', file, '--push', '--addr', buildkitAddr, '--timeout', '10m', '--eol-api-url', eolApiUrl],
    { reject: false, all: true },
  );
  const wall = (Date.now() - started) / 1000;
  if (res.exitCode !== 0) throw new Error(`copa bulk failed: ${res.all?.slice(-3000)}`);
  for (const r of repos) {
    const pushed = await execa('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${registryAddr}/library/${r}:1.0-patched`,
    ]).catch(() => undefined);
    if (!pushed?.stdout) throw new Error(`copa bulk pushed no library/${r}:1.0-patched`);
  }
  return wall;
}

interface TaskView {
  status: string;
  reason: string | null;
  start_time: string;
  end_time: string;
  copa_seconds: number | null;
}

async function throughAdapter(
  concurrency: number,
  mode: 'targeted' | 'comprehensive',
  count = n,
  image = sampleImage,
): Promise<{ wall: number; overhead: number[]; copa: number[]; slotOverhead: number[] }> {
  const sim = await startHarborSim({
    port: 0,
    // copa reads an index through go-containerregistry, which refuses a token realm on a loopback IP.
    externalHostname: 'localhost',
    registryUrl: `http://${registryAddr}`,
    advisoriesFile: advisoriesPath,
    seed: 'demo',
    robots: [
      {
        name: robot.name,
        secret: robot.secret,
        level: 'system',
        permissions: [{ kind: 'project', namespace: '*', access: SERVICE_ROBOT_ACCESS }],
      },
    ],
  });
  const adapter = await startAdapter({
    port: 0,
    harborUrl: sim.url,
    robotName: robot.name,
    robotSecret: robot.secret,
    dataDir: mkdtempSync(join(tmpdir(), 'hp-bench-adapter-')),
    buildkitAddr,
    copaPath,
    concurrency,
    copaEolApiUrl: eolApiUrl,
    webhookSecret: 'Bench-Webhook-Secret-1',
    logLevel: 'silent',
  });
  // Harbor's scan events end the tasks' waits for scans (as in a project whose webhook is registered).
  const hook = await fetch(`${adapter.url}/patching/api/v1/projects/library/webhook`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64') },
  });
  if (hook.status !== 201 && hook.status !== 200) {
    throw new Error(`registering the webhook failed: ${hook.status} ${await hook.text()}`);
  }
  try {
    const repos = Array.from({ length: count }, (_, i) => `${run}-${mode}-c${concurrency}-${i}/app`);
    for (const r of repos) await copy(`library/${r}:1.0`, image);
    const started = Date.now();
    const ids: { execution: number; task: number }[] = [];
    for (const r of repos) {
      const res = await fetch(
        `${adapter.url}/patching/api/v1/projects/library/repositories/${encodeURIComponent(encodeURIComponent(r))}/artifacts/1.0/patch`,
        {
          method: 'POST',
          headers: { authorization: alice, 'content-type': 'application/json' },
          body: JSON.stringify(mode === 'comprehensive' ? { mode } : {}),
        },
      );
      if (res.status !== 202) throw new Error(`patch request failed: ${res.status} ${await res.text()}`);
      ids.push({
        execution: ((await res.json()) as { id: number }).id,
        task: Number(res.headers.get('x-patch-task-id')),
      });
    }
    const tasks: TaskView[] = [];
    const slotOverhead: number[] = [];
    for (const id of ids) {
      const taskUrl = `${adapter.url}/patching/api/v1/projects/library/executions/${id.execution}/tasks/${id.task}`;
      for (;;) {
        const t = (await (await fetch(taskUrl, { headers: { authorization: alice } })).json()) as TaskView;
        if (!['Pending', 'Running'].includes(t.status)) {
          if (t.status !== 'Success') throw new Error(`task ${id.task} ended ${t.status} ${t.reason}`);
          tasks.push(t);
          const log = await (await fetch(`${taskUrl}/log`, { headers: { authorization: alice } })).text();
          for (const m of log.matchAll(/copa slot on \S+ held [0-9.]+ s: copa [0-9.]+ s, overhead ([0-9.]+) s/g))
            slotOverhead.push(Number(m[1]));
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const wall = (Date.now() - started) / 1000;
    if (values['show-log']) {
      const log = await fetch(
        `${adapter.url}/patching/api/v1/projects/library/executions/${ids[0].execution}/tasks/${ids[0].task}/log`,
        { headers: { authorization: alice } },
      );
      const lines = (await log.text()).split('\n').filter((l) => !/^#\d+ /.test(l) && l.trim() !== '');
      console.log(
        `    log of task ${ids[0].task} (copa's build steps left out):\n${lines.map((l) => `      ${l}`).join('\n')}`,
      );
    }
    const copa = tasks.map((t) => t.copa_seconds ?? 0);
    const overhead = tasks.map((t, i) => (Date.parse(t.end_time) - Date.parse(t.start_time)) / 1000 - copa[i]);
    return { wall, overhead, copa, slotOverhead };
  } finally {
    await adapter.close();
    await sim.close();
  }
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const s = (x: number) => `${x.toFixed(1)} s`;
const ms = (x: number) => `${(x * 1000).toFixed(0)} ms`;
const slotLine = (xs: number[]) =>
  `    copa-slot overhead per task (slot held minus copa): mean ${ms(avg(xs))}, max ${ms(Math.max(...xs))} over ${xs.length} copa runs`;

const load = () => loadavg()[0].toFixed(1);
const overheadLine = (r: { copa: number[]; overhead: number[] }) =>
  `    in copa per task ${s(avg(r.copa))}, adapter overhead per task ${s(avg(r.overhead))} (min ${s(Math.min(...r.overhead))}, max ${s(Math.max(...r.overhead))})`;

/** One `copa patch` against the registry (the end-of-life lookup refused at once); answers its wall time. */
async function copaRun(image: string, target: string, report: string): Promise<number> {
  const started = Date.now();
  const res = await execa(
    copaPath,
    [
      'patch',
      '-i',
      image,
      '-t',
      target,
      '--push',
      '--addr',
      buildkitAddr,
      '--timeout',
      '10m',
      '--report',
      report,
      '--scanner',
      'native',
      '--progress',
      'plain',
      '--eol-api-url',
      eolApiUrl,
    ],
    { reject: false, all: true },
  );
  if (res.exitCode !== 0) throw new Error(`copa failed for ${image}: ${res.all?.slice(-2000)}`);
  return (Date.now() - started) / 1000;
}

async function platformsBenchmark(): Promise<void> {
  console.log(`patch benchmark, 2 platforms: ${multiarchImage} (linux/amd64, linux/386), buildkitd ${buildkitAddr}`);
  const index = await throughAdapter(1, 'targeted', 1, multiarchImage);
  console.log(
    `(a) adapter, the index in one task:          ${s(index.wall)}  (in copa ${s(index.copa[0])}, adapter overhead ${s(index.overhead[0])})`,
  );

  const repo = `library/${run}-separate/app`;
  await copy(`${repo}:1.0`, multiarchImage);
  const digest = await new RegistryClient(`http://${registryAddr}`).resolve(repo, '1.0');
  const separate: number[] = [];
  for (const arch of ['amd64', '386']) {
    const dir = mkdtempSync(join(tmpdir(), `hp-bench-${arch}-`));
    updateManifest(arch, dir);
    separate.push(await copaRun(`${registryAddr}/${repo}@${digest}`, `${registryAddr}/${repo}:1.0-${arch}-only`, dir));
  }
  const both = separate[0] + separate[1];
  console.log(
    `(b) copa, each platform in a run of its own: ${s(both)}  (linux/amd64 ${s(separate[0])}, linux/386 ${s(separate[1])}; the index run in copa takes ${(index.copa[0] / both).toFixed(2)} of that)`,
  );

  const single = `library/${run}-single/app`;
  await copy(`${single}:1.0`);
  const amd64 = await copaRun(
    `${registryAddr}/${single}:1.0`,
    `${registryAddr}/${single}:1.0-patched`,
    updateManifest(),
  );
  console.log(
    `(c) copa, linux/amd64 as a single-platform image: ${s(amd64)}  (linux/386 cannot be patched that way: copa patches a single-platform image as the host's platform)`,
  );
}

if (platforms === 2) {
  await platformsBenchmark();
} else {
  console.log(
    `patch benchmark: ${n} copies of ${sampleImage} per side, buildkitd ${buildkitAddr}, ${cpus} CPUs, load average ${load()} (machine shared)`,
  );
  console.log(`copa --eol-api-url ${eolApiUrl} (refuses at once) on every side\n`);
  console.log('targeted (from the report):');
  const loop = await plainLoop();
  console.log(`(a) sequential copa loop:                 ${s(loop)}  (${s(loop / n)} per image)  load ${load()}`);
  const c2 = await throughAdapter(2, 'targeted');
  console.log(`(b) adapter, concurrency 2:               ${s(c2.wall)}  (${s(c2.wall / n)} per image)  load ${load()}`);
  console.log(overheadLine(c2));
  console.log(slotLine(c2.slotOverhead));
  console.log(`    adapter is ${(loop / c2.wall).toFixed(2)}x faster than the loop (target >= 1.5x)\n`);

  console.log('comprehensive (every package, no report):');
  const bulk = await copaBulk();
  console.log(`(c) copa bulk (--config, ${cpus} workers):     ${s(bulk)}  (${s(bulk / n)} per image)  load ${load()}`);
  const cc = await throughAdapter(cpus, 'comprehensive');
  console.log(
    `(d) adapter, concurrency ${cpus}:               ${s(cc.wall)}  (${s(cc.wall / n)} per image)  load ${load()}`,
  );
  console.log(overheadLine(cc));
  console.log(slotLine(cc.slotOverhead));
  console.log(`    adapter wall / bulk wall: ${(cc.wall / bulk).toFixed(2)}x (target <= 1.10x)`);
}
