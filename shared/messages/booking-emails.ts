import { DateTime } from "luxon";
import { bookingReference } from "../domain/booking-reference";
import { daysBetween, localDateOf } from "../domain/calendar";
import type { ClinicContact } from "../domain/catalog";
import type { RenderedEmail } from "./aftercare-email";
import { clinicFooterHtml, clinicFooterText } from "./clinic-footer";
import { buttonHtml, emailHtml, httpUrl, emailStyle as S } from "./email-frame";
import { escapeHtml, oneLine } from "./escape";
import { appointmentIcs } from "./ics";

/**
 * The booking confirmation (with its calendar file) and the reminder sent the
 * clinic's lead time before the session. Subjects name the clinic and the time, never the procedure;
 * times are shown in the clinic's timezone with its name, whatever timezone the
 * process runs in.
 */

export interface BookingEmailInput {
  patientName: string;
  clinicName: string;
  /** The clinic's address, phone and email: the footer, the "Where" row, the `.ics` LOCATION. */
  clinicContact?: ClinicContact;
  treatmentName: string;
  start: Date;
  end: Date;
  /** The clinic's IANA timezone, e.g. America/Los_Angeles. */
  timezone: string;
  /** The patient's private link to reschedule or cancel; http(s). */
  manageUrl: string;
  bookingId: string;
}

export interface CalendarFileInput extends BookingEmailInput {
  /** The booking's change counter: the .ics SEQUENCE, so calendars update the same event. */
  sequence: number;
  /** When the file is built (the .ics DTSTAMP); defaults to now. */
  now?: Date;
}

export interface ConfirmationInput extends CalendarFileInput {
  rescheduled: boolean;
  /** The clinic's mail From address: the invitation's ORGANIZER. */
  clinicEmail: string;
  /** The patient's address: the invitation's ATTENDEE. */
  patientEmail: string;
}

export interface ReminderInput extends BookingEmailInput {
  sequence?: number;
  rescheduled?: boolean;
  /** When the reminder is sent: the session is "today", "tomorrow" or a named day from here. */
  now: Date;
}

export interface CalendarFile<
  M extends "REQUEST" | "CANCEL" | "PUBLISH" = "REQUEST" | "CANCEL" | "PUBLISH",
> {
  filename: "appointment.ics";
  contentType: `text/calendar; charset=utf-8; method=${M}`;
  content: string;
}

export interface CancellationInput extends CalendarFileInput {
  /** The patient cancelled (or asked the clinic to), or the clinic had to. */
  cancelledBy: "patient" | "clinic";
  /** Where the patient books again; http(s). */
  bookingUrl: string;
  clinicEmail: string;
  patientEmail: string;
}

export type EmailAttachment = CalendarFile<"REQUEST"> | CalendarFile<"CANCEL">;

export interface ConfirmationEmail extends RenderedEmail {
  attachments: [EmailAttachment];
}

function local(instant: Date, zone: string): DateTime {
  const dt = DateTime.fromJSDate(instant, { zone }).setLocale("en-US");
  if (!dt.isValid) throw new RangeError("Invalid start/end or timezone");
  return dt;
}

/** The zone's generic name in English ("Pacific Time"), or its IANA id if there is none. */
export function zoneLabel(zone: string, at: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longGeneric" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  return part?.value && !/^GMT/.test(part.value) ? part.value : zone;
}

/** `1:00 PM` in the clinic's timezone. */
export function clockTime(instant: Date, zone: string): string {
  return local(instant, zone).toFormat("h:mm a");
}

/** `Tuesday 8 December 2026, 1:00 PM to 2:00 PM (Pacific Time)`. */
export function appointmentWhen(start: Date, end: Date, zone: string): string {
  const s = local(start, zone);
  const e = local(end, zone);
  const day = (d: DateTime) => d.toFormat("cccc d LLLL yyyy");
  const until = s.hasSame(e, "day") ? e.toFormat("h:mm a") : `${day(e)}, ${e.toFormat("h:mm a")}`;
  return `${day(s)}, ${s.toFormat("h:mm a")} to ${until} (${zoneLabel(zone, start)})`;
}

function manageLink(url: string): string {
  const safe = httpUrl(url);
  if (!safe) throw new RangeError("manageUrl must be an http(s) URL");
  return safe;
}

interface Details {
  /** The inbox preview: logistics only, never the treatment. */
  preheader: string;
  greeting: string;
  lead: string;
  rows: [string, string][];
  /** The manage link, or none (a cancelled booking has nothing left to manage). */
  manage: string | null;
  /** A link line after the details, e.g. to book again. */
  link?: { lead: string; url: string; label: string };
  after: string[];
  clinic: { name: string; contact?: ClinicContact };
}

