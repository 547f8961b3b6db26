// The command line: robot secrets can come from the environment so they never show in the process list.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { debianImage, ensureRegistry, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic } from './helpers';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGTERM')));

async function startCli(args: string[], env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 30 s: ${out}`)), 30_000);
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harbor-sim exited with ${code}: ${out}`));
    });
  });
  return { url, proc };
}

test('HARBOR_SIM_ROBOTS seeds robots without putting the secret on the command line', async () => {
  const secret = 'EnvOnly' + Math.random().toString(36).slice(2);
  const { url, proc } = await startCli(['--port', '0', '--registry', await ensureRegistry(), '--seed', 'demo'], {
    HARBOR_SIM_ROBOTS: `robot$fromenv:${secret}\nrobot$second:Second12345\n`,
  });
  const cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8');
  assert.ok(!cmdline.includes(secret), 'the secret is not in the process arguments');

  const get = (auth: string) => fetch(`${url}/api/v2.0/projects/library`, { headers: { authorization: auth } });
  assert.equal((await get(basic('robot$fromenv', secret))).status, 200);
  assert.equal((await get(basic('robot$second', 'Second12345'))).status, 200);
  assert.equal((await get(basic('robot$fromenv', 'wrong-secret'))).status, 401);
});

test('a malformed HARBOR_SIM_ROBOTS entry stops the start with a message that does not echo it', async () => {
  const proc = spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', '--registry', await ensureRegistry()], {
    env: { ...process.env, HARBOR_SIM_ROBOTS: 'no-colon-here-Secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /HARBOR_SIM_ROBOTS entries must look like 'robot\$name:SECRET'/);
  assert.ok(!err.includes('no-colon-here-Secret'));
});

test('--no-scanner gives a project no scanner: scans answer 412, reports 404, lists show no scan overview', async () => {
  const registry = await ensureRegistry();
  const { url } = await startCli(
    ['--port', '0', '--registry', registry, '--seed', 'demo', '--no-scanner', 'library'],
    {},
  );
  const repository = unique('noscan');
  await new RegistryClient(registry).pushImage(`library/${repository}`, '1', await debianImage([]));
  const admin = { authorization: basic('admin', 'Harbor12345'), 'content-type': 'application/json' };
  const artifacts = `${url}/api/v2.0/projects/library/repositories/${repository}/artifacts`;
  const projectId = (
    (await (await fetch(`${url}/api/v2.0/projects/library`, { headers: admin })).json()) as {
      project_id: number;
    }
  ).project_id;

  const scan = await fetch(`${artifacts}/1/scan`, { method: 'POST', headers: admin, body: '{}' });
  assert.equal(scan.status, 412);
  assert.deepEqual(await scan.json(), {
    errors: [{ code: 'PRECONDITION', message: `no available scanner for project: ${projectId}` }],
  });
  const report = await fetch(`${artifacts}/1/additions/vulnerabilities`, { headers: admin });
  assert.equal(report.status, 404);
  const list = (await (await fetch(`${artifacts}?with_scan_overview=true`, { headers: admin })).json()) as {
    scan_overview?: unknown;
  }[];
  assert.equal(list.length, 1);
  assert.equal(list[0].scan_overview, undefined);
});
