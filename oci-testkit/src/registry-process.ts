// Registries for tests: the shared one of the local stack when it runs, or a private docker-registry
// (its own temporary storage, a free port on loopback) that a test starts and stops itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryUrl as sharedRegistryUrl } from './stack';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OwnRegistry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as in image references. */
  addr: string;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

/** Starts a private docker-registry (deletes enabled) and waits until it answers /v2/. */
export async function startRegistry(): Promise<OwnRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'hp-registry-'));
  const port = await freePort();
  const config = `version: 0.1
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
log:
  level: error
`;
  await writeFile(join(dir, 'config.yml'), config);
  const proc: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const spawnFailed = new Promise<never>((_, reject) =>
    proc.once('error', (err) => reject(new Error(`cannot start docker-registry: ${err.message}`))),
  );
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => {
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  // Never keep a test process alive, and never leave the registry behind when it exits.
  proc.unref();
  process.once('exit', cleanup);
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${url}/v2/`)).ok) return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`docker-registry did not answer ${url}/v2/ within 10 s`);
  })();
  try {
    await Promise.race([ready, spawnFailed]);
  } catch (err) {
    cleanup();
    throw err;
  }
  return {
    url,
    addr: `127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', cleanup);
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.ref(); // wait for the exit even though the process was unref'd
        proc.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let own: Promise<OwnRegistry> | undefined;

/** The shared registry when it runs, else one private registry for this process (stopped by stopOwnRegistry). */
export async function ensureRegistry(): Promise<string> {
  try {
    if ((await fetch(`${sharedRegistryUrl}/v2/`)).ok) return sharedRegistryUrl;
  } catch {
    /* not running: start our own */
  }
  own ??= startRegistry();
  return (await own).url;
}

export async function stopOwnRegistry(): Promise<void> {
  const running = own;
  own = undefined;
  if (running) await (await running).stop();
}
