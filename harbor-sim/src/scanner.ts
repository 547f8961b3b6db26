// The stand-in's vulnerability scanner: reads the image's dpkg status database from its layers (through the
// registry, honouring whiteouts, the last layer wins) and reports every advisory whose package is installed at
// a version lower than the fixed version. Reports use Harbor's native format (src/pkg/scan/vuln/report.go).
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import tar from 'tar-stream';
import { compareDebianVersions } from '@harbor-patching/shared/debversion';
import type { Descriptor, RegistryClient } from '@harbor-patching/oci-testkit/registry';
import type { Vulnerability, VulnerabilityReport } from './state';

export const SCANNER = { name: 'HarborSim', vendor: 'harbor-patching', version: '1.0' };
export const SEVERITIES = ['None', 'Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] as const;

export interface Advisory {
  package: string;
  source_package?: string;
  installed_version?: string;
  fixed_version: string;
  cve: string;
  severity: string;
  title?: string;
}

export interface InstalledPackage {
  name: string;
  version: string;
  source?: string;
}

const STATUS_PATH = 'var/lib/dpkg/status';
const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'];
const WATCHED = [STATUS_PATH, ...OS_RELEASE_PATHS];

function normalize(path: string): string {
  return posix.normalize(path.replace(/^(\.\/|\/)+/, '')).replace(/\/$/, '');
}

interface LayerFiles {
  files: Map<string, Buffer | { symlink: string }>;
  deleted: Set<string>;
}

/** Reads one layer as a stream and keeps only the watched files and the whiteouts that hide them. */
async function scanLayer(stream: NodeJS.ReadableStream): Promise<LayerFiles> {
  const out: LayerFiles = { files: new Map(), deleted: new Set() };
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, entry, next) => {
      const path = normalize(header.name);
      const dir = posix.dirname(path);
      const base = posix.basename(path);
      if (base === '.wh..wh..opq') {
        for (const watched of WATCHED) if (watched.startsWith(dir === '.' ? '' : `${dir}/`)) out.deleted.add(watched);
      } else if (base.startsWith('.wh.')) {
        const hidden = dir === '.' ? base.slice(4) : `${dir}/${base.slice(4)}`;
        for (const watched of WATCHED)
          if (watched === hidden || watched.startsWith(`${hidden}/`)) out.deleted.add(watched);
      } else if (WATCHED.includes(path)) {
        if (header.type === 'symlink' && header.linkname) {
          out.files.set(path, { symlink: normalize(posix.join(dir, header.linkname)) });
        } else if (header.type === 'file' || header.type === 'contiguous-file') {
          const chunks: Buffer[] = [];
          entry.on('data', (c: unknown) => {
            chunks.push(c as Buffer);
          });
          entry.on('end', () => {
            out.files.set(path, Buffer.concat(chunks));
            next();
          });
          entry.on('error', reject);
          return;
        }
      }
      entry.on('end', () => next());
      entry.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  return out;
}

export interface ImageFiles {
  dpkgStatus?: string;
  osRelease?: string;
}

/**
 * What each layer holds of the watched files, by layer digest. A layer is immutable, so its analysis is reused
 * by every later scan of an image that has it, as Trivy's cache does (it analyses only the layers it has not
 * seen): the re-scan of a patched image reads only the layer copa added.
 */
export class LayerCache {
  private readonly layers = new Map<string, Promise<LayerFiles>>();

  constructor(private readonly maxLayers = 64) {}

  get(digest: string, read: () => Promise<LayerFiles>): Promise<LayerFiles> {
    let files = this.layers.get(digest);
    if (!files) {
      if (this.layers.size >= this.maxLayers) this.layers.delete(this.layers.keys().next().value!);
      files = read();
      this.layers.set(digest, files);
      // A failed read is not kept: the next scan reads the layer again.
      files.catch(() => {
        if (this.layers.get(digest) === files) this.layers.delete(digest);
      });
    }
    return files;
  }
}

export async function readImageFiles(
  registry: RegistryClient,
  repository: string,
  layers: Descriptor[],
  cache = new LayerCache(),
): Promise<ImageFiles> {
  const merged = new Map<string, Buffer | { symlink: string }>();
  for (const layer of layers) {
    const files = await cache.get(layer.digest, async () => scanLayer(await registry.layerStream(repository, layer)));
    for (const path of files.deleted) merged.delete(path);
    for (const [path, content] of files.files) merged.set(path, content);
  }
  const read = (path: string, depth = 0): string | undefined => {
    const entry = merged.get(path);
    if (!entry || depth > 4) return undefined;
    if (Buffer.isBuffer(entry)) return entry.toString('utf8');
    return read(entry.symlink, depth + 1);
  };
  return { dpkgStatus: read(STATUS_PATH), osRelease: read('etc/os-release') ?? read('usr/lib/os-release') };
}

/** Installed packages from a dpkg status file (only paragraphs whose Status ends in "installed"). */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      const m = line.match(/^([A-Za-z0-9-]+):\s*(.*)$/);
      if (m) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    const status = fields.get('status') ?? '';
    if (!name || !version || !/\binstalled$/.test(status)) continue;
    const source = fields.get('source')?.split(' ')[0];
    out.push({ name, version, source });
  }
  return out;
}

export async function loadAdvisories(file: string | undefined): Promise<Advisory[]> {
  if (!file) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the advisory file ${file} (${(err as Error).message}); run e2e/fixtures/build.sh`);
  }
  const parsed = JSON.parse(text) as { advisories?: Advisory[] };
  return parsed.advisories ?? [];
}

const severityRank = (s: string) => Math.max(0, SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]));

export function highestSeverity(list: { severity: string }[]): string {
  let best = 'None';
  for (const v of list) if (severityRank(v.severity) > severityRank(best)) best = v.severity;
  return best;
}

export function matchAdvisories(
  installed: InstalledPackage[],
  advisories: Advisory[],
  digest: string,
): Vulnerability[] {
  const byName = new Map(installed.map((p) => [p.name, p]));
  const out: Vulnerability[] = [];
  const seen = new Set<string>();
  for (const advisory of advisories) {
    const pkg = byName.get(advisory.package);
    if (!pkg) continue;
    if (compareDebianVersions(pkg.version, advisory.fixed_version) >= 0) continue;
    const key = `${advisory.cve}-${pkg.name}-${pkg.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      id: advisory.cve,
      package: pkg.name,
      version: pkg.version,
      fix_version: advisory.fixed_version,
      severity: SEVERITIES.includes(advisory.severity as (typeof SEVERITIES)[number]) ? advisory.severity : 'Unknown',
      status: 'fixed',
      description: advisory.title ?? '',
      links: [`https://security-tracker.debian.org/tracker/${advisory.cve}`],
      artifact_digests: [digest],
      preferred_cvss: { score_v3: null, score_v2: null, vector_v3: '', vector_v2: '' },
      cwe_ids: [],
      vendor_attributes: {},
    });
  }
  return out;
}

export function buildReport(vulnerabilities: Vulnerability[]): VulnerabilityReport {
  return {
    generated_at: new Date().toISOString(),
    scanner: SCANNER,
    severity: highestSeverity(vulnerabilities),
    vulnerabilities,
  };
}

export function summarize(vulnerabilities: { severity: string; fix_version: string }[]) {
  const summary: Record<string, number> = {};
  for (const v of vulnerabilities) summary[v.severity] = (summary[v.severity] ?? 0) + 1;
  return {
    total: vulnerabilities.length,
    fixable: vulnerabilities.filter((v) => v.fix_version !== '').length,
    summary,
  };
}
