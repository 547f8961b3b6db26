import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { startHarborSim, type HarborSim } from '../src/index';
import { debianImage, ensureRegistry, layer, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
let project: string;

before(async () => {
  sim = await startHarborSim({ registryUrl: await ensureRegistry(), seed: 'demo' });
  project = unique('v2auth');
  sim.addProject(project);
  sim.addMember(project, 'dave', 2);
  sim.addMember(project, 'gina', 3);
});
after(() => sim.close());

describe('registry auth on /v2/', () => {
  test('anonymous requests get the Bearer challenge with realm, service and scope', async () => {
    const ping = await fetch(`${sim.url}/v2/`);
    assert.equal(ping.status, 401);
    assert.equal(
      ping.headers.get('www-authenticate'),
      `Bearer realm="${sim.url}/service/token",service="harbor-registry"`,
    );
    const pull = await fetch(`${sim.url}/v2/${project}/app/manifests/1.0`);
    assert.equal(pull.status, 401);
    assert.equal(
      pull.headers.get('www-authenticate'),
      `Bearer realm="${sim.url}/service/token",service="harbor-registry",scope="repository:${project}/app:pull"`,
    );
    const push = await fetch(`${sim.url}/v2/${project}/app/blobs/uploads/`, { method: 'POST' });
    assert.match(push.headers.get('www-authenticate')!, /scope="repository:[^"]+:pull,push"$/);
    assert.equal((await json<{ errors: { code: string }[] }>(push)).errors[0].code, 'UNAUTHORIZED');
  });

  test('bad credentials get Basic realm="harbor"; valid Basic credentials of users and robots are accepted', async () => {
    const bad = await fetch(`${sim.url}/v2/`, { headers: { authorization: basic('dave', 'wrong') } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('www-authenticate'), 'Basic realm="harbor"');
    assert.equal(
      (await fetch(`${sim.url}/v2/`, { headers: { authorization: basic('dave', 'Harbor12345') } })).status,
      200,
    );
    sim.addRobot({ name: 'pusher', secret: 'Pusher123', project });
    assert.equal(
      (await fetch(`${sim.url}/v2/`, { headers: { authorization: basic(`robot$${project}+pusher`, 'Pusher123') } }))
        .status,
      200,
    );
  });

  test('the token service grants only the allowed actions', async () => {
    const token = async (auth: string | undefined, scope: string) => {
      const res = await fetch(`${sim.url}/service/token?service=harbor-registry&scope=${encodeURIComponent(scope)}`, {
        headers: auth ? { authorization: auth } : {},
      });
      assert.equal(res.status, 200);
      const body = await json<{ token: string; access_token: string; expires_in: number; issued_at: string }>(res);
      assert.equal(body.token, body.access_token);
      assert.ok(body.expires_in > 0 && !Number.isNaN(Date.parse(body.issued_at)));
      const claims = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString()) as {
        access: { name: string; actions: string[] }[];
      };
      return claims.access[0].actions;
    };
    assert.deepEqual(await token(basic('dave', 'Harbor12345'), `repository:${project}/app:pull,push`), [
      'pull',
      'push',
    ]);
    assert.deepEqual(await token(basic('gina', 'Harbor12345'), `repository:${project}/app:pull,push`), ['pull']);
    assert.deepEqual(await token(undefined, `repository:${project}/app:pull`), []);
    assert.deepEqual(await token(basic('admin', 'Harbor12345'), `repository:no-such-project/app:pull,push`), []);
    const bad = await fetch(`${sim.url}/service/token?service=harbor-registry&scope=repository:${project}/app:pull`, {
      headers: { authorization: basic('dave', 'nope') },
    });
    assert.equal(bad.status, 401);
  });

  test('push and pull through the bearer flow; guests cannot push; unknown projects are denied', async () => {
    const dave = new RegistryClient(sim.url, { username: 'dave', password: 'Harbor12345' });
    const pushed = await dave.pushImage(
      `${project}/app`,
      '1.0',
      await debianImage([{ name: 'bash', version: '5.2.15-2+b7' }]),
    );
    assert.equal(pushed.status, 201);
    const manifest = await dave.request(`/v2/${project}/app/manifests/1.0`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), pushed.digest);

    const gina = new RegistryClient(sim.url, { username: 'gina', password: 'Harbor12345' });
    await assert.rejects(gina.pushImage(`${project}/app`, '2.0', await debianImage([])), /401/);
    const pulled = await gina.request(`/v2/${project}/app/manifests/1.0`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(pulled.status, 200);

    const admin = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
    await assert.rejects(admin.pushImage(`missing-${project}/app`, '1.0', await debianImage([])), /401/);
  });

  test('blob uploads: Location points at the stand-in, Range requests pass through', async () => {
    const dave = new RegistryClient(sim.url, { username: 'dave', password: 'Harbor12345' });
    const start = await dave.request(`/v2/${project}/blobs-test/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location')!;
    assert.ok(
      location.startsWith(sim.url) || location.startsWith('/v2/'),
      `Location ${location} stays on the stand-in`,
    );
    const data = await layer([{ path: 'hello.txt', content: 'x'.repeat(5000) }]);
    const digest = await dave.pushBlob(`${project}/blobs-test`, data);
    const range = await dave.request(`/v2/${project}/blobs-test/blobs/${digest}`, { headers: { range: 'bytes=0-9' } });
    assert.ok(range.status === 206 || range.status === 200);
    if (range.status === 206) assert.equal(Buffer.from(await range.arrayBuffer()).length, 10);
    assert.equal(range.headers.get('docker-content-digest'), digest);
  });

  test('answers from the registry keep the connection open, as Harbor does (no Connection: close)', async () => {
    const dave = new RegistryClient(sim.url, { username: 'dave', password: 'Harbor12345' });
    const digest = await dave.pushBlob(`${project}/keepalive`, await layer([{ path: 'a.txt', content: 'a' }]));
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = httpGet(
        `${sim.url}/v2/${project}/keepalive/blobs/${digest}`,
        { headers: { authorization: basic('dave', 'Harbor12345') } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      req.on('error', reject);
    });
    assert.notEqual(headers.connection, 'close');
  });

  test('HEAD without Authorization always gets the challenge; public projects allow anonymous pulls', async () => {
    const pub = unique('pubv2');
    sim.addProject(pub, { public: true });
    const admin = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
    await admin.pushImage(`${pub}/app`, '1.0', await debianImage([]));
    const head = await fetch(`${sim.url}/v2/${pub}/app/manifests/1.0`, { method: 'HEAD' });
    assert.equal(head.status, 401);
    const get = await fetch(`${sim.url}/v2/${pub}/app/manifests/1.0`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(get.status, 200);
  });
});

describe('real clients', () => {
  test('skopeo copies an image through the stand-in with the token flow', async (t) => {
    const { execFile } = await import('node:child_process');
    const run = (args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile('skopeo', args, { timeout: 60000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        ),
      );
    if ((await run(['--version'])).code !== 0) return t.skip('skopeo is not installed');
    const host = new URL(sim.url).host;
    const src = `docker://${host}/${project}/app:1.0`;
    const dest = `docker://${host}/${project}/skopeo-copy:1.0`;
    const copy = await run([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--src-creds',
      'dave:Harbor12345',
      '--dest-creds',
      'dave:Harbor12345',
      src,
      dest,
    ]);
    assert.equal(copy.code, 0, copy.out);
    const inspect = await run(['inspect', '--tls-verify=false', '--creds', 'gina:Harbor12345', dest]);
    assert.equal(inspect.code, 0, inspect.out);
    const denied = await run([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--src-creds',
      'gina:Harbor12345',
      '--dest-creds',
      'gina:Harbor12345',
      src,
      `docker://${host}/${project}/by-guest:1.0`,
    ]);
    assert.notEqual(denied.code, 0, 'a guest cannot push');
  });
});

describe('immutable tags on /v2/', () => {
  test('overwriting an existing immutable tag gets 412, the first push of a new tag is allowed', async () => {
    const repo = `${project}/locked`;
    sim.addImmutableRule(project, { tag: '*-patched', repository: 'locked' });
    const dave = new RegistryClient(sim.url, { username: 'dave', password: 'Harbor12345' });
    const first = await dave.pushImage(repo, '1.0-patched', await debianImage([{ name: 'a', version: '1' }]));
    assert.equal(first.status, 201, 'first push of a new tag');
    const again = await dave.pushImage(repo, '1.0-patched', await debianImage([{ name: 'a', version: '2' }]));
    assert.equal(again.status, 412);
    const other = await dave.pushImage(repo, '1.0', await debianImage([{ name: 'a', version: '3' }]));
    assert.equal(other.status, 201, 'tags outside the rule stay mutable');
    const overwrite = await dave.pushImage(repo, '1.0', await debianImage([{ name: 'a', version: '4' }]));
    assert.equal(overwrite.status, 201);
    const tags = await json<{ tags: string[] }>(await dave.request(`/v2/${repo}/tags/list`));
    assert.deepEqual(tags.tags.sort(), ['1.0', '1.0-patched']);
  });
});
