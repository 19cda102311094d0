/**
 * Reads an SES event (configuration-set event publishing or identity notification)
 * and names the addresses to suppress: permanent bounces and complaints. Transient
 * bounces (a full mailbox) are not suppressed.
 */
export interface Suppression {
  email: string;
  reason: string;
  locationId?: string;
}

interface SesEvent {
  eventType?: string;
  notificationType?: string;
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    bouncedRecipients?: { emailAddress?: string }[];
  };
  complaint?: {
    complaintFeedbackType?: string;
    complainedRecipients?: { emailAddress?: string }[];
  };
  mail?: { tags?: Record<string, string[]> };
}

const ADDRESS = /<([^<>\s]+@[^<>\s]+)>|^([^<>\s]+@[^<>\s]+)$/;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function address(raw: unknown): string | null {
  const m = text(raw)?.trim().match(ADDRESS);
  return (m?.[1] ?? m?.[2] ?? null)?.toLowerCase() ?? null;
}

/** Whatever arrives (SNS carries any text), this returns a list and never throws. */
export function suppressionsIn(message: string | undefined): Suppression[] {
  if (!message) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  if (!isObject(parsed)) return [];
  const event = parsed as SesEvent & Obj;
  const type = text(event.eventType) ?? text(event.notificationType);
  const bounce = isObject(event.bounce) ? event.bounce : {};
  const complaint = isObject(event.complaint) ? event.complaint : {};
  const tags = isObject(event.mail) && isObject(event.mail.tags) ? event.mail.tags : {};
  const tag = Array.isArray(tags.locationId) ? text(tags.locationId[0]) : undefined;
  const withLocation = (s: Suppression): Suppression =>
    tag && /^[a-z0-9-]{1,64}$/.test(tag) ? { ...s, locationId: tag } : s;

  if (type === "Bounce" && bounce.bounceType === "Permanent") {
    const sub = text(bounce.bounceSubType) ?? "General";
    return objects(bounce.bouncedRecipients).flatMap((r) => {
      const email = address(r.emailAddress);
      return email ? [withLocation({ email, reason: `Permanent bounce (${sub})` })] : [];
    });
  }
  if (type === "Complaint") {
    return objects(complaint.complainedRecipients).flatMap((r) => {
      const email = address(r.emailAddress);
      return email ? [withLocation({ email, reason: "Complaint (marked as spam)" })] : [];
    });
  }
  return [];
}
