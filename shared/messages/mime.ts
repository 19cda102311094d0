import { randomUUID } from "node:crypto";
import addressparser from "nodemailer/lib/addressparser";
import MailComposer from "nodemailer/lib/mail-composer";

/**
 * The raw MIME message handed to SES SendRawEmail: a text and an HTML part,
 * optional attachments (the .ics), and the one-click unsubscribe headers of
 * RFC 2369 / RFC 8058. Header values are never repaired: a CR, LF or other
 * control character in one is refused, so nothing a patient typed can add a
 * header.
 */

export type EmailAddress = string | { name: string; address: string };

export interface RawEmailAttachment {
  filename: string;
  contentType: string;
  content: string | Buffer;
}

export interface RawEmailInput {
  from: EmailAddress;
  /** Exactly one recipient. */
  to: EmailAddress;
  /** The clinic's own address for replies (the From is a sending address). */
  replyTo?: EmailAddress;
  subject: string;
  text: string;
  html: string;
  attachments?: RawEmailAttachment[];
  /** https (http only for a loopback host, as in the local stack); receives the one-click POST. */
  listUnsubscribeUrl: string;
  /** `mailto:` address offered as a second way to unsubscribe. */
  listUnsubscribeMailto?: string;
  /** Domain of the generated Message-ID; defaults to the sender's domain. */
  messageIdDomain?: string;
  /** The Date header; defaults to now. */
  date?: Date;
}

/** Thrown for a header value that would break or extend the header block. */
export class UnsafeHeaderError extends Error {
  readonly code = "UNSAFE_HEADER";
  constructor(readonly field: string) {
    super(`The ${field} header value contains a line break or control character`);
    this.name = "UnsafeHeaderError";
  }
}

// CR and LF end a header line; the other control characters and the Unicode line
// separators have no business in a header either.
const UNSAFE = /[\p{Cc}\u2028\u2029]/u;

function assertHeaderSafe(field: string, value: string): string {
  if (UNSAFE.test(value)) throw new UnsafeHeaderError(field);
  return value;
}

function singleMailbox(field: string, value: EmailAddress): { name: string; address: string } {
  const raw = typeof value === "string" ? value : `${value.name} <${value.address}>`;
  if (typeof value !== "string") {
    assertHeaderSafe(field, value.name);
    assertHeaderSafe(field, value.address);
  }
  assertHeaderSafe(field, raw);
  const parsed = addressparser(raw, { flatten: true });
  const first = parsed[0];
  if (parsed.length !== 1 || !first || !/^[^\s@]+@[^\s@]+$/.test(first.address)) {
    throw new RangeError(`The ${field} header must hold exactly one email address`);
  }
  return typeof value === "string" ? first : { name: value.name, address: first.address };
}

/** The address part of a mailbox (`Clinic <hello@clinic.com>` → `hello@clinic.com`). */
export function mailboxAddress(value: EmailAddress): string {
  return singleMailbox("From", value).address;
}

/**
 * RFC 5322 lines end in CRLF only: nodemailer passes a body's bare LF through, and
 * some servers reject (or "repair", breaking DKIM) a message with one.
 */
function crlf(body: string): string {
  return body.replace(/\r\n|\r|\n/g, "\r\n");
}

/** Keeps each folded List-Unsubscribe line well under the 998-octet limit of RFC 5322. */
const MAX_URL_LENGTH = 900;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function unsubscribeUrl(value: string): string {
  assertHeaderSafe("List-Unsubscribe", value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError("listUnsubscribeUrl is not a URL");
  }
  const ok = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!ok || /\s/.test(value)) {
    throw new RangeError("listUnsubscribeUrl must be an https URL (RFC 8058)");
  }
  if (url.href.length > MAX_URL_LENGTH) throw new RangeError("listUnsubscribeUrl is too long");
  // href is ASCII (punycode host, percent-encoded path) and has no '>' left to close the bracket.
  return url.href;
}

function unsubscribeMailto(value: string): string {
  assertHeaderSafe("List-Unsubscribe", value);
  if (!/^mailto:[^\s<>@]+@[^\s<>]+$/i.test(value) || value.length > MAX_URL_LENGTH) {
    throw new RangeError("listUnsubscribeMailto must be a mailto: URL");
  }
  return value;
}

/** Builds the RFC 5322 message for SES SendRawEmail. */
export async function buildRawEmail(input: RawEmailInput): Promise<Buffer> {
  const from = singleMailbox("From", input.from);
  const to = singleMailbox("To", input.to);
  const replyTo =
    input.replyTo === undefined ? undefined : singleMailbox("Reply-To", input.replyTo);
  const subject = assertHeaderSafe("Subject", input.subject);
  const links = [`<${unsubscribeUrl(input.listUnsubscribeUrl)}>`];
  if (input.listUnsubscribeMailto !== undefined) {
    links.push(`<${unsubscribeMailto(input.listUnsubscribeMailto)}>`);
  }
  let messageId: string | undefined;
  if (input.messageIdDomain !== undefined) {
    const domain = assertHeaderSafe("Message-ID", input.messageIdDomain);
    if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new RangeError("messageIdDomain is not a domain");
    messageId = `<${randomUUID()}@${domain}>`;
  }
  const attachments = (input.attachments ?? []).map((a) => ({
    filename: assertHeaderSafe("Content-Disposition", a.filename),
    contentType: assertHeaderSafe("Content-Type", a.contentType),
    content: typeof a.content === "string" ? crlf(a.content) : a.content,
  }));

  const composer = new MailComposer({
    from,
    to,
    ...(replyTo ? { replyTo } : {}),
    subject,
    text: crlf(input.text),
    html: crlf(input.html),
    attachments,
    ...(messageId ? { messageId } : {}),
    ...(input.date ? { date: input.date } : {}),
    headers: {
      // Folded by hand between the two URIs: nodemailer would fold right after the colon.
      // Every part is checked above, so the only CRLF here is this one.
      "List-Unsubscribe": { prepared: true, value: links.join(",\r\n ") },
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
    // Content comes only from the strings given here, never from a path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
