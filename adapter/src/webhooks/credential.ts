/**
 * Per-project webhook credentials. Harbor keeps a webhook policy's auth header where every maintainer of
 * the project can read it (`notification-policy:list`), so the header Harbor sends must speak for that
 * one project only:
 *
 *   Bearer hp1.<project id>.<hex HMAC-SHA256(key = PATCHING_WEBHOOK_SECRET, "harbor-patching webhook v1 project <id>")>
 *
 * - Keyed by project id, not name: Harbor never reuses an id, while a name is free again after the project
 *   is deleted; a credential read in a deleted project must not speak for a new project of the same name.
 * - The id travels in the clear so a forged or garbled header is refused without asking Harbor anything;
 *   the receiver then checks that the event's project has this id.
 * - The service secret itself is never stored in Harbor. A header holding it (how webhooks were registered
 *   before per-project credentials) is recognised only to say "re-register" and is never accepted.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'hp1';
const CREDENTIAL = /^hp1\.([1-9][0-9]{0,15})\.([0-9a-f]{64})$/;

function mac(secret: string, projectId: number): Buffer {
  return createHmac('sha256', secret).update(`harbor-patching webhook v1 project ${projectId}`).digest();
}

/** The credential of one project (what the Authorization header carries after `Bearer `). */
export function projectWebhookCredential(secret: string, projectId: number): string {
  if (!Number.isSafeInteger(projectId) || projectId < 1) throw new Error(`invalid project id ${projectId}`);
  return `${VERSION}.${projectId}.${mac(secret, projectId).toString('hex')}`;
}

/** The Authorization value registered in the project's Harbor webhook policy. */
export function webhookAuthHeader(secret: string, projectId: number): string {
  return `Bearer ${projectWebhookCredential(secret, projectId)}`;
}

export type CredentialCheck =
  | { ok: true; projectId: number }
  /** No Authorization header. */
  | { ok: false; problem: 'missing' }
  /** The service secret itself: a registration from before per-project credentials. */
  | { ok: false; problem: 'shared-secret' }
  /** Anything else: not a credential of this service (or of this secret). */
  | { ok: false; problem: 'invalid' };

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Which project the Authorization header speaks for, if it carries a valid credential. Constant time in the MAC. */
export function checkWebhookCredential(header: string | undefined, secret: string): CredentialCheck {
  if (!header || header.trim() === '') return { ok: false, problem: 'missing' };
  const value = header
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
  const m = CREDENTIAL.exec(value);
  if (m) {
    const projectId = Number(m[1]);
    const given = Buffer.from(m[2], 'hex');
    if (Number.isSafeInteger(projectId) && timingSafeEqual(given, mac(secret, projectId))) {
      return { ok: true, projectId };
    }
    return { ok: false, problem: 'invalid' };
  }
  // Comparing fixed-length digests keeps this constant-time whatever the lengths.
  if (timingSafeEqual(sha256(value), sha256(secret))) return { ok: false, problem: 'shared-secret' };
  return { ok: false, problem: 'invalid' };
}

/** Whether a stored auth header is the current credential of this project (for the registration status). */
export function isCurrentAuthHeader(
  stored: string | undefined,
  secret: string | undefined,
  projectId: number,
): boolean {
  if (!stored || !secret) return false;
  const check = checkWebhookCredential(stored, secret);
  return check.ok && check.projectId === projectId;
}
