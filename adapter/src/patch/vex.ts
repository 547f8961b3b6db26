/**
 * OpenVEX for an image index. copa writes one `--output` file per run, and in a multi-platform run each
 * platform writes the same path, so only the last platform's document survives. That one is kept for its
 * platform (it names the platform's patched digest); every other patched platform gets a document of the
 * same form made from the UpdateManifest copa was given for it (copa pkg/vex/openvex.go: one statement per
 * vulnerability, status fixed, the product `pkg:oci/<name>@<patched digest>`, the vulnerable packages as
 * subcomponents). The task's document is all of them merged: a statement per vulnerability naming every
 * platform image in which it was fixed.
 */
import { createHash } from 'node:crypto';
import type { UpdateManifestV1Alpha1 } from './report';

interface VexProduct {
  '@id': string;
  subcomponents?: { '@id': string }[];
}

interface VexStatement {
  vulnerability: { '@id': string };
  products: VexProduct[];
  status: string;
  [key: string]: unknown;
}

export interface VexDocument {
  '@context': string;
  '@id': string;
  author: string;
  timestamp: string;
  version: number;
  tooling?: string;
  statements: VexStatement[];
  [key: string]: unknown;
}

/** The patched platform images that get a VEX document (targeted mode only: copa's input came from a report). */
export interface VexPlatform {
  platform: string;
  patchedDigest: string;
  updateManifest: UpdateManifestV1Alpha1;
}

function isVexDocument(v: unknown): v is VexDocument {
  return typeof v === 'object' && v !== null && Array.isArray((v as VexDocument).statements);
}

const PURL_TYPE: Record<string, string> = { debian: 'deb', ubuntu: 'deb', alpine: 'apk' };

/** The OpenVEX document of one platform image, in copa's form. */
export function vexFor(p: VexPlatform, productName: string, template?: VexDocument): VexDocument {
  const { os, config } = p.updateManifest.metadata;
  const purlType = PURL_TYPE[os.type] ?? 'rpm';
  const product = `pkg:oci/${productName}@${p.patchedDigest}`;
  const byCve = new Map<string, VexStatement>();
  for (const u of p.updateManifest.updates) {
    if (!u.vulnerabilityID || u.installedVersion === u.fixedVersion) continue;
    const sub = {
      '@id': `pkg:${purlType}/${os.type}/${u.name}@${u.installedVersion}?arch=${config.arch}&distro=${os.type}-${os.version}`,
    };
    const statement = byCve.get(u.vulnerabilityID);
    if (statement) {
      const subs = statement.products[0].subcomponents!;
      if (!subs.some((s) => s['@id'] === sub['@id'])) subs.push(sub);
    } else {
      byCve.set(u.vulnerabilityID, {
        vulnerability: { '@id': u.vulnerabilityID },
        products: [{ '@id': product, subcomponents: [sub] }],
        status: 'fixed',
      });
    }
  }
  return document([...byCve.values()], template);
}

function document(statements: VexStatement[], template?: VexDocument): VexDocument {
  const body = JSON.stringify(statements);
  return {
    '@context': template?.['@context'] ?? 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://openvex.dev/docs/public/vex-${createHash('sha256').update(body).digest('hex')}`,
    author: template?.author ?? 'Project Copacetic',
    timestamp: template?.timestamp ?? new Date().toISOString(),
    version: 1,
    tooling: template?.tooling ?? 'Project Copacetic',
    statements,
  };
}

/** Each patched platform's document: copa's own for the platform it names, one of the same form for the others. */
export function platformVex(
  copaVex: unknown,
  platforms: readonly VexPlatform[],
  productName: string,
): Map<string, VexDocument> {
  const template = isVexDocument(copaVex) ? copaVex : undefined;
  const out = new Map<string, VexDocument>();
  for (const p of platforms) {
    const names = template?.statements.some((s) =>
      s.products?.some((pr) => pr['@id']?.endsWith(`@${p.patchedDigest}`)),
    );
    const doc = names ? template! : vexFor(p, productName, template);
    if (doc.statements.length > 0) out.set(p.platform, doc);
  }
  return out;
}

/** One document for the index: a statement per vulnerability, naming every platform image it was fixed in. */
export function mergeVex(docs: readonly VexDocument[]): VexDocument | null {
  if (docs.length === 0) return null;
  const byCve = new Map<string, VexStatement>();
  for (const doc of docs) {
    for (const s of doc.statements) {
      const id = s.vulnerability['@id'];
      const seen = byCve.get(id);
      if (seen) {
        for (const p of s.products) if (!seen.products.some((q) => q['@id'] === p['@id'])) seen.products.push(p);
      } else {
        byCve.set(id, { ...s, products: [...s.products] });
      }
    }
  }
  return document([...byCve.values()], docs[0]);
}
