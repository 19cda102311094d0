/**
 * A one-event iCalendar object (RFC 5545) for an appointment, written by hand
 * because the rules that matter here are few and exact: times in UTC (so the
 * file never depends on the process timezone), TEXT values escaped, lines ended
 * by CRLF and folded at 75 octets without splitting a UTF-8 character.
 */

export interface AppointmentIcsInput {
  /** Globally unique and stable across updates, e.g. `bk_123@faceofjules.com`. */
  uid: string;
  /** Bumped on every change of the same appointment (reschedule, cancel). */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  location?: string;
  /** The appointment's page (manage link); http(s) only. */
  url: string;
  organizerName: string;
  /** The clinic's mail From address; required by REQUEST and CANCEL. */
  organizerEmail?: string;
  /** The patient; required by REQUEST and CANCEL, left out of a PUBLISH. */
  attendee?: { name: string; email: string };
  /**
   * REQUEST and CANCEL are iTIP messages to the attendee (RFC 5546: they name the
   * ORGANIZER and ATTENDEE); PUBLISH is a plain event anyone may import.
   */
  method: "REQUEST" | "CANCEL" | "PUBLISH";
  /** When this file is created (DTSTAMP); defaults to now. */
  dtstamp?: Date;
}

const CRLF = "\r\n";
const MAX_OCTETS = 75;

/** `20261208T210000Z`: the UTC form of an instant, seconds kept. */
export function icsUtc(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Not a valid date");
  return instant
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** Escapes a TEXT value: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11). */
export function escapeIcsText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(/[\p{Cc}\u2028\u2029]/gu, " ");
}

/** A quoted parameter value (e.g. CN): DQUOTE and control characters cannot appear in it. */
function quotedParam(value: string): string {
  const clean = value
    .replace(/"/g, "'")
    .replace(/[\p{Cc}\u2028\u2029]+/gu, " ")
    .trim();
  return `"${clean}"`;
}

/** Folds one content line into chunks of at most 75 octets, never inside a character. */
export function foldIcsLine(line: string): string {
  const chunks: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, "utf8");
    // Continuation lines start with one space, which counts towards their 75 octets.
    const limit = chunks.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + size > limit) {
      chunks.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  chunks.push(current);
  return chunks.join(`${CRLF} `);
}

function httpUrl(value: string): string {
  if (/[\p{Cc}\s]/u.test(value))
    throw new RangeError("The URL contains whitespace or control characters");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError("Not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RangeError("Only http(s) URLs can go in a calendar file");
  }
  return url.href;
}

const EMAIL = /^[^\s@<>"\p{Cc}]+@[^\s@<>"\p{Cc}]+$/u;

function address(field: string, value: string): string {
  if (!EMAIL.test(value)) throw new RangeError(`${field} is not an email address`);
  return value;
}

/** ORGANIZER and ATTENDEE lines: who sends, and (in an iTIP message) who receives. */
function people(input: AppointmentIcsInput): string[] {
  const itip = input.method !== "PUBLISH";
  if (itip && (input.organizerEmail === undefined || input.attendee === undefined)) {
    throw new RangeError(`METHOD:${input.method} needs an organizer email and an attendee`);
  }
  const lines: string[] = [];
  if (input.organizerEmail !== undefined) {
    const email = address("organizerEmail", input.organizerEmail);
    lines.push(`ORGANIZER;CN=${quotedParam(input.organizerName)}:mailto:${email}`);
  }
  if (itip && input.attendee) {
    const email = address("attendee", input.attendee.email);
    // The patient booked it: already accepted, and no reply is expected.
    lines.push(
      `ATTENDEE;CN=${quotedParam(input.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:${email}`,
    );
  }
  return lines;
}

/** Builds the `.ics` text for one appointment; the same input gives the same bytes in any timezone. */
export function appointmentIcs(input: AppointmentIcsInput): string {
  if (!Number.isInteger(input.sequence) || input.sequence < 0) {
    throw new RangeError("sequence must be a non-negative integer");
  }
  if (input.end.getTime() <= input.start.getTime()) {
    throw new RangeError("end must be after start");
  }
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//clinic-booking//appointments//EN",
    "CALSCALE:GREGORIAN",
    `METHOD:${input.method}`,
    "BEGIN:VEVENT",
    `UID:${escapeIcsText(input.uid)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${icsUtc(input.dtstamp ?? new Date())}`,
    `DTSTART:${icsUtc(input.start)}`,
    `DTEND:${icsUtc(input.end)}`,
    `SUMMARY:${escapeIcsText(input.summary)}`,
    `DESCRIPTION:${escapeIcsText(input.description)}`,
    ...(input.location ? [`LOCATION:${escapeIcsText(input.location)}`] : []),
    `URL:${httpUrl(input.url)}`,
    ...people(input),
    `STATUS:${input.method === "CANCEL" ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(foldIcsLine).join(CRLF) + CRLF;
}
