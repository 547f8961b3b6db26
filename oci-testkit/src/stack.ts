// Where the local patch stack lives (same variables and defaults as e2e/scripts/env.sh) and the advisory
// file the image fixtures write.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const env = process.env;

export const cacheDir = env.HP_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'harbor-patching');
export const stateDir =
  env.HP_STATE ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'harbor-patching');
export const logsDir = env.HP_LOGS ?? join(stateDir, 'logs');
/** host:port of the plain-HTTP distribution registry. */
export const registryAddr = env.HP_REGISTRY_ADDR ?? '127.0.0.1:5000';
export const registryUrl = `http://${registryAddr}`;
export const buildkitAddr = env.HP_BUILDKIT_ADDR ?? `unix://${join(stateDir, 'buildkit', 'buildkitd.sock')}`;
export const binDir = join(cacheDir, 'bin');
export const copaPath = join(binDir, 'copa');
export const buildctlPath = join(binDir, 'buildctl');
export const cosignPath = join(binDir, 'cosign');
/** Node.js 24 (node/bin/node) and better-sqlite3 built for it (modules/node_modules), from e2e/toolchain/node24.sh. */
export const node24Dir = env.HP_NODE24 ?? join(cacheDir, 'node24');
export const advisoriesPath = env.HP_ADVISORIES ?? join(cacheDir, 'fixtures', 'advisories.json');
/** The vulnerable sample image the fixtures push (repository:tag in the local registry). */
export const sampleImage = 'library/sample-app:1.0';
/** The sample image for linux/amd64 and linux/386, as one image index. */
export const multiarchImage = 'library/multiarch-app:1.0';

// ---------------------------------------------------------------------------------------------
// Advisory file

export interface Advisory {
  package: string;
  source_package: string;
  installed_version: string;
  fixed_version: string;
  cve: string;
  severity: 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown';
  title: string;
}

export interface AdvisoryFile {
  schema: 1;
  generated_at: string;
  source: string;
  image: string;
  advisories: Advisory[];
}

export function readAdvisories(path = advisoriesPath): AdvisoryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the advisory file ${path} (${(err as Error).message}); run bash e2e/fixtures/build.sh`,
    );
  }
  const file = JSON.parse(text) as AdvisoryFile;
  if (file.schema !== 1 || !Array.isArray(file.advisories)) {
    throw new Error(`${path} is not a schema 1 advisory file; run bash e2e/fixtures/build.sh`);
  }
  return file;
}

/** A repository name nobody else uses, e.g. `uniqueRepository('copa-proof')` -> `copa-proof/app-1a2b3c4d`. */
export function uniqueRepository(project: string, name = 'app'): string {
  return `${project}/${name}-${randomBytes(4).toString('hex')}`;
}
