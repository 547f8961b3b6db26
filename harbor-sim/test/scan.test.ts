import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIME_NATIVE_10, MIME_NATIVE_11, startHarborSim, type HarborSim } from '../src/index';
import { compareDebianVersions } from '@harbor-patching/shared/debversion';
import {
  advisoriesPath,
  debianImage,
  dpkgStatus,
  ensureRegistry,
  layer,
  readAdvisories,
  RegistryClient,
  registryUrl as sharedRegistry,
  sampleImage,
  unique,
} from '@harbor-patching/oci-testkit';
import { LayerCache, readImageFiles } from '../src/scanner';
import { basic, json, waitFor } from './helpers';

let sim: HarborSim;
let dir: string;
let project: string;
let registry: string;
const admin = { authorization: basic('admin', 'Harbor12345') };

const advisories = {
  schema: 1,
  generated_at: new Date().toISOString(),
  source: 'test',
  image: 'test',
  advisories: [
    {
      package: 'libssl3',
      source_package: 'openssl',
      installed_version: '3.0.11-1~deb12u2',
      fixed_version: '3.0.15-1~deb12u1',
      cve: 'CVE-2024-0001',
      severity: 'High',
      title: 'ssl bug',
    },
    {
      package: 'libssl3',
      source_package: 'openssl',
      installed_version: '3.0.11-1~deb12u2',
      fixed_version: '3.0.11-1~deb12u3',
      cve: 'CVE-2024-0002',
      severity: 'Critical',
      title: 'ssl bug 2',
    },
    {
      package: 'zlib1g',
      source_package: 'zlib',
      installed_version: '1:1.2.13.dfsg-1',
      fixed_version: '1:1.2.13.dfsg-2',
      cve: 'CVE-2024-0003',
      severity: 'Medium',
      title: 'zlib bug',
    },
    {
      package: 'bash',
      source_package: 'bash',
      installed_version: '5.2.15-2',
      fixed_version: '5.2.15-2',
      cve: 'CVE-2024-0004',
      severity: 'Low',
      title: 'already fixed',
    },
    {
      package: 'curl',
      source_package: 'curl',
      installed_version: '7.88.1-10',
      fixed_version: '7.88.1-10+deb12u1',
      cve: 'CVE-2024-0005',
      severity: 'Low',
      title: 'not installed',
    },
  ],
};

type Summary = {
  report_id: string;
  scan_status: string;
  severity: string;
  summary?: { total: number; fixable: number; summary: Record<string, number> };
  complete_percent: number;
};
type Report = {
  severity: string;
  vulnerabilities: { id: string; package: string; version: string; fix_version: string; severity: string }[];
};

