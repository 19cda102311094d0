import { DateTime } from "luxon";
import type { ClinicContact } from "../domain/catalog";
import type { OutgoingEmail } from "../ports";
import { preheaderHtml } from "./aftercare-email";
import { clinicFooterText, reachClinic } from "./clinic-footer";
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
  const lines = [
    `Hello ${name},`,
    "",
    `Thank you for asking to book ${input.treatmentName} at ${input.clinicName} on ${long(input.requestedDate)}.`,
    "Your skin needs time to heal and build new collagen between sessions, so we space them 4 to 6 weeks apart, and that date is too close to your other session.",
    "",
    input.latestAllowedDate
      ? `You can book a session from ${long(input.earliestAllowedDate)} to ${long(input.latestAllowedDate)}.`
      : `You can book your next session from ${long(input.earliestAllowedDate)}.`,
    `Book here: ${input.bookingUrl}`,
    "",
    `If you think this is a mistake, ${reachClinic(who)}.`,
    "",
    ...clinicFooterText(who),
  ];
  const text = lines.join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">${preheaderHtml(
    // The first line names the treatment: the inbox preview must not.
    `Your booking request at ${oneLine(input.clinicName)}: the dates you can book.`,
  )}${lines
    .filter((l, i) => l !== "" || lines[i - 1] !== "")
    .map((l) =>
      l.startsWith("Book here: ")
        ? `<p><a href="${escapeHtml(input.bookingUrl)}">Choose a date</a></p>`
        : l === ""
          ? ""
          : `<p>${escapeHtml(l)}</p>`,
    )
    .join("")}</body></html>`;
  return {
    to: input.to,
    ...(input.clinicContact ? { replyTo: input.clinicContact.email } : {}),
    subject: `About your booking request at ${oneLine(input.clinicName)}`,
    text,
    html,
  };
}
