/**
 * The adapter as its own process for the benchmarks: the release build (one esbuild bundle run by Node.js 24,
 * as `npm run build` makes it) when it can be built here, else `node --import tsx adapter/src/main.ts`
 * (the benchmark says which). Its peak resident memory is read from /proc (VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { node24Dir } from '@harbor-patching/oci-testkit';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface AdapterProcess {
  url: string;
  pid: number;
  /** 'compiled (Node.js 24 bundle)' or 'tsx (Node.js <version>)'. */
  runtime: string;
  /** Peak resident set size so far, in bytes (Linux VmHWM). */
  peakRss(): number;
  rss(): number;
  /** CPU time the process used so far (user + system), in seconds. */
  cpuSeconds(): number;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let built: Promise<{ node: string; main: string } | { error: string }> | undefined;

/** Builds the release bundle once per benchmark run (Node.js 24 and its SQLite module first, when missing). */
function buildOnce() {
  built ??= (async () => {
    try {
      await execa('bash', [join(root, 'e2e/toolchain/node24.sh')], { stdio: 'inherit' });
      const out = mkdtempSync(join(tmpdir(), 'hp-bench-build-'));
      await execa('node', ['--import', 'tsx', join(root, 'adapter/scripts/build.ts'), '--out', out], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const main = join(out, 'adapter/main.js');
      const node = join(node24Dir, 'node/bin/node');
      if (!existsSync(main) || !existsSync(node)) return { error: `the build made no ${main} or ${node}` };
      return { node, main };
    } catch (err) {
      return { error: (err as Error).message.split('\n')[0] };
    }
  })();
  return built;
}

/**
 * The Node.js/V8 flags the container image starts the adapter with (the flags of its Dockerfile ENTRYPOINT),
 * so a benchmark measures the process as it runs in production.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(join(root, 'adapter/deploy/image/Dockerfile'), 'utf8');
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!m) throw new Error('adapter/deploy/image/Dockerfile has no ENTRYPOINT ["...", ...] line');
  const argv = JSON.parse(m[1]) as string[];
  const node = argv.findIndex((a) => /(^|\/)node$/.test(a));
  return argv.slice(node + 1).filter((a) => a.startsWith('--'));
}

/**
 * The memory allocator settings of the container image (its Dockerfile's `ENV MALLOC_*=...`), which the
 * benchmarks give the adapter too; the image's other variables are its own paths and ports.
 */
export function imageAllocatorEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(root, 'adapter/deploy/image/Dockerfile'), 'utf8');
  return Object.fromEntries([...dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Starts the adapter with these PATCHING_* settings (port and log level are set here) and waits until it answers. */
export async function startAdapterProcess(
  settings: Record<string, string>,
  o: {
    compiled?: boolean;
    /** Node.js/V8 flags added after the image's own (experiments, e.g. "--max-old-space-size=96"). */
    nodeArgs?: string[];
  } = {},
): Promise<AdapterProcess> {
  const port = await freePort();
  const b = o.compiled === false ? { error: 'not asked for' } : await buildOnce();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PATCHING_HOST: '127.0.0.1',
    PATCHING_PORT: String(port),
    PATCHING_LOG_LEVEL: 'warn',
    ...imageAllocatorEnv(),
    ...settings,
  };
  let child: ChildProcess;
  let runtime: string;
  if ('main' in b) {
    // As the container image starts it (README.md, "Release build"), with the image's flags.
    const flags = [...imageNodeFlags(), ...(o.nodeArgs ?? [])];
    child = spawn(b.node, [...flags, b.main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    runtime = `compiled (Node.js 24 bundle, ${[...Object.entries(imageAllocatorEnv()).map(([k, v]) => `${k}=${v}`), ...flags].join(' ')})`;
  } else {
    child = spawn(
      'node',
      [...imageNodeFlags(), ...(o.nodeArgs ?? []), '--import', 'tsx', join(root, 'adapter/src/main.ts')],
      {
        env,
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    runtime = `tsx (Node.js ${process.version}; no release build: ${b.error})`;
  }
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const until = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the adapter exited (${exited}) before answering`);
    try {
      await (await fetch(`${url}/patching/api/v1/openapi.json`)).arrayBuffer();
      break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error('the adapter did not answer within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    runtime,
    peakRss: () => procStatus(pid, 'VmHWM'),
    rss: () => procStatus(pid, 'VmRSS'),
    cpuSeconds: () => procCpuSeconds(pid),
    close: () =>
      new Promise<void>((r) => {
        if (exited !== undefined) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