before(async () => {
  registry = await ensureRegistry();
  dir = await mkdtemp(join(tmpdir(), 'harbor-sim-scan-'));
  await writeFile(join(dir, 'advisories.json'), JSON.stringify(advisories));
  sim = await startHarborSim({
    registryUrl: registry,
    advisoriesFile: join(dir, 'advisories.json'),
    scanDelayMs: 300,
    webhookRetryDelayMs: 20,
  });
  project = unique('scan');
  sim.addProject(project);
  const c = new RegistryClient(registry);
  const pkgs = [
    { name: 'libssl3', version: '3.0.11-1~deb12u2' },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
    { name: 'bash', version: '5.2.15-2' },
    { name: 'curl', version: '7.88.1-10', status: 'deinstall ok config-files' },
  ];
  await c.pushImage(`${project}/app`, '1.0', await debianImage(pkgs));
  // Upper layer upgrades libssl3 past one fix: the last layer's status file wins.
  const upgraded = await layer([
    {
      path: './var/lib/dpkg/status',
      content: dpkgStatus([
        { name: 'libssl3', version: '3.0.11-1~deb12u3' },
        { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
      ]),
    },
  ]);
  await c.pushImage(`${project}/app`, '1.1', await debianImage(pkgs, [upgraded]));
  // Upper layer deletes the status file with a whiteout: no packages are known any more.
  const whiteout = await layer([{ path: 'var/lib/dpkg/.wh.status', content: '' }]);
  await c.pushImage(`${project}/app`, '1.2', await debianImage(pkgs, [whiteout]));
  const opaque = await layer([
    { path: 'var/lib/dpkg/.wh..wh..opq', content: '' },
    { path: 'var/lib/dpkg/status', content: dpkgStatus([{ name: 'zlib1g', version: '1:1.2.13.dfsg-1' }]) },
  ]);
  await c.pushImage(`${project}/app`, '1.3', await debianImage(pkgs, [opaque]));
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.url}/api/v2.0${path}`, { ...init, headers: { ...admin, ...(init.headers as Record<string, string>) } });

async function scanAndWait(repo: string, tag: string): Promise<Summary> {
  const res = await api(`/projects/${project}/repositories/${repo}/artifacts/${tag}/scan`, { method: 'POST' });
  assert.equal(res.status, 202);
  return waitFor(
    async () => {
      const art = await json<{ scan_overview?: Record<string, Summary> }>(
        await api(`/projects/${project}/repositories/${repo}/artifacts/${tag}?with_scan_overview=true`),
      );
      const s = art.scan_overview?.[MIME_NATIVE_11];
      return s && (s.scan_status === 'Success' || s.scan_status === 'Error') ? s : undefined;
    },
    15000,
    `scan of ${repo}:${tag}`,
  );
}

const report = async (repo: string, tag: string, accept?: string) => {
  const res = await api(
    `/projects/${project}/repositories/${repo}/artifacts/${tag}/additions/vulnerabilities`,
    accept ? { headers: { 'X-Accept-Vulnerabilities': accept } } : {},
  );
  assert.equal(res.status, 200);
  return json<Record<string, Report>>(res);
};

describe('scanning synthetic images', () => {
  test('POST scan goes Pending/Running then Success with a report from the dpkg status', async () => {
    const res = await api(`/projects/${project}/repositories/app/artifacts/1.0/scan`, { method: 'POST' });
    assert.equal(res.status, 202);
    // Like Harbor, a second request while the report is not final is a conflict.
    const again = await api(`/projects/${project}/repositories/app/artifacts/1.0/scan`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.match(
      (await json<{ errors: { code: string; message: string }[] }>(again)).errors[0].message,
      /^a previous scan process is (Pending|Running)$/,
    );
    const seen = new Set<string>();
    const final = await waitFor(async () => {
      const art = await json<{ scan_overview?: Record<string, Summary> }>(
        await api(`/projects/${project}/repositories/app/artifacts/1.0?with_scan_overview=true`),
      );
      const s = art.scan_overview![MIME_NATIVE_11];
      seen.add(s.scan_status);
      return s.scan_status === 'Success' ? s : undefined;
    });
    assert.ok(seen.has('Pending') || seen.has('Running'), `saw ${[...seen]}`);
    assert.equal(final.severity, 'Critical');
    assert.deepEqual(final.summary, { total: 3, fixable: 3, summary: { High: 1, Critical: 1, Medium: 1 } });
    assert.equal(final.complete_percent, 100);
    const body = await report('app', '1.0');
    const r = body[MIME_NATIVE_11];
    assert.deepEqual(r.vulnerabilities.map((v) => `${v.id}:${v.package}:${v.version}:${v.fix_version}`).sort(), [
      'CVE-2024-0001:libssl3:3.0.11-1~deb12u2:3.0.15-1~deb12u1',
      'CVE-2024-0002:libssl3:3.0.11-1~deb12u2:3.0.11-1~deb12u3',
      'CVE-2024-0003:zlib1g:1:1.2.13.dfsg-1:1:1.2.13.dfsg-2',
    ]);
    const log = await api(`/projects/${project}/repositories/app/artifacts/1.0/scan/${final.report_id}/log`);
    assert.equal(log.status, 200);
    assert.match(await log.text(), /found 3 vulnerabilities/);
  });

  test('the last layer wins, whiteouts and opaque directories hide lower status files', async () => {
    const upgraded = await scanAndWait('app', '1.1');
    assert.equal(upgraded.summary!.total, 2, 'the deb12u3 upgrade fixed one libssl3 CVE');
    assert.equal(upgraded.severity, 'High');
    const whited = await scanAndWait('app', '1.2');
    assert.equal(whited.summary!.total, 0);
    assert.equal(whited.severity, 'None');
    const opaque = await scanAndWait('app', '1.3');
    assert.deepEqual(opaque.summary!.summary, { Medium: 1 });
  });

  test('a layer is analysed once: a later image that shares it has only its own layers read', async () => {
    const c = new RegistryClient(registry);
    const read: string[] = [];
    const counting = Object.create(c, {
      layerStream: {
        value: (repo: string, l: { digest: string }) => (read.push(l.digest), c.layerStream(repo, l as never)),
      },
    }) as RegistryClient;
    const cache = new LayerCache();
    const [base, upgraded] = await Promise.all(['1.0', '1.1'].map((t) => c.manifest(`${project}/app`, t)));
    const baseLayers = base!.manifest.layers!;
    const upgradedLayers = upgraded!.manifest.layers!;
    const first = await readImageFiles(counting, `${project}/app`, baseLayers, cache);
    const second = await readImageFiles(counting, `${project}/app`, upgradedLayers, cache);
    assert.deepEqual(read, [...baseLayers.map((l) => l.digest), upgradedLayers.at(-1)!.digest]);
    assert.match(first.dpkgStatus!, /Version: 3\.0\.11-1~deb12u2/);
    assert.match(second.dpkgStatus!, /Version: 3\.0\.11-1~deb12u3/, 'the upper layer still wins over a kept one');
    assert.doesNotMatch(second.dpkgStatus!, /bash/);
  });

  test('X-Accept-Vulnerabilities keeps only the two Harbor MIME types', async () => {
    assert.deepEqual(Object.keys(await report('app', '1.0', MIME_NATIVE_10)), [MIME_NATIVE_10]);
    assert.deepEqual(Object.keys(await report('app', '1.0', `text/plain, ${MIME_NATIVE_11}`)), [MIME_NATIVE_11]);
    assert.deepEqual(Object.keys(await report('app', '1.0', 'application/json')), [MIME_NATIVE_10]);
    const art = await json<{ scan_overview: Record<string, Summary> }>(
      await api(`/projects/${project}/repositories/app/artifacts/1.0?with_scan_overview=true`, {
        headers: { 'X-Accept-Vulnerabilities': MIME_NATIVE_10 },
      }),
    );
    assert.deepEqual(Object.keys(art.scan_overview), [MIME_NATIVE_10]);
  });

  test('a failing scan ends in Error and fires SCANNING_FAILED; developers may not scan', async () => {
    const received: unknown[] = [];
    const { createServer } = await import('node:http');
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const address = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    sim.addWebhookPolicy(project, { address, events: ['SCANNING_FAILED', 'SCANNING_COMPLETED'] });
    sim.failNextScan('scanner database unavailable');
    const failed = await scanAndWait('app', '1.1');
    assert.equal(failed.scan_status, 'Error');
    await sim.waitForWebhooks();
    const event = received.find((e) => (e as { type: string }).type === 'SCANNING_FAILED') as {
      event_data: { resources: { tag: string }[]; scan: { scan_type: string } };
    };
    assert.ok(event, 'SCANNING_FAILED delivered');
    assert.equal(event.event_data.scan.scan_type, 'vulnerability');
    hook.close();
    sim.addUser('dev');
    sim.addMember(project, 'dev', 2);
    const denied = await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.0/scan`, {
      method: 'POST',
      headers: { authorization: basic('dev', 'Harbor12345') },
    });
    assert.equal(denied.status, 403);
  });
});

