/**
 * Patch throughput: N copies of the sample image patched
 *   (a) by a plain sequential loop of `copa patch` commands against the registry, the way a user would
 *       script it (same package list as the adapter gives copa, no scans),
 *   (b) through the adapter (Harbor stand-in, ad-hoc patch API) with concurrency 1, then 2,
 * all on the same buildkitd. Prints wall times, the ratios, the adapter's own overhead per task
 * (task time outside the copa process: Harbor calls, registry reads, verification, re-scan), and the
 * copa-slot overhead per task (time the task held its buildkitd slot minus copa's own time, from the
 * task log's "copa slot on ... held" line).
 *
 *   npm run bench:patch -- --n 4
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  readAdvisories,
} from '@harbor-patching/oci-testkit';
import { startAdapter } from '@harbor-patching/adapter';

const { values } = parseArgs({ options: { n: { type: 'string', default: '4' } } });
const n = Number(values.n);
if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error('--n must be an integer from 1 to 50');

const run = `bench${Date.now().toString(36)}`;
const robot = { name: 'robot$bench', secret: 'Bench-Secret-1234' };
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');

async function copy(to: string): Promise<void> {
  await execa('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${registryAddr}/${sampleImage}`,
    `docker://${registryAddr}/${to}`,
  ]);
}

/** The same v1alpha1 package list the adapter derives from Harbor's report, built from the advisory file. */
function updateManifest(): string {
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
  const file = join(mkdtempSync(join(tmpdir(), 'hp-bench-')), 'update-manifest.json');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1alpha1',
      metadata: { os: { type: 'debian', version: '12' }, config: { arch: 'amd64' } },
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
  for (const r of repos) {
    const res = await execa(
      copaPath,
      [
        'patch',
        '-i',
        `${registryAddr}/${r}:1.0`,
        '-t',
        `${registryAddr}/${r}:1.0-patched`,
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
      ],
      { reject: false, all: true },
    );
    if (res.exitCode !== 0) throw new Error(`copa failed for ${r}: ${res.all?.slice(-2000)}`);
  }
  return (Date.now() - started) / 1000;
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
): Promise<{ wall: number; overhead: number[]; copa: number[]; slotOverhead: number[] }> {
  const sim = await startHarborSim({
    port: 0,
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
    logLevel: 'silent',
  });
  try {
    const repos = Array.from({ length: n }, (_, i) => `${run}-c${concurrency}-${i}/app`);
    for (const r of repos) await copy(`library/${r}:1.0`);
    const started = Date.now();
    const ids: { execution: number; task: number }[] = [];
    for (const r of repos) {
      const res = await fetch(
        `${adapter.url}/patching/api/v1/projects/library/repositories/${encodeURIComponent(encodeURIComponent(r))}/artifacts/1.0/patch`,
        {
          method: 'POST',
          headers: { authorization: alice, 'content-type': 'application/json' },
          body: '{}',
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

console.log(`patch benchmark: ${n} copies of ${sampleImage}, buildkitd ${buildkitAddr}`);
const loop = await plainLoop();
console.log(`(a) sequential copa loop:          ${s(loop)}  (${s(loop / n)} per image)`);
const c1 = await throughAdapter(1);
console.log(
  `(b) adapter, concurrency 1:        ${s(c1.wall)}  (${s(c1.wall / n)} per image; ratio to loop ${(c1.wall / loop).toFixed(2)})`,
);
console.log(
  `    in copa per task ${s(avg(c1.copa))}, rest of the task (Harbor, registry, waiting for a copa slot) ${s(avg(c1.overhead))} (min ${s(Math.min(...c1.overhead))}, max ${s(Math.max(...c1.overhead))})`,
);
console.log(slotLine(c1.slotOverhead));
const c2 = await throughAdapter(2);
console.log(
  `(b) adapter, concurrency 2:        ${s(c2.wall)}  (${s(c2.wall / n)} per image; ratio to loop ${(c2.wall / loop).toFixed(2)}, to concurrency 1 ${(c2.wall / c1.wall).toFixed(2)})`,
);
console.log(
  `    in copa per task ${s(avg(c2.copa))}, rest of the task (Harbor, registry, waiting for a copa slot) ${s(avg(c2.overhead))} (min ${s(Math.min(...c2.overhead))}, max ${s(Math.max(...c2.overhead))})`,
);
console.log(slotLine(c2.slotOverhead));
