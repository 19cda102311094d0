import type { LinkSigner } from "../ports";

/** The patient-facing links, signed for one purpose each. */
const DAY_MS = 86_400_000;
/** Manage links work until a month after the session. */
const MANAGE_DAYS_AFTER_START = 30;
const REBOOK_DAYS = 90;
const UNSUBSCRIBE_DAYS = 400;

export interface LinkDeps {
  tokens: LinkSigner;
  publicBaseUrl: string;
}

export function manageUrl(deps: LinkDeps, bookingId: string, start: string): string {
  const expires = new Date(Date.parse(start) + MANAGE_DAYS_AFTER_START * DAY_MS);
  const token = deps.tokens.sign("manage", bookingId, expires);
  return `${deps.publicBaseUrl}/manage/${bookingId}?token=${encodeURIComponent(token)}`;
}

export function rebookUrl(deps: LinkDeps, patientId: string, now: Date): string {
  const token = deps.tokens.sign(
    "rebook",
    patientId,
    new Date(now.getTime() + REBOOK_DAYS * DAY_MS),
  );
  return `${deps.publicBaseUrl}/book?rebook=${encodeURIComponent(token)}`;
}

/** The page a person opens, and the RFC 8058 one-click endpoint mail clients POST to. */
export function unsubscribeUrls(deps: LinkDeps, patientId: string, now: Date) {
  const token = encodeURIComponent(
    deps.tokens.sign("unsubscribe", patientId, new Date(now.getTime() + UNSUBSCRIBE_DAYS * DAY_MS)),
  );
  return {
    page: `${deps.publicBaseUrl}/unsubscribe?token=${token}`,
    oneClick: `${deps.publicBaseUrl}/api/unsubscribe?token=${token}`,
  };
}