function render(subject: string, d: Details): { text: string; html: string } {
  const text = [
    d.greeting,
    "",
    d.lead,
    "",
    ...d.rows.map(([label, value]) => `${label}: ${value}`),
    "",
    ...(d.manage ? [`To reschedule or cancel: ${d.manage}`] : []),
    ...(d.link ? [`${d.link.lead}: ${d.link.url}`] : []),
    ...d.after,
    "",
    "--",
    ...clinicFooterText(d.clinic),
    "",
  ].join("\n");
  const rows = d.rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="width:34%;${S.th}">${escapeHtml(label)}</th><td style="${S.td}">${escapeHtml(value)}</td></tr>`,
    )
    .join("");
  const html = emailHtml({
    title: subject,
    preheader: d.preheader,
    clinicName: d.clinic.name,
    body: [
      `<p style="${S.p}">${escapeHtml(d.greeting)}</p>`,
      `<p style="${S.p}">${escapeHtml(d.lead)}</p>`,
      `<table style="${S.table}"><tbody>${rows}</tbody></table>`,
      ...(d.manage
        ? [`<p style="${S.action}">${buttonHtml(d.manage, "Reschedule or cancel")}</p>`]
        : []),
      ...(d.link ? [`<p style="${S.action}">${buttonHtml(d.link.url, d.link.label)}</p>`] : []),
      ...d.after.map((line) => `<p style="${S.p}">${escapeHtml(line)}</p>`),
    ].join(""),
    footer: clinicFooterHtml(d.clinic),
  });
  return { text, html };
}

function identity(input: BookingEmailInput) {
  return {
    name: input.clinicName,
    ...(input.clinicContact ? { contact: input.clinicContact } : {}),
  };
}

function detailRows(input: BookingEmailInput): [string, string][] {
  return [
    ["What", oneLine(input.treatmentName)],
    ["When", appointmentWhen(input.start, input.end, input.timezone)],
    [
      "Where",
      oneLine(
        input.clinicContact
          ? `${input.clinicName}, ${input.clinicContact.address}`
          : input.clinicName,
      ),
    ],
    ["Booking reference", bookingReference(oneLine(input.bookingId))],
  ];
}

/** The event every calendar file describes; only METHOD and the people differ. */
function calendarEvent(input: CalendarFileInput) {
  const clinic = oneLine(input.clinicName);
  const manage = manageLink(input.manageUrl);
  return {
    uid: `${oneLine(input.bookingId)}@${new URL(manage).hostname}`,
    sequence: input.sequence,
    start: input.start,
    end: input.end,
    // Calendars are often shared: the event's title names the clinic, not the procedure.
    summary: `Appointment at ${clinic}`,
    description: `${oneLine(input.treatmentName)} at ${clinic}.\nTo reschedule or cancel: ${manage}`,
    location: input.clinicContact ? oneLine(`${clinic}, ${input.clinicContact.address}`) : clinic,
    url: manage,
    organizerName: clinic,
    ...(input.now ? { dtstamp: input.now } : {}),
  };
}

/**
 * The manage page's download: METHOD:PUBLISH, an event to import, not an
 * invitation (nobody is invited by a file the patient fetches themselves).
 */
export function calendarDownload(input: CalendarFileInput): CalendarFile<"PUBLISH"> {
  return {
    filename: "appointment.ics",
    contentType: "text/calendar; charset=utf-8; method=PUBLISH",
    content: appointmentIcs({ ...calendarEvent(input), method: "PUBLISH" }),
  };
}

/** The inbox preview of a booking email: when, and nothing about the treatment. */
function detailsPreheader(input: BookingEmailInput, moved = false): string {
  const when = appointmentWhen(input.start, input.end, input.timezone);
  return `Your ${moved ? "new " : ""}appointment details: ${when}.`;
}

/**
 * The confirmation of a new or moved appointment, with its `.ics` as an invitation
 * (METHOD:REQUEST from the clinic to the patient, as RFC 5546 wants it).
 */
export function renderConfirmation(input: ConfirmationInput): ConfirmationEmail {
  const clinic = oneLine(input.clinicName);
  const manage = manageLink(input.manageUrl);
  const subject = oneLine(
    input.rescheduled
      ? `Your appointment at ${clinic} has been moved`
      : `Your appointment at ${clinic} is confirmed`,
  );
  const { text, html } = render(subject, {
    preheader: detailsPreheader(input, input.rescheduled),
    greeting: `Hello ${oneLine(input.patientName)},`,
    lead: input.rescheduled
      ? `Your appointment at ${clinic} has been moved. Here are the new details.`
      : `Your appointment at ${clinic} is confirmed.`,
    rows: detailRows(input),
    manage,
    after: [
      "This link is personal: please do not share it.",
      "The attached calendar file (appointment.ics) adds the appointment to your calendar.",
    ],
    clinic: identity(input),
  });
  const ics = appointmentIcs({
    ...calendarEvent(input),
    organizerEmail: input.clinicEmail,
    attendee: { name: oneLine(input.patientName), email: input.patientEmail },
    method: "REQUEST",
  });
  return {
    subject,
    text,
    html,
    attachments: [
      {
        filename: "appointment.ics",
        contentType: "text/calendar; charset=utf-8; method=REQUEST",
        content: ics,
      },
    ],
  };
}

/**
 * The session's day as the patient reads it at `now`: "today", "tomorrow", or "on
 * Tuesday 8 December". Counted in calendar days in the clinic's timezone, not in
 * hours: a 24-hour lead before a 9:00 session is "tomorrow", a morning email for an
 * evening session is "today", and a DST change in between moves nothing.
 */
export function sessionDay(start: Date, now: Date, zone: string): string {
  const days = daysBetween(localDateOf(now, zone), localDateOf(start, zone));
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  return `on ${local(start, zone).toFormat("cccc d LLLL")}`;
}

/** The reminder, sent the clinic's reminder lead time before the appointment. */
export function renderReminder(input: ReminderInput): RenderedEmail {
  const clinic = oneLine(input.clinicName);
  const manage = manageLink(input.manageUrl);
  const time = clockTime(input.start, input.timezone);
  const when = sessionDay(input.start, input.now, input.timezone);
  const subject = oneLine(`See you ${when} at ${time}`);
  const { text, html } = render(subject, {
    preheader: detailsPreheader(input),
    greeting: `Hello ${oneLine(input.patientName)},`,
    lead: `This is a reminder of your appointment at ${clinic} ${when} at ${time}.`,
    rows: detailRows(input),
    manage,
    after: ["If you can no longer come, please let us know using the link above."],
    clinic: identity(input),
  });
  return { subject, text, html };
}

/**
 * The cancellation, sent at once, with the `.ics` that takes the event out of the
 * patient's calendar (METHOD:CANCEL, the same UID, the booking's new SEQUENCE).
 * A clinic cancel says the clinic had to cancel, and both offer a way to book again.
 */
export function renderCancellation(input: CancellationInput): ConfirmationEmail {
  const clinic = oneLine(input.clinicName);
  const booking = httpUrl(input.bookingUrl);
  if (!booking) throw new RangeError("bookingUrl must be an http(s) URL");
  const byClinic = input.cancelledBy === "clinic";
  const subject = oneLine(
    byClinic
      ? `${clinic} has had to cancel your appointment`
      : `Your appointment at ${clinic} is cancelled`,
  );
  const when = appointmentWhen(input.start, input.end, input.timezone);
  const { text, html } = render(subject, {
    preheader: `Cancelled: ${when}.`,
    greeting: `Hello ${oneLine(input.patientName)},`,
    lead: byClinic
      ? `We are sorry: ${clinic} has had to cancel your appointment. Nothing is needed from you, and we would be glad to see you at another time.`
      : `Your appointment at ${clinic} is cancelled, as asked. Nothing more is needed from you.`,
    rows: detailRows(input),
    manage: null,
    link: {
      lead: byClinic ? "To choose a new time" : "To book another time",
      url: booking,
      label: byClinic ? "Choose a new time" : "Book another time",
    },
    after: [
      "The attached calendar file (appointment.ics) removes the appointment from your calendar.",
    ],
    clinic: identity(input),
  });
  const ics = appointmentIcs({
    ...calendarEvent(input),
    description: `Cancelled: ${oneLine(input.treatmentName)} at ${clinic}.`,
    organizerEmail: input.clinicEmail,
    attendee: { name: oneLine(input.patientName), email: input.patientEmail },
    method: "CANCEL",
  });
  return {
    subject,
    text,
    html,
    attachments: [
      {
        filename: "appointment.ics",
        contentType: "text/calendar; charset=utf-8; method=CANCEL",
        content: ics,
      },
    ],
  };
}
