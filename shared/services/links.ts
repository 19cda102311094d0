import type { LinkSigner } from "../ports";

/** The patient-facing links, signed for one purpose each. */
const DAY_MS = 86_400_000;
/**
 * Manage links work until a month after the session, and a link in an email at
 * least a month after that email is sent (the day-42 email's link is not dead).
 */
const MANAGE_DAYS = 30;
const REBOOK_DAYS = 90;
const UNSUBSCRIBE_DAYS = 400;

export interface LinkDeps {
  tokens: LinkSigner;
  publicBaseUrl: string;
}

export function manageUrl(deps: LinkDeps, bookingId: string, start: string, sentAt?: Date): string {
  const until = Math.max(Date.parse(start), sentAt?.getTime() ?? Number.NEGATIVE_INFINITY);
  const expires = new Date(until + MANAGE_DAYS * DAY_MS);
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
