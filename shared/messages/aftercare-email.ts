import { DateTime } from "luxon";
import type { PlanSection, PlanStep } from "../domain/aftercare-plan";
import type { ClinicContact } from "../domain/catalog";
import { clinicFooterHtml, clinicFooterText, reachClinic } from "./clinic-footer";
import { buttonHtml, emailHtml, httpUrl, emailStyle as STYLE } from "./email-frame";
import { escapeHtml, oneLine } from "./escape";

/**
 * One follow-up email rendered from a stored plan step. The plan's text is the
 * clinic's guide; this module only lays it out, fills the placeholders and adds
 * the greeting and footer. Every value is escaped where it lands (HTML text,
 * attribute, or one plain-text line), and a URL becomes a link only if it is
 * http(s).
 */

export interface AftercareEmailVars {
  patientName: string;
  clinicName: string;
  /** The clinic's address, phone and email, for the footer and "how to reach us". */
  clinicContact?: ClinicContact;
  /** Clinic-local date of the session, `YYYY-MM-DD`. */
  sessionDate: string;
  /** `YYYY-MM-DD`, from the spacing validator; needed by a step that uses it. */
  earliestAllowedDate?: string;
  /** Signed booking link; needed by a step that uses it. */
  bookingUrl?: string;
  /** The patient's private link to their bookings, shown in the footer when given. */
  manageUrl?: string;
  unsubscribeUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A value a step needs was not given: the email must not go out with a hole in it. */
export class MissingEmailVariableError extends Error {
  readonly code = "MISSING_EMAIL_VARIABLE";
  constructor(readonly variable: string) {
    super(`The email needs {{${variable}}}, which was not given`);
    this.name = "MissingEmailVariableError";
  }
}

/** `2027-01-05` → `Tuesday 5 January 2027`. */
export function longDate(date: string): string {
  const parsed = DateTime.fromISO(date, { zone: "UTC" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !parsed.isValid) {
    throw new RangeError("Not a YYYY-MM-DD date");
  }
  return parsed.setLocale("en-US").toFormat("cccc d LLLL yyyy");
}

type Piece = { literal: string } | { value: string; url: boolean };

const KNOWN = new Set([
  "patientName",
  "clinicName",
  "sessionDate",
  "earliestAllowedDate",
  "bookingUrl",
]);
const URL_VARS = new Set(["bookingUrl"]);
const DATE_VARS = new Set(["sessionDate", "earliestAllowedDate"]);

/** Splits a template into literal text and substituted values. */
function fill(template: string, vars: AftercareEmailVars): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{\{([A-Za-z]+)\}\}/g)) {
    const name = match[1] ?? "";
    if (!KNOWN.has(name)) continue;
    pieces.push({ literal: template.slice(last, match.index) });
    const raw = vars[name as Exclude<keyof AftercareEmailVars, "clinicContact">];
    if (raw === undefined || raw === "") throw new MissingEmailVariableError(name);
    const value = DATE_VARS.has(name) ? longDate(raw) : oneLine(raw);
    pieces.push({ value, url: URL_VARS.has(name) });
    last = match.index + match[0].length;
  }
  pieces.push({ literal: template.slice(last) });
  return pieces;
}

function toText(pieces: Piece[]): string {
  return pieces.map((p) => ("literal" in p ? p.literal : p.value)).join("");
}

/** In HTML a link placeholder is a button with `label`; the text part keeps the URL. */
function toHtml(pieces: Piece[], label: string): string {
  return pieces
    .map((p) =>
      "literal" in p
        ? escapeHtml(p.literal)
        : p.url
          ? buttonHtml(p.value, label)
          : escapeHtml(p.value),
    )
    .join("");
}

/** What the booking link's button says for a step of `kind`. */
function bookingLabel(kind: PlanStep["kind"]): string {
  return kind === "no-show" ? "Book another time" : "Book your next session";
}

function sectionText(section: PlanSection, vars: AftercareEmailVars): string[] {
  const t = (s: string) => toText(fill(s, vars));
  const heading = t(section.heading);
  const lines = [heading, "-".repeat(Math.min(heading.length, 60)), ""];
  for (const p of section.paragraphs ?? []) lines.push(t(p), "");
  if (section.bullets?.length) {
    for (const b of section.bullets) lines.push(`- ${t(b)}`);
    lines.push("");
  }
  if (section.table) {
    const [first, ...others] = section.table.columns.map(t);
    for (const row of section.table.rows) {
      const [title, ...cells] = row.map(t);
      lines.push(`${first}: ${title ?? ""}`);
      for (const [i, cell] of cells.entries()) lines.push(`  ${others[i] ?? ""}: ${cell}`);
      lines.push("");
    }
  }
  return lines;
}

