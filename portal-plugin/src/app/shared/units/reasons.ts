// Classified reasons of skipped or failed tasks, in plain words through i18n keys (REASON.*).

export const KNOWN_REASONS = [
  'NOTHING_FIXABLE',
  'UP_TO_DATE',
  'UNSUPPORTED_OS',
  'UNSUPPORTED_ARTIFACT',
  'PATCHED_TAG',
  'NOT_SCANNED',
  'SCAN_FAILED',
  'TAG_IMMUTABLE',
  'TAG_CONFLICT',
  'BUILDKIT_UNREACHABLE',
  'REGISTRY_AUTH',
  'REGISTRY_UNREACHABLE',
  'COPA_FAILED',
  'NOT_PUSHED',
  'TIMEOUT',
  'STOPPED',
  'INTERRUPTED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'BELOW_THRESHOLD',
  'FILTERED_OUT',
  'NOT_IMAGE',
  'MULTI_PLATFORM',
  'ALREADY_PATCHED',
  'NO_TAG',
  'HARBOR_AUTH',
  'ROBOT_NO_ACCESS',
  'ROBOT_PERMISSION',
  'HARBOR_UNREACHABLE',
  'VERIFY_FAILED',
  'INTERNAL',
  'FILTERED_REPOSITORY',
  'UNTAGGED',
  'FILTERED_TAG',
  'FILTERED_LABEL',
] as const;

export interface ReasonView {
  /** The i18n key of the plain-words explanation, when the code is a known one. */
  key: string | null;
  /** The server's own words (details such as the failing package), shown next to the explanation. */
  detail: string | null;
  code: string | null;
}

const CODE = /^[A-Z][A-Z0-9_]+$/;

/**
 * The reason of a task or preview exclusion: the code (in `reason_code`, or alone in `reason`, or as
 * `CODE: details`) gives the plain-words key; the server's own sentence comes along as the detail.
 */
export function reasonView(item: {
  reason?: string | null;
  reason_code?: string | null;
  status_message?: string | null;
}): ReasonView {
  let code = item.reason_code ?? null;
  let detail = item.reason ?? null;
  if (!code && detail) {
    const m = /^([A-Z][A-Z0-9_]+)(?::\s*(.*))?$/s.exec(detail.trim());
    if (m && CODE.test(m[1])) {
      code = m[1];
      detail = m[2] ?? null;
    }
  }
  // The adapter sends the code in `reason` and its sentence in `status_message`.
  if (!detail && item.status_message) detail = item.status_message;
  if (detail && code && detail.trim() === code) detail = null;
  const known = code && (KNOWN_REASONS as readonly string[]).includes(code);
  return { key: known ? `REASON.${code}` : null, detail: detail || (known ? null : code), code };
}
