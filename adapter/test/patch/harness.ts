/**
 * Starts the Harbor stand-in (in front of the real local registry) with a service robot, and the
 * patch engine against it with the real copa and buildkitd.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, SERVICE_ROBOT_ACCESS } from '@harbor-patching/harbor-sim';
import { migrate, openDatabase, sqliteSql } from '../../src/store/db';
import { MIGRATIONS } from '../../src/store/migrations';
import { createPatchEngine, type PatchEngineParts, type PatchSettings } from '../../src/wiring';
import { registryUrl, stack } from './helpers';

export const ROBOT = { name: 'robot$patcher', secret: 'Patcher-Secret-1234' };
export const ADMIN = { username: 'admin', password: 'Harbor12345' };

export type Sim = Awaited<ReturnType<typeof startHarborSim>>;

export async function startSim(options: Partial<Parameters<typeof startHarborSim>[0]> = {}): Promise<Sim> {
  return startHarborSim({
    ...options,
    port: 0,
    registryUrl: registryUrl(),
    advisoriesFile: stack.advisories,
    seed: 'demo',
    scanDelayMs: 200,
    robots: [
      {
        name: ROBOT.name,
        secret: ROBOT.secret,
        level: 'system',
        permissions: [{ kind: 'project', namespace: '*', access: SERVICE_ROBOT_ACCESS }],
      },
    ],
  });
}

export function startEngine(sim: Sim, overrides: Partial<PatchSettings> = {}): PatchEngineParts & { dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-patch-'));
  const db = openDatabase(join(dataDir, 'patching.db'));
  migrate(db, MIGRATIONS);
  const mod = createPatchEngine(sqliteSql(db), {
    harborUrl: sim.url,
    robotName: ROBOT.name,
    robotSecret: ROBOT.secret,
    dataDir,
    buildkitAddr: stack.buildkitAddr,
    copaPath: stack.copaPath,
    concurrency: 2,
    taskTimeoutSeconds: 600,
    scanTimeoutSeconds: 60,
    ...overrides,
  });
  return { ...mod, dataDir };
}

export type Engine = ReturnType<typeof startEngine>;

/** The stand-in and a started patch engine on it, for a test file's before(); `close` is for its after(). */
export async function startSimWithEngine(): Promise<{ sim: Sim; engine: Engine; close: () => Promise<void> }> {
  const sim = await startSim();
  const engine = startEngine(sim);
  await engine.engine.start();
  return {
    sim,
    engine,
    async close() {
      await engine.engine.close();
      await sim.close();
      rmSync(engine.dataDir, { recursive: true, force: true });
    },
  };
}

/** A Harbor API call as the admin user of the stand-in. */
export async function harborAdmin(sim: Sim, method: string, path: string, body?: unknown): Promise<Response> {
  const auth = Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64');
  return fetch(`${sim.url}/api/v2.0${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', 'x-is-resource-name': 'true' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
