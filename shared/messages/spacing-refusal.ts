import { DateTime } from "luxon";
import type { ClinicContact } from "../domain/catalog";
import type { OutgoingEmail } from "../ports";
import { clinicFooterHtml, clinicFooterText, reachClinic } from "./clinic-footer";
import { buttonHtml, emailHtml, emailStyle as S } from "./email-frame";
import { escapeHtml, oneLine } from "./escape";

/**
 * The email a patient gets when an online booking was refused by the spacing
 * rule. The subject does not name the procedure; the body states only what the
 * clinic's guide says (4 to 6 weeks between sessions) and the dates.
 */
export function spacingRefusalEmail(input: {
  to: string;
  patientName: string;
  clinicName: string;
  clinicContact?: ClinicContact;
  treatmentName: string;
  requestedDate: string;
  earliestAllowedDate: string;
  latestAllowedDate?: string;
  bookingUrl: string;
}): OutgoingEmail {
  const long = (d: string) => DateTime.fromISO(d).setLocale("en-US").toFormat("cccc d LLLL yyyy");
  const name = oneLine(input.patientName);
  const who = {
    name: input.clinicName,
    ...(input.clinicContact ? { contact: input.clinicContact } : {}),
  };
  const greeting = `Hello ${name},`;
  const body = [
    `Thank you for asking to book ${input.treatmentName} at ${input.clinicName} on ${long(input.requestedDate)}.`,
    "Your skin needs time to heal and build new collagen between sessions, so we space them 4 to 6 weeks apart, and that date is too close to your other session.",
  ];
  const when = input.latestAllowedDate
    ? `You can book a session from ${long(input.earliestAllowedDate)} to ${long(input.latestAllowedDate)}.`
    : `You can book your next session from ${long(input.earliestAllowedDate)}.`;
  const mistake = `If you think this is a mistake, ${reachClinic(who)}.`;
  const text = [
    greeting,
    "",
    ...body,
    "",
    when,
    `Book here: ${input.bookingUrl}`,
    "",
    mistake,
    "",
    "--",
    ...clinicFooterText(who),
    "",
  ].join("\n");
  const p = (line: string) => `<p style="${S.p}">${escapeHtml(line)}</p>`;
  const subject = `About your booking request at ${oneLine(input.clinicName)}`;
  const html = emailHtml({
    title: subject,
    // The first line names the treatment: the inbox preview must not.
    preheader: `Your booking request at ${oneLine(input.clinicName)}: the dates you can book.`,
    clinicName: input.clinicName,
    body: [
      p(greeting),
      ...body.map(p),
      p(when),
      `<p style="${S.action}">${buttonHtml(input.bookingUrl, "Choose a date")}</p>`,
      p(mistake),
    ].join(""),
    footer: clinicFooterHtml(who),
  });
  return {
    to: input.to,
    ...(input.clinicContact ? { replyTo: input.clinicContact.email } : {}),
    subject,
    text,
    html,
  };
}
