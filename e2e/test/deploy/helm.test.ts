/**
 * The Helm chart (adapter/deploy/helm/harbor-patching) with the real helm, built from its Go module by the
 * toolchain: `helm lint --strict` and `helm template` with a few value sets, the rendered objects parsed and
 * checked (images, env and secret references, probes, volumes, security contexts, the /patching/ Ingress on
 * Harbor's host), and bad values refused with a message that names the value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { binDir } from '@harbor-patching/oci-testkit';
import { ROOT } from '../../lib/portal';

const CHART = join(ROOT, 'adapter/deploy/helm/harbor-patching');
const HELM = join(binDir, 'helm');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'hp-helm-'));
// helm keeps its own settings and caches; none of it in the home directory.
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(work, 'cache'),
  HELM_CONFIG_HOME: join(work, 'config'),
  HELM_DATA_HOME: join(work, 'data'),
};

after(() => rmSync(work, { recursive: true, force: true }));

function helm(args: string[], values?: unknown): { code: number | null; out: string; err: string } {
  if (!existsSync(HELM)) throw new Error(`${HELM} is missing: run bash e2e/toolchain/setup.sh`);
  const extra: string[] = [];
  if (values !== undefined) {
    const file = join(work, `values-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(values));
    extra.push('-f', file);
  }
  const r = spawnSync(HELM, [...args, ...extra], { encoding: 'utf8', env: helmEnv });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The rendered objects are read field by field below; a full Kubernetes typing would add nothing here.
  spec?: any;
  data?: Record<string, string>;
}

function render(values: unknown): K8sObject[] {
  const r = helm(['template', 'patching', CHART, '--namespace', 'harbor'], values);
  assert.equal(r.code, 0, `helm template failed: ${r.err}`);
  const docs = parseAllDocuments(r.out);
  // Kubernetes refuses what a lenient parser would let through, e.g. a label given twice.
  for (const d of docs) assert.deepEqual(d.errors.map(String), [], 'the rendered YAML is well-formed');
  return docs.map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} rendered (have ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
  return o;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}

function envOf(container: { env: EnvVar[] }): Map<string, EnvVar> {
  return new Map(container.env.map((e) => [e.name, e]));
}

const MINIMAL = {
  harbor: { externalURL: 'https://core.harbor.domain' },
  secrets: { robotName: 'robot$patching', robotSecret: 'Robot-Secret-1234' },
};

const EXISTING = {
  harbor: {
    fullname: 'my-harbor',
    externalURL: 'https://harbor.example.com',
    internalURL: 'https://harbor.example.com',
    caSecretName: 'harbor-ca',
  },
  image: { repository: 'registry.example.com/tools/harbor-patching', tag: '0.2.0' },
  secrets: { existingSecret: 'patching-secrets' },
  persistence: { existingClaim: 'patching-data' },
  env: { PATCHING_CONCURRENCY: 4 },
  ingress: { enabled: false },
  networkPolicy: { enabled: false },
  buildkitd: {
    rootless: true,
    image: { repository: 'moby/buildkit', tag: 'v0.28.1-rootless' },
    extraConfig: '[registry."docker.io"]\n  mirrors = ["harbor.example.com/dockerhub-proxy"]\n',
  },
};

describe('Helm chart', () => {
  test('helm lint --strict passes with the value sets below', () => {
    for (const values of [MINIMAL, EXISTING]) {
      const r = helm(['lint', '--strict', CHART], values);
      assert.equal(r.code, 0, `helm lint: ${r.out}${r.err}`);
    }
  });

  test('with values inline: the service, its Secret, data claim, buildkitd and the /patching/ Ingress', () => {
    const objects = render(MINIMAL);
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      'ConfigMap/harbor-patching-buildkitd',
      'Deployment/harbor-patching',
      'Deployment/harbor-patching-buildkitd',
      'Ingress/harbor-patching',
      'NetworkPolicy/harbor-patching-buildkitd',
      'PersistentVolumeClaim/harbor-patching-data',
      'Secret/harbor-patching',
      'Service/harbor-patching',
      'Service/harbor-patching-buildkitd',
    ]);

    const secret = find(objects, 'Secret', 'harbor-patching');
    const decoded = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    assert.equal(decoded['robot-name'], 'robot$patching');
    assert.equal(decoded['robot-secret'], 'Robot-Secret-1234');
    // Generated when not given (and kept on upgrades through lookup).
    assert.match(decoded['webhook-secret'], /^[A-Za-z0-9]{32}$/);
    assert.match(decoded['jobservice-secret'], /^[A-Za-z0-9]{32}$/);

    const deployment = find(objects, 'Deployment', 'harbor-patching');
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, 'Recreate', 'one process owns the SQLite file');
    const pod = deployment.spec.template.spec;
    assert.match(deployment.spec.template.metadata.annotations['checksum/secret'], /^[0-9a-f]{64}$/);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    const [container] = pod.containers;
    assert.equal(container.image, `harbor-patching:${VERSION}`);
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8480 }]);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const env = envOf(container);
    assert.equal(env.get('NODE_ENV')?.value, 'production');
    assert.equal(env.get('PATCHING_PORT')?.value, '8480');
    assert.equal(env.get('PATCHING_HOST')?.value, '0.0.0.0');
    assert.equal(env.get('PATCHING_HARBOR_URL')?.value, 'http://harbor-core');
    assert.equal(env.get('PATCHING_REGISTRY_HOST')?.value, 'harbor-core');
    assert.equal(env.get('PATCHING_EXTERNAL_URL')?.value, 'https://core.harbor.domain');
    assert.equal(env.get('PATCHING_TRUST_PROXY')?.value, 'true');
    assert.equal(env.get('PATCHING_BUILDKIT_ADDR')?.value, 'tcp://harbor-patching-buildkitd:1234');
    assert.equal(env.get('PATCHING_DATA_DIR')?.value, '/data');
    assert.equal(env.has('PATCHING_CA_FILE'), false);
    for (const [name, key] of [
      ['PATCHING_ROBOT_NAME', 'robot-name'],
      ['PATCHING_ROBOT_SECRET', 'robot-secret'],
      ['PATCHING_WEBHOOK_SECRET', 'webhook-secret'],
      ['PATCHING_JOBSERVICE_SECRET', 'jobservice-secret'],
    ]) {
      const ref = env.get(name)?.valueFrom?.secretKeyRef;
      assert.equal(ref?.name, 'harbor-patching', name);
      assert.equal(ref?.key, key, name);
      assert.ok(decoded[key], `${key} is in the Secret`);
    }
    // No secret value in the Deployment itself.
    assert.ok(!JSON.stringify(deployment).includes('Robot-Secret-1234'));

    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      assert.deepEqual(container[probe].httpGet, { path: '/patching/api/v1/health', port: 'http' }, probe);
    }
    const mounts = new Map(
      container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]),
    );
    assert.equal(mounts.get('/data'), 'data');
    assert.equal(mounts.get('/tmp'), 'tmp', 'a writable /tmp on a read-only root');
    const data = pod.volumes.find((v: { name: string }) => v.name === 'data');
    assert.equal(data.persistentVolumeClaim.claimName, 'harbor-patching-data');
    const claim = find(objects, 'PersistentVolumeClaim', 'harbor-patching-data');
    assert.equal(claim.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    assert.equal(claim.spec.resources.requests.storage, '5Gi');

    const service = find(objects, 'Service', 'harbor-patching');
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 8480, targetPort: 'http' }]);
    assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
    for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) {
      assert.equal(deployment.spec.template.metadata.labels[k], v, `the pods carry the selector's ${k}`);
    }

    // buildkitd: root and privileged by default, reached over TCP, told that Harbor core is plain HTTP.
    const bk = find(objects, 'Deployment', 'harbor-patching-buildkitd');
    const [bkc] = bk.spec.template.spec.containers;
    assert.equal(bkc.image, `harbor-patching-buildkitd:${VERSION}`);
    assert.deepEqual(bkc.securityContext, { privileged: true });
    assert.ok(bkc.args.join(' ').includes('--addr tcp://0.0.0.0:1234'));
    assert.deepEqual(bkc.readinessProbe.exec.command, [
      'buildctl',
      '--addr',
      'unix:///run/buildkit/buildkitd.sock',
      'debug',
      'workers',
    ]);
    const toml = find(objects, 'ConfigMap', 'harbor-patching-buildkitd').data?.['buildkitd.toml'] ?? '';
    assert.match(toml, /\[registry\."harbor-core"\]\n\s+http = true/);
    for (const [k, v] of Object.entries(bk.spec.selector.matchLabels)) {
      assert.equal(bk.spec.template.metadata.labels[k], v, `buildkitd's pods carry the selector's ${k}`);
    }
    const bkService = find(objects, 'Service', 'harbor-patching-buildkitd');
    assert.deepEqual(bkService.spec.selector, bk.spec.selector.matchLabels);
    const policy = find(objects, 'NetworkPolicy', 'harbor-patching-buildkitd');
    assert.deepEqual(policy.spec.podSelector.matchLabels, bk.spec.selector.matchLabels);
    assert.deepEqual(policy.spec.ingress[0].from[0].podSelector.matchLabels, deployment.spec.selector.matchLabels);

    // /patching/ on Harbor's host with harbor-helm's certificate Secret (certSource auto).
    const ingress = find(objects, 'Ingress', 'harbor-patching');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['core.harbor.domain'], secretName: 'harbor-ingress' }]);
    assert.equal(ingress.spec.rules[0].host, 'core.harbor.domain');
    assert.deepEqual(ingress.spec.rules[0].http.paths, [
      {
        path: '/patching/',
        pathType: 'Prefix',
        backend: { service: { name: 'harbor-patching', port: { name: 'http' } } },
      },
    ]);
  });

  test('for the GCE ingress controller, as harbor-helm writes its paths, and on plain HTTP without TLS', () => {
    const objects = render({
      ...MINIMAL,
      harbor: { externalURL: 'http://harbor.local:30080' },
      ingress: { controller: 'gce' },
    });
    const ingress = find(objects, 'Ingress', 'harbor-patching');
    assert.equal(ingress.spec.tls, undefined);
    assert.equal(ingress.spec.rules[0].host, 'harbor.local');
    assert.equal(ingress.spec.rules[0].http.paths[0].path, '/patching/*');
    assert.equal(ingress.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  });

  test('with an existing Secret and claim, a private CA, rootless buildkitd and no Ingress', () => {
    const objects = render(EXISTING);
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    assert.ok(!kinds.some((k) => k.startsWith('Secret/')), 'no Secret: the existing one is used');
    assert.ok(!kinds.some((k) => k.startsWith('PersistentVolumeClaim/')), 'no claim: the existing one is used');
    assert.ok(!kinds.some((k) => k.startsWith('Ingress/')));
    assert.ok(!kinds.some((k) => k.startsWith('NetworkPolicy/')));

    const deployment = find(objects, 'Deployment', 'my-harbor-patching');
    const pod = deployment.spec.template.spec;
    assert.equal(deployment.spec.template.metadata.annotations, undefined, 'no checksum of a Secret not ours');
    const [container] = pod.containers;
    assert.equal(container.image, 'registry.example.com/tools/harbor-patching:0.2.0');
    const env = envOf(container);
    assert.equal(env.get('PATCHING_HARBOR_URL')?.value, 'https://harbor.example.com');
    assert.equal(env.get('PATCHING_REGISTRY_HOST')?.value, 'harbor.example.com');
    assert.equal(env.get('PATCHING_CA_FILE')?.value, '/etc/harbor-patching/ca/ca.crt');
    assert.equal(env.get('PATCHING_CONCURRENCY')?.value, '4');
    assert.equal(env.get('PATCHING_BUILDKIT_ADDR')?.value, 'tcp://my-harbor-patching-buildkitd:1234');
    for (const name of ['PATCHING_ROBOT_NAME', 'PATCHING_WEBHOOK_SECRET', 'PATCHING_JOBSERVICE_SECRET']) {
      assert.equal(env.get(name)?.valueFrom?.secretKeyRef.name, 'patching-secrets', name);
    }
    assert.equal(env.get('PATCHING_ROBOT_NAME')?.valueFrom?.secretKeyRef.optional, true);
    const data = pod.volumes.find((v: { name: string }) => v.name === 'data');
    assert.equal(data.persistentVolumeClaim.claimName, 'patching-data');
    const ca = pod.volumes.find((v: { name: string }) => v.name === 'harbor-ca');
    assert.equal(ca.secret.secretName, 'harbor-ca');
    assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/etc/harbor-patching/ca'));

    // Rootless BuildKit as moby/buildkit's Kubernetes examples run it.
    const bk = find(objects, 'Deployment', 'my-harbor-patching-buildkitd');
    const [bkc] = bk.spec.template.spec.containers;
    assert.equal(bkc.image, 'moby/buildkit:v0.28.1-rootless');
    assert.deepEqual(bkc.securityContext, {
      seccompProfile: { type: 'Unconfined' },
      appArmorProfile: { type: 'Unconfined' },
      runAsUser: 1000,
      runAsGroup: 1000,
    });
    assert.ok(bkc.args.includes('--oci-worker-no-process-sandbox'));
    assert.ok(bkc.args.includes('unix:///run/user/1000/buildkit/buildkitd.sock'));
    assert.ok(bkc.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/home/user/.local/share/buildkit'));
    const toml = find(objects, 'ConfigMap', 'my-harbor-patching-buildkitd').data?.['buildkitd.toml'] ?? '';
    assert.match(toml, /\[registry\."harbor\.example\.com"\]\n\s+ca = \["\/etc\/buildkit\/harbor-ca\/ca\.crt"\]/);
    assert.match(toml, /mirrors = \["harbor\.example\.com\/dockerhub-proxy"\]/);
  });

  test('bad values are refused with a message naming the value', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /harbor\.externalURL is required/],
      [{ harbor: { externalURL: 'core.harbor.domain' } }, /harbor\.externalURL must start with http/],
      [{ harbor: { externalURL: 'https://core.harbor.domain/harbor' } }, /must be an origin without a path/],
      [
        { ...MINIMAL, secrets: { robotName: 'robot$patching' } },
        /robotName and secrets\.robotSecret must be set together/,
      ],
      [{ ...MINIMAL, secrets: { robotName: 'patching', robotSecret: 'x' } }, /a Harbor robot login looks like/],
      [{ ...MINIMAL, env: { CONCURRENCY: '4' } }, /env: CONCURRENCY is not a setting of the service/],
      [{ ...MINIMAL, ingress: { controller: 'ncp' } }, /ingress\.controller must be default or gce, got "ncp"/],
    ];
    for (const [values, message] of cases) {
      const r = helm(['template', 'patching', CHART], values);
      assert.notEqual(r.code, 0, `refused: ${JSON.stringify(values)}`);
      assert.match(r.err, message);
    }
  });
});