function sectionHtml(section: PlanSection, vars: AftercareEmailVars, label: string): string {
  const h = (s: string) => toHtml(fill(s, vars), label);
  let out = `<h2 style="${STYLE.h2}">${h(section.heading)}</h2>`;
  for (const p of section.paragraphs ?? []) out += `<p style="${STYLE.p}">${h(p)}</p>`;
  if (section.bullets?.length) {
    out += `<ul style="${STYLE.ul}">${section.bullets.map((b) => `<li style="${STYLE.li}">${h(b)}</li>`).join("")}</ul>`;
  }
  if (section.table) {
    const head = section.table.columns
      .map((c) => `<th scope="col" style="${STYLE.th}">${h(c)}</th>`)
      .join("");
    const rows = section.table.rows
      .map(
        (row) =>
          `<tr>${row
            .map((cell, i) =>
              i === 0
                ? `<th scope="row" style="${STYLE.th}">${h(cell)}</th>`
                : `<td style="${STYLE.td}">${h(cell)}</td>`,
            )
            .join("")}</tr>`,
      )
      .join("");
    out += `<table style="${STYLE.table}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  }
  return out;
}

/** Renders one plan step as an email: subject, plain text and HTML. */
export function renderAftercareEmail(step: PlanStep, vars: AftercareEmailVars): RenderedEmail {
  const clinic = oneLine(vars.clinicName);
  const name = oneLine(vars.patientName);
  const unsubscribe = httpUrl(vars.unsubscribeUrl);
  if (!unsubscribe) throw new RangeError("unsubscribeUrl must be an http(s) URL");
  const manage = vars.manageUrl ? httpUrl(vars.manageUrl) : null;
  const subject = oneLine(toText(fill(step.subject, vars)));
  const session = longDate(vars.sessionDate);

  const rebookNote =
    step.kind === "last-reminder"
      ? "If you have already booked your next session, you can ignore this email."
      : null;
  const who = {
    name: vars.clinicName,
    ...(vars.clinicContact ? { contact: vars.clinicContact } : {}),
  };
  // A way to reach a person, not advice: any warning signs are the clinic's own plan text.
  const reach =
    step.kind === "aftercare"
      ? `If anything about your healing worries you, ${reachClinic(who)}.`
      : null;
  const notes = [rebookNote, reach].filter((n): n is string => n !== null);
  const why = `You are receiving this email because of your ${step.kind === "no-show" ? "appointment" : "session"} at ${clinic} on ${session}.`;
  const footerLines = [
    ...clinicFooterText(who),
    why,
    ...(manage ? [`Your bookings: ${manage}`] : []),
    `To stop these emails, unsubscribe: ${unsubscribe}`,
  ];

  const text = [
    `Hello ${name},`,
    "",
    ...step.sections.flatMap((s) => sectionText(s, vars)),
    ...notes.flatMap((n) => [n, ""]),
    "--",
    ...footerLines,
    "",
  ].join("\n");

  const footer = [
    clinicFooterHtml(who),
    `<p style="${STYLE.p}">${escapeHtml(why)}</p>`,
    `<p style="${STYLE.p}">To stop these emails, <a href="${escapeHtml(unsubscribe)}" style="${STYLE.link}">unsubscribe</a>.</p>`,
  ].join("");
  const label = bookingLabel(step.kind);
  const body = [
    `<p style="${STYLE.p}">Hello ${escapeHtml(name)},</p>`,
    ...step.sections.map((s) => sectionHtml(s, vars, label)),
    ...notes.map((n) => `<p style="${STYLE.p}">${escapeHtml(n)}</p>`),
    ...(manage
      ? [`<p style="${STYLE.action}">${buttonHtml(manage, "See your bookings", true)}</p>`]
      : []),
  ].join("");

  const html = emailHtml({
    title: subject,
    // The step's own headings may name the treatment: the preview says only whose and when.
    preheader: `A message from ${clinic} about your session on ${session}.`,
    clinicName: clinic,
    body,
    footer,
  });

  return { subject, text, html };
}