describe('scanning an image index', () => {
  test('every child gets its own report; the index shows them merged, as Harbor does', async () => {
    const c = new RegistryClient(registry);
    const children = [];
    for (const [architecture, pkgs] of [
      ['amd64', [{ name: 'libssl3', version: '3.0.11-1~deb12u2' }]],
      [
        '386',
        [
          { name: 'libssl3', version: '3.0.11-1~deb12u2' },
          { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
        ],
      ],
    ] as const) {
      const spec = await debianImage([...pkgs]);
      spec.config = { architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } };
      const pushed = await c.pushImage(`${project}/multi`, `part-${architecture}`, spec);
      children.push({ digest: pushed.digest, manifest: pushed.manifest, platform: { os: 'linux', architecture } });
    }
    assert.equal((await c.pushIndex(`${project}/multi`, '2.0', children)).status, 201);

    const list = await json<
      { digest: string; references?: { child_digest: string; platform?: { architecture: string } }[] }[]
    >(await api(`/projects/${project}/repositories/multi/artifacts`));
    const index = list.find((a) => a.references?.length);
    assert.ok(index, 'the index is listed with its references');
    assert.deepEqual(
      index.references!.map((r) => [r.child_digest, r.platform?.architecture]),
      children.map((ch) => [ch.digest, ch.platform.architecture]),
    );

    const merged = await scanAndWait('multi', '2.0');
    assert.equal(merged.scan_status, 'Success');
    // libssl3's two CVEs are on both children (merged once), zlib1g's on the 386 child only.
    assert.equal(merged.summary?.total, 3);
    const perChild: Summary[] = [];
    for (const ch of children) {
      const art = await json<{ scan_overview?: Record<string, Summary>; extra_attrs: { architecture: string } }>(
        await api(`/projects/${project}/repositories/multi/artifacts/${ch.digest}?with_scan_overview=true`),
      );
      assert.equal(art.extra_attrs.architecture, ch.platform.architecture);
      perChild.push(art.scan_overview![MIME_NATIVE_11]);
    }
    assert.deepEqual(
      perChild.map((s) => s.summary?.total),
      [2, 3],
    );
    assert.equal(Buffer.from(merged.report_id, 'base64').toString(), perChild.map((s) => s.report_id).join('|'));
    const r = (await report('multi', '2.0'))[MIME_NATIVE_11];
    assert.deepEqual(r.vulnerabilities.map((v) => v.id).sort(), ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']);
  });
});

describe('the sample image', () => {
  const [sampleRepo, sampleTag] = sampleImage.split(':');
  test('its report matches the advisory file', async (t) => {
    const present =
      existsSync(advisoriesPath) &&
      (await fetch(`${sharedRegistry}/v2/${sampleRepo}/manifests/${sampleTag}`, {
        method: 'HEAD',
        headers: {
          accept:
            'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json',
        },
      }).then(
        (r) => r.ok,
        () => false,
      ));
    if (!present) return t.skip('the sample image or the advisory file is missing: run bash e2e/fixtures/build.sh');
    const file = readAdvisories();
    const demo = await startHarborSim({
      registryUrl: sharedRegistry,
      advisoriesFile: advisoriesPath,
      seed: 'demo',
      scanDelayMs: 0,
    });
    try {
      const res = await fetch(
        `${demo.url}/api/v2.0/projects/library/repositories/sample-app/artifacts/${sampleTag}/additions/vulnerabilities`,
        { headers: admin },
      );
      const r = (await json<Record<string, Report>>(res))[MIME_NATIVE_11];
      assert.ok(r, 'the demo seed scanned the sample image at start');
      const expected = file.advisories
        .filter((a) => compareDebianVersions(a.installed_version, a.fixed_version) < 0)
        .map((a) => `${a.cve}:${a.package}:${a.installed_version}:${a.fixed_version}`)
        .sort();
      const got = r.vulnerabilities.map((v) => `${v.id}:${v.package}:${v.version}:${v.fix_version}`).sort();
      assert.deepEqual(got, [...new Set(expected)]);
      assert.ok(got.length > 0);
    } finally {
      await demo.close();
    }
  });
});
