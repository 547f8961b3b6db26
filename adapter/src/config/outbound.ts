/**
 * How the adapter reaches Harbor and its registry. With PATCHING_CA_FILE, TLS trusts the certificates in
 * that file besides Node's built-in ones, for every outgoing call: the Harbor API client, the registry
 * client, the health checks (through `fetch`) and the Harbor proxy (through `httpsAgent`).
 * undici's own fetch is used then, because only it is sure to accept undici's Agent (the one built into
 * Node differs from version to version).
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

export interface Outbound {
  fetch: typeof fetch;
  /** For node:https requests (the Harbor proxy); undefined means Node's default agent. */
  httpsAgent?: HttpsAgent;
}

export function outbound(caFile?: string): Outbound {
  if (!caFile) return { fetch: (input, init) => fetch(input, init) };
  const ca = [...rootCertificates, readFileSync(caFile, 'utf8')];
  const dispatcher = new Agent({ connect: { ca } });
  const trusting = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return {
    fetch: trusting as unknown as typeof fetch,
    httpsAgent: new HttpsAgent({ ca, keepAlive: true }),
  };
}
