/**
 * How the adapter reaches Harbor and its registry: the fetch of the Harbor API client, the registry client
 * and the health checks, and the agent of the Harbor proxy. With PATCHING_CA_FILE, TLS trusts the
 * certificates in that file besides Node's built-in ones.
 *
 * On Node.js 22.19 and newer (the release runs on 24) every call goes through undici 8's fetch. The fetch
 * built into Node 24 (undici 7) can crash the whole process with an uncatchable AssertionError when a
 * `Connection: close` response is still being read as the server closes the connection
 * (nodejs/undici#5360, fixed in undici 8). Older Node.js (20, whose built-in fetch is undici 6 and not
 * affected) uses its built-in fetch and cannot take a CA file: undici 8 does not load there.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface Outbound {
  fetch: typeof fetch;
  /** For node:https requests (the Harbor proxy); undefined means Node's default agent. */
  httpsAgent?: HttpsAgent;
}

/** Whether this Node.js can run undici 8 (>= 22.19). */
export function hasModernFetch(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 19);
}

export async function outbound(caFile?: string): Promise<Outbound> {
  const ca = caFile ? [...rootCertificates, readFileSync(caFile, 'utf8')] : undefined;
  const httpsAgent = ca ? new HttpsAgent({ ca, keepAlive: true }) : undefined;
  if (!hasModernFetch()) {
    if (ca) throw new Error(`PATCHING_CA_FILE needs Node.js 22.19 or newer, this is ${process.version}`);
    return { fetch: (input, init) => fetch(input, init) };
  }
  const undici = await import('undici');
  const dispatcher = new undici.Agent(ca ? { connect: { ca } } : {});
  const modern = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undici.fetch(input as Parameters<typeof undici.fetch>[0], {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher,
    });
  return { fetch: modern as unknown as typeof fetch, httpsAgent };
}
