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

function address(raw: string | undefined): string | null {
  const m = raw?.trim().match(ADDRESS);
  return (m?.[1] ?? m?.[2] ?? null)?.toLowerCase() ?? null;
}

export function suppressionsIn(message: string | undefined): Suppression[] {
  if (!message) return [];
  let event: SesEvent;
  try {
    event = JSON.parse(message) as SesEvent;
  } catch {
    return [];
  }
  const type = event.eventType ?? event.notificationType;
  const locationId = event.mail?.tags?.locationId?.[0];
  const withLocation = (s: Suppression): Suppression =>
    locationId && /^[a-z0-9-]{1,64}$/.test(locationId) ? { ...s, locationId } : s;

  if (type === "Bounce" && event.bounce?.bounceType === "Permanent") {
    return (event.bounce.bouncedRecipients ?? []).flatMap((r) => {
      const email = address(r.emailAddress);
      const sub = event.bounce?.bounceSubType ?? "General";
      return email ? [withLocation({ email, reason: `Permanent bounce (${sub})` })] : [];
    });
  }
  if (type === "Complaint") {
    return (event.complaint?.complainedRecipients ?? []).flatMap((r) => {
      const email = address(r.emailAddress);
      return email ? [withLocation({ email, reason: "Complaint (marked as spam)" })] : [];
    });
  }
  return [];
}
