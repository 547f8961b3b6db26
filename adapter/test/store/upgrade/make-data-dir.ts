/**
 * Writes a data directory the way a running release leaves it, for the upgrade test of the releases after
 * it: policies of every trigger kind (one disabled), a manual policy run, an ad-hoc patch, a jobservice
 * job and a Harbor webhook event that started an event-based run, with their tasks and task logs. None of
 * it needs copa (the tasks end NOTHING_FIXABLE or UNSUPPORTED_OS).
 *   OUT/data/       the data directory (PATCHING_DATA_DIR): patching.db and task-logs/
 *   OUT/api.json    what this release's API answered about all of it, which later releases must still answer
 *
 * Run it on the commit of the release (the stack and fixtures up, HP_* from e2e/scripts/env.sh):
 *   node --import tsx adapter/test/store/upgrade/make-data-dir.ts adapter/test/store/upgrade/release-<version>
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startHarborSim, serviceRobot } from '@harbor-patching/harbor-sim';
import { advisoriesPath, buildkitAddr, copaPath, registryUrl } from '@harbor-patching/oci-testkit';
import { startAdapter } from '../../../src/app';
import { pushTinyImage, unique, waitFor } from '../../patch/helpers';

const out = resolve(process.argv[2] ?? '');
if (!process.argv[2]) throw new Error('usage: make-data-dir.ts OUT_DIR');
const ROBOT = { name: 'robot$upgrade', secret: 'Upgrade-Robot-Secret-1' };
const WEBHOOK_SECRET = 'Upgrade-Webhook-Secret-1';
const JOBSERVICE_SECRET = 'Upgrade-Jobservice-Secret-1';
const admin = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const sim = await startHarborSim({
  port: 0,
  registryUrl,
  advisoriesFile: advisoriesPath,
  seed: 'demo',
  scanDelayMs: 50,
  robots: [serviceRobot(ROBOT.name, ROBOT.secret)],
});
const adapter = await startAdapter({
  port: 0,
  harborUrl: sim.url,
  robotName: ROBOT.name,
  robotSecret: ROBOT.secret,
  webhookSecret: WEBHOOK_SECRET,
  jobserviceSecret: JOBSERVICE_SECRET,
  dataDir: join(out, 'data'),
  buildkitAddr,
  copaPath,
  logLevel: 'warn',
});
const api = `${adapter.url}/patching/api/v1/projects/library`;

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { authorization: admin, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
}

async function settled(): Promise<{ id: number; status: string }[]> {
  return waitFor('every execution to end', async () => {
    const list = (await call('GET', `${api}/executions?page_size=100`)) as { id: number; status: string }[];
    return list.every((e) => !['Pending', 'Running'].includes(e.status)) ? list : undefined;
  });
}

try {
  // Images: one with nothing fixable, one whose OS copa cannot patch (a fixable package, Plan 9's os-release).
  const repo = `upgrade-${unique('data')}`;
  const first = (
    JSON.parse(readFileSync(advisoriesPath, 'utf8')) as { advisories: { package: string; installed_version: string }[] }
  ).advisories[0];
  await pushTinyImage(`library/${repo}/plain`, '1.0', { 'hello.txt': 'hello\n' });
  await pushTinyImage(`library/${repo}/plan9`, '1.0', {
    'etc/os-release': 'ID=plan9\nVERSION_ID=4\nPRETTY_NAME="Plan 9"\n',
    'var/lib/dpkg/status': `Package: ${first.package}\nStatus: install ok installed\nVersion: ${first.installed_version}\nArchitecture: amd64\n\n`,
  });

  await sim.scan('library', `${repo}/plain`, '1.0');
  await sim.scan('library', `${repo}/plan9`, '1.0');

  const manual = (await call('POST', `${api}/policies`, {
    name: 'upgrade-manual',
    description: 'every image of the upgrade repositories',
    filters: [{ type: 'repository', value: `library/${repo}/**`, decoration: 'matches', syntax: 'glob' }],
    trigger: { type: 'manual' },
    severity_threshold: 'None',
  })) as { id: number };
  await call('POST', `${api}/policies`, {
    name: 'upgrade-nightly',
    filters: [
      { type: 'repository', value: 'library/.*', decoration: 'matches', syntax: 'regex' },
      { type: 'tag', value: '*-rc*', decoration: 'excludes', syntax: 'glob' },
    ],
    trigger: { type: 'scheduled', cron: '0 30 2 * * *' },
    severity_threshold: 'High',
    mode: 'comprehensive',
    tag_scheme: 'incremental',
    tag_suffix: 'fixed',
    options: { rescan: true, copy_labels: true, delete_original: false },
  });
  const onScan = (await call('POST', `${api}/policies`, {
    name: 'upgrade-on-scan',
    filters: [{ type: 'repository', value: `library/${repo}/plan9`, decoration: 'matches', syntax: 'glob' }],
    trigger: { type: 'event_based' },
    severity_threshold: 'Low',
  })) as { id: number };
  const disabled = (await call('POST', `${api}/policies`, { name: 'upgrade-disabled' })) as { id: number };
  await call('POST', `${api}/policies/${disabled.id}/disable`);

  await call('POST', `${api}/policies/${manual.id}/executions`);
  await settled();
  const enc = encodeURIComponent(encodeURIComponent(`${repo}/plain`));
  await call('POST', `${api}/repositories/${enc}/artifacts/1.0/patch`, {});
  await settled();
  const launched = (await call(
    'POST',
    `${adapter.url}/api/v1/jobs`,
    {
      job: {
        name: 'IMAGE_PATCH',
        parameters: { project_name: 'library', repository: `${repo}/plain`, tag: '1.0' },
        metadata: { kind: 'Generic', unique: false },
      },
    },
    { authorization: `Harbor-Secret ${JOBSERVICE_SECRET}` },
  )) as { job: { id: string } };
  await settled();
  // Harbor's webhook policy for this service, then a scan: Harbor sends SCANNING_COMPLETED, the
  // event-based policy runs.
  await call('POST', `${api}/webhook`);
  await sim.scan('library', `${repo}/plan9`, '1.0');
  await sim.waitForWebhooks();
  await waitFor('the event-based run', async () => {
    const list = (await call('GET', `${api}/executions?page_size=100`)) as { policy_id?: number }[];
    return list.some((e) => e.policy_id === onScan.id) || undefined;
  });
  const executions = await settled();

  const answers: Record<string, unknown> = {
    policies: await call('GET', `${api}/policies?page_size=100`),
    executions,
    webhook: await call('GET', `${api}/webhook`),
    [`jobs/${launched.job.id}`]: await call('GET', `${adapter.url}/api/v1/jobs/${launched.job.id}`, undefined, {
      authorization: `Harbor-Secret ${JOBSERVICE_SECRET}`,
    }),
  };
  for (const e of executions) {
    const tasks = (await call('GET', `${api}/executions/${e.id}/tasks?page_size=100`)) as { id: number }[];
    answers[`executions/${e.id}/tasks`] = tasks;
    for (const t of tasks)
      answers[`executions/${e.id}/tasks/${t.id}/log`] = await call(
        'GET',
        `${api}/executions/${e.id}/tasks/${t.id}/log`,
      );
  }
  writeFileSync(join(out, 'api.json'), `${JSON.stringify(answers, null, 2)}\n`);
} finally {
  await adapter.close();
  await sim.close();
}
console.log(`data directory written to ${out}`);
