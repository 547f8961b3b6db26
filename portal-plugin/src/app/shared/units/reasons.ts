// Classified reasons of skipped or failed tasks, in plain words through i18n keys (REASON.*): every reason
// code of the API document has one (src/i18n/translations.spec.ts).
import { isReasonCode } from '@harbor-patching/shared/api/reasons';

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
  const known = code !== null && isReasonCode(code);
  return { key: known ? `REASON.${code}` : null, detail: detail || (known ? null : code), code };
}
